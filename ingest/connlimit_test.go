package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

// A role allowed exactly as many connections as the pool may open, and
// as many workers: the run stays within them (the day claims' connection
// comes out of the pool, only when it has one to spare).
func TestRunWithinConnectionLimit(t *testing.T) {
	ctx := context.Background()
	su, err := pgx.Connect(ctx, storetest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer su.Close(ctx)
	cfg, err := pgx.ParseConfig(storetest.URL())
	if err != nil {
		t.Fatal(err)
	}
	role := fmt.Sprintf("iamtrim_connlimit_%d", os.Getpid())
	schema := role
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 3",
		"GRANT CREATE ON DATABASE " + pgx.Identifier{cfg.Database}.Sanitize() + " TO " + role,
	} {
		if _, err := su.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		su, err := pgx.Connect(ctx, storetest.URL())
		if err != nil {
			return
		}
		su.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		su.Exec(ctx, "REVOKE ALL ON DATABASE "+pgx.Identifier{cfg.Database}.Sanitize()+" FROM "+role)
		su.Exec(ctx, "DROP ROLE "+role)
		su.Close(ctx)
	})
	dir := t.TempDir()
	if _, err := sample.Generate(ctx, sample.Options{Out: dir, Events: 20000, Seed: 7, Days: 5}, nil); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Options{URL: fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, cfg.Database), Schema: schema, MaxConns: 3, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := Run(ctx, db, nil, Options{Sources: []string{filepath.Join(dir, "AWSLogs")}, Workers: 3}, nil)
	if err != nil || sum.FilesFailed > 0 || sum.Events == 0 {
		t.Fatalf("ingest: %v, %+v", err, sum)
	}
}
