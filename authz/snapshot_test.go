package authz

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func TestSnapshotRoundTrip(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()

	if _, _, err := LoadSnapshot(ctx, db, 0); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("load from an empty database: err = %v, want ErrNoSnapshot", err)
	}

	edge := `{"RoleDetailList":[{"RoleName":"a","Arn":"arn:aws:iam::111122223333:role/a",
	  "AttachedManagedPolicies":[{"PolicyArn":"arn:aws:iam::aws:policy/Gone"}]}]}`
	inputs := []struct {
		name string
		inv  func(t *testing.T) *Inventory
	}{
		{"hand-written page", func(t *testing.T) *Inventory { return mustParse(t, pageJSON) }},
		{"URL-encoded page", func(t *testing.T) *Inventory { return mustParse(t, encodeDocuments(t, pageJSON)) }},
		{"edge case with warnings", func(t *testing.T) *Inventory { return mustParse(t, edge) }},
		{"merged accounts", func(t *testing.T) *Inventory {
			return Merge(mustParse(t, pageJSON), mustParse(t, strings.ReplaceAll(pageJSON, "111122223333", "444455556666")))
		}},
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			inv := in.inv(t)
			id, created, err := SaveSnapshot(ctx, db, inv, in.name, t0.Add(time.Duration(i)*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			// The URL-encoded page is the same content as the first input.
			wantCreated := in.name != "URL-encoded page"
			if created != wantCreated {
				t.Errorf("created = %v, want %v", created, wantCreated)
			}
			got, info, err := LoadSnapshot(ctx, db, id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(canonicalJSON(t, inv), canonicalJSON(t, got)); diff != "" {
				t.Errorf("round trip (-saved +loaded):\n%s", diff)
			}
			digest, _ := Digest(inv)
			if info.ID != id || info.Digest != digest || info.Roles != len(inv.Roles) || info.Users != len(inv.Users) ||
				info.Groups != len(inv.Groups) || info.Policies != len(inv.Policies) {
				t.Errorf("info = %+v, want id %d, digest %s and the inventory's counts", info, id, digest)
			}
			// Saving what was loaded is the same snapshot.
			again, created, err := SaveSnapshot(ctx, db, got, "again", t0)
			if err != nil || created || again != id {
				t.Errorf("re-save of the loaded inventory = (%d, %v, %v), want (%d, false, nil)", again, created, err, id)
			}
		})
	}

	list, err := ListSnapshots(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("got %d snapshots, want 3", len(list))
	}
	// Re-loading the first content later makes it the latest.
	later := t0.Add(24 * time.Hour)
	id, created, err := SaveSnapshot(ctx, db, mustParse(t, pageJSON), "reload", later)
	if err != nil || created {
		t.Fatalf("reload: created %v err %v, want the existing snapshot", created, err)
	}
	_, info, err := LoadSnapshot(ctx, db, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || !info.TakenAt.Equal(later) || info.Source != "hand-written page" {
		t.Errorf("latest = %+v, want snapshot %d taken at %v from its first source", info, id, later)
	}
	if _, _, err := LoadSnapshot(ctx, db, 9999); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("load of a missing id: err = %v, want ErrNoSnapshot", err)
	}
}

func TestSnapshotSharedFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), "data", "authz", "*.json"))
	db := storetest.New(t)
	ctx := context.Background()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			inv, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			id, created, err := SaveSnapshot(ctx, db, inv, f, time.Now())
			if err != nil || !created {
				t.Fatalf("save: created %v, err %v", created, err)
			}
			got, _, err := LoadSnapshot(ctx, db, id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(canonicalJSON(t, inv), canonicalJSON(t, got)); diff != "" {
				t.Errorf("round trip (-saved +loaded):\n%s", diff)
			}
			// Loading the same file again is idempotent.
			inv2, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if id2, created, err := SaveSnapshot(ctx, db, inv2, f, time.Now()); err != nil || created || id2 != id {
				t.Errorf("second load = (%d, %v, %v), want (%d, false, nil)", id2, created, err, id)
			}
		})
	}
}
