package snapdiff_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestDiffAfterChangedAuthorization runs the nightly job on the sample,
// changes the authorization file (edge-router-lambda granted
// s3:GetBucketTagging, sqs-worker's kms:Decrypt statement removed), runs it
// again, and checks the diff shows exactly those changes.
func TestDiffAfterChangedAuthorization(t *testing.T) {
	root, _ := filepath.Abs("..")
	dir := t.TempDir()
	authzPath := filepath.Join(dir, "authz.json")
	raw, err := os.ReadFile(filepath.Join(root, "testdata/sample/authz.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(authzPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "iamtrim.yaml")
	cfg := "out_dir: " + filepath.Join(dir, "out") + "\n" +
		"catalog:\n  source: " + filepath.Join(root, "testdata/catalog") + "\n" +
		"authz:\n  files: [" + authzPath + "]\n" +
		"trails:\n  file: " + filepath.Join(root, "testdata/sample/trails.json") + "\n" +
		"cloudtrail:\n  sources: [" + filepath.Join(root, "testdata/sample/AWSLogs") + "]\n" +
		"report:\n  formats: [json]\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	schema := storetest.SchemaName(t)
	t.Cleanup(func() { storetest.Drop(t, schema) })
	open := func(ctx context.Context) (*store.DB, error) {
		return store.Open(ctx, store.Options{URL: storetest.URL(), Schema: schema, Logger: slog.New(slog.DiscardHandler)})
	}
	now := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	r := &job.Runner{Open: open, Log: slog.New(slog.DiscardHandler), Stdout: io.Discard, Version: "test", Now: func() time.Time { return now }}
	run := func() {
		t.Helper()
		c, err := job.Load(cfgPath, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Run(context.Background(), c); err != nil {
			t.Fatalf("run: %v", err)
		}
	}
	run()
	db, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := snapdiff.Compare(context.Background(), db, 0, 0); !errors.Is(err, snapdiff.ErrTooFew) {
		t.Fatalf("Compare after one run: %v, want ErrTooFew", err)
	}

	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, rl := range doc["RoleDetailList"].([]any) {
		role := rl.(map[string]any)
		pols := role["RolePolicyList"].([]any)
		doc := func(i int) map[string]any { return pols[i].(map[string]any)["PolicyDocument"].(map[string]any) }
		switch role["RoleName"] {
		case "edge-router-lambda":
			d := doc(0)
			d["Statement"] = append(d["Statement"].([]any), map[string]any{"Effect": "Allow", "Action": "s3:GetBucketTagging", "Resource": "*"})
		case "sqs-worker":
			d := doc(0)
			d["Statement"] = d["Statement"].([]any)[:1] // drop kms:Decrypt
		}
	}
	changed, _ := json.Marshal(doc)
	if err := os.WriteFile(authzPath, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	now = now.Add(24 * time.Hour)
	run()

	res, err := snapdiff.Compare(context.Background(), db, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	type change struct{ ARN, Added, Removed string }
	var got []change
	for _, c := range res.Principals {
		got = append(got, change{c.ARN, join(c.GrantsAdded), join(c.GrantsRemoved)})
	}
	want := []change{
		{"arn:aws:iam::111122223333:role/app/sqs-worker", "", "kms:Decrypt"},
		{"arn:aws:iam::111122223333:role/service-role/edge-router-lambda", "s3:GetBucketTagging", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		var buf bytes.Buffer
		_ = snapdiff.WriteTable(&buf, res)
		t.Errorf("changed principals (-want +got):\n%s\n%s", diff, buf.String())
	}
	if len(res.NewPrincipals)+len(res.RemovedPrincipals) != 0 {
		t.Errorf("principals new %v, removed %v: want none", res.NewPrincipals, res.RemovedPrincipals)
	}
	if res.Totals.GrantsAdded != 1 || res.Totals.GrantsRemoved != 1 {
		t.Errorf("totals %+v: want one grant added and one removed", res.Totals)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
