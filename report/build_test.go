package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
	arnA  = "arn:aws:iam::111122223333:role/admin"
	arnB  = "arn:aws:iam::111122223333:role/app"
	arnC  = "arn:aws:iam::444455556666:user/old"
	arnD  = "arn:aws:iam::111122223333:role/gone"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// result builds an analyze.Result the way the analyzer fills one.
func result(arn, kind, acct, name string, granted []string, used []analyze.UsedAction, unused []string, unobs []string) analyze.Result {
	r := analyze.Result{
		PrincipalARN: arn, Type: kind, AccountID: acct, Name: name,
		Granted: granted, Used: used, Unused: unused, Flags: []string{},
		Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 80, Ratio: 80.0 / 90, Sufficient: true,
			Regions: map[string]int{"us-east-1": 80, "eu-west-1": 3}, Gaps: []analyze.DateRange{{From: "2026-10-02", To: "2026-10-11"}}},
		Risk: analyze.Risk{Level: "none", UnusedByAccessLevel: map[string]int{}},
	}
	for _, a := range unobs {
		r.Unobservable = append(r.Unobservable, analyze.Unobservable{Action: a, Reason: "permission-only"})
	}
	for _, u := range used {
		if !u.Granted {
			r.UsedNotGranted = append(r.UsedNotGranted, u.Action)
		}
		if r.LastUsed.Any == nil || u.LastUsed.After(*r.LastUsed.Any) {
			t := u.LastUsed
			r.LastUsed.Any = &t
		}
	}
	return r
}

func used(action string, granted bool, first string) analyze.UsedAction {
	t := mustTime(first)
	return analyze.UsedAction{Action: action, Calls: 3, FirstUsed: t, LastUsed: t.Add(time.Hour), Granted: granted}
}

// insertSnapshot stores results as the analyzer does (the counts in
// columns, the result as JSON, extra fields merged into it) and returns
// the snapshot's id.
func insertSnapshot(t *testing.T, db *store.DB, asOf, scope string, catalogVersion *int64, results []analyze.Result, extra map[string]map[string]any) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.Pool.QueryRow(ctx, `
		INSERT INTO analysis_snapshot (created_at, as_of, window_days, catalog_version, scope, digest)
		VALUES ($1, $2, 90, $3, $4, $5) RETURNING id`,
		mustTime(asOf+"T03:00:00Z"), asOf, catalogVersion, scope, asOf+"/"+scope).Scan(&id)
	if err != nil {
		t.Fatalf("insert snapshot: %v", err)
	}
	for _, r := range results {
		body, err := analyze.StoredJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		if x := extra[r.PrincipalARN]; x != nil {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			for k, v := range x {
				m[k] = v
			}
			if body, err = json.Marshal(m); err != nil {
				t.Fatal(err)
			}
		}
		var denied int64
		for _, d := range r.Denied {
			denied += d.Count
		}
		_, err = db.Pool.Exec(ctx, `
			INSERT INTO analysis_principal (snapshot_id, principal_arn, kind, account_id, name, granted, used, unused,
			    unobservable, denied, risk, high_risk_unused, flags, last_used, result)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			id, r.PrincipalARN, r.Type, r.AccountID, r.Name, len(r.Granted), len(r.Used), len(r.Unused),
			len(r.Unobservable), denied, r.Risk.Score, len(r.Risk.HighRiskUnused), r.Flags, r.LastUsed.Any, body)
		if err != nil {
			t.Fatalf("insert principal %s: %v", r.PrincipalARN, err)
		}
	}
	return id
}

func execSQL(t *testing.T, db *store.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// seed stores three quarters of analyses (Q2, Q3, Q4 2026, plus a
// single-principal analysis in Q4 the report must ignore), a catalog
// version and a recommendation. With usage it also stores usage rollups
// and log coverage.
func seed(t *testing.T, db *store.DB, usage bool) (prevID, curID int64) {
	t.Helper()
	ctx := context.Background()
	var cat int64
	if err := db.Pool.QueryRow(ctx, `
		INSERT INTO catalog_version (source, fetched_at, digest, services, actions, is_current)
		VALUES ('testdata/catalog', '2026-08-22T00:00:00Z', 'sha256:cat', 3, 40, true) RETURNING id`).Scan(&cat); err != nil {
		t.Fatalf("insert catalog version: %v", err)
	}

	admin := func(usedActs []analyze.UsedAction, unused []string, score float64) analyze.Result {
		granted := []string{"ec2:DescribeInstances", "iam:ListRoles", "iam:PassRole", "s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sns:Publish", "kms:Decrypt", "iam:GetRole", "sts:AssumeRole"}
		r := result(arnA, "role", acctA, "admin", granted, usedActs, unused, []string{"iam:GetRole", "sts:AssumeRole"})
		r.Risk = analyze.Risk{Score: score, Level: "high", Admin: true, HighRiskUnused: []string{"iam:PassRole"}, UnusedByAccessLevel: map[string]int{}}
		r.Flags = []string{"admin"}
		r.Caveats = []string{"a conditional Deny applies to some granted actions: they are kept, flagged"}
		return r
	}
	old := func() analyze.Result {
		r := result(arnC, "user", acctB, "old", []string{"s3:ListBuckets", "s3:GetObject", "iam:ListUsers"}, nil, []string{"iam:ListUsers", "s3:GetObject", "s3:ListBuckets"}, nil)
		r.Risk = analyze.Risk{Score: 3, Level: "low", UnusedByAccessLevel: map[string]int{}}
		r.Flags = []string{"unused-principal"}
		r.Denied = []analyze.DeniedAction{{Action: "s3:ListBuckets", Count: 2, LastSeen: mustTime("2026-10-20T10:00:00Z")}}
		r.Coverage = analyze.Coverage{WindowDays: 90, Regions: map[string]int{}, Gaps: []analyze.DateRange{{From: "2026-10-02", To: "2026-12-30"}}}
		return r
	}
	app := result(arnB, "role", acctA, "app", []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketPolicy"},
		[]analyze.UsedAction{used("s3:GetObject", true, "2026-10-03T00:00:00Z"), used("s3:PutObject", true, "2026-10-03T00:00:00Z"),
			used("s3:ListBucket", true, "2026-10-03T00:00:00Z"), used("s3:DeleteObject", true, "2026-10-03T00:00:00Z"), used("s3:GetBucketPolicy", true, "2026-12-01T00:00:00Z")},
		nil, nil)
	app.Risk.ServiceWildcards = []string{"s3"}
	app.Unmapped = []analyze.UnmappedCall{{EventSource: "s3.amazonaws.com", EventName: "PutBucketFutureFeature", Service: "s3", Calls: 10, LastSeen: mustTime("2026-12-20T10:00:00Z")}}
	app.Workload = true
	gone := result(arnD, "role", acctA, "gone", []string{"s3:GetObject"}, nil, []string{"s3:GetObject"}, nil)

	q2 := admin([]analyze.UsedAction{used("s3:GetObject", true, "2026-05-01T00:00:00Z")}, []string{"ec2:DescribeInstances", "iam:ListRoles", "iam:PassRole", "kms:Decrypt", "s3:PutObject", "sns:Publish", "sqs:SendMessage"}, 60)
	insertSnapshot(t, db, "2026-06-29", "", &cat, []analyze.Result{q2}, nil)
	prevA := admin([]analyze.UsedAction{used("s3:GetObject", true, "2026-07-05T00:00:00Z")}, []string{"ec2:DescribeInstances", "iam:ListRoles", "iam:PassRole", "kms:Decrypt", "s3:PutObject", "sns:Publish", "sqs:SendMessage"}, 55)
	prevID = insertSnapshot(t, db, "2026-09-28", "", &cat, []analyze.Result{prevA, old(), gone}, nil)
	curA := admin([]analyze.UsedAction{
		used("ec2:DescribeInstances", true, "2026-11-10T09:00:00Z"),
		used("s3:GetObject", true, "2026-10-05T00:00:00Z"),
		used("sts:GetFederationToken", false, "2026-10-06T00:00:00Z"),
	}, []string{"iam:ListRoles", "iam:PassRole", "kms:Decrypt", "s3:PutObject", "sns:Publish", "sqs:SendMessage"}, 50)
	curA.Denied = []analyze.DeniedAction{{Action: "iam:ListRoles", Count: 3, LastSeen: mustTime("2026-10-07T10:00:00Z"), Granted: true}}
	curID = insertSnapshot(t, db, "2026-12-30", "", &cat, []analyze.Result{curA, app, old()},
		map[string]map[string]any{arnC: {"recommendation_proven": false}})
	// A later single-principal analysis: not an organisation-wide view.
	insertSnapshot(t, db, "2026-12-31", arnB, &cat, []analyze.Result{app}, nil)
	execSQL(t, db, `INSERT INTO recommendation (principal_arn, as_of, window_days, proven, kept, removed, digest, body)
		VALUES ($1, '2026-12-30', 90, true, 3, 6, 'r1', '{}'), ($1, '2026-09-28', 90, false, 3, 6, 'r0', '{}')`, arnA)

	if !usage {
		return prevID, curID
	}
	execSQL(t, db, `INSERT INTO usage_principal (arn, account_id, type, name) VALUES
		($1, $3, 'AssumedRole', 'admin'), ($2, $4, 'IAMUser', 'old'), ('s3.amazonaws.com', $3, 'AWSService', 's3.amazonaws.com')`,
		arnA, arnC, acctA, acctB)
	execSQL(t, db, `INSERT INTO usage_daily (principal_id, day, action, resource, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
		SELECT p.id, v.day::date, v.action, '', v.invoked_by, v.acct, v.calls, v.denied, 0, v.day::timestamptz, v.day::timestamptz
		FROM (VALUES
			($1, '2026-06-15', 's3:GetObject', '', $3, 5, 0),          -- before the period
			($1, '2026-10-05', 's3:GetObject', '', $3, 3, 0),          -- used before: not new
			($1, '2026-11-10', 'ec2:DescribeInstances', '', $3, 4, 0), -- first used
			($1, '2026-11-12', 'ec2:DescribeInstances', '', $3, 2, 0),
			($1, '2026-10-07', 'iam:ListRoles', '', $3, 3, 3),         -- denied only: not used
			($1, '2026-11-11', 'kms:Decrypt', 's3.amazonaws.com', $3, 1, 0), -- a service on its behalf
			($2, '2026-10-20', 's3:ListBuckets', '', $4, 2, 2),
			('s3.amazonaws.com', '2026-10-21', 's3:PutObject', '', $3, 1, 0), -- an AWS service: not listed
			($1, '2027-01-02', 'iam:CreateUser', '', $3, 1, 0)         -- after the period
		) AS v(arn, day, action, invoked_by, acct, calls, denied)
		JOIN usage_principal p ON p.arn = v.arn`, arnA, arnC, acctA, acctB)
	execSQL(t, db, `INSERT INTO usage_unmapped_daily (principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
		SELECT id, '2026-10-08', 'unmapped', 'foo.amazonaws.com', 'DoThing', '', $2, 1, 1, 0, '2026-10-08', '2026-10-08' FROM usage_principal WHERE arn = $1`, arnA, acctA)
	execSQL(t, db, `INSERT INTO log_coverage_daily (account_id, region, day, events)
		SELECT $1, 'us-east-1', d::date, 10 FROM generate_series('2026-10-01'::date, '2026-10-10'::date, '1 day') d
		UNION ALL SELECT $1, 'us-east-1', '2026-06-15', 5
		UNION ALL SELECT $1, 'eu-west-1', '2026-10-05', 1
		UNION ALL SELECT $1, 'us-east-1', '2027-01-02', 1`, acctA)
	return prevID, curID
}

func TestBuild(t *testing.T) {
	db := storetest.New(t)
	prevID, curID := seed(t, db, true)
	ctx := context.Background()
	now := mustTime("2027-01-05T08:00:00Z")

	d, err := Build(ctx, db, Options{Quarter: "2026Q4", Now: now})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}

	t.Run("snapshots", func(t *testing.T) {
		if d.Snapshot.ID != curID || !d.Snapshot.InPeriod || d.Snapshot.AsOf != "2026-12-30" || d.Snapshot.WindowFrom != "2026-10-02" {
			t.Errorf("Snapshot = %+v, want id %d as of 2026-12-30 (window from 2026-10-02), in period", d.Snapshot, curID)
		}
		if d.Previous == nil || d.Previous.ID != prevID || !d.Previous.InPeriod {
			t.Errorf("Previous = %+v, want id %d in the previous period", d.Previous, prevID)
		}
		if d.Catalog == nil || d.Catalog.Source != "testdata/catalog" || d.Catalog.Actions != 40 {
			t.Errorf("Catalog = %+v, want the stored version", d.Catalog)
		}
	})

	t.Run("summary", func(t *testing.T) {
		want := Summary{
			Accounts: 2, Principals: 3, Roles: 2, Users: 1,
			Granted: 18, Used: 7, Unused: 9, Unobservable: 2, UnusedShare: 0.5,
			UnusedPrincipals: 1, PrivilegedPrincipals: 2, AdminPrincipals: 1, HighRiskUnused: 1,
			DeniedAttempts: 6, FirstUsedActions: 1, ProvenRecommendations: 1, RecommendationsKnown: true,
			LogCoverage: 0,
		}
		if diff := cmp.Diff(want, d.Summary); diff != "" {
			t.Errorf("Summary (-want +got):\n%s", diff)
		}
	})

	t.Run("principals and change", func(t *testing.T) {
		type row struct {
			ARN            string
			Used, NotGrant int
			Proven         *bool
			Change         *Change
		}
		var got []row
		for _, p := range d.Principals {
			got = append(got, row{p.ARN, p.Used, p.UsedNotGranted, p.RecommendationProven, p.Change})
		}
		want := []row{
			{arnA, 2, 1, ptr(true), &Change{Granted: 0, Used: 1, Unused: -1, RiskScore: -5}},
			{arnC, 0, 0, ptr(false), &Change{}},
			{arnB, 5, 0, nil, &Change{New: true, Granted: 5, Used: 5, Unused: 0, RiskScore: 0}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("principals in risk order (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]PrincipalRef{{ARN: arnD, Kind: "role", Account: acctA, Name: "gone"}}, d.Removed); diff != "" {
			t.Errorf("Removed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{arnC}, d.UnusedPrincipals); diff != "" {
			t.Errorf("UnusedPrincipals (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]HighRisk{{PrincipalRef: PrincipalRef{ARN: arnA, Kind: "role", Account: acctA, Name: "admin"}, Actions: []string{"iam:PassRole"}}}, d.HighRiskUnused); diff != "" {
			t.Errorf("HighRiskUnused (-want +got):\n%s", diff)
		}
		if len(d.Privileged) != 2 || d.Privileged[0].ARN != arnA || !d.Privileged[0].Admin || d.Privileged[1].ARN != arnB ||
			!cmp.Equal(d.Privileged[1].ServiceWildcards, []string{"s3"}) || !d.Privileged[1].Workload {
			t.Errorf("Privileged = %+v, want admin %s then s3:* workload %s", d.Privileged, arnA, arnB)
		}
	})

	t.Run("trend", func(t *testing.T) {
		var got []string
		for _, p := range d.Trend {
			got = append(got, p.Quarter+" "+trendKind(p)+" "+p.AsOf+" "+itoa(p.Principals)+" "+itoa(p.Granted)+"/"+itoa(p.Used)+"/"+itoa(p.Unused))
		}
		want := []string{"2026Q2 quarter's latest 2026-06-29 1 10/1/7", "2026Q3 quarter's latest 2026-09-28 3 14/1/11", "2026Q4 in period 2026-12-30 3 18/7/9"}
		if diff := cmp.Diff(want, got); diff != "" || d.TrendSnapshots != 1 {
			t.Errorf("Trend of %d snapshots in the period (-want +got):\n%s", d.TrendSnapshots, diff)
		}
	})

	t.Run("denied", func(t *testing.T) {
		want := Denied{Source: "usage", Total: 6,
			TopPrincipals: []DeniedPrincipal{{ARN: arnA, Count: 4, Actions: 2}, {ARN: arnC, Count: 2, Actions: 1}},
			TopActions: []DeniedAction{{Action: "iam:ListRoles", Count: 3, Principals: 1}, {Action: "s3:ListBuckets", Count: 2, Principals: 1},
				{Action: "unmapped foo.amazonaws.com DoThing", Count: 1, Principals: 1}},
		}
		if diff := cmp.Diff(want, d.Denied); diff != "" {
			t.Errorf("Denied (-want +got):\n%s", diff)
		}
	})

	t.Run("unmapped", func(t *testing.T) {
		want := Unmapped{Total: 10, Items: []UnmappedCall{{ARN: arnB, EventSource: "s3.amazonaws.com", EventName: "PutBucketFutureFeature", Calls: 10, LastSeen: mustTime("2026-12-20T10:00:00Z")}}}
		if diff := cmp.Diff(want, d.Unmapped); diff != "" {
			t.Errorf("Unmapped (-want +got):\n%s", diff)
		}
	})

	t.Run("first used", func(t *testing.T) {
		want := FirstUsed{Source: "usage", Available: true, Total: 1,
			Items: []FirstUse{{ARN: arnA, Action: "ec2:DescribeInstances", FirstDay: "2026-11-10", Calls: 6, Granted: ptr(true)}}}
		if diff := cmp.Diff(want, d.FirstUsed); diff != "" {
			t.Errorf("FirstUsed (-want +got):\n%s", diff)
		}
	})

	t.Run("coverage", func(t *testing.T) {
		want := Coverage{Source: "usage", From: "2026-10-01", To: "2026-12-31", Days: 92, Accounts: []AccountCoverage{
			{Account: acctA, DaysWithLogs: 10, Ratio: 10.0 / 92, Gaps: []DateRange{{From: "2026-10-11", To: "2026-12-31"}}, Regions: []RegionCoverage{
				{Region: "eu-west-1", DaysWithLogs: 1, Ratio: 1.0 / 92, Gaps: []DateRange{{From: "2026-10-01", To: "2026-10-04"}, {From: "2026-10-06", To: "2026-12-31"}}},
				{Region: "us-east-1", DaysWithLogs: 10, Ratio: 10.0 / 92, Gaps: []DateRange{{From: "2026-10-11", To: "2026-12-31"}}},
			}},
			{Account: acctB, Gaps: []DateRange{{From: "2026-10-01", To: "2026-12-31"}}, Regions: []RegionCoverage{}},
		}}
		if diff := cmp.Diff(want, d.Coverage); diff != "" {
			t.Errorf("Coverage (-want +got):\n%s", diff)
		}
	})

	t.Run("golden", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Render(&buf, d, "md"); err != nil {
			t.Fatalf("Render: %v", err)
		}
		path := filepath.Join("testdata", "build.md.golden")
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden (run with -update): %v", err)
		}
		if diff := cmp.Diff(string(want), buf.String()); diff != "" {
			t.Errorf("report of the seeded database differs from %s (-want +got):\n%s", path, diff)
		}
		for _, f := range Formats() {
			if err := Render(&bytes.Buffer{}, d, f); err != nil {
				t.Errorf("Render(%s): %v", f, err)
			}
		}
	})

	t.Run("account", func(t *testing.T) {
		d, err := Build(ctx, db, Options{Quarter: "2026Q4", Account: acctB, Now: now})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		if len(d.Principals) != 1 || d.Principals[0].ARN != arnC || d.Summary.Accounts != 1 {
			t.Errorf("principals = %+v, want only %s", d.Principals, arnC)
		}
		if d.Denied.Total != 2 || len(d.Coverage.Accounts) != 1 || d.Coverage.Accounts[0].Account != acctB {
			t.Errorf("denied %d and coverage %+v, want account %s's only", d.Denied.Total, d.Coverage.Accounts, acctB)
		}
		if d.Previous == nil || len(d.Removed) != 0 {
			t.Errorf("Previous = %+v, Removed = %+v, want the Q3 snapshot and nothing removed", d.Previous, d.Removed)
		}
	})

	t.Run("period without a snapshot", func(t *testing.T) {
		d, err := Build(ctx, db, Options{Quarter: "2027Q1", Now: now})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		if d.Snapshot.ID != curID || d.Snapshot.InPeriod {
			t.Errorf("Snapshot = %+v, want %d standing in (not in period)", d.Snapshot, curID)
		}
		if d.Previous == nil || d.Previous.ID != prevID || d.Previous.InPeriod {
			t.Errorf("Previous = %+v, want %d, outside 2026Q4", d.Previous, prevID)
		}
		if d.Coverage.From != "2027-01-01" || d.Coverage.To != "2027-01-05" || d.Coverage.Days != 5 {
			t.Errorf("Coverage = %s to %s (%d days), want up to Now: 2027-01-01 to 2027-01-05", d.Coverage.From, d.Coverage.To, d.Coverage.Days)
		}
	})

	t.Run("nothing before the period", func(t *testing.T) {
		_, err := Build(ctx, db, Options{Quarter: "2025Q4", Now: now})
		if !errors.Is(err, ErrNoSnapshot) {
			t.Errorf("Build(2025Q4) error = %v, want ErrNoSnapshot", err)
		}
	})
}

// Without ingested logs the report falls back on the snapshots: denied
// attempts and coverage of the analysis window, first use by comparing
// the two snapshots.
// TestBuildTrendNightly: a snapshot every night of the quarter is a point
// each, after each earlier quarter's latest; a longer period with more
// nights than MaxTrendPoints is thinned evenly, its first night and the
// reported one kept; a month's report still shows the quarters before it;
// one account's report counts its principals only.
func TestBuildTrendNightly(t *testing.T) {
	db := storetest.New(t)
	seed(t, db, false) // 2026-06-29, 2026-09-28 and 2026-12-30
	app := result(arnB, "role", acctA, "app", []string{"s3:GetObject", "s3:PutObject"}, []analyze.UsedAction{used("s3:GetObject", true, "2026-10-03T00:00:00Z")}, []string{"s3:PutObject"}, nil)
	other := result(arnC, "user", acctB, "old", []string{"s3:ListBuckets"}, nil, []string{"s3:ListBuckets"}, nil)
	// Every night from 2026-09-15 to 2026-12-29 but the seed's, one
	// granted action more each night.
	granted := map[string]int{}
	for i, day := 0, mustTime("2026-09-15T00:00:00Z"); day.Before(mustTime("2026-12-30T00:00:00Z")); i, day = i+1, day.AddDate(0, 0, 1) {
		asOf := day.Format(time.DateOnly)
		if asOf == "2026-09-28" {
			continue
		}
		nightly := app
		nightly.Granted = append(append([]string{}, app.Granted...), make([]string, i)...)
		insertSnapshot(t, db, asOf, "", nil, []analyze.Result{nightly, other}, nil)
		granted[asOf] = len(nightly.Granted) + 1
	}
	ctx := context.Background()
	now := mustTime("2027-01-05T08:00:00Z")
	split := func(d *Data) (ctxDays, periodDays []string) {
		for _, p := range d.Trend {
			if p.InPeriod {
				periodDays = append(periodDays, p.AsOf)
			} else {
				ctxDays = append(ctxDays, p.AsOf)
			}
		}
		return ctxDays, periodDays
	}

	// The quarter: 92 days, every night a point.
	d, err := Build(ctx, db, Options{Quarter: "2026Q4", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctxDays, periodDays := split(d)
	if d.TrendSnapshots != 91 || len(periodDays) != 91 || periodDays[0] != "2026-10-01" || periodDays[90] != "2026-12-30" {
		t.Errorf("the quarter's trend: %d of %d snapshots; want every one of the 91 nights", len(periodDays), d.TrendSnapshots)
	}
	if diff := cmp.Diff([]string{"2026-06-29", "2026-09-30"}, ctxDays); diff != "" {
		t.Errorf("context points: each quarter's latest (-want +got):\n%s", diff)
	}
	if p := d.Trend[2]; p.AsOf != "2026-10-01" || p.Granted != granted["2026-10-01"] || p.Principals != 2 {
		t.Errorf("the first night's point: %+v; want 2 principals, %d granted", p, granted["2026-10-01"])
	}

	// From 2026-09-15: more nights than MaxTrendPoints.
	d, err = Build(ctx, db, Options{From: mustTime("2026-09-15T00:00:00Z"), To: mustTime("2026-12-31T00:00:00Z"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctxDays, periodDays = split(d)
	if d.TrendSnapshots <= MaxTrendPoints || len(periodDays) != MaxTrendPoints || periodDays[0] != "2026-09-15" || periodDays[len(periodDays)-1] != "2026-12-30" {
		t.Errorf("thinned: %d of %d snapshots, from %s to %s; want %d, 2026-09-15 to 2026-12-30",
			len(periodDays), d.TrendSnapshots, periodDays[0], periodDays[len(periodDays)-1], MaxTrendPoints)
	}
	if !slices.IsSorted(periodDays) || len(slices.Compact(slices.Clone(periodDays))) != len(periodDays) {
		t.Errorf("the period's points are not distinct days in order: %v", periodDays)
	}
	if diff := cmp.Diff([]string{"2026-06-29"}, ctxDays); diff != "" {
		t.Errorf("context points before 2026-09-15 (-want +got):\n%s", diff)
	}

	// A month: every night a point, and the quarters before it.
	d, err = Build(ctx, db, Options{From: mustTime("2026-11-01T00:00:00Z"), To: mustTime("2026-11-30T00:00:00Z"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctxDays, periodDays = split(d)
	if len(periodDays) != 30 || d.TrendSnapshots != 30 || periodDays[29] != "2026-11-30" {
		t.Errorf("November: %d points of %d snapshots, the last %s; want 30, the last 2026-11-30", len(periodDays), d.TrendSnapshots, periodDays[len(periodDays)-1])
	}
	if diff := cmp.Diff([]string{"2026-06-29", "2026-09-30", "2026-10-31"}, ctxDays); diff != "" {
		t.Errorf("context points before November (-want +got):\n%s", diff)
	}

	// One account: its principals only.
	d, err = Build(ctx, db, Options{Quarter: "2026Q4", Account: acctB, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Trend {
		if p.InPeriod && p.AsOf != "2026-12-30" && (p.Principals != 1 || p.Granted != 1) {
			t.Fatalf("account %s's point of %s: %d principals, %d granted; want 1 and 1", acctB, p.AsOf, p.Principals, p.Granted)
		}
	}
}

func TestBuildFromSnapshotsOnly(t *testing.T) {
	db := storetest.New(t)
	seed(t, db, false)
	d, err := Build(context.Background(), db, Options{Quarter: "2026Q4", Now: mustTime("2027-01-05T08:00:00Z")})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	wantDenied := Denied{Source: "snapshot", Total: 5,
		TopPrincipals: []DeniedPrincipal{{ARN: arnA, Count: 3, Actions: 1}, {ARN: arnC, Count: 2, Actions: 1}},
		TopActions:    []DeniedAction{{Action: "iam:ListRoles", Count: 3, Principals: 1}, {Action: "s3:ListBuckets", Count: 2, Principals: 1}},
	}
	if diff := cmp.Diff(wantDenied, d.Denied); diff != "" {
		t.Errorf("Denied (-want +got):\n%s", diff)
	}
	// s3:GetObject was used in the previous window too; app's actions are
	// all new (app is new), ec2:DescribeInstances and the ungranted
	// sts:GetFederationToken are new for admin.
	var got []string
	for _, f := range d.FirstUsed.Items {
		got = append(got, f.ARN+" "+f.Action+" "+f.FirstDay+" "+grantedText(f.Granted))
	}
	want := []string{
		arnA + " ec2:DescribeInstances 2026-11-10 granted",
		arnA + " sts:GetFederationToken 2026-10-06 not granted",
		arnB + " s3:DeleteObject 2026-10-03 granted",
		arnB + " s3:GetBucketPolicy 2026-12-01 granted",
		arnB + " s3:GetObject 2026-10-03 granted",
		arnB + " s3:ListBucket 2026-10-03 granted",
		arnB + " s3:PutObject 2026-10-03 granted",
	}
	if diff := cmp.Diff(want, got); diff != "" || d.FirstUsed.Source != "snapshot" || d.FirstUsed.Total != len(want) {
		t.Errorf("FirstUsed from %q, total %d (-want +got):\n%s", d.FirstUsed.Source, d.FirstUsed.Total, diff)
	}
	wantCov := Coverage{Source: "snapshot", From: "2026-10-02", To: "2026-12-30", Days: 90, Accounts: []AccountCoverage{
		{Account: acctA, DaysWithLogs: 80, Ratio: 80.0 / 90, Gaps: []DateRange{{From: "2026-10-02", To: "2026-10-11"}}, Regions: []RegionCoverage{
			{Region: "eu-west-1", DaysWithLogs: 3, Ratio: 3.0 / 90, GapsUnknown: true},
			{Region: "us-east-1", DaysWithLogs: 80, Ratio: 80.0 / 90, GapsUnknown: true},
		}},
		{Account: acctB, Gaps: []DateRange{{From: "2026-10-02", To: "2026-12-30"}}, Regions: []RegionCoverage{}},
	}}
	if diff := cmp.Diff(wantCov, d.Coverage); diff != "" {
		t.Errorf("Coverage (-want +got):\n%s", diff)
	}
	if d.Summary.LogCoverage != 0 || d.Summary.DeniedAttempts != 5 || d.Summary.FirstUsedActions != 7 {
		t.Errorf("Summary = %+v, want coverage 0, 5 denied, 7 first used", d.Summary)
	}
}

func TestBuildValidates(t *testing.T) {
	_, err := Build(context.Background(), nil, Options{Quarter: "2026Q5", Now: time.Now()})
	if err == nil || err.Error() != `quarter "2026Q5": not a quarter like 2026Q4` {
		t.Errorf("Build(2026Q5) error = %v, want the quarter named", err)
	}
}
