package rollup_test

import (
	"context"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestPrincipalsApart: two ingesters meeting the same new principal in
// their first groups. Added in the group's transaction, the principal's
// uncommitted row makes the second wait for the whole of the first's
// group (at the start of concurrent runs, every worker of every process
// queued behind one transaction); added apart (AddPrincipalsApart), it
// is committed at once and neither waits on the other's group.
func TestPrincipalsApart(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	day := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	rec := &cloudtrail.Record{
		EventTime: day.Add(time.Hour), EventSource: "s3.amazonaws.com", EventName: "ListBuckets", AccountID: "111122223333", Region: "us-east-1",
		Principal: cloudtrail.Principal{ARN: "arn:aws:iam::111122223333:role/etl", AccountID: "111122223333", Type: "Role", Name: "etl"},
		Mapping:   cloudtrail.Mapped, Outcome: cloudtrail.OutcomeSuccess,
		Access: []cloudtrail.Access{{Action: "s3:ListAllMyBuckets", Resource: "*"}},
	}
	// Each ingester on a day of its own (as day claims have them), so
	// that their rollup rows differ: only the principal is shared.
	group := func(run *rollup.Run, day time.Time) *rollup.Batch {
		b := run.NewBatch()
		r := *rec
		r.EventTime = day.Add(time.Hour)
		b.Add(rollup.PrincipalKey(&r.Principal, ""), day, &r, rollup.Count{N: 1})
		return b
	}
	first, second := rollup.NewRun(queries.RollupBounds{}), rollup.NewRun(queries.RollupBounds{})
	first.AddPrincipalsApart(db.Pool)
	second.AddPrincipalsApart(db.Pool)

	tx1, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	if err := group(first, day).Write(ctx, tx1, nil); err != nil {
		t.Fatal(err)
	}
	// tx1 stays open, as a group's transaction does while its worker
	// reads more objects. The second ingester's group must not wait on it.
	tx2, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback(ctx)
	if _, err := tx2.Exec(ctx, `SET LOCAL lock_timeout = '3s'`); err != nil {
		t.Fatal(err)
	}
	// Waiting on tx1 ends in tx2's lock timeout, not in a slow pass.
	if err := group(second, day.AddDate(0, 0, 1)).Write(ctx, tx2, nil); err != nil {
		t.Fatalf("the second group's write waited on the first group's transaction: %v", err)
	}
	if err := tx2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var principals, calls int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM usage_principal), (SELECT sum(calls) FROM usage_daily)`).Scan(&principals, &calls); err != nil {
		t.Fatal(err)
	}
	if principals != 1 || calls != 2 {
		t.Errorf("%d principals, %d calls; want 1, 2", principals, calls)
	}
}

// TestPrincipalsApartNoSpare: a pool with no connection to spare (its
// only one held by the group) makes the group add its principals in its
// own transaction, after a bounded wait, and the run stop trying apart.
func TestPrincipalsApartNoSpare(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewWithOptions(t, store.Options{MaxConns: 1})
	day := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	run := rollup.NewRun(queries.RollupBounds{})
	run.AddPrincipalsApart(db.Pool)
	for i, name := range []string{"etl", "web"} {
		rec := &cloudtrail.Record{
			EventTime: day.Add(time.Hour), EventSource: "s3.amazonaws.com", EventName: "ListBuckets", AccountID: "111122223333", Region: "us-east-1",
			Principal: cloudtrail.Principal{ARN: "arn:aws:iam::111122223333:role/" + name, AccountID: "111122223333", Type: "Role", Name: name},
			Mapping:   cloudtrail.Mapped, Outcome: cloudtrail.OutcomeSuccess,
			Access: []cloudtrail.Access{{Action: "s3:ListAllMyBuckets", Resource: "*"}},
		}
		b := run.NewBatch()
		b.Add(rollup.PrincipalKey(&rec.Principal, ""), day, rec, rollup.Count{N: 1})
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := b.Write(ctx, tx, nil); err != nil {
			t.Fatal(err)
		}
		// Trying apart again would wait for a connection the whole
		// apartTimeout (2 s); a write alone takes far less, even on a
		// loaded machine.
		if d := time.Since(start); i > 0 && d >= 1900*time.Millisecond {
			t.Errorf("group %d waited %s: adding apart was tried again", i, d)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		run.Committed(b)
	}
	var principals int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT principal_id) FROM usage_daily`).Scan(&principals); err != nil {
		t.Fatal(err)
	}
	if principals != 2 {
		t.Errorf("%d principals with usage, want 2", principals)
	}
}
