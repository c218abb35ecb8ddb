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

// TestRollupWrites runs the rollup writes against the migrated schema:
// principals get ids and keep the least metadata, a second write of the
// same keys adds to the first, and the readers see the sums.
func TestRollupWrites(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	day := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	const arn = "arn:aws:iam::111122223333:role/worker"

	write := func(meta queries.Principal, c queries.Counts) int64 {
		t.Helper()
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		ps, err := queries.AddPrincipals(ctx, tx, []queries.Principal{meta})
		if err != nil {
			t.Fatal(err)
		}
		id := ps[arn].ID
		var rows queries.RollupRows
		rows.AddUsage(id, day, "s3:GetObject", "arn:aws:s3:::b/k/*", "", "111122223333", &c)
		rows.AddUnmapped(id, day, "unmapped", "example.amazonaws.com", "DoIt", "", "111122223333", &c)
		rows.AddContext(id, day, "us-east-1", "10.0.0.0/24", false, "sdk-go", c.Calls)
		rows.AddCoverage("111122223333", "us-east-1", day, &c)
		rows.AddCoverage("111122223333", "eu-west-1", day, &queries.Counts{})
		b := &pgx.Batch{}
		queries.QueueRollup(b, &rows, queries.RollupBounds{})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return id
	}
	id1 := write(queries.Principal{ARN: arn, Account: "111122223333", Type: "Role", Name: "worker"},
		queries.Counts{Calls: 5, Denied: 1, First: at(3), Last: at(9)})
	id2 := write(queries.Principal{ARN: arn, Account: "111122223333", Type: "Role", Name: "a-lesser-name"},
		queries.Counts{Calls: 2, Unauthenticated: 1, First: at(1), Last: at(4)})
	if id1 != id2 {
		t.Errorf("the principal got ids %d and %d", id1, id2)
	}
	var name string
	if err := db.Pool.QueryRow(ctx, `SELECT name FROM usage_principal WHERE arn = $1`, arn).Scan(&name); err != nil || name != "a-lesser-name" {
		t.Errorf("stored name = %q, %v; want the least, a-lesser-name", name, err)
	}

	var got []queries.UsageRow
	if err := queries.Usage(ctx, db, day, day, nil, func(r queries.UsageRow) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	last := at(9)
	want := []queries.UsageRow{{ARN: arn, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k/*", Used: 5, Denied: 1, First: at(1), Last: at(9), LastDenied: &last}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("usage (-want +got):\n%s", d)
	}
	var unmapped, ctxCalls, events int64
	var first, lastSeen *time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT
		(SELECT calls FROM usage_unmapped_daily), (SELECT calls FROM usage_context_daily),
		(SELECT events FROM log_coverage_daily WHERE region = 'us-east-1'),
		(SELECT first_seen FROM log_coverage_daily WHERE region = 'eu-west-1'),
		(SELECT last_seen FROM log_coverage_daily WHERE region = 'us-east-1')`).Scan(&unmapped, &ctxCalls, &events, &first, &lastSeen); err != nil {
		t.Fatal(err)
	}
	if unmapped != 7 || ctxCalls != 7 || events != 7 || first != nil || lastSeen == nil || !lastSeen.Equal(at(9)) {
		t.Errorf("unmapped %d, context %d, coverage %d events (want 7 each); empty day's first_seen %v (want NULL), last_seen %v (want %v)",
			unmapped, ctxCalls, events, first, lastSeen, at(9))
	}
}

func TestRecordBounds(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	b := func(depth, res, nets, collapse int) queries.RollupBounds {
		return queries.RollupBounds{ObjectPrefixDepth: depth, MaxResources: res, MaxNetworks: nets, CollapseAt: collapse}
	}
	steps := []struct {
		run, want queries.RollupBounds
	}{
		{b(0, 64, 16, 0), b(0, 64, 16, 0)},
		{b(3, 8, 4, 5), b(3, 64, 16, 5)},
		{b(2, 100, 4, 0), b(2, 100, 16, 5)},
		{b(0, 1, 1, 8), b(2, 100, 16, 5)},
		{b(4, 1, 1, 3), b(2, 100, 16, 3)},
	}
	for i, s := range steps {
		if err := queries.RecordBounds(ctx, db, s.run); err != nil {
			t.Fatal(err)
		}
		if got, err := queries.Bounds(ctx, db); err != nil || got != s.want {
			t.Errorf("after run %d (%+v): bounds %+v, %v; want %+v", i, s, got, err, s.want)
		}
	}
}

// TestRollupCapsAgainstStored writes, in one statement each, a group
// already at its cap beside one far from it: the first admits no new
// resource (network) and counts its calls in the overflow row, the second
// keeps its rows as written.
func TestRollupCapsAgainstStored(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	day := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	c := queries.Counts{Calls: 1, First: day, Last: day}
	caps := queries.RollupBounds{MaxResources: 2, MaxNetworks: 1}
	write := func(fill func(r *queries.RollupRows)) {
		t.Helper()
		var rows queries.RollupRows
		fill(&rows)
		b := &pgx.Batch{}
		queries.QueueRollup(b, &rows, caps)
		if err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() }); err != nil {
			t.Fatal(err)
		}
	}
	write(func(r *queries.RollupRows) {
		r.AddUsage(1, day, "s3:GetObject", "a", "", "1", &c)
		r.AddUsage(1, day, "s3:GetObject", "b", "", "1", &c)
		r.AddContext(1, day, "us-east-1", "10.0.0.0/24", false, "sdk", 1)
	})
	write(func(r *queries.RollupRows) {
		r.AddUsage(1, day, "s3:GetObject", "a", "", "1", &c) // held: kept
		r.AddUsage(1, day, "s3:GetObject", "c", "", "1", &c) // over the cap
		r.AddUsage(1, day, "s3:GetObject", "d", "", "1", &c) // over the cap
		r.AddUsage(1, day, "s3:GetObject", "", "", "1", &c)  // no resource: not capped
		r.AddUsage(1, day, "s3:PutObject", "x", "", "1", &c) // another group, far from its cap
		r.AddUsage(1, day, "s3:PutObject", "y", "", "1", &c)
		r.AddContext(1, day, "us-east-1", "10.0.0.0/24", false, "sdk", 1) // held
		r.AddContext(1, day, "us-east-1", "10.0.1.0/24", false, "sdk", 2) // over
		r.AddContext(1, day, "eu-west-1", "10.0.2.0/24", true, "sdk", 3)  // over
		r.AddContext(2, day, "us-east-1", "10.0.1.0/24", false, "sdk", 4) // another principal
	})
	var got []string
	rows, err := db.Pool.Query(ctx, `
		SELECT format('%s %s %s', action, resource, calls) FROM usage_daily
		UNION ALL
		SELECT format('%s %s %s %s %s', principal_id, region, network, mfa, calls) FROM usage_context_daily
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 eu-west-1 * t 3", "1 us-east-1 * f 2", "1 us-east-1 10.0.0.0/24 f 2", "2 us-east-1 10.0.1.0/24 f 4",
		"s3:GetObject  1", "s3:GetObject * 2", "s3:GetObject a 2", "s3:GetObject b 1",
		"s3:PutObject x 1", "s3:PutObject y 1",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rollup after a write over the caps (-want +got):\n%s", d)
	}
}

// TestSetLockTimeout: a statement waiting on a row another transaction
// holds fails with lock_not_available after the timeout set.
func TestSetLockTimeout(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	holder, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := queries.AddPrincipals(ctx, holder, []queries.Principal{{ARN: "arn:aws:iam::111122223333:role/a", Account: "111122223333", Type: "Role", Name: "a"}}); err != nil {
		t.Fatal(err)
	}
	waiter, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Rollback(ctx)
	if err := queries.SetLockTimeout(ctx, waiter, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = queries.AddPrincipals(ctx, waiter, []queries.Principal{{ARN: "arn:aws:iam::111122223333:role/a", Account: "111122223333", Type: "Role", Name: "a"}})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Fatalf("err %v, want lock_not_available", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waited %s", d)
	}
}
