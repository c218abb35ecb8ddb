package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

// runCLI runs iamtrim in-process with env and returns the exit code, stdout
// and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// testEnv points the CLI at the test server with a private schema.
func testEnv(t *testing.T) map[string]string {
	schema := storetest.SchemaName(t)
	t.Cleanup(func() { storetest.Drop(t, schema) })
	return map[string]string{"DATABASE_URL": storetest.URL(), "IAMTRIM_SCHEMA": schema}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"version", []string{"version"}, exitOK, "iamtrim ", ""},
		{"unknown command is usage", []string{"bogus"}, exitUsage, "", "unknown command"},
		{"unknown flag is usage", []string{"version", "--nope"}, exitUsage, "", "unknown flag"},
		{"bad log format is usage", []string{"--log-format", "xml", "version"}, exitUsage, "", "--log-format"},
		{"missing argument is usage", []string{"catalog", "load"}, exitUsage, "", "accepts 1 arg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code: got %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(out, tc.inStdout) {
				t.Errorf("stdout %q lacks %q", out, tc.inStdout)
			}
			if !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.inStderr)
			}
		})
	}
}

func TestEveryCommandHasExampleInHelp(t *testing.T) {
	a := &app{getenv: func(string) string { return "" }}
	root := a.rootCmd()
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			if !c.HasExample() {
				t.Errorf("%s --help shows no example", c.CommandPath())
			}
			for _, sub := range c.Commands() {
				if !sub.HasExample() {
					t.Errorf("%s --help shows no example", sub.CommandPath())
				}
			}
		})
	}
}

func TestMigrateCommand(t *testing.T) {
	env := testEnv(t)
	for i := range 2 { // the second run is a no-op
		code, out, errOut := runCLI(t, env, "migrate")
		if code != exitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		if !strings.Contains(out, "schema at version") {
			t.Fatalf("run %d: stdout %q", i, out)
		}
		if i == 1 && strings.Contains(errOut, "applied migration") {
			t.Fatalf("second migrate applied migrations again: %s", errOut)
		}
	}
}

func TestLogFormatJSON(t *testing.T) {
	env := testEnv(t)
	code, _, errOut := runCLI(t, env, "--log-format", "json", "migrate")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Fatalf("stderr line is not JSON: %q", line)
		}
	}
}

func TestIngestTrailsFileIdempotent(t *testing.T) {
	env := testEnv(t)
	path := t.TempDir() + "/trails.json"
	body := `[{"trailList":[{"Name":"main","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main","HomeRegion":"us-east-1","IsMultiRegionTrail":true}]},
	{"TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/main","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::app-data/"]}]}]}]`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	wantState := []string{"(new)", "(unchanged)"}
	for i, want := range wantState {
		code, out, errOut := runCLI(t, env, "ingest", "trails", path)
		if code != exitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		if !strings.Contains(out, want) || !strings.Contains(out, "AWS::S3::Object(arn:aws:s3:::app-data/)") {
			t.Fatalf("run %d: stdout %q, want %s and the S3 selector", i, out, want)
		}
	}
	// A path that is not there is the command line's fault (README, Exit
	// codes): a usage error naming it.
	code, _, errOut := runCLI(t, env, "ingest", "trails", t.TempDir()+"/missing.json")
	if code != exitUsage || !strings.Contains(errOut, "missing.json") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestCatalogLoadAndStatus(t *testing.T) {
	env := testEnv(t)
	code, out, errOut := runCLI(t, env, "catalog", "status")
	if code != exitError || !strings.Contains(out, "no catalog loaded") {
		t.Fatalf("status before load: exit %d stdout %q stderr %q", code, out, errOut)
	}
	var first string
	for i := range 2 {
		code, out, errOut = runCLI(t, env, "catalog", "load", "../../catalog/testdata/catalog")
		if code != exitOK {
			t.Fatalf("load %d: exit %d: %s", i, code, errOut)
		}
		if i == 0 {
			first = out
		} else if out != first {
			t.Fatalf("second load differs (not idempotent):\n%s\n%s", first, out)
		}
	}
	if !strings.Contains(first, "catalog version 1 is current") {
		t.Fatalf("load output %q", first)
	}
	code, out, _ = runCLI(t, env, "catalog", "status")
	if code != exitOK || strings.Count(out, "sha256:") != 1 {
		t.Fatalf("status: exit %d, want one version:\n%s", code, out)
	}
}

// envDB opens the store of the test's environment; the caller closes it.
func envDB(t *testing.T, env map[string]string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{URL: env["DATABASE_URL"], Schema: env["IAMTRIM_SCHEMA"], NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// tableCounts returns the row count of every table in the test's schema.
func tableCounts(t *testing.T, env map[string]string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	db := envDB(t, env)
	defer db.Close()
	rows, err := db.Pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`, env["IAMTRIM_SCHEMA"])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{n}.Sanitize()).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// IAMTRIM_NOW pins the clock: a future --as-of is judged against it, and a
// bad value is a usage error.
func TestPinnedClock(t *testing.T) {
	env := testEnv(t)
	env["IAMTRIM_NOW"] = "2026-01-15"
	code, _, errOut := runCLI(t, env, "analyze", "--as-of", "2026-02-01")
	if code != exitUsage || !strings.Contains(errOut, "after today (2026-01-15)") {
		t.Errorf("exit %d, stderr %q: want the pinned day as today", code, errOut)
	}
	env["IAMTRIM_NOW"] = "yesterday"
	if code, _, errOut := runCLI(t, env, "version"); code != exitUsage || !strings.Contains(errOut, "IAMTRIM_NOW") {
		t.Errorf("bad IAMTRIM_NOW: exit %d, stderr %q", code, errOut)
	}
}
