package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestEveryWriteRetriesDeadlocks runs the whole pipeline with one real
// deadlock forced into the first transaction of every command that writes:
// each must retry and finish as if nothing happened (issue 10, item 16:
// concurrent ingesters failed with "deadlock detected").
func TestEveryWriteRetriesDeadlocks(t *testing.T) {
	env := testEnv(t)
	schema := env["IAMTRIM_SCHEMA"]
	mustRun(t, env, exitOK, "migrate")
	cfg, _ := jobConfigFor(t, "", "")
	logs := filepath.Join(sampleDir, "AWSLogs")
	// A completed last-accessed job, named after a principal of the sample.
	job, err := os.ReadFile("../../testdata/cli/ingest-lastaccessed-rejected/nobody.json")
	if err != nil {
		t.Fatal(err)
	}
	lastAccessed := filepath.Join(t.TempDir(), "111122223333.orders-api-lambda.json")
	if err := os.WriteFile(lastAccessed, job, 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		table string
		args  []string
	}{
		{"catalog load", "catalog_version", []string{"catalog", "load", "../../testdata/catalog"}},
		{"ingest authz", "authz_snapshot", []string{"ingest", "authz", filepath.Join(sampleDir, "authz.json")}},
		{"ingest trails", "trail_config", []string{"ingest", "trails", filepath.Join(sampleDir, "trails.json")}},
		// The ledger registration, then the per-object transactions.
		{"ingest cloudtrail ledger", "ingest_object", []string{"ingest", "cloudtrail", "--no-progress", filepath.Join(logs, "111122223333/CloudTrail/eu-west-1")}},
		{"ingest cloudtrail rollup", "usage_daily", []string{"ingest", "cloudtrail", "--no-progress", logs}},
		{"ingest lastaccessed", "lastaccess_snapshot", []string{"ingest", "lastaccessed", lastAccessed}},
		{"analyze save", "analysis_snapshot", []string{"analyze", "--format", "json"}},
		{"recommendation save", "recommendation", []string{"recommend", "--all", "--out-dir", t.TempDir(), "--format", "json"}},
		{"backtest save", "backtest_result", []string{"backtest", "--all", "--format", "json"}},
		{"run rows", "run", []string{"run", "--config", cfg}},
	}
	for _, s := range steps {
		done := storetest.Deadlock(t, schema, s.table)
		code, _, errOut := runCLI(t, env, s.args...)
		done()
		if code != exitOK {
			t.Fatalf("%s with a deadlock on %s: exit %d, want %d\nstderr:\n%s", s.name, s.table, code, exitOK, errOut)
		}
	}
	// The pipeline's result is the same as without the faults.
	ref := testEnv(t)
	loadSample(t, ref, "../../testdata/catalog")
	got, want := usageTotals(t, env), usageTotals(t, ref)
	if got != want {
		t.Errorf("usage totals after the faults: got %+v, want %+v", got, want)
	}
}
