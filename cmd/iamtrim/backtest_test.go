package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/backtest"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/report"
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

	// Done when (issue 9): the backtest denies no test call of an action
	// used in training, whatever the cause: minted resources (lifecycle),
	// resources seen in training (logging, mapping), calls naming no
	// resource, configuration reads of stable resources not touched in
	// training (they keep the current grant's scope, configread.go) and
	// data reads of a sibling of the resources read (they keep the named
	// parent, generalize.go siblingParents).
	t.Run("no denied calls of actions used in training", func(t *testing.T) {
		var listed int64
		for _, r := range rep.Principals {
			for _, d := range r.Denials {
				if !d.Trained {
					continue
				}
				listed += d.Calls
				t.Errorf("denied, used in training: %s: %s %s on %s (%d calls)", d.Cause, r.Name, d.Action, d.Resource, d.Calls)
			}
		}
		if listed != rep.Totals.DeniedTrained {
			t.Errorf("denials listed cover %d calls of actions used in training, totals say %d", listed, rep.Totals.DeniedTrained)
		}
		if rep.Totals.DeniedTrained != 0 {
			t.Errorf("denied trained calls: %d, want 0", rep.Totals.DeniedTrained)
		}
	})

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

	t.Run("report column", func(t *testing.T) {
		mustRun(t, env, exitOK, "analyze")
		var d report.Data
		if err := json.Unmarshal([]byte(mustRun(t, env, exitOK, "report", "--format", "json")), &d); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, p := range d.Principals {
			want, ok := byName[p.Name]
			if !ok || p.Kind != "role" {
				if p.Backtest != nil {
					t.Errorf("%s: backtest %+v, want none (not backtested)", p.Name, p.Backtest)
				}
				continue
			}
			seen++
			if p.Backtest == nil || p.Backtest.TestCalls != want.TestCalls || p.Backtest.Denied != want.Denied || p.Backtest.DeniedTrained != want.DeniedTrained || p.Backtest.AsOf != rep.AsOf {
				t.Errorf("%s: report backtest %+v, want test calls %d denied %d trained %d as of %s", p.Name, p.Backtest, want.TestCalls, want.Denied, want.DeniedTrained, rep.AsOf)
			}
		}
		if seen != len(byName) {
			t.Errorf("report shows %d backtested roles, want %d", seen, len(byName))
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

// TestJobBacktest runs the nightly job with backtest: enabled: the report
// gets its backtest column, and fail_on: breakage exits 4 exactly when a
// stored backtest denies a call of an action used in training.
func TestJobBacktest(t *testing.T) {
	env := testEnv(t)
	cfg, out := jobConfigFor(t, "", "backtest:\n  enabled: true\n  train: 60d\n  test: 30d\n")
	_, _, errOut := runCLI(t, env, "run", "--config", cfg)
	if !strings.Contains(errOut, "stage=backtest") {
		t.Fatalf("no backtest stage in the job's log:\n%s", errOut)
	}
	csvText := readTree(t, out)["report-2026Q4.csv"]
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("report CSV: %v\n%s", err, csvText)
	}
	// One "backtest" finding row per role, none for users (a backtest
	// replays roles only).
	finding, principal := slices.Index(rows[0], "finding"), slices.Index(rows[0], "principal")
	if finding < 0 || principal < 0 {
		t.Fatalf("report CSV has no finding or principal column: %v", rows[0])
	}
	backtested, seen := map[string]bool{}, map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[principal]] = true
		if r[finding] == "backtest" {
			backtested[r[principal]] = true
		}
	}
	if len(backtested) == 0 {
		t.Errorf("report CSV has no backtest row")
	}
	for p := range seen {
		if backtested[p] && !strings.HasPrefix(p, "role/") {
			t.Errorf("%s has a backtest row: backtests replay roles only", p)
		}
	}

	ctx := context.Background()
	db := envDB(t, env)
	defer db.Close()
	var broken int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM backtest_result WHERE denied_trained > 0`).Scan(&broken); err != nil {
		t.Fatal(err)
	}
	want := exitOK
	if broken > 0 {
		want = exitFindings
	}
	code, _, errOut := runCLI(t, env, "run", "--config", cfg, "--fail-on", "breakage")
	if code != want || (broken > 0) != strings.Contains(errOut, fmt.Sprintf("breakage=%d", broken)) {
		t.Errorf("--fail-on breakage with %d broken backtests: exit %d, want %d\n%s", broken, code, want, errOut)
	}
}

// TestSampleNextMonth checks truth.json's nextMonth and implied calls, on
// their exact (fresh) resources, against the recommendations of the
// sample's whole window: what a correct recommendation must allow next
// month.
func TestSampleNextMonth(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, sampleCatalog())
	tr := readTruth(t)
	dir := t.TempDir()
	mustRun(t, env, exitOK, "recommend", "--all", "--out-dir", dir, "--format", "json")
	checked := 0
	for _, p := range tr.Principals {
		if p.Type != "role" || p.Events == 0 {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, p.Name+".recommendation.json"))
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		var rec recommend.Recommendation
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		set := policy.PolicySet{}
		for _, d := range rec.Policies {
			set.Identity = append(set.Identity, policy.NamedPolicy{Name: "recommended", Kind: policy.KindManaged, Doc: d})
		}
		type call struct{ action, resource, what string }
		var calls []call
		for _, n := range p.NextMonth {
			calls = append(calls, call{n.Action, n.Resource, "next month (" + n.Day + ", " + n.EventName + ")"})
		}
		for _, u := range p.Implied {
			for _, r := range u.Resources {
				calls = append(calls, call{u.Action, r, "implied by a logged call"})
			}
		}
		for _, c := range calls {
			checked++
			res := c.resource
			if res == "*" {
				res = ""
			}
			if d := policy.Evaluate(set, policy.Request{Action: c.action, Resource: res}); d.Effect != policy.Allow && !d.Conditional {
				t.Errorf("%s: %s call %s on %s is not allowed by the recommendation: %s", p.Name, c.what, c.action, c.resource, d.Reason)
			}
		}
	}
	if checked == 0 {
		t.Fatal("truth.json lists no next-month calls")
	}
}
