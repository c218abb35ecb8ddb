package rollup_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestAddCounts adds grouped records (as a pushdown source does: one
// record standing for N events between two times) and checks what is
// stored: counts multiplied, times bounded, resources beyond the cap in
// the overflow row, S3 keys cut to the depth.
func TestAddCounts(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	run := rollup.NewRun(queries.RollupBounds{ObjectPrefixDepth: 1, MaxResources: 2, MaxNetworks: 1})
	b := run.NewBatch()
	day := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	rec := func(key, ip string, oc cloudtrail.Outcome) *cloudtrail.Record {
		return &cloudtrail.Record{
			EventTime: at(12), EventSource: "s3.amazonaws.com", EventName: "GetObject", AccountID: "111122223333", Region: "us-east-1",
			Principal: cloudtrail.Principal{ARN: "arn:aws:iam::111122223333:role/etl", AccountID: "111122223333", Type: "Role", Name: "etl"},
			Mapping:   cloudtrail.Mapped, Outcome: oc,
			Access:  []cloudtrail.Access{{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/" + key}},
			Context: cloudtrail.Context{SourceIP: ip, UserAgentClass: "sdk-go"},
		}
	}
	var overflowed int
	for i, key := range []string{"a/1.csv", "a/2.csv", "b/x/y.csv", "c/z.csv", "d/w.csv"} {
		r := rec(key, fmt.Sprintf("10.0.%d.7", i), cloudtrail.OutcomeSuccess)
		if i == 1 {
			r.Outcome = cloudtrail.OutcomeDenied
		}
		pk := rollup.PrincipalKey(&r.Principal, r.InvokedBy)
		added := b.Add(pk, rollup.Day(r.EventTime), r, rollup.Count{N: 10, First: at(i + 1), Last: at(i + 2)})
		if !added.Mapped {
			t.Errorf("%s: not mapped", key)
		}
		if added.Overflowed {
			overflowed++
		}
	}
	if overflowed != 2 {
		t.Errorf("%d records overflowed, want 2 (c/, d/: a/* and b/* fill the cap of 2)", overflowed)
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, tx, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	run.Committed(b)

	got := map[string]string{}
	rows, err := db.Pool.Query(ctx, `SELECT resource, calls, denied, first_seen, last_seen FROM usage_daily`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var res string
		var calls, denied int64
		var first, last time.Time
		if err := rows.Scan(&res, &calls, &denied, &first, &last); err != nil {
			t.Fatal(err)
		}
		got[res] = fmt.Sprintf("%d/%d %02d-%02d", calls, denied, first.UTC().Hour(), last.UTC().Hour())
	}
	want := map[string]string{
		"arn:aws:s3:::data/a/*": "20/10 01-03",
		"arn:aws:s3:::data/b/*": "10/0 03-04",
		queries.MoreResources:   "20/0 04-06",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("usage_daily = %v, want %v", got, want)
	}
	var nets, calls int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), sum(calls) FROM usage_context_daily`).Scan(&nets, &calls); err != nil || nets != 2 || calls != 50 {
		t.Errorf("context: %d rows, %d calls, %v; want 2 (one network and the overflow), 50", nets, calls, err)
	}

	// A second run (its own in-memory caps, empty) adds new resources and
	// networks to the same day: the caps hold against what is stored.
	run2 := rollup.NewRun(queries.RollupBounds{ObjectPrefixDepth: 1, MaxResources: 2, MaxNetworks: 1})
	b2 := run2.NewBatch()
	for i, key := range []string{"a/3.csv", "e/v.csv"} {
		r := rec(key, fmt.Sprintf("10.9.%d.7", i), cloudtrail.OutcomeSuccess)
		b2.Add(rollup.PrincipalKey(&r.Principal, r.InvokedBy), rollup.Day(r.EventTime), r, rollup.Count{N: 1, First: at(20), Last: at(20)})
	}
	tx, err = db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b2.Write(ctx, tx, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var resources, overflow int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE resource <> $1), sum(calls) FILTER (WHERE resource = $1) FROM usage_daily`,
		queries.MoreResources).Scan(&resources, &overflow); err != nil {
		t.Fatal(err)
	}
	if resources != 2 || overflow != 21 {
		t.Errorf("after a second run: %d resources and %d calls in the overflow row, want 2 (the cap) and 21 (e/* went there, a/* is held)", resources, overflow)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT network) FROM usage_context_daily WHERE network <> $1`, queries.MoreNetworks).Scan(&nets); err != nil || nets != 1 {
		t.Errorf("after a second run: %d networks, %v; want 1, the cap", nets, err)
	}
}
