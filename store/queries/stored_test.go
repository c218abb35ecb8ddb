package queries_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRecommendationQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	asOf := date(t, "2026-10-30")
	r := queries.Recommendation{PrincipalARN: "arn:aws:iam::1:role/a", AsOf: asOf, WindowDays: 90, Proven: false, Kept: 3, Removed: 7, Digest: "d1", Body: []byte(`{"a":1}`)}
	for range 2 {
		if err := queries.SaveRecommendation(ctx, db, r); err != nil {
			t.Fatalf("SaveRecommendation: %v", err)
		}
	}
	r.Proven, r.Digest = true, "d2" // a different recommendation replaces
	if err := queries.SaveRecommendation(ctx, db, r); err != nil {
		t.Fatal(err)
	}
	other := r
	other.PrincipalARN, other.Proven = "arn:aws:iam::1:role/b", false
	if err := queries.SaveRecommendation(ctx, db, other); err != nil {
		t.Fatal(err)
	}
	other.WindowDays = 30 // another window: not read below
	other.Proven = true
	if err := queries.SaveRecommendation(ctx, db, other); err != nil {
		t.Fatal(err)
	}
	got, err := queries.RecommendationsProven(ctx, db, asOf, 90)
	if err != nil {
		t.Fatalf("RecommendationsProven: %v", err)
	}
	if diff := cmp.Diff(map[string]bool{"arn:aws:iam::1:role/a": true, "arn:aws:iam::1:role/b": false}, got); diff != "" {
		t.Errorf("RecommendationsProven (-want +got):\n%s", diff)
	}
}

func TestBacktestQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const a, b = "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"
	bt := func(arn, asOf string, calls int64) queries.Backtest {
		return queries.Backtest{
			BacktestKey:    queries.BacktestKey{PrincipalARN: arn, AsOf: date(t, asOf), TrainDays: 60, TestDays: 30},
			BacktestCounts: queries.BacktestCounts{TestCalls: calls, Denied: 3, DeniedTrained: 1, DeniedUntrained: 2, Unmapped: 4},
			Proven:         true, Granted: 10, Removed: 6, Body: []byte(`{}`),
		}
	}
	if err := queries.SaveBacktests(ctx, db, []queries.Backtest{bt(a, "2026-09-30", 1), bt(a, "2026-10-30", 9), bt(b, "2026-10-30", 5)}); err != nil {
		t.Fatalf("SaveBacktests: %v", err)
	}
	again := bt(a, "2026-10-30", 11)
	again.Body = []byte(`{"x":1}`) // a changed body replaces the row
	if err := queries.SaveBacktests(ctx, db, []queries.Backtest{again}); err != nil {
		t.Fatal(err)
	}
	got, err := queries.LatestBacktests(ctx, db, date(t, "2026-10-30"))
	if err != nil {
		t.Fatalf("LatestBacktests: %v", err)
	}
	want := []queries.BacktestSummary{{BacktestKey: again.BacktestKey, BacktestCounts: again.BacktestCounts}, {BacktestKey: bt(b, "2026-10-30", 5).BacktestKey, BacktestCounts: bt(b, "2026-10-30", 5).BacktestCounts}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LatestBacktests (-want +got):\n%s", diff)
	}
	before, err := queries.LatestBacktests(ctx, db, date(t, "2026-10-29"))
	if err != nil || len(before) != 1 || before[0].TestCalls != 1 {
		t.Errorf("LatestBacktests before the newest: %+v, %v; want a's 2026-09-30 backtest only", before, err)
	}
}

func TestSaveAnalysis(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	cat := int64(7)
	used := time.Date(2026, 10, 2, 3, 4, 5, 0, time.UTC)
	snap := queries.AnalysisSnapshot{AsOf: date(t, "2026-10-30"), WindowDays: 90, CatalogVersion: &cat, AuthzSnapshot: 3,
		Scope: "", Params: []byte(`{"min_days": 7}`), Digest: "d1"}
	ps := []queries.AnalysisPrincipal{
		{ARN: "arn:aws:iam::1:role/b", Kind: "role", Account: "1", Name: "b", Granted: 10, Used: 2, Unused: 8, Unobservable: 1, Denied: 4,
			Risk: 2.5, HighRiskUnused: 1, Flags: []string{"admin"}, LastUsed: &used, Result: []byte(`{}`)},
		{ARN: "arn:aws:iam::1:role/a", Kind: "role", Account: "1", Name: "a", Flags: []string{}, Result: []byte(`{}`)},
	}
	id, at, created, err := queries.SaveAnalysis(ctx, db, snap, ps)
	if err != nil || !created || id == 0 || at.IsZero() {
		t.Fatalf("SaveAnalysis: %d, %v, %v, %v; want a new snapshot", id, at, created, err)
	}
	// The run's clock, when given, is the snapshot's time.
	snapAt := snap
	snapAt.Digest, snapAt.CreatedAt = "d2", used
	if _, at, _, err := queries.SaveAnalysis(ctx, db, snapAt, nil); err != nil || !at.Equal(used) {
		t.Errorf("SaveAnalysis with CreatedAt %v: created_at %v, %v", used, at, err)
	}
	id2, at2, created, err := queries.SaveAnalysis(ctx, db, snap, ps[:1])
	if err != nil || created || id2 != id || !at2.Equal(at) {
		t.Fatalf("SaveAnalysis again: %d, %v, %v, %v; want snapshot %d unchanged", id2, at2, created, err, id)
	}
	var n int
	var trail *int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM analysis_principal WHERE snapshot_id = $1), trail_config_id FROM analysis_snapshot WHERE id = $1`, id).Scan(&n, &trail); err != nil || n != 2 || trail != nil {
		t.Errorf("stored %d principals, trail %v (%v); want 2 and NULL", n, trail, err)
	}
}

func TestTrailConfigQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if got, err := queries.TrailConfigs(ctx, db); err != nil || len(got) != 0 {
		t.Fatalf("TrailConfigs of an empty schema: %v, %v", got, err)
	}
	a, created, err := queries.SaveTrailConfig(ctx, db, "a.json", "da", []byte(`[{"Name": "a"}]`))
	if err != nil || !created {
		t.Fatalf("SaveTrailConfig: %d, %v, %v", a, created, err)
	}
	b, _, err := queries.SaveTrailConfig(ctx, db, "b.json", "db", []byte(`[]`))
	if err != nil {
		t.Fatal(err)
	}
	again, created, err := queries.SaveTrailConfig(ctx, db, "a-again.json", "da", []byte(`[{"Name": "a"}]`))
	if err != nil || created || again != a {
		t.Fatalf("SaveTrailConfig again: %d, %v, %v; want %d, not created", again, created, err, a)
	}
	got, err := queries.TrailConfigs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := []queries.TrailConfig{{ID: a, Source: "a.json", Config: []byte(`[{"Name": "a"}]`)}, {ID: b, Source: "b.json", Config: []byte(`[]`)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TrailConfigs, newest first (-want +got):\n%s", diff)
	}
}

func TestAuthzQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if _, _, err := queries.LoadAuthzSnapshot(ctx, db, 0); !errors.Is(err, queries.ErrNotFound) {
		t.Fatalf("LoadAuthzSnapshot of an empty schema: %v, want ErrNotFound", err)
	}
	created := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	content := &queries.AuthzContent{
		Principals: []queries.AuthzPrincipal{
			{ARN: "arn:aws:iam::1:role/r", Kind: "role", AccountID: "1", Name: "r", Path: "/", PrincipalID: "AROA1", CreateDate: &created,
				TrustPolicy: json.RawMessage(`{"Version": "2012-10-17"}`), Tags: json.RawMessage(`{"team": "a"}`), LastUsed: &created,
				LastUsedRegion: "us-east-1", BoundaryARN: "arn:aws:iam::1:policy/b", InstanceProfiles: []string{"p"}},
			{ARN: "arn:aws:iam::1:user/u", Kind: "user", AccountID: "1", Name: "u", Path: "/", PrincipalID: "AIDA1", Tags: json.RawMessage(`{}`), InstanceProfiles: []string{}},
		},
		Groups:      []queries.AuthzGroup{{ARN: "arn:aws:iam::1:group/g", AccountID: "1", Name: "g", Path: "/", GroupID: "AGPA1"}},
		Memberships: []queries.AuthzMembership{{UserARN: "arn:aws:iam::1:user/u", GroupName: "g", Ord: 0}},
		Policies: []queries.AuthzPolicy{
			{Kind: "inline", OwnerARN: "arn:aws:iam::1:role/r", Name: "i", Ord: 0, Document: json.RawMessage(`{"Statement": []}`)},
			{Kind: "managed", ARN: "arn:aws:iam::1:policy/m", Name: "m", Path: "/", PolicyID: "ANPA1", DefaultVersion: "v2", AWSManaged: false},
		},
		Attachments: []queries.AuthzAttachment{{OwnerARN: "arn:aws:iam::1:role/r", PolicyARN: "arn:aws:iam::1:policy/m", Ord: 0}},
	}
	snap := queries.AuthzSnapshot{Source: "a.json", Digest: "sha256:1", TakenAt: created, Accounts: []string{"1"}, Warnings: []string{"w"}}
	calls := 0
	rows := func() (*queries.AuthzContent, error) { calls++; return content, nil }
	id, isNew, err := queries.SaveAuthzSnapshot(ctx, db, snap, rows)
	if err != nil || !isNew {
		t.Fatalf("SaveAuthzSnapshot: %d, %v, %v", id, isNew, err)
	}
	later := snap
	later.TakenAt = created.Add(time.Hour)
	if id2, isNew, err := queries.SaveAuthzSnapshot(ctx, db, later, rows); err != nil || isNew || id2 != id || calls != 1 {
		t.Fatalf("SaveAuthzSnapshot again: %d, %v, %v (content read %d times); want %d, not new, content read once", id2, isNew, err, calls, id)
	}
	got, gotContent, err := queries.LoadAuthzSnapshot(ctx, db, id)
	if err != nil {
		t.Fatalf("LoadAuthzSnapshot: %v", err)
	}
	want := queries.AuthzSnapshot{ID: id, Source: "a.json", Digest: "sha256:1", TakenAt: later.TakenAt, CreatedAt: got.CreatedAt,
		Accounts: []string{"1"}, Warnings: []string{"w"}, Roles: 1, Users: 1, Groups: 1, Policies: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadAuthzSnapshot (-want +got):\n%s", diff)
	}
	// jsonb comes back in PostgreSQL's spelling; these inputs are in it.
	if diff := cmp.Diff(content, gotContent); diff != "" {
		t.Errorf("LoadAuthzSnapshot rows (-saved +loaded):\n%s", diff)
	}
	list, err := queries.AuthzSnapshots(ctx, db)
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].Roles != 1 {
		t.Errorf("AuthzSnapshots: %+v, %v", list, err)
	}
	if _, _, err := queries.LoadAuthzSnapshot(ctx, db, id+1); !errors.Is(err, queries.ErrNotFound) {
		t.Errorf("LoadAuthzSnapshot of a missing id: %v, want ErrNotFound", err)
	}
}

func TestLatestRecommendations(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const a, b, c = "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/c"
	for _, r := range []queries.Recommendation{
		{PrincipalARN: a, AsOf: date(t, "2026-08-01"), WindowDays: 90, Removed: 4, Digest: "a1"},
		{PrincipalARN: a, AsOf: date(t, "2026-09-30"), WindowDays: 30, Removed: 2, Digest: "a2"},
		{PrincipalARN: a, AsOf: date(t, "2026-09-30"), WindowDays: 90, Removed: 3, Digest: "a3"}, // newest, longest window
		{PrincipalARN: a, AsOf: date(t, "2026-10-01"), WindowDays: 90, Removed: 9, Digest: "a4"}, // after the range
		{PrincipalARN: b, AsOf: date(t, "2026-07-01"), WindowDays: 90, Removed: 1, Digest: "b1"}, // first day
		{PrincipalARN: c, AsOf: date(t, "2026-08-15"), WindowDays: 90, Removed: 0, Digest: "c1"}, // removes nothing
		{PrincipalARN: c, AsOf: date(t, "2026-06-30"), WindowDays: 90, Removed: 5, Digest: "c0"}, // before the range
	} {
		r.Body = []byte(`{}`)
		if err := queries.SaveRecommendation(ctx, db, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := queries.LatestRecommendations(ctx, db, date(t, "2026-07-01"), date(t, "2026-09-30"))
	if err != nil {
		t.Fatalf("LatestRecommendations: %v", err)
	}
	var digests []string
	for _, r := range got {
		digests = append(digests, r.PrincipalARN+" "+r.Digest+" "+r.AsOf.Format(time.DateOnly))
	}
	want := []string{a + " a3 2026-09-30", b + " b1 2026-07-01"}
	if diff := cmp.Diff(want, digests); diff != "" {
		t.Errorf("LatestRecommendations (-want +got):\n%s", diff)
	}
}
