package queries_test

import (
	"context"
	"errors"
	"testing"

	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func TestOrgQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := queries.LatestOrgSnapshot(ctx, db); !errors.Is(err, queries.ErrNotFound) {
		t.Fatalf("LatestOrgSnapshot of an empty schema: %v, want ErrNotFound", err)
	}
	a := queries.OrgSnapshot{Source: "org.json", Digest: "da", OrganizationID: "o-1", Management: "111", Accounts: 3, Body: []byte(`{"a": 1}`)}
	b := queries.OrgSnapshot{Source: "aws", Digest: "db", OrganizationID: "o-1", Management: "111", Accounts: 4, Body: []byte(`{"b": 2}`)}
	idA, created, err := queries.SaveOrgSnapshot(ctx, db, a)
	if err != nil || !created {
		t.Fatalf("SaveOrgSnapshot: %d, %v, %v", idA, created, err)
	}
	idB, _, err := queries.SaveOrgSnapshot(ctx, db, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := queries.LatestOrgSnapshot(ctx, db); err != nil || got.ID != idB || got.Source != "aws" || string(got.Body) != `{"b": 2}` {
		t.Errorf("LatestOrgSnapshot: %+v, %v; want b (%d)", got, err, idB)
	}
	// a loaded again: nothing new, and it is the latest.
	again, created, err := queries.SaveOrgSnapshot(ctx, db, a)
	if err != nil || created || again != idA {
		t.Fatalf("SaveOrgSnapshot again: %d, %v, %v; want %d, not created", again, created, err, idA)
	}
	if got, err := queries.LatestOrgSnapshot(ctx, db); err != nil || got.ID != idA || got.Source != "org.json" || string(got.Body) != `{"a": 1}` {
		t.Errorf("LatestOrgSnapshot after loading a again: %+v, %v; want a (%d)", got, err, idA)
	}
}
