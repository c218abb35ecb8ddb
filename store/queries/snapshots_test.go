package queries_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// The reads of `iamtrim diff` and the run table's rows.
func TestSnapshotQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if ids, err := queries.NewestAnalyses(ctx, db, 2); err != nil || len(ids) != 0 {
		t.Fatalf("NewestAnalyses of an empty schema: %v, %v", ids, err)
	}
	save := func(digest, scope string, at time.Time, ps ...queries.AnalysisPrincipal) int64 {
		t.Helper()
		cat := int64(3)
		id, _, _, err := queries.SaveAnalysis(ctx, db, queries.AnalysisSnapshot{AsOf: date(t, "2026-10-30"), WindowDays: 30, CatalogVersion: &cat, Scope: scope, Params: []byte(`{}`), Digest: digest, CreatedAt: at}, ps)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	t0 := time.Date(2026, 10, 30, 1, 0, 0, 0, time.UTC)
	first := save("a", "", t0)
	save("one principal's", "arn:aws:iam::1:role/a", t0.Add(time.Hour))
	second := save("b", "", t0.Add(2*time.Hour),
		queries.AnalysisPrincipal{ARN: "arn:aws:iam::1:role/a", Kind: "role", Account: "1", Name: "a", Flags: []string{}, Risk: 4.5,
			Result: []byte(`{"risk": {"level": "high"}, "used": [{"action": "s3:GetObject", "granted": true}, {"action": "kms:Decrypt", "granted": false}], "unused": ["s3:PutObject"]}`)},
		queries.AnalysisPrincipal{ARN: "arn:aws:iam::1:role/b", Kind: "role", Account: "1", Name: "b", Flags: []string{}, Result: []byte(`{"used": "not a list"}`)})

	if ids, err := queries.NewestAnalyses(ctx, db, 2); err != nil || !cmp.Equal(ids, []int64{second, first}) {
		t.Errorf("NewestAnalyses: %v, %v; want [%d %d] (organisation-wide only)", ids, err, second, first)
	}
	if prev, err := queries.AnalysisBefore(ctx, db, second); err != nil || prev != first {
		t.Errorf("AnalysisBefore(%d): %d, %v; want %d", second, prev, err, first)
	}
	if _, err := queries.AnalysisBefore(ctx, db, first); !errors.Is(err, queries.ErrNotFound) {
		t.Errorf("AnalysisBefore the first: %v, want ErrNotFound", err)
	}
	h, err := queries.AnalysisHeaderOf(ctx, db, second)
	if err != nil || h.ID != second || !h.CreatedAt.Equal(t0.Add(2*time.Hour)) || !h.AsOf.Equal(date(t, "2026-10-30")) || h.WindowDays != 30 ||
		h.AuthzSnapshot != nil || h.CatalogVersion == nil || *h.CatalogVersion != 3 {
		t.Errorf("AnalysisHeaderOf(%d): %+v, %v", second, h, err)
	}
	if _, err := queries.AnalysisHeaderOf(ctx, db, second+100); !errors.Is(err, queries.ErrNotFound) {
		t.Errorf("AnalysisHeaderOf a missing id: %v, want ErrNotFound", err)
	}
	rows, err := queries.PrincipalChanges(ctx, db, second)
	if err != nil {
		t.Fatal(err)
	}
	high := "high"
	want := map[string]queries.PrincipalChangeRow{
		"arn:aws:iam::1:role/a": {ARN: "arn:aws:iam::1:role/a", Risk: 4.5, Level: &high, UsedGranted: []byte(`["s3:GetObject"]`), Unused: []byte(`["s3:PutObject"]`)},
		"arn:aws:iam::1:role/b": {ARN: "arn:aws:iam::1:role/b", UsedGranted: []byte(`[]`), Unused: []byte(`[]`)},
	}
	got := map[string]queries.PrincipalChangeRow{}
	for _, r := range rows {
		got[r.ARN] = r
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PrincipalChanges (-want +got):\n%s", diff)
	}

	id, err := queries.StartRun(ctx, db, "run", "v1")
	if err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := queries.FinishRun(cancelled, db, id, "ok"); err != nil {
		t.Fatalf("FinishRun with a cancelled context: %v", err)
	}
	var status, version string
	var finished bool
	if err := db.Pool.QueryRow(ctx, `SELECT status, version, finished_at IS NOT NULL FROM run WHERE id = $1`, id).Scan(&status, &version, &finished); err != nil || status != "ok" || version != "v1" || !finished {
		t.Errorf("run row: %q %q finished %v (%v); want ok, v1, finished", status, version, finished, err)
	}
}
