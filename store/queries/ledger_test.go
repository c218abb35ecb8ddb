package queries_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestObjectLedger runs the ledger's statements against the migrated
// schema: registering is idempotent, a claim skips (or waits for) rows
// another transaction holds, and a finished object's row and the API
// cursor hold what was written.
func TestObjectLedger(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	keys := []queries.ObjectKey{{Source: "file", Key: "/logs/a.json.gz"}, {Source: "s3", Key: "s3://b/k.json.gz"}}
	first, err := queries.RegisterObjects(ctx, db, keys, []int64{10, 20})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if st := first[k]; st.ID == 0 || st.Status != "pending" || st.Size != []int64{10, 20}[i] || st.Version != "" {
			t.Errorf("registered %v: %+v; want a pending row of size %d", k, st, []int64{10, 20}[i])
		}
	}
	again, err := queries.RegisterObjects(ctx, db, keys[:1], []int64{99})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[queries.ObjectKey]queries.ObjectState{keys[0]: first[keys[0]]}, again); d != "" {
		t.Errorf("registered again (-want +got):\n%s", d)
	}

	claim := func(tx pgx.Tx, wait bool) (map[queries.ObjectKey]queries.ObjectState, error) {
		got := map[queries.ObjectKey]queries.ObjectState{}
		b := &pgx.Batch{}
		queries.QueueClaimObjects(b, keys, wait, 50*time.Millisecond, got)
		return got, tx.SendBatch(ctx, b).Close()
	}
	holder, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	held, err := claim(holder, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(first, held); d != "" {
		t.Errorf("claimed (-want +got):\n%s", d)
	}
	other, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback(ctx) }()
	if got, err := claim(other, false); err != nil || len(got) != 0 {
		t.Errorf("claim of held rows: %v, %v; want none, skipped", got, err)
	}
	_ = other.Rollback(ctx)
	waiter, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = waiter.Rollback(ctx) }()
	if _, err := claim(waiter, true); !isCode(err, "55P03") {
		t.Errorf("waiting claim of held rows: %v; want lock_not_available after the timeout", err)
	}

	at := time.Date(2026, 8, 3, 12, 0, 0, 0, time.UTC)
	b := &pgx.Batch{}
	done := queries.ObjectDone{
		ID: held[keys[0]].ID, Size: 11, Version: "v2", Status: "failed", Shape: "records", Records: 7, Events: 5,
		Duplicates: 1, Unmapped: 2, Denied: 3, BadRecords: 1, Error: "a.json.gz:record 4: bad", IngestedBy: "host:1",
	}
	queries.QueueObjectDone(b, done)
	queries.QueueAPICursor(b, "111122223333", "us-east-1", at)
	queries.QueueAPICursor(b, "111122223333", "us-east-1", at.Add(-time.Hour)) // earlier: kept later
	if err := holder.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var got queries.ObjectDone
	var attempts int
	if err := db.Pool.QueryRow(ctx, `
		SELECT id, size, version, status, shape, records, events, duplicates, unmapped, denied, errors, error, ingested_by, attempts
		FROM ingest_object WHERE source = 'file'`).Scan(&got.ID, &got.Size, &got.Version, &got.Status, &got.Shape,
		&got.Records, &got.Events, &got.Duplicates, &got.Unmapped, &got.Denied, &got.BadRecords, &got.Error, &got.IngestedBy, &attempts); err != nil {
		t.Fatal(err)
	}
	if got != done || attempts != 1 {
		t.Errorf("ledger row %+v, %d attempts; want %+v, 1", got, attempts, done)
	}
	var cursor time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT last_event_time FROM ingest_api_cursor`).Scan(&cursor); err != nil || !cursor.Equal(at) {
		t.Errorf("API cursor %v, %v; want %v", cursor, err, at)
	}
	ledger, err := queries.IngestLedger(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := []queries.LedgerRow{{Source: "file", Status: "failed", Objects: 1, Records: 7, Events: 5, Errors: 1}, {Source: "s3", Status: "pending", Objects: 1}}
	if d := cmp.Diff(want, ledger); d != "" {
		t.Errorf("IngestLedger (-want +got):\n%s", d)
	}
}

func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// TestWaitDurable commits asynchronously, then waits: the server's log is
// flushed past that commit when WaitDurable returns.
func TestWaitDurable(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var lsn string
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := queries.AsyncCommit(ctx, tx); err != nil {
			return err
		}
		// A large write, so that the log has more than the WAL writer's
		// last flush to write.
		if _, err := tx.Exec(ctx, `INSERT INTO ingest_object (source, key) SELECT 'file', g::text FROM generate_series(1, 20000) g`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := queries.WaitDurable(ctx, db); err != nil {
		t.Fatal(err)
	}
	var flushed bool
	if err := conn.QueryRow(ctx, `SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn`, lsn).Scan(&flushed); err != nil {
		t.Fatal(err)
	}
	if !flushed {
		t.Errorf("the log is not flushed past the asynchronous commit (%s)", lsn)
	}
}
