package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/recommend"
)

// TestSampleLogStreamsNotPinned: orders-api-lambda creates a log stream
// for every new execution environment, so a recommendation that names the
// streams seen in the window denies the next cold start. The streams must
// be scoped to their log group.
func TestSampleLogStreamsNotPinned(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	var rec recommend.Recommendation
	if err := json.Unmarshal([]byte(mustRun(t, env, exitOK, "recommend", "orders-api-lambda", "--format", "json")), &rec); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range rec.Policies {
		for _, st := range d.Statements {
			for _, a := range st.Action {
				if a != "logs:CreateLogStream" && a != "logs:PutLogEvents" {
					continue
				}
				for _, r := range st.Resource {
					found = true
					if _, stream, ok := strings.Cut(r, ":log-stream:"); ok && stream != "*" {
						t.Errorf("%s is granted on the exact stream %s: the next cold start is denied", a, r)
					}
				}
			}
		}
	}
	if !found {
		t.Fatal("the recommendation grants no log stream action: the sample changed")
	}
}

// TestSampleNoMintedIdentifiers: no recommendation for the sample
// organisation names a segment the lifecycle table says a workload mints,
// and every one is proven (so within the current grant).
func TestSampleNoMintedIdentifiers(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	dir := t.TempDir()
	mustRun(t, env, exitOK, "recommend", "--all", "--out-dir", dir, "--format", "json")
	files, err := filepath.Glob(filepath.Join(dir, "*.recommendation.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recommendations written: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec recommend.Recommendation
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Proof.Proven {
			t.Errorf("%s: not proven", rec.Name)
		}
		for _, d := range rec.Policies {
			for _, st := range d.Statements {
				if st.Effect != "Allow" {
					continue
				}
				for _, r := range st.Resource {
					if rule, minted := lifecycle.Volatile(r); minted {
						t.Errorf("%s: statement %s names %s, minted by the workload (%s)", rec.Name, st.Sid, r, rule)
					}
				}
			}
		}
	}
}

// TestRecommendSplitOutput: a split recommendation is never a JSON array
// on stdout; -o DIR writes one parseable NAME.policy-N.json per policy,
// and a budget too small for it fails with what to change.
func TestRecommendSplitOutput(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	small := []string{"recommend", "orders-api-lambda", "--max-chars", "300", "--inline-chars", "400"}

	code, out, errOut := runCLI(t, env, append(small, "--format", "policy")...)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "-o DIR") {
		t.Fatalf("split to stdout: exit %d, stdout %q, stderr %q; want exit %d, nothing on stdout, a hint at -o DIR", code, out, errOut, exitUsage)
	}

	dir := t.TempDir() + "/"
	mustRun(t, env, exitOK, append(small, "--format", "policy", "-o", dir)...)
	files, _ := filepath.Glob(filepath.Join(dir, "orders-api-lambda.policy-*.json"))
	if len(files) < 2 {
		t.Fatalf("-o DIR wrote %v, want one file per policy", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := policy.Parse(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}

	var rec recommend.Recommendation
	if err := json.Unmarshal([]byte(mustRun(t, env, exitOK, append(small, "--format", "json")...)), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Policies) != len(files) || rec.Attach[0] != recommend.AttachInline || rec.Compacted {
		t.Errorf("json: %d policies attached %v, compacted %v; want %d, inline first, no wildcards", len(rec.Policies), rec.Attach, rec.Compacted, len(files))
	}

	code, _, errOut = runCLI(t, env, append(small, "--max-policies", "1")...)
	// Refused, the principal named: the exit code of rejected input.
	if code != exitRejected || !strings.Contains(errOut, "--max-policies") {
		t.Fatalf("over the budget: exit %d, stderr %q; want exit %d naming --max-policies", code, errOut, exitRejected)
	}
}
