package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamtrim/iamtrim/backtest"
)

func sampleCatalog() string {
	if full := os.Getenv("IAMTRIM_CATALOG"); full != "" {
		return full
	}
	return "../../testdata/catalog"
}

func decodeBacktest(t *testing.T, out string) backtest.Report {
	t.Helper()
	var rep backtest.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("backtest --format json: %v\n%s", err, out)
	}
	return rep
}

// TestSampleBacktest backtests every role of the committed sample: the
// last 30 days replayed against recommendations from the 60 days before.
func TestSampleBacktest(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, sampleCatalog())
	tr := readTruth(t)
	rep := decodeBacktest(t, mustRun(t, env, exitOK, "backtest", "--all", "--format", "json"))

	if rep.Train.Days != 60 || rep.Test.Days != 30 || rep.Train.From != tr.Generator.Start {
		t.Errorf("windows: train %+v test %+v, want 60 days from %s then 30 days", rep.Train, rep.Test, tr.Generator.Start)
	}
	roles := 0
	for _, p := range tr.Principals {
		if p.Type == "role" {
			roles++
		}
	}
	if len(rep.Principals) != roles {
		t.Errorf("backtested %d principals, want the sample's %d roles", len(rep.Principals), roles)
	}
	if rep.Totals.TestCalls == 0 {
		t.Fatal("no test calls replayed")
	}
	byName := map[string]backtest.Result{}
	for _, r := range rep.Principals {
		byName[r.Name] = r
		if r.Type != "role" {
			t.Errorf("%s: type %s with --all, want roles only", r.Name, r.Type)
		}
		if r.Allowed+r.Denied != r.TestCalls || r.DeniedTrained+r.DeniedUntrained != r.Denied {
			t.Errorf("%s: allowed %d + denied %d != test calls %d, or trained %d + untrained %d != denied",
				r.Name, r.Allowed, r.Denied, r.TestCalls, r.DeniedTrained, r.DeniedUntrained)
		}
		if r.Granted > 0 && (r.RemovedShare <= 0 || r.RemovedShare >= 1) && r.Removed > 0 {
			t.Errorf("%s: removed share %v of %d/%d", r.Name, r.RemovedShare, r.Removed, r.Granted)
		}
		if !r.Proven {
			t.Errorf("%s: recommendation from the training window not proven", r.Name)
		}
	}

	t.Run("one role as with --all", func(t *testing.T) {
		one := decodeBacktest(t, mustRun(t, env, exitOK, "backtest", "orders-api-lambda", "--format", "json"))
		if len(one.Principals) != 1 {
			t.Fatalf("got %d principals, want 1", len(one.Principals))
		}
		got, want := one.Principals[0], byName["orders-api-lambda"]
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Errorf("backtest orders-api-lambda:\n%s\nwant as in --all:\n%s", gb, wb)
		}
	})

	t.Run("fail-on breakage", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "bt.json")
		want := exitOK
		if rep.Totals.DeniedTrained > 0 {
			want = exitFindings
		}
		mustRun(t, env, want, "backtest", "--all", "--format", "json", "-o", out, "--fail-on", "breakage")
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if again := decodeBacktest(t, string(b)); again.Totals != rep.Totals {
			t.Errorf("second run totals %+v, want %+v", again.Totals, rep.Totals)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"backtest"},
			{"backtest", "--all", "orders-api-lambda"},
			{"backtest", "--all", "--train", "0d"},
			{"backtest", "--all", "--test", "x"},
			{"backtest", "--all", "--fail-on", "risk"},
			{"backtest", "--all", "--format", "csv"},
			{"backtest", "no-such-role"},
		} {
			if code, _, errOut := runCLI(t, env, args...); code != exitUsage {
				t.Errorf("iamtrim %v: exit %d, want %d (usage)\n%s", args, code, exitUsage, errOut)
			}
		}
	})
}
