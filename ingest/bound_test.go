package ingest_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest"
	ingestrollup "github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/sample/churn"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestBoundedRollup ingests a churning corpus with small caps: minted
// identifiers never reach the rollup, S3 keys keep at most the prefix
// depth, no (principal, day, action, invoker, account) holds more than the
// cap plus one overflow row, no principal's day more networks than its
// cap plus one, and the calls add up to those of an uncapped ingest. With
// the default fold, resources of a kind beyond DefaultCollapseAt-1 become
// one pattern: the calls add up the same, in fewer rows.
func TestBoundedRollup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := churn.Generate(ctx, churn.Options{Out: dir, Events: 4000, Files: 4, Days: 2, Roles: 3, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	capped := storetest.New(t)
	s, err := ingest.Run(ctx, capped, nil, ingest.Options{Sources: []string{dir}, Bounds: &queries.RollupBounds{ObjectPrefixDepth: ingest.DefaultObjectPrefixDepth, MaxResources: 8, MaxNetworks: 4}}, testLogger(t))
	if err != nil || s.Rejected() > 0 || s.Events != 4000 {
		t.Fatalf("capped ingest: %v, %+v", err, s)
	}
	wide := storetest.New(t)
	if _, err := ingest.Run(ctx, wide, nil, ingest.Options{Sources: []string{dir}, Bounds: &queries.RollupBounds{MaxResources: 100_000, MaxNetworks: 100_000}}, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	folded := storetest.New(t)
	if _, err := ingest.Run(ctx, folded, nil, ingest.Options{Sources: []string{dir}}, testLogger(t)); err != nil {
		t.Fatal(err)
	}

	minted := regexp.MustCompile(`instance/i-0|log-stream:task/|uploads/[0-9a-f]{8}-|raw/2026/`)
	var overflow int
	rows, err := capped.Pool.Query(ctx, `SELECT resource FROM usage_daily`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		if minted.MatchString(r) {
			t.Errorf("minted identifier stored: %s", r)
		}
		if key, ok := strings.CutPrefix(r, "arn:aws:s3:::"); ok {
			if _, k, _ := strings.Cut(key, "/"); strings.Count(strings.TrimSuffix(k, "/*"), "/") > 1 {
				t.Errorf("S3 key deeper than 2 segments stored: %s", r)
			}
		}
		if r == queries.MoreResources {
			overflow++
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if overflow == 0 {
		t.Errorf("no overflow row: the corpus should exceed a cap of 8 resources (customers/* folders)")
	}
	var worst, worstNets int
	if err := capped.Pool.QueryRow(ctx, `SELECT max(n) FROM (SELECT count(*) n FROM usage_daily GROUP BY principal_id, day, action, invoked_by, account_id) x`).Scan(&worst); err != nil {
		t.Fatal(err)
	}
	if worst > 9 {
		t.Errorf("a group holds %d resources, want at most 8 + the overflow row", worst)
	}
	if err := capped.Pool.QueryRow(ctx, `SELECT max(n) FROM (SELECT count(DISTINCT network) n FROM usage_context_daily GROUP BY principal_id, day) x`).Scan(&worstNets); err != nil {
		t.Fatal(err)
	}
	if worstNets > 5 {
		t.Errorf("a principal's day has %d networks, want at most 4 + the overflow", worstNets)
	}
	// Principals by ARN: their ids follow the order the workers first met
	// them in, which differs between the two runs.
	const perAction = `SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') FROM (
		SELECT format('%s %s %s %s %s %s', p.arn, day, action, sum(calls), sum(denied), sum(unauthenticated)) x
		FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id GROUP BY p.arn, day, action) y`
	const perContext = `SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') FROM (
		SELECT format('%s %s %s %s %s %s', p.arn, day, region, mfa, user_agent_class, sum(calls)) x
		FROM usage_context_daily u JOIN usage_principal p ON p.id = u.principal_id GROUP BY p.arn, day, region, mfa, user_agent_class) y`
	for _, q := range []string{perAction, perContext} {
		var a, b, c string
		if err := capped.Pool.QueryRow(ctx, q).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := wide.Pool.QueryRow(ctx, q).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if err := folded.Pool.QueryRow(ctx, q).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if a != b || a == "" {
			t.Errorf("capped and uncapped rollups count different calls:\n%s\nvs\n%s", a, b)
		}
		if c != b {
			t.Errorf("folded and uncapped rollups count different calls:\n%s\nvs\n%s", c, b)
		}
	}
	var nCapped, nWide, nFolded int
	_ = capped.Pool.QueryRow(ctx, `SELECT count(*) FROM usage_daily`).Scan(&nCapped)
	_ = wide.Pool.QueryRow(ctx, `SELECT count(*) FROM usage_daily`).Scan(&nWide)
	_ = folded.Pool.QueryRow(ctx, `SELECT count(*) FROM usage_daily`).Scan(&nFolded)
	if nCapped >= nWide {
		t.Errorf("capped rollup has %d rows, uncapped %d: the caps bound nothing", nCapped, nWide)
	}
	if nFolded >= nCapped {
		t.Errorf("folded rollup has %d rows, capped at 8 %d: the fold bounds nothing", nFolded, nCapped)
	}
	// At most DefaultCollapseAt-1 exact resources of a kind, and the
	// fold rows, per group (one here: the corpus's names share prefixes).
	var worstExact int
	if err := folded.Pool.QueryRow(ctx, `SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM usage_daily
		WHERE action IN ('ssm:GetParameter', 'sts:AssumeRole') AND resource NOT LIKE '%*'
		GROUP BY principal_id, day, action, invoked_by, account_id, split_part(resource, ':', 4)) x`).Scan(&worstExact); err != nil {
		t.Fatal(err)
	}
	if worstExact > ingest.DefaultCollapseAt-1 {
		t.Errorf("a group of the folded rollup holds %d exact parameters or roles, want at most %d", worstExact, ingest.DefaultCollapseAt-1)
	}
	t.Logf("usage rows: %d capped, %d folded, %d with whole keys and no cap", nCapped, nFolded, nWide)

	b, err := queries.Bounds(ctx, capped)
	if err != nil || b != (queries.RollupBounds{ObjectPrefixDepth: 2, MaxResources: 8, MaxNetworks: 4, CollapseAt: 0}) {
		t.Errorf("bounds = %+v, %v", b, err)
	}
	b, err = queries.Bounds(ctx, wide)
	if err != nil || b != (queries.RollupBounds{ObjectPrefixDepth: 0, MaxResources: 100_000, MaxNetworks: 100_000}) {
		t.Errorf("bounds of the uncapped run = %+v, %v", b, err)
	}
	if b, err = queries.Bounds(ctx, folded); err != nil || b.CollapseAt != ingest.DefaultCollapseAt {
		t.Errorf("bounds of the folded run = %+v, %v; want collapse_at %d", b, err, ingest.DefaultCollapseAt)
	}
	// A later run with a shallower depth lowers what recommend may use.
	depth1 := ingestrollup.DefaultBounds()
	depth1.ObjectPrefixDepth = 1
	if _, err := ingest.Run(ctx, wide, nil, ingest.Options{Sources: []string{dir}, Bounds: &depth1}, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	if b, _ = queries.Bounds(ctx, wide); b.ObjectPrefixDepth != 1 {
		t.Errorf("depth after a run at depth 1 over whole keys = %d, want 1", b.ObjectPrefixDepth)
	}
}

// TestFoldAcrossRuns ingests a churning corpus one file per run, as
// nightly runs or a run killed and started again split a day's logs: the
// fold must hold across the runs as within one, no group of resources of
// one parent keeping more than DefaultCollapseAt-1 of them exact (each run
// folding on its own kept up to that many per run).
func TestFoldAcrossRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := churn.Generate(ctx, churn.Options{Out: dir, Events: 4000, Files: 8, Days: 1, Roles: 2, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	files := logFiles(t, dir)
	if len(files) < 4 {
		t.Fatalf("%d files, want at least 4", len(files))
	}
	db := storetest.New(t)
	for _, f := range files {
		if s, err := ingest.Run(ctx, db, nil, ingest.Options{Sources: []string{f}}, testLogger(t)); err != nil || s.Rejected() > 0 {
			t.Fatalf("ingest %s: %v, %+v", f, err, s)
		}
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.day, u.action, parent, count(*)
		FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id,
			LATERAL (SELECT CASE WHEN position('/' IN u.resource) > 0 THEN substring(u.resource FROM '^(.*/)')
				ELSE substring(u.resource FROM '^(.*:)') END AS parent) x
		WHERE u.resource NOT LIKE '%*' AND u.resource NOT IN ('', $1)
		GROUP BY 1, 2, 3, 4 HAVING count(*) > $2 ORDER BY 5 DESC`, queries.MoreResources, ingestrollup.DefaultCollapseAt-1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var arn, action, parent string
		var day time.Time
		var n int
		if err := rows.Scan(&arn, &day, &action, &parent, &n); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s %s %s: %d resources under %s kept exact, want at most %d", arn, day.Format(time.DateOnly), action, n, parent, ingestrollup.DefaultCollapseAt-1)
	}
}
