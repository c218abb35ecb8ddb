package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/recommend"
)

// The sample with its last-accessed data: nothing truth.json says was
// attempted is called unused, the quarterly DR drill that ran the day before
// the logs begin is seasonal in a 90-day window and kept by a proven
// recommendation (dropped with --seasonal drop), a service never accessed
// in 400 days makes its unobservable actions unused, and loading the files
// again stores nothing.
func TestSampleLastAccessed(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	tr := readTruth(t)
	files, _ := filepath.Glob(filepath.Join(sampleDir, "lastaccessed", "*.json"))
	if out := mustRun(t, env, exitOK, append([]string{"ingest", "lastaccessed"}, files...)...); !strings.Contains(out, "0 principals stored, 27 unchanged") {
		t.Errorf("re-load: %q, want nothing stored", out)
	}

	var snap analyze.Snapshot
	if err := json.Unmarshal([]byte(mustRun(t, env, exitOK, "analyze", "--window", "90d", "--format", "json")), &snap); err != nil {
		t.Fatal(err)
	}
	got := map[string]analyze.Result{}
	unobservable, granted, decided := 0, 0, 0
	for _, r := range snap.Principals {
		got[r.PrincipalARN] = r
		unobservable += len(r.Unobservable)
		granted += len(r.Granted)
		for _, e := range r.Evidence {
			if e.Source == analyze.SourceLastAccessed && e.Class == "unused" {
				decided++
			}
		}
	}
	for _, p := range tr.Principals {
		attempted := map[string]bool{}
		for _, a := range truthUsed(p) {
			attempted[strings.ToLower(a)] = true
		}
		for _, u := range p.Unlogged {
			attempted[strings.ToLower(u.Action)] = true
		}
		for _, a := range got[p.ARN].Unused {
			if attempted[strings.ToLower(a)] {
				t.Errorf("%s: %s was used (truth.json) but is called unused", p.Name, a)
			}
		}
	}
	if decided == 0 {
		t.Errorf("last-accessed data decided no unobservable action (%d of %d granted left unobservable)", unobservable, granted)
	}
	t.Logf("unobservable with last-accessed data: %d of %d granted actions; %d made unused by it", unobservable, granted, decided)

	const backup = "arn:aws:iam::111122223333:role/ops/backup-operator"
	var drill *analyze.LastAccessedUse
	for i, s := range got[backup].Seasonal {
		if s.Action == "dynamodb:DescribeBackup" {
			drill = &got[backup].Seasonal[i]
		}
	}
	if drill == nil || !drill.ActionLevel || slices.Contains(got[backup].Unused, "dynamodb:DescribeBackup") {
		t.Fatalf("backup-operator: seasonal %+v, unused %v; want dynamodb:DescribeBackup seasonal (action-level)", got[backup].Seasonal, got[backup].Unused)
	}
	if !slices.Contains(got[backup].Flags, "seasonal") {
		t.Errorf("backup-operator flags %v: want seasonal", got[backup].Flags)
	}
	var history bool
	for _, h := range tr.LastAccessed.History {
		history = history || h.Principal == backup && h.Action == "dynamodb:DescribeBackup"
	}
	if !history {
		t.Errorf("truth.json does not list the DR drill in lastAccessed.history")
	}

	for _, tc := range []struct {
		seasonal string
		want     bool
	}{{"keep", true}, {"drop", false}} {
		var rec recommend.Recommendation
		out := mustRun(t, env, exitOK, "recommend", "backup-operator", "--window", "90d", "--format", "json", "--seasonal", tc.seasonal)
		if err := json.Unmarshal([]byte(out), &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Proof.Proven {
			t.Errorf("--seasonal %s: recommendation not proven: %+v", tc.seasonal, rec.Proof)
		}
		allows := false
		for _, d := range rec.Policies {
			for _, st := range d.Statements {
				allows = allows || slices.Contains(st.Action, "dynamodb:DescribeBackup")
			}
		}
		if allows != tc.want {
			t.Errorf("--seasonal %s: policy allows dynamodb:DescribeBackup %v, want %v", tc.seasonal, allows, tc.want)
		}
		if dropped := len(rec.SeasonalDropped) > 0; dropped == tc.want {
			t.Errorf("--seasonal %s: seasonal_dropped %v", tc.seasonal, rec.SeasonalDropped)
		}
	}

	// A last-accessed file of a principal not in the inventory, beside a
	// good one: exit 3, the good one stored.
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(sampleDir, "lastaccessed", "111122223333.backup-operator.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"nobody.json": good, "111122223333.backup-operator.json": []byte(strings.Replace(string(good), "2026-10-30T02:00:00", "2026-10-31T02:00:00", 1))} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runCLI(t, env, "ingest", "lastaccessed", filepath.Join(dir, "nobody.json"), filepath.Join(dir, "111122223333.backup-operator.json"))
	if code != exitRejected || !strings.Contains(out, "1 principals stored") || !strings.Contains(errOut, "nobody.json: entry file name") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 3, the good file stored, the bad one named", code, out, errOut)
	}
}
