package queries_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// The report's per-principal sections and evidence block on two
// principals of two accounts.
func TestReportDetailQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const a, b = "arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b"
	cat, err := queries.StoreCatalog(ctx, db, queries.CatalogVersion{Source: "t", FetchedAt: time.Now().UTC(), Digest: "c"}, func() *queries.CatalogRows {
		return &queries.CatalogRows{Services: []queries.CatalogService{{Service: "s3"}},
			Actions: []queries.CatalogAction{{Service: "s3", Action: "GetObject", AccessLevel: "Read"}, {Service: "s3", Action: "PutObject", AccessLevel: "Write"}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	authzID, _, err := queries.SaveAuthzSnapshot(ctx, db, queries.AuthzSnapshot{Source: "authz.json", Digest: "sha256:a", TakenAt: time.Now().UTC(), Accounts: []string{"1", "2"}, Warnings: []string{}},
		func() (*queries.AuthzContent, error) { return &queries.AuthzContent{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	trailID, _, err := queries.SaveTrailConfig(ctx, db, "trails.json", "sha256:t", []byte(`[]`))
	if err != nil {
		t.Fatal(err)
	}
	asOf := date(t, "2026-10-30")
	p := func(arn, acct, result string) queries.AnalysisPrincipal {
		return queries.AnalysisPrincipal{ARN: arn, Kind: "role", Account: acct, Name: "n", Flags: []string{}, Result: []byte(result)}
	}
	snap, _, _, err := queries.SaveAnalysis(ctx, db, queries.AnalysisSnapshot{AsOf: asOf, WindowDays: 30, CatalogVersion: &cat.ID, AuthzSnapshot: authzID, TrailConfig: trailID, Params: []byte(`{}`), Digest: "s"},
		[]queries.AnalysisPrincipal{
			p(a, "1", `{"used": [{"action": "s3:GetObject"}], "unobservable_by_reason": {"data-event": 2}, "unobservable_listed": {"data-event": ["s3:GetObject"]}, "unused": ["s3:PutObject", "s3:GetObject", "x:Unknown"]}`),
			p(b, "2", `{"denied": [], "unmapped": [], "unused": "not a list"}`),
		})
	if err != nil {
		t.Fatal(err)
	}
	bare, _, _, err := queries.SaveAnalysis(ctx, db, queries.AnalysisSnapshot{AsOf: asOf, WindowDays: 30, Params: []byte(`{}`), Digest: "bare"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	details, err := queries.AnalysisDetails(ctx, db, snap, "")
	if err != nil {
		t.Fatalf("AnalysisDetails: %v", err)
	}
	sort.Slice(details, func(i, j int) bool { return details[i].ARN < details[j].ARN })
	want := []queries.DetailRow{
		{ARN: a, Used: []byte(`[{"action": "s3:GetObject"}]`), UnobservableByReason: []byte(`{"data-event": 2}`),
			UnobservableListed: []byte(`{"data-event": ["s3:GetObject"]}`)},
		{ARN: b, Denied: []byte(`[]`), Unmapped: []byte(`[]`)},
	}
	if diff := cmp.Diff(want, details); diff != "" {
		t.Errorf("AnalysisDetails (-want +got):\n%s", diff)
	}
	if d, err := queries.AnalysisDetails(ctx, db, snap, "2"); err != nil || len(d) != 1 || d[0].ARN != b {
		t.Errorf("AnalysisDetails of account 2: %+v, %v; want b only", d, err)
	}

	unused, err := queries.UnusedByAccessLevel(ctx, db, snap, "", cat.ID)
	if err != nil {
		t.Fatalf("UnusedByAccessLevel: %v", err)
	}
	wantUnused := []queries.UnusedActionRow{{ARN: a, AccessLevel: "Read", Action: "s3:GetObject"}, {ARN: a, AccessLevel: "Write", Action: "s3:PutObject"}, {ARN: a, AccessLevel: "Unknown", Action: "x:Unknown"}}
	if diff := cmp.Diff(wantUnused, unused); diff != "" {
		t.Errorf("UnusedByAccessLevel (-want +got):\n%s", diff)
	}
	if u, err := queries.UnusedByAccessLevel(ctx, db, snap, "1", 0); err != nil || len(u) != 3 || u[0].AccessLevel != "Unknown" {
		t.Errorf("UnusedByAccessLevel without a catalog: %+v, %v; want a's 3, Unknown", u, err)
	}

	if n, err := queries.AnalysisAccounts(ctx, db, snap); err != nil || n != 2 {
		t.Errorf("AnalysisAccounts: %d, %v; want 2", n, err)
	}
	rec := queries.Recommendation{PrincipalARN: a, AsOf: asOf, WindowDays: 30, Proven: true, Kept: 1, Removed: 2, Digest: "r", Body: []byte(`{}`)}
	if err := queries.SaveRecommendation(ctx, db, rec); err != nil {
		t.Fatal(err)
	}
	other := rec
	other.WindowDays = 90
	if err := queries.SaveRecommendation(ctx, db, other); err != nil {
		t.Fatal(err)
	}
	recs, err := queries.Recommendations(ctx, db, asOf, 30)
	if err != nil {
		t.Fatalf("Recommendations: %v", err)
	}
	if diff := cmp.Diff([]queries.Recommendation{rec}, recs); diff != "" {
		t.Errorf("Recommendations of the 30-day window (-want +got):\n%s", diff)
	}

	ev, err := queries.EvidenceOf(ctx, db, snap)
	if err != nil {
		t.Fatalf("EvidenceOf: %v", err)
	}
	wantEv := queries.AnalysisEvidence{Authz: &queries.SnapshotRef{ID: authzID, Digest: "sha256:a", Source: "authz.json"}, AuthzAccounts: []string{"1", "2"},
		Trails: &queries.SnapshotRef{ID: trailID, Digest: "sha256:t", Source: "trails.json"}}
	if diff := cmp.Diff(wantEv, ev); diff != "" {
		t.Errorf("EvidenceOf (-want +got):\n%s", diff)
	}
	if ev, err := queries.EvidenceOf(ctx, db, bare); err != nil || ev.Authz != nil || ev.Trails != nil || len(ev.AuthzAccounts) != 0 {
		t.Errorf("EvidenceOf a snapshot of no evidence: %+v, %v", ev, err)
	}

	if _, err := db.Pool.Exec(ctx, `INSERT INTO ingest_object (source, key, status, records, events, errors) VALUES
		('file', '/a', 'done', 10, 8, 0), ('file', '/b', 'done', 5, 5, 0), ('file', '/c', 'failed', 3, 0, 2), ('s3', 's3://x/y', 'done', 1, 1, 0)`); err != nil {
		t.Fatal(err)
	}
	ledger, err := queries.IngestLedger(ctx, db)
	if err != nil {
		t.Fatalf("IngestLedger: %v", err)
	}
	wantLedger := []queries.LedgerRow{{Source: "file", Status: "done", Objects: 2, Records: 15, Events: 13}, {Source: "file", Status: "failed", Objects: 1, Records: 3, Errors: 2},
		{Source: "s3", Status: "done", Objects: 1, Records: 1, Events: 1}}
	if diff := cmp.Diff(wantLedger, ledger); diff != "" {
		t.Errorf("IngestLedger (-want +got):\n%s", diff)
	}
}
