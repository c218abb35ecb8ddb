package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// The report's reads on a hand-built rollup and three analysis snapshots.
func TestReportQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const a, b, svc = "arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b", "arn:aws:iam::1:role/aws-service-role/s"
	exec(`INSERT INTO usage_principal (id, arn, account_id, type, name) OVERRIDING SYSTEM VALUE
	      VALUES (1, $1, '1', 'AssumedRole', 'a'), (2, $2, '2', 'AssumedRole', 'b'), (3, $3, '1', 'AWSService', 's')`, a, b, svc)
	usage := `INSERT INTO usage_daily (principal_id, day, action, resource, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
		VALUES ($1, $2::date, $3, '', $4, $5, $6, $7, 0, $2::date::timestamptz, $2::date::timestamptz)`
	exec(usage, 1, date(t, "2026-09-01"), "s3:GetObject", "", "1", 2, 0) // before the period
	exec(usage, 1, date(t, "2026-10-01"), "s3:GetObject", "", "1", 5, 1)
	exec(usage, 1, date(t, "2026-10-02"), "kms:Decrypt", "", "1", 3, 0)
	exec(usage, 1, date(t, "2026-10-03"), "ec2:RunInstances", "", "1", 2, 2) // denied only
	exec(usage, 1, date(t, "2026-10-04"), "sns:Publish", "events.amazonaws.com", "1", 1, 0)
	exec(usage, 2, date(t, "2026-10-02"), "sqs:SendMessage", "", "2", 1, 0)
	exec(usage, 3, date(t, "2026-10-02"), "s3:PutObject", "", "1", 1, 0)
	exec(`INSERT INTO usage_unmapped_daily (principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
	      VALUES (1, $1::date, 'unmapped', 'x.amazonaws.com', 'Foo', '', '1', 2, 2, 0, $1::date::timestamptz, $1::date::timestamptz)`, date(t, "2026-10-02"))
	exec(`INSERT INTO log_coverage_daily (account_id, region, day, events) VALUES ('1', 'us-east-1', '2026-09-01', 1), ('1', 'us-east-1', '2026-10-01', 1), ('2', 'eu-west-1', '2026-10-02', 1)`)
	from, to := date(t, "2026-10-01"), date(t, "2026-10-31")

	denied, err := queries.DeniedCalls(ctx, db, from, to, "", "unmapped: ")
	if err != nil {
		t.Fatal(err)
	}
	wantDenied := map[queries.DeniedRow]bool{{ARN: a, Action: "s3:GetObject", Denied: 1}: true, {ARN: a, Action: "ec2:RunInstances", Denied: 2}: true,
		{ARN: a, Action: "unmapped: x.amazonaws.com Foo", Denied: 2}: true}
	gotDenied := map[queries.DeniedRow]bool{}
	for _, d := range denied {
		gotDenied[d] = true
	}
	if diff := cmp.Diff(wantDenied, gotDenied); diff != "" {
		t.Errorf("DeniedCalls (-want +got):\n%s", diff)
	}
	if d, err := queries.DeniedCalls(ctx, db, from, to, "2", ""); err != nil || len(d) != 0 {
		t.Errorf("DeniedCalls of account 2: %v, %v; want none", d, err)
	}

	if d, err := queries.FirstLogDayBefore(ctx, db, from, ""); err != nil || d == nil || !d.Equal(date(t, "2026-09-01")) {
		t.Errorf("FirstLogDayBefore: %v, %v; want 2026-09-01", d, err)
	}
	if d, err := queries.FirstLogDayBefore(ctx, db, from, "2"); err != nil || d != nil {
		t.Errorf("FirstLogDayBefore of account 2: %v, %v; want none", d, err)
	}
	firsts, err := queries.FirstUses(ctx, db, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	wantFirsts := []queries.FirstUseRow{{ARN: a, Action: "kms:Decrypt", FirstDay: date(t, "2026-10-02"), Calls: 3}, {ARN: b, Action: "sqs:SendMessage", FirstDay: date(t, "2026-10-02"), Calls: 1}}
	if diff := cmp.Diff(wantFirsts, firsts); diff != "" {
		t.Errorf("FirstUses: not used before, the principal's own successful calls, no service principals (-want +got):\n%s", diff)
	}
	if f, err := queries.FirstUses(ctx, db, from, to, "2"); err != nil || len(f) != 1 || f[0].ARN != b {
		t.Errorf("FirstUses of account 2: %v, %v; want b's only", f, err)
	}

	cat, err := catalog.LoadDir("../../testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	v, err := catalog.Store(ctx, db, cat, "")
	if err != nil {
		t.Fatal(err)
	}
	save := func(asOf, scope, digest string, catID *int64, ps ...queries.AnalysisPrincipal) int64 {
		t.Helper()
		id, _, _, err := queries.SaveAnalysis(ctx, db, queries.AnalysisSnapshot{AsOf: date(t, asOf), WindowDays: 30, CatalogVersion: catID, Scope: scope, Params: []byte(`{}`), Digest: digest}, ps)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	pa := func(result string) queries.AnalysisPrincipal {
		return queries.AnalysisPrincipal{ARN: a, Kind: "role", Account: "1", Name: "a", Flags: []string{}, Result: []byte(result)}
	}
	pb := queries.AnalysisPrincipal{ARN: b, Kind: "role", Account: "2", Name: "b", Flags: []string{}, Result: []byte(`{"used": "not a list"}`)}
	s1 := save("2026-09-30", "", "s1", &v.ID, pa(`{}`))
	s2 := save("2026-10-30", "", "s2", nil, pa(`{"used": [{"action": "s3:GetObject", "granted": true, "first_used": "2026-10-01T00:00:00Z", "calls": 4}, {"action": "kms:Decrypt"}]}`), pb)
	save("2026-10-31", a, "s3", nil, pa(`{}`)) // one principal's: not the organisation's

	latest, err := queries.LatestAnalysis(ctx, db, to, time.Time{}, 0, "")
	if err != nil || latest == nil || latest.ID != s2 || !latest.AsOf.Equal(date(t, "2026-10-30")) || latest.WindowDays != 30 {
		t.Fatalf("LatestAnalysis: %+v, %v; want snapshot %d", latest, err, s2)
	}
	if prev, err := queries.LatestAnalysis(ctx, db, to, latest.AsOf, latest.ID, ""); err != nil || prev == nil || prev.ID != s1 {
		t.Errorf("LatestAnalysis before %d: %+v, %v; want %d", s2, prev, err, s1)
	}
	if prev, err := queries.LatestAnalysis(ctx, db, to, latest.AsOf, latest.ID, "2"); err != nil || prev != nil {
		t.Errorf("LatestAnalysis of account 2 before %d: %+v, %v; want none", s2, prev, err)
	}
	if none, err := queries.LatestAnalysis(ctx, db, date(t, "2026-09-29"), time.Time{}, 0, ""); err != nil || none != nil {
		t.Errorf("LatestAnalysis through 2026-09-29: %+v, %v; want none", none, err)
	}

	if c, err := queries.AnalysisCatalog(ctx, db, s1); err != nil || c == nil || c.ID != v.ID || c.Actions != v.Actions || c.Digest != v.Digest {
		t.Errorf("AnalysisCatalog(%d): %+v, %v; want version %d", s1, c, err, v.ID)
	}
	if c, err := queries.AnalysisCatalog(ctx, db, s2); err != nil || c != nil {
		t.Errorf("AnalysisCatalog(%d): %+v, %v; want none", s2, c, err)
	}

	used, err := queries.UsedActions(ctx, db, s2, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantUsed := []queries.UsedActionRow{{ARN: a, Action: "kms:Decrypt", FirstUsed: time.Unix(0, 0).UTC()}, {ARN: a, Action: "s3:GetObject", FirstUsed: date(t, "2026-10-01"), Calls: 4, Granted: true}}
	if diff := cmp.Diff(wantUsed, used); diff != "" {
		t.Errorf("UsedActions (-want +got):\n%s", diff)
	}
	if u, err := queries.UsedActions(ctx, db, s2, "2", nil); err != nil || len(u) != 0 {
		t.Errorf("UsedActions of account 2: %v, %v; want none", u, err)
	}
	if u, err := queries.UsedActions(ctx, db, s2, "", []string{b}); err != nil || len(u) != 0 {
		t.Errorf("UsedActions of b: %v, %v; want none", u, err)
	}

	ps, err := queries.ReportPrincipals(ctx, db, s2, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ARN != a || ps[0].UsedGranted != 1 || string(ps[0].Workload) != "false" || ps[0].RecommendationProven != nil ||
		ps[1].ARN != b || ps[1].UsedGranted != 0 || ps[1].Account != "2" {
		t.Errorf("ReportPrincipals(%d): %+v; want a (1 granted used action, no workload flag) then b (none)", s2, ps)
	}
	if ps, err := queries.ReportPrincipals(ctx, db, s2, "2"); err != nil || len(ps) != 1 || ps[0].ARN != b {
		t.Errorf("ReportPrincipals of account 2: %+v, %v; want b only", ps, err)
	}
	q := queries.TrendQuery{From: from, AsOf: latest.AsOf, ID: latest.ID, MaxInPeriod: 10, MaxQuarters: 8}
	trend, n, err := queries.AnalysisTrend(ctx, db, q)
	if err != nil {
		t.Fatal(err)
	}
	wantTrend := []queries.TrendRow{{SnapshotID: s1, AsOf: date(t, "2026-09-30"), WindowDays: 30, Principals: 1},
		{SnapshotID: s2, AsOf: date(t, "2026-10-30"), WindowDays: 30, InPeriod: true, Principals: 2, Used: 1}}
	if diff := cmp.Diff(wantTrend, trend); diff != "" || n != 1 {
		t.Errorf("AnalysisTrend: the period's organisation-wide snapshot after the quarter before's, %d in the period (-want +got):\n%s", n, diff)
	}
	q.Account = "2"
	if tr, _, err := queries.AnalysisTrend(ctx, db, q); err != nil || len(tr) != 1 || tr[0].SnapshotID != s2 || tr[0].Principals != 1 {
		t.Errorf("AnalysisTrend of account 2: %+v, %v; want snapshot %d with b only", tr, err, s2)
	}
}

// AnalysisTrend on a year of nightly snapshots: every snapshot of the
// period up to the reported one, thinned evenly beyond MaxInPeriod with
// the first and last kept, and each earlier quarter's latest for context.
func TestAnalysisTrendNightly(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const a = "arn:aws:iam::1:role/a"
	day := date(t, "2026-01-01")
	byDay := map[string]int64{}
	for i := range 365 {
		d := day.AddDate(0, 0, i)
		id, _, _, err := queries.SaveAnalysis(ctx, db, queries.AnalysisSnapshot{AsOf: d, WindowDays: 90, Params: []byte(`{}`), Digest: d.Format(time.DateOnly)},
			[]queries.AnalysisPrincipal{{ARN: a, Kind: "role", Account: "1", Name: "a", Flags: []string{}, Granted: i, Unused: i / 2, Result: []byte(`{}`)}})
		if err != nil {
			t.Fatal(err)
		}
		byDay[d.Format(time.DateOnly)] = id
	}
	days := func(rows []queries.TrendRow, inPeriod bool) []string {
		var out []string
		for _, r := range rows {
			if r.InPeriod == inPeriod {
				out = append(out, r.AsOf.Format(time.DateOnly))
			}
		}
		return out
	}
	tests := []struct {
		name          string
		from, asOf    string
		max, quarters int
		wantPeriod    []string
		wantContext   []string
		wantTotal     int
	}{
		{"a month, every night", "2026-11-01", "2026-11-05", 92, 8,
			[]string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"},
			[]string{"2026-03-31", "2026-06-30", "2026-09-30", "2026-10-31"}, 5},
		{"thinned", "2026-10-01", "2026-10-31", 4, 2,
			[]string{"2026-10-01", "2026-10-11", "2026-10-21", "2026-10-31"},
			[]string{"2026-06-30", "2026-09-30"}, 31},
		{"a year, 3 points", "2026-01-01", "2026-12-31", 3, 8,
			[]string{"2026-01-01", "2026-07-02", "2026-12-31"}, nil, 365},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, total, err := queries.AnalysisTrend(ctx, db, queries.TrendQuery{From: date(t, tc.from), AsOf: date(t, tc.asOf), ID: byDay[tc.asOf],
				MaxInPeriod: tc.max, MaxQuarters: tc.quarters})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantPeriod, days(rows, true)); diff != "" {
				t.Errorf("points of the period (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantContext, days(rows, false)); diff != "" {
				t.Errorf("context points (-want +got):\n%s", diff)
			}
			if total != tc.wantTotal {
				t.Errorf("snapshots in the period: %d, want %d", total, tc.wantTotal)
			}
		})
	}
	last, _, err := queries.AnalysisTrend(ctx, db, queries.TrendQuery{From: date(t, "2026-12-31"), AsOf: date(t, "2026-12-31"), ID: byDay["2026-12-31"], MaxInPeriod: 2})
	if err != nil || len(last) != 1 || last[0].Granted != 364 || last[0].Unused != 182 {
		t.Errorf("the last night alone: %+v, %v; want one point of granted 364, unused 182", last, err)
	}
	if _, _, err := queries.AnalysisTrend(ctx, db, queries.TrendQuery{MaxInPeriod: 1}); err == nil {
		t.Error("MaxInPeriod 1: no error")
	}
}
