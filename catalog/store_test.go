package catalog

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// view renders everything a catalog answers, for round-trip comparisons.
type view struct {
	Services   []string
	Actions    []ActionInfo
	Resources  map[string][]string
	Keys       map[string][]ConditionKey
	Operations map[string][]string
}

func viewOf(c *Catalog) view {
	v := view{
		Services:   c.Services(),
		Resources:  map[string][]string{},
		Keys:       map[string][]ConditionKey{},
		Operations: map[string][]string{},
	}
	for _, a := range c.Actions() {
		info, _ := c.ActionInfo(a)
		v.Actions = append(v.Actions, info)
	}
	for _, s := range c.services {
		for _, r := range s.resources {
			v.Resources[s.name+"/"+r.name] = c.ResourceARNFormats(s.name, r.name)
		}
		v.Keys[s.name] = c.ConditionKeys(s.name)
		for _, o := range s.operations {
			v.Operations[s.name+"/"+o.name] = c.OperationActions(s.name, o.name)
		}
	}
	return v
}

func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestStoreAndLoadCurrent(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	pool := db

	if _, err := LoadCurrent(ctx, pool); !errors.Is(err, ErrNoCatalog) {
		t.Fatalf("LoadCurrent on an empty database: err = %v, want ErrNoCatalog", err)
	}

	var logs strings.Builder
	none, err := LoadCurrentOrNil(ctx, pool, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || none != nil || !strings.Contains(logs.String(), "no action catalog loaded") {
		t.Fatalf("LoadCurrentOrNil on an empty database = %v, %v, log %q; want nil, nil and a warning", none, err, logs.String())
	}

	c := loadFixture(t)
	v1, err := Store(ctx, pool, c, "fixture")
	if err != nil {
		t.Fatalf("Store: %v", err)
	}
	want := c.Version()
	want.ID = v1.ID
	want.Source = "fixture"
	want.FetchedAt = want.FetchedAt.Truncate(time.Microsecond)
	if diff := cmp.Diff(want, v1); diff != "" || v1.ID == 0 {
		t.Errorf("Store() version mismatch (-want +got):\n%s", diff)
	}

	got, err := LoadCurrent(ctx, pool)
	if err != nil {
		t.Fatalf("LoadCurrent: %v", err)
	}
	if diff := cmp.Diff(v1, got.Version()); diff != "" {
		t.Errorf("LoadCurrent().Version() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(viewOf(c), viewOf(got)); diff != "" {
		t.Errorf("LoadCurrent() content mismatch (-stored +loaded):\n%s", diff)
	}
	if diff := cmp.Diff(c.Expand("s3:Get*"), got.Expand("s3:Get*")); diff != "" {
		t.Errorf("Expand after round trip (-want +got):\n%s", diff)
	}

	// Same content again: same version, no new rows, even from another
	// source and fetch time.
	again, err := LoadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	v1b, err := Store(ctx, pool, again, "elsewhere")
	if err != nil {
		t.Fatalf("Store again: %v", err)
	}
	if diff := cmp.Diff(v1, v1b); diff != "" {
		t.Errorf("second Store of the same content (-first +second):\n%s", diff)
	}
	for table, want := range map[string]int{"catalog_version": 1, "catalog_service": 3, "catalog_action": 17, "catalog_resource": 4, "catalog_condition_key": 6, "catalog_operation": 4} {
		if got := count(t, pool.Pool, table); got != want {
			t.Errorf("%s rows = %d, want %d", table, got, want)
		}
	}

	// Different content: a new version, made current.
	docs := readFixtureDocs(t)
	delete(docs, "sqs.json")
	smaller, err := Parse(docs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Store(ctx, pool, smaller, ""); err == nil || !strings.Contains(err.Error(), "no fetch time") {
		t.Errorf("Store of a catalog without fetch time: err = %v, want one naming it", err)
	}
	smaller.version.FetchedAt = time.Date(2026, 8, 22, 10, 0, 0, 0, time.UTC)
	v2, err := Store(ctx, pool, smaller, "smaller")
	if err != nil {
		t.Fatalf("Store smaller: %v", err)
	}
	if v2.ID == v1.ID || v2.Services != 2 || v2.Actions != 14 {
		t.Errorf("Store smaller = %+v, want a new version with 2 services and 14 actions", v2)
	}
	cur, err := CurrentVersion(ctx, pool)
	if err != nil || cur.ID != v2.ID {
		t.Errorf("CurrentVersion = %+v, %v; want ID %d", cur, err, v2.ID)
	}

	// Storing the first content again makes it current again.
	if v, err := Store(ctx, pool, c, "fixture"); err != nil || v.ID != v1.ID {
		t.Errorf("Store first again = %+v, %v; want ID %d", v, err, v1.ID)
	}
	vs, current, err := Versions(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || current != v1.ID || vs[0].ID != v2.ID {
		t.Errorf("Versions() = %+v, current %d; want [v2, v1], current %d", vs, current, v1.ID)
	}
	old, err := LoadVersion(ctx, pool, v2.ID)
	if err != nil {
		t.Fatalf("LoadVersion(%d): %v", v2.ID, err)
	}
	if old.HasService("sqs") || old.Version().Digest != v2.Digest {
		t.Errorf("LoadVersion(%d) = %+v, want the smaller catalog", v2.ID, old.Version())
	}
	if _, err := LoadVersion(ctx, pool, 999999); !errors.Is(err, ErrNoCatalog) {
		t.Errorf("LoadVersion(unknown) err = %v, want ErrNoCatalog", err)
	}
	if got := count(t, pool.Pool, "catalog_version WHERE is_current"); got != 1 {
		t.Errorf("current versions = %d, want 1", got)
	}
}

func TestLoadCurrentDetectsAlteredRows(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := Store(ctx, db, loadFixture(t), "fixture"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE catalog_action SET access_level = 'Write' WHERE service = 's3' AND action = 'GetObject'`); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCurrent(ctx, db)
	if err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("LoadCurrent after altering a row: err = %v, want a digest mismatch", err)
	}
}

func TestStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	c := loadFixture(t)
	errs := make(chan error, 4)
	ids := make(chan int64, 4)
	for range 4 {
		go func() {
			v, err := Store(ctx, db, c, "fixture")
			ids <- v.ID
			errs <- err
		}()
	}
	var first int64
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Store: %v", err)
		}
		id := <-ids
		if first == 0 {
			first = id
		} else if id != first {
			t.Errorf("concurrent Store returned versions %d and %d, want one", first, id)
		}
	}
	if got := count(t, db.Pool, "catalog_version"); got != 1 {
		t.Errorf("catalog_version rows = %d, want 1", got)
	}
}

func TestStoreFullCatalog(t *testing.T) {
	c, _ := loadFull(t)
	ctx := context.Background()
	db := storetest.New(t)
	start := time.Now()
	v, err := Store(ctx, db, c, "")
	if err != nil {
		t.Fatalf("Store: %v", err)
	}
	stored := time.Since(start)
	start = time.Now()
	got, err := LoadCurrent(ctx, db)
	if err != nil {
		t.Fatalf("LoadCurrent: %v", err)
	}
	t.Logf("stored %d services, %d actions in %v; loaded back in %v", v.Services, v.Actions, stored, time.Since(start))
	if got.Version().Digest != c.Version().Digest {
		t.Errorf("digest after round trip = %s, want %s", got.Version().Digest, c.Version().Digest)
	}
	if got := count(t, db.Pool, "catalog_action"); got != c.Version().Actions {
		t.Errorf("catalog_action rows = %d, want %d", got, c.Version().Actions)
	}
}

// TestStoreAfterKilledStore: a Store killed after its INSERT (a kill -9
// during the nightly job's catalog stage) rolls back but has used up an
// identity value. The next Store of the same content must still be version
// 1, as on a run that was never killed, or reports say "version 2" for the
// same catalog.
func TestStoreAfterKilledStore(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	c := loadFixture(t)
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO catalog_version (source, fetched_at, digest, services, actions) VALUES ('killed', now(), 'sha256:killed', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := Store(ctx, db, c, "")
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != 1 {
		t.Fatalf("version after a killed store: got %d, want 1", v.ID)
	}
	again, err := Store(ctx, db, c, "")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != v.ID {
		t.Fatalf("identical catalog stored again: version %d, want %d", again.ID, v.ID)
	}
}
