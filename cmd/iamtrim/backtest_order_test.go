package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/sample"
)

// TestBacktestOrderIndependent backtests the committed sample ingested
// twice with a fold threshold low enough that most principal-days fold
// (--collapse-at 2): in file order in one run, and in reverse order over
// several runs. The fold keeps different resources exact beside its
// patterns, but the backtest (test calls, denials, their resources) must
// not depend on that, any more than what analyze reads does.
func TestBacktestOrderIndependent(t *testing.T) {
	dir := t.TempDir()
	if _, err := sample.Generate(context.Background(), sample.Options{Out: dir, Events: 20000, Seed: 3, Days: 8, Files: 40}, nil); err != nil {
		t.Fatal(err)
	}
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "AWSLogs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 10 {
		t.Fatalf("sample logs: %d files, %v", len(files), err)
	}
	slices.Sort(files)
	// Training days are stored exact, so that the recommendation keeps
	// the resources it saw; the test days fold past one resource of a
	// kind, so that a test day's pattern and exact resources meet
	// verdicts that differ.
	day := func(f string) string { return filepath.ToSlash(filepath.Dir(f))[len(filepath.Dir(f))-10:] }
	var days []string
	for _, f := range files {
		days = append(days, day(f))
	}
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) != 8 {
		t.Fatalf("sample logs span %d days, want 8", len(days))
	}
	var train, test []string
	for _, f := range files {
		if day(f) < days[4] {
			train = append(train, f)
		} else {
			test = append(test, f)
		}
	}
	load := func(env map[string]string, runs [][]string) {
		t.Helper()
		mustRun(t, env, exitOK, "catalog", "load", sampleCatalog())
		mustRun(t, env, exitOK, "ingest", "authz", filepath.Join(dir, "authz.json"))
		mustRun(t, env, exitOK, "ingest", "trails", filepath.Join(dir, "trails.json"))
		mustRun(t, env, exitOK, "ingest", "org", filepath.Join(dir, "org.json"))
		mustRun(t, env, exitOK, append([]string{"ingest", "cloudtrail", "--no-progress", "--collapse-at", "0"}, train...)...)
		for _, run := range runs {
			mustRun(t, env, exitOK, append([]string{"ingest", "cloudtrail", "--no-progress", "--workers", "1", "--collapse-at", "2"}, run...)...)
		}
	}
	forward := testEnv(t)
	load(forward, [][]string{test})
	reverse := testEnv(t)
	backward := slices.Clone(test)
	slices.Reverse(backward)
	load(reverse, slices.Collect(slices.Chunk(backward, 3)))

	// The two rollups differ in which resources they keep exact, or the
	// test shows nothing.
	fw, rv := exactRows(t, forward), exactRows(t, reverse)
	if fw.patterns == 0 {
		t.Fatal("no fold pattern in the rollup: the test does not exercise the fold")
	}
	if slices.Equal(fw.rows, rv.rows) {
		t.Fatal("both orders left the same rows: the test does not exercise the order")
	}

	args := []string{"backtest", "--all", "--train", "4d", "--test", "4d", "--min-days", "1", "--format", "json"}
	want := decodeBacktest(t, mustRun(t, forward, exitOK, args...))
	got := decodeBacktest(t, mustRun(t, reverse, exitOK, args...))
	if want.Totals.TestCalls == 0 {
		t.Fatal("no test calls replayed")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("backtest of the logs read in reverse order differs (-forward +reverse):\n%s", diff)
	}
}

type rollupRows struct {
	rows     []string
	patterns int
}

// exactRows lists the usage rollup's rows (principal, day, action,
// resource) and counts its fold patterns.
func exactRows(t *testing.T, env map[string]string) rollupRows {
	t.Helper()
	ctx := context.Background()
	db := envDB(t, env)
	defer db.Close()
	rows, err := db.Pool.Query(ctx, `SELECT p.arn || ' ' || u.day::text || ' ' || u.action || ' ' || u.resource
		FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out rollupRows
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out.rows = append(out.rows, s)
		if len(s) > 0 && s[len(s)-1] == '*' {
			out.patterns++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
