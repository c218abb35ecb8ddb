package ingest

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// dayClaim is the name of o's day claim.
func dayClaim(o object) string {
	name, _, _ := dayOf(o)
	return name
}

func TestDayClaim(t *testing.T) {
	day := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		o    object
		want string
	}{
		{object{key: "/logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/08/01/111122223333_CloudTrail_eu-west-1_20260801T0119Z_bb33.json.gz"}, "ingest-day:111122223333:20260801"},
		{object{key: "111122223333_CloudTrail_us-east-1_20260802T2355Z_x.json"}, "ingest-day:111122223333:20260802"},
		{object{key: "s3://b/AWSLogs/1/CloudTrail/r/2026/08/01/f.json.gz", account: "444455556666", day: day}, "ingest-day:444455556666:20260801"},
		{object{key: "/logs/export.jsonl"}, ""},
		{object{key: "/logs/111122223333_CloudTrail_us-east-1_x.json"}, ""},
		{object{key: "_CloudTrail_us-east-1_20260802T2355Z_x.json"}, ""},
	} {
		if got := dayClaim(tc.o); got != tc.want {
			t.Errorf("dayClaim(%q) = %q, want %q", tc.o.key, got, tc.want)
		}
	}
}

func dayObject(day int) object {
	d := time.Date(2026, 8, day, 0, 0, 0, 0, time.UTC)
	return object{key: d.Format("20060102"), account: "111122223333", day: d}
}

func openAffinity(t *testing.T, db *store.DB) *dayAffinity {
	t.Helper()
	c, err := db.OpenClaims(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := newDayAffinity(c, slog.New(slog.DiscardHandler))
	t.Cleanup(a.close)
	return a
}

// Two ingesters: the first to reach a day takes it, the other sets its
// objects aside and has them back at the end, in order.
func TestDayAffinitySharesDays(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	a, b := openAffinity(t, db), openAffinity(t, db)
	if !a.take(ctx, dayObject(1)) {
		t.Fatal("a could not take an unclaimed day")
	}
	if !a.take(ctx, dayObject(1)) {
		t.Fatal("a could not take a day it holds")
	}
	if b.take(ctx, dayObject(1)) {
		t.Fatal("b took a day a holds")
	}
	if !b.take(ctx, dayObject(2)) {
		t.Fatal("b could not take an unclaimed day")
	}
	if a.take(ctx, dayObject(2)) {
		t.Fatal("a took a day b holds")
	}
	if b.take(ctx, object{key: "/x/export.jsonl"}) != true {
		t.Fatal("an object without a day was set aside")
	}
	b.take(ctx, dayObject(1))
	for _, want := range []string{"20260801", "20260801"} {
		o, ok := b.pop()
		if !ok || o.key != want {
			t.Fatalf("pop = %q, %v; want %q", o.key, ok, want)
		}
	}
	if _, ok := b.pop(); ok {
		t.Fatal("pop returned more than was set aside")
	}
	// When a gives its claims back, b can take the day.
	a.close()
	b.others = map[string]struct{}{}
	if !b.take(ctx, dayObject(1)) {
		t.Fatal("b could not take a day given back")
	}
}

// An ingester holds at most maxOwnedDays claims, however many days it
// reads.
func TestDayAffinityBoundsClaims(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	a := openAffinity(t, db)
	var keys []int64
	for day := 1; day <= maxOwnedDays+10; day++ {
		o := dayObject(day)
		if !a.take(ctx, o) {
			t.Fatalf("day %d set aside", day)
		}
		keys = append(keys, store.LockKey(dayClaim(o), db.Schema))
	}
	var held int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND ((classid::bigint << 32) | objid::bigint) = ANY($1)`, keys).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != maxOwnedDays {
		t.Errorf("%d day claims held, want %d", held, maxOwnedDays)
	}
}

// A claims connection that dies turns affinity off: objects are taken.
func TestDayAffinityLostConnection(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	a, b := openAffinity(t, db), openAffinity(t, db)
	a.take(ctx, dayObject(1))
	b.take(ctx, dayObject(3))
	// The server ends b's claims connection.
	var ended bool
	if err := db.Pool.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND ((classid::bigint << 32) | objid::bigint) = $1`, store.LockKey(dayClaim(dayObject(3)), db.Schema)).Scan(&ended); err != nil || !ended {
		t.Fatalf("end b's claims connection: %v %v", ended, err)
	}
	if !b.take(ctx, dayObject(2)) {
		t.Fatal("an object was set aside after the claims connection died")
	}
	if !b.take(ctx, dayObject(1)) {
		t.Fatal("an object was set aside after affinity was turned off")
	}
}

// Days another ingester holds (here the test, holding every day and
// never ingesting) are ingested all the same, once the listing is done:
// the same rollup as a run with no claims held.
func TestRunIngestsDaysClaimedElsewhere(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := sample.Generate(ctx, sample.Options{Out: dir, Events: 3000, Seed: 7, Days: 5}, nil); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "AWSLogs")
	rollupOf := func(db *store.DB) (events int64, usage string) {
		// Without the fold and the cap, whose exact resources depend on
		// the order events arrive in.
		bounds := rollup.DefaultBounds()
		bounds.CollapseAt, bounds.MaxResources = 0, 100000
		sum, err := Run(ctx, db, nil, Options{Sources: []string{src}, Bounds: &bounds}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.FilesFailed > 0 || sum.Events == 0 {
			t.Fatalf("summary %+v", sum)
		}
		var rows []string
		r, err := db.Pool.Query(ctx, `SELECT concat_ws(' ', p.arn, u.day, u.action, u.resource, u.calls) FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var s string
			if err := r.Scan(&s); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, s)
		}
		return sum.Events, strings.Join(rows, "\n")
	}
	wantEvents, want := rollupOf(storetest.New(t))

	db := storetest.New(t)
	other := openAffinity(t, db)
	days := 0
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := dayClaim(object{key: p})
		if name == "" {
			t.Fatalf("no day claim for %s", p)
		}
		if _, held := other.owned[name]; !held {
			got, err := other.claims.TryLock(ctx, name)
			if err != nil || !got {
				t.Fatalf("claim %s: %v %v", name, got, err)
			}
			other.owned[name] = 0
			days++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if days < 5 {
		t.Fatalf("%d days claimed, want at least 5", days)
	}
	gotEvents, got := rollupOf(db)
	if gotEvents != wantEvents || got != want {
		t.Errorf("with every day claimed elsewhere: %d events, rollup\n%s\nwant %d events, rollup\n%s", gotEvents, got, wantEvents, want)
	}
}

// With affinity off (no claims), every day is taken, and seeded once
// when first seen, so that the fold holds across runs without claims.
func TestDayAffinityOffSeedsOnce(t *testing.T) {
	ctx := context.Background()
	a := newDayAffinity(nil, slog.New(slog.DiscardHandler))
	seeded := map[string]int{}
	a.claimed = func(_ context.Context, account string, day time.Time) {
		seeded[account+" "+day.Format(time.DateOnly)]++
	}
	for _, d := range []int{1, 2, 1, 1, 2, 3} {
		if !a.take(ctx, dayObject(d)) {
			t.Fatalf("day %d set aside with affinity off", d)
		}
	}
	want := map[string]int{"111122223333 2026-08-01": 1, "111122223333 2026-08-02": 1, "111122223333 2026-08-03": 1}
	if !maps.Equal(seeded, want) {
		t.Errorf("seeded %v, want %v", seeded, want)
	}
}
