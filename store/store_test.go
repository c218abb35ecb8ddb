package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func TestMigrateFromEmptyAndReapply(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	cur, latest, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur != latest || cur == 0 {
		t.Fatalf("after open: version %d, want latest %d", cur, latest)
	}
	var tables int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1`, db.Schema).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables < 2 {
		t.Fatalf("schema %s has %d tables, want the migrated ones", db.Schema, tables)
	}
	var applied int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM goose_db_version`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	// Re-applying is a no-op: no new rows in the version table.
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("re-apply: %v", err)
	}
	var again int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM goose_db_version`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != applied {
		t.Fatalf("re-apply changed goose_db_version rows: got %d, want %d", again, applied)
	}
}

func TestConcurrentStartsMigrateOnce(t *testing.T) {
	schema := storetest.SchemaName(t)
	t.Cleanup(func() { storetest.Drop(t, schema) })
	ctx := context.Background()
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	dbs := make([]*store.DB, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = store.Open(ctx, store.Options{URL: storetest.URL(), Schema: schema})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	// Each migration must be recorded exactly once.
	var dup int
	err := dbs[0].Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT version_id FROM goose_db_version WHERE is_applied GROUP BY version_id HAVING count(*) > 1) d`).Scan(&dup)
	if err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Fatalf("%d migrations applied more than once", dup)
	}
	cur, latest, err := dbs[0].MigrationStatus(ctx)
	if err != nil || cur != latest {
		t.Fatalf("version %d latest %d err %v", cur, latest, err)
	}
}

func TestCandidates(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		flag    string
		env     map[string]string
		origins []string
		conn    string
	}{
		{"flag wins", "postgres://a@h/db", map[string]string{"DATABASE_URL": "postgres://b@h/x", "PGHOST": "z"}, []string{"--db"}, "postgres://a@h/db"},
		{"DATABASE_URL next", "", map[string]string{"DATABASE_URL": "postgres://b@h/x", "PGHOST": "z"}, []string{"DATABASE_URL"}, "postgres://b@h/x"},
		{"libpq vars default the database", "", map[string]string{"PGHOST": "db.internal", "PGUSER": "u"}, []string{"libpq environment"}, "dbname=iamtrim"},
		{"libpq PGDATABASE kept", "", map[string]string{"PGDATABASE": "other"}, []string{"libpq environment"}, ""},
		{"local defaults", "", nil, []string{"local socket", "local TCP"}, "host=/var/run/postgresql port=5432 dbname=iamtrim"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := store.Candidates(tc.flag, env(tc.env))
			var origins []string
			for _, g := range got {
				origins = append(origins, g.Origin)
			}
			if strings.Join(origins, ",") != strings.Join(tc.origins, ",") {
				t.Fatalf("origins: got %v, want %v", origins, tc.origins)
			}
			if got[0].ConnString != tc.conn {
				t.Fatalf("conn string: got %q, want %q", got[0].ConnString, tc.conn)
			}
		})
	}
}

func TestRedactHidesPassword(t *testing.T) {
	got := store.Candidates("postgres://u:s3cret@db:5433/x", nil)[0].Display
	if strings.Contains(got, "s3cret") {
		t.Fatalf("display %q leaks the password", got)
	}
	if !strings.Contains(got, "db:5433") || !strings.Contains(got, "database x") {
		t.Fatalf("display %q lacks host or database", got)
	}
}

func TestNoServerMessage(t *testing.T) {
	ctx := context.Background()
	_, err := store.Open(ctx, store.Options{URL: "postgres://postgres@127.0.0.1:1/none?connect_timeout=2", NoMigrate: true})
	var ce *store.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *ConnectError", err)
	}
	if !errors.Is(err, store.ErrNoServer) {
		t.Fatalf("got %v, want ErrNoServer", err)
	}
	msg := err.Error()
	for _, want := range []string{"127.0.0.1:1", "--db", "DATABASE_URL", "PGHOST"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestCreatesMissingDatabase(t *testing.T) {
	ctx := context.Background()
	name := strings.ReplaceAll(storetest.SchemaName(t), "t_", "iamtrim_test_")
	url := "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"
	db, err := store.Open(ctx, store.Options{URL: url})
	if err != nil {
		t.Fatalf("open missing database: %v", err)
	}
	db.Close()
	t.Cleanup(func() {
		admin, err := store.Open(ctx, store.Options{URL: storetest.URL(), NoMigrate: true})
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.Pool.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	var app, timeout string
	db2, err := store.Open(ctx, store.Options{URL: url, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.Pool.QueryRow(ctx, `SELECT current_setting('application_name'), current_setting('statement_timeout')`).Scan(&app, &timeout); err != nil {
		t.Fatal(err)
	}
	if app != "iamtrim" || timeout != "10min" {
		t.Fatalf("application_name %q statement_timeout %q, want iamtrim and 10min", app, timeout)
	}
}

// TestConcurrentCreateDatabase opens a missing database from several
// processes' worth of goroutines at once, as parallel test packages do on a
// fresh server: CREATE DATABASE racing itself can fail with 42P04 or with
// 23505 on pg_database_datname_index, and both mean "someone else made it".
func TestConcurrentCreateDatabase(t *testing.T) {
	ctx := context.Background()
	admin, err := store.Open(ctx, store.Options{URL: storetest.URL(), NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close) // after the databases are dropped
	base := strings.ReplaceAll(storetest.SchemaName(t), "t_", "iamtrim_race_")
	for round := range 5 {
		name := fmt.Sprintf("%s_%d", base, round)
		t.Cleanup(func() {
			if _, err := admin.Pool.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
				t.Logf("cleanup: %v", err)
			}
		})
		url := "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"
		const n = 8
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				db, err := store.Open(ctx, store.Options{URL: url, NoMigrate: true})
				if err == nil {
					db.Close()
				}
				errs[i] = err
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d open %d: %v", round, i, err)
			}
		}
	}
}
