package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

// TestPushdownLedger runs a pushdown query's life in the ledger: added
// once, locked by one connection only, started, rows added on condition
// of the count read, ended; an overlapping window of another query
// clashes with it.
func TestPushdownLedger(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	day := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	q := queries.PushdownQuery{Source: "athena", Target: "db.trail", Since: day, Until: day.AddDate(0, 0, 7), Hash: "h1"}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	other, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()

	st, err := queries.AddPushdown(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	if st.ID == 0 || st.Status != "started" || st.ExecutionID != "" || st.RowsDone != 0 {
		t.Errorf("new ledger row %+v; want started, no execution, no rows", st)
	}
	if again, err := queries.AddPushdown(ctx, other, q); err != nil || again.ID != st.ID {
		t.Errorf("added again: row %d, %v; want %d", again.ID, err, st.ID)
	}
	if _, found, err := queries.PushdownClash(ctx, conn, q); err != nil || found {
		t.Errorf("the query clashes with itself: %v, %v", found, err)
	}
	wider := q
	wider.Since, wider.Hash = day.AddDate(0, 0, -1), "h2"
	clash, found, err := queries.PushdownClash(ctx, conn, wider)
	if err != nil || !found || !clash.Since.Equal(q.Since) || !clash.Until.Equal(q.Until) || clash.Status != "started" {
		t.Errorf("overlapping window: %+v, %v, %v; want the first query's window", clash, found, err)
	}

	if ok, err := queries.LockPushdown(ctx, conn, st.ID); err != nil || !ok {
		t.Fatalf("lock: %v, %v", ok, err)
	}
	if ok, err := queries.LockPushdown(ctx, other, st.ID); err != nil || ok {
		t.Errorf("lock from another connection: %v, %v; want refused", ok, err)
	}
	if err := queries.UnlockPushdown(ctx, conn, st.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := queries.LockPushdown(ctx, other, st.ID); err != nil || !ok {
		t.Errorf("lock after unlock: %v, %v", ok, err)
	}

	if err := queries.StartPushdown(ctx, conn, st.ID, "exec-1"); err != nil {
		t.Fatal(err)
	}
	addRows := func(rows, events, done int64) (moved bool) {
		t.Helper()
		err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
			if err := queries.AsyncCommit(ctx, tx); err != nil {
				return err
			}
			b := &pgx.Batch{}
			queries.QueuePushdownRows(b, st.ID, rows, events, done, &moved)
			return tx.SendBatch(ctx, b).Close()
		})
		if err != nil {
			t.Fatal(err)
		}
		return moved
	}
	if addRows(10, 40, 0) {
		t.Errorf("rows added from 0 done: moved")
	}
	if !addRows(10, 40, 0) {
		t.Errorf("rows added again from 0 done, with 10 done: not moved")
	}
	if err := queries.EndPushdown(ctx, conn, st.ID, "done", 1234, "first error"); err != nil {
		t.Fatal(err)
	}
	got, err := queries.AddPushdown(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	want := queries.PushdownState{ID: st.ID, ExecutionID: "exec-1", Status: "done", RowsDone: 10, BytesScanned: 1234}
	if got != want {
		t.Errorf("ledger row %+v, want %+v", got, want)
	}
	var events int64
	var errText string
	if err := db.Pool.QueryRow(ctx, `SELECT events, error FROM ingest_pushdown WHERE id = $1`, st.ID).Scan(&events, &errText); err != nil || events != 40 || errText != "first error" {
		t.Errorf("events %d, error %q, %v; want 40, first error", events, errText, err)
	}
}
