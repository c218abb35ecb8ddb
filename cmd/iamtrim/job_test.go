package main

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// jobConfigFor writes a job configuration over the committed sample with
// absolute paths, and returns its path and output directory.
func jobConfigFor(t *testing.T, logs string, extra string) (string, string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if logs == "" {
		logs = filepath.Join(root, "testdata/sample/AWSLogs")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := "out_dir: " + out + "\n" +
		"catalog:\n  source: " + filepath.Join(root, "testdata/catalog") + "\n" +
		"authz:\n  files: [" + filepath.Join(root, "testdata/sample/authz.json") + "]\n" +
		"trails:\n  file: " + filepath.Join(root, "testdata/sample/trails.json") + "\n" +
		"cloudtrail:\n  sources: [" + logs + "]\n" +
		"report:\n  formats: [table, html, csv]\n" + extra
	path := filepath.Join(dir, "iamtrim.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, out
}

// readTree returns every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A bad configuration exits 2 naming the key, before anything runs (the
// job package tests every key).
func TestJobConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, body, want string
	}{
		{"unknown field", "colour: blue\n", "colour"},
		{"bad unobservable", "recommend:\n  unobservable: sometimes\n", "unobservable"},
		{"unset variable", "database: postgres://u:${NOT_SET_ANYWHERE}@h/db\n", "NOT_SET_ANYWHERE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, "run", "--config", write(tc.name+".yaml", tc.body))
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q: want usage error naming %q", code, errOut, tc.want)
			}
		})
	}
	code, _, errOut := runCLI(t, nil, "run", "--config", filepath.Join(dir, "missing.yaml"))
	if code != exitUsage || !strings.Contains(errOut, "missing.yaml") {
		t.Fatalf("missing config: exit %d, %q", code, errOut)
	}
}

// A second run with no new input ingests nothing and writes byte-identical
// outputs; --fail-on turns findings into exit 4.
func TestJobIdempotentAndFailOn(t *testing.T) {
	env := testEnv(t)
	cfg, out := jobConfigFor(t, "", "")
	first := mustRun(t, env, exitOK, "run", "--config", cfg)
	tree1 := readTree(t, out)
	if _, ok := tree1["report-2026Q4.html"]; !ok {
		t.Fatalf("no HTML report among %v", keysOf(tree1))
	}
	if _, ok := tree1["policies/orders-api-lambda.policy.json"]; !ok {
		t.Fatalf("no policy for orders-api-lambda among %v", keysOf(tree1))
	}
	counts := tableCounts(t, env)
	code, second, errOut := runCLI(t, env, "run", "--config", cfg)
	if code != exitOK {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "events=0") {
		t.Errorf("second run ingested events: %s", errOut)
	}
	if first != second {
		t.Errorf("stdout differs between runs")
	}
	tree2 := readTree(t, out)
	for name, b := range tree1 {
		if tree2[name] != b {
			t.Errorf("%s changed on the second run", name)
		}
	}
	counts2 := tableCounts(t, env)
	for table, n := range counts {
		if table == "run" {
			continue // one row per run, by design
		}
		if counts2[table] != n {
			t.Errorf("table %s: %d rows after the second run, %d after the first", table, counts2[table], n)
		}
	}
	code, _, errOut = runCLI(t, env, "run", "--config", cfg, "--fail-on", "admin,high-risk-unused")
	if code != exitFindings || !strings.Contains(errOut, "admin=2") {
		t.Fatalf("--fail-on admin: exit %d, stderr %q", code, errOut)
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Rejected inputs make the job exit 3 and are retried by the next run.
func TestJobRejectedInput(t *testing.T) {
	env := testEnv(t)
	logs := t.TempDir()
	if err := os.CopyFS(logs, os.DirFS("../../testdata/sample/AWSLogs")); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(logs, "111122223333_CloudTrail_us-east-1_20261001T0000Z_bad.json.gz")
	if err := os.WriteFile(bad, []byte("\x1f\x8bnot really gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := jobConfigFor(t, logs, "")
	for i := range 2 {
		code, _, errOut := runCLI(t, env, "run", "--config", cfg)
		if code != exitRejected || !strings.Contains(errOut, "bad.json.gz") {
			t.Fatalf("run %d: exit %d, want 3 naming the bad file; stderr:\n%s", i, code, errOut)
		}
	}
}

// TestHelperProcess runs iamtrim as a child process for kill tests.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("IAMTRIM_HELPER_PROCESS") != "1" {
		t.Skip("not a helper process")
	}
	args := strings.Split(os.Getenv("IAMTRIM_HELPER_ARGS"), "\x1f")
	os.Exit(run(context.Background(), args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// A run killed with SIGKILL at any point resumes cleanly: the next run's
// outputs and totals equal those of an uninterrupted run.
func TestJobResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	ref := testEnv(t)
	refCfg, refOut := jobConfigFor(t, "", "")
	mustRun(t, ref, exitOK, "run", "--config", refCfg)
	want := readTree(t, filepath.Join(refOut, "policies"))
	wantUsage := usageTotals(t, ref)

	// Kill right after a stage's closing log line: mid-ingest (after
	// trails), mid-recommend (after analyze), mid-report (after recommend).
	for _, after := range []string{"stage=trails", "stage=analyze", "stage=recommend"} {
		t.Run(after, func(t *testing.T) {
			env := testEnv(t)
			cfg, out := jobConfigFor(t, "", "")
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), "IAMTRIM_HELPER_PROCESS=1",
				"IAMTRIM_HELPER_ARGS="+strings.Join([]string{"run", "--config", cfg}, "\x1f"),
				"DATABASE_URL="+env["DATABASE_URL"], "IAMTRIM_SCHEMA="+env["IAMTRIM_SCHEMA"])
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var seen strings.Builder
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				seen.WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "stage done") && strings.Contains(sc.Text(), after) {
					_ = cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
			_, _ = io.Copy(io.Discard, stderr)
			if err := cmd.Wait(); err == nil {
				t.Fatalf("the run finished before the kill after %s: the test proves nothing; stderr:\n%s", after, seen.String())
			}
			// The kill landed mid-run: the run row it started is unfinished.
			if n := unfinishedRuns(t, env); n != 1 {
				t.Fatalf("%d unfinished runs after the kill, want 1; stderr:\n%s", n, seen.String())
			}
			mustRun(t, env, exitOK, "run", "--config", cfg)
			got := readTree(t, filepath.Join(out, "policies"))
			if len(got) != len(want) {
				t.Fatalf("%d policy files after resume, want %d", len(got), len(want))
			}
			for name, b := range want {
				if got[name] != b {
					t.Errorf("%s differs from the uninterrupted run", name)
				}
			}
			if diff := usageTotals(t, env); diff != wantUsage {
				t.Errorf("usage totals after resume %v, uninterrupted %v", diff, wantUsage)
			}
		})
	}
}

// unfinishedRuns counts the run rows never marked finished.
func unfinishedRuns(t *testing.T, env map[string]string) int {
	t.Helper()
	ctx := context.Background()
	db := envDB(t, env)
	defer db.Close()
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM run WHERE finished_at IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type totals struct{ rows, calls, denied int64 }

func usageTotals(t *testing.T, env map[string]string) totals {
	t.Helper()
	ctx := context.Background()
	db := envDB(t, env)
	defer db.Close()
	var tt totals
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(calls),0), coalesce(sum(denied),0) FROM usage_daily`).Scan(&tt.rows, &tt.calls, &tt.denied); err != nil {
		t.Fatal(err)
	}
	return tt
}
