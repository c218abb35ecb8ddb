package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An empty source is a rejected input: `ingest cloudtrail EMPTY_DIR` exits
// 3 naming the source and what was looked for, and `run` with such a
// source counts it as rejected instead of status=ok.
func TestIngestEmptySource(t *testing.T) {
	env := testEnv(t)
	empty := t.TempDir()
	code, out, errOut := runCLI(t, env, "ingest", "cloudtrail", "--no-progress", empty)
	if code != exitRejected || !strings.Contains(out+errOut, empty+": no log files (looked for .json, .jsonl or .ndjson, optionally .gz)") {
		t.Fatalf("ingest of an empty directory: exit %d, want 3 naming it; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	cfg, _ := jobConfigFor(t, filepath.Join(empty), "")
	code, _, errOut = runCLI(t, env, "run", "--config", cfg)
	if code != exitRejected || !strings.Contains(errOut, "no log files") {
		t.Fatalf("run with an empty source: exit %d, want 3 naming it; stderr:\n%s", code, errOut)
	}
}
