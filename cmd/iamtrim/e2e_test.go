package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/sharedtest"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/sample"
)

const sampleDir = "../../testdata/sample"

// mustRun runs the CLI and fails the test unless it exits with want.
func mustRun(t *testing.T, env map[string]string, want int, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, env, args...)
	if code != want {
		t.Fatalf("iamtrim %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, want, errOut)
	}
	return out
}

// loadSample runs the ingest half of the pipeline on the committed sample.
func loadSample(t *testing.T, env map[string]string, catalogDir string) {
	mustRun(t, env, exitOK, "catalog", "load", catalogDir)
	mustRun(t, env, exitOK, "ingest", "authz", filepath.Join(sampleDir, "authz.json"))
	mustRun(t, env, exitOK, "ingest", "trails", filepath.Join(sampleDir, "trails.json"))
	mustRun(t, env, exitOK, "ingest", "org", filepath.Join(sampleDir, "org.json"))
	mustRun(t, env, exitOK, "ingest", "cloudtrail", "--no-progress", filepath.Join(sampleDir, "AWSLogs"))
	files, err := filepath.Glob(filepath.Join(sampleDir, "lastaccessed", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no last-accessed files in %s (%v)", sampleDir, err)
	}
	mustRun(t, env, exitOK, append([]string{"ingest", "lastaccessed"}, files...)...)
}

func readTruth(t *testing.T) sample.Truth {
	b, err := os.ReadFile(filepath.Join(sampleDir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr sample.Truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func truthUsed(p sample.TruthPrincipal) []string {
	set := map[string]bool{}
	for _, u := range p.Used {
		set[u.Action] = true
	}
	for _, u := range p.UsedViaService {
		set[u.Action] = true
	}
	// Implied actions (ec2:CreateTags for a tagged launch) are what the
	// calls needed: the analysis finds them from the calls' requests.
	for _, u := range p.Implied {
		set[u.Action] = true
	}
	return sortedKeys(set)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestSampleAgainstTruth runs ingest, analyze and recommend on the
// committed sample organisation and checks every principal against
// truth.json: the used actions, the denied attempts, the unused principals,
// and for every role a proven recommendation whose used statements grant
// exactly the truth and which keeps every call the trail did not log.
func TestSampleAgainstTruth(t *testing.T) {
	catalogs := []string{"../../testdata/catalog"}
	if full := os.Getenv("IAMTRIM_CATALOG"); full != "" {
		catalogs = append(catalogs, full)
	} else if shared, _ := sharedtest.Find(); shared != "" {
		catalogs = append(catalogs, filepath.Join(shared, "catalog"))
	}
	for _, catDir := range catalogs {
		t.Run(filepath.Base(filepath.Dir(catDir))+"/"+filepath.Base(catDir), func(t *testing.T) {
			env := testEnv(t)
			loadSample(t, env, catDir)
			tr := readTruth(t)

			var snap analyze.Snapshot
			if err := json.Unmarshal([]byte(mustRun(t, env, exitOK, "analyze", "--format", "json")), &snap); err != nil {
				t.Fatal(err)
			}
			got := map[string]analyze.Result{}
			for _, r := range snap.Principals {
				got[r.PrincipalARN] = r
			}
			for _, p := range tr.Principals {
				r, ok := got[p.ARN]
				if !ok {
					t.Errorf("%s: not analyzed", p.ARN)
					continue
				}
				var used []string
				for _, u := range r.Used {
					used = append(used, u.Action)
				}
				if diff := cmp.Diff(truthUsed(p), used, cmp.Transformer("nil", func(s []string) []string {
					if s == nil {
						return []string{}
					}
					return s
				})); diff != "" {
					t.Errorf("%s used actions (-truth +got):\n%s", p.Name, diff)
				}
				wantDenied := map[string]int64{}
				for _, d := range p.Denied {
					wantDenied[d.Action] += d.Events
				}
				gotDenied := map[string]int64{}
				for _, d := range r.Denied {
					gotDenied[d.Action] = d.Count
				}
				if diff := cmp.Diff(wantDenied, gotDenied); diff != "" {
					t.Errorf("%s denied (-truth +got):\n%s", p.Name, diff)
				}
				// A principal with no event in the logs is unused, unless
				// its last-accessed data shows an access before them
				// (seasonal).
				before := false
				for _, h := range tr.LastAccessed.History {
					before = before || h.Principal == p.ARN
				}
				if unusedPrincipal := slices.Contains(r.Flags, "unused-principal"); unusedPrincipal != (p.Events == 0 && !before) {
					t.Errorf("%s: unused-principal flag %v, truth has %d events, accesses before the logs %v", p.Name, unusedPrincipal, p.Events, before)
				}
				// Successful calls no IAM action is known for are listed
				// as unmapped, with their exact counts (issue 9: no
				// silent holes).
				wantUnmapped := map[string]int64{}
				for _, u := range p.Unmapped {
					wantUnmapped[u.EventSource+" "+u.EventName] += u.Events
				}
				gotUnmapped := map[string]int64{}
				for _, u := range r.Unmapped {
					gotUnmapped[u.EventSource+" "+u.EventName] += u.Calls
				}
				if diff := cmp.Diff(wantUnmapped, gotUnmapped); diff != "" {
					t.Errorf("%s unmapped calls (-truth +got):\n%s", p.Name, diff)
				}
				// Calls the trail did not log must never be called unused.
				for _, u := range p.Unlogged {
					if slices.Contains(r.Unused, u.Action) {
						t.Errorf("%s: %s was used but not logged (%s), yet reported unused", p.Name, u.Action, u.Reason)
					}
				}
				checkSCPTruth(t, tr.Organization, p, r)
			}

			// Recommendations for every role.
			dir := t.TempDir()
			mustRun(t, env, exitOK, "recommend", "--all", "--out-dir", dir, "--format", "json")
			for _, p := range tr.Principals {
				switch p.Type {
				case "role":
				case "user":
					// --all writes roles; users are recommended one by one.
					mustRun(t, env, exitOK, "recommend", p.Name, "--format", "json", "-o", filepath.Join(dir, p.Name+".recommendation.json"))
				default:
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
				if !rec.Proof.Proven {
					t.Errorf("%s: recommendation not proven: %+v", p.Name, rec.Proof)
				}
				usedActions := map[string]bool{}
				keptActions := map[string]bool{}
				for _, d := range rec.Policies {
					for _, st := range d.Statements {
						if st.Effect != "Allow" {
							continue
						}
						for _, a := range st.Action {
							if strings.HasPrefix(st.Sid, "Used") || strings.HasPrefix(st.Sid, "PassRole") {
								usedActions[a] = true
							}
							keptActions[a] = true
						}
					}
				}
				if diff := cmp.Diff(truthUsed(p), sortedKeys(usedActions), cmp.Transformer("nil", func(s []string) []string {
					if s == nil {
						return []string{}
					}
					return s
				})); diff != "" {
					t.Errorf("%s: used statements differ from truth (-truth +got):\n%s", p.Name, diff)
				}
				// Every call truth says the role made, on its exact
				// resources, is allowed by the recommended policy: the
				// resources iamtrim extracted from the logs and generalised
				// really name what was touched.
				recSet := policy.PolicySet{}
				for _, d := range rec.Policies {
					recSet.Identity = append(recSet.Identity, policy.NamedPolicy{Name: "recommended", Kind: policy.KindManaged, Doc: d})
				}
				for _, u := range append(append(append([]sample.TruthUse{}, p.Used...), p.UsedViaService...), p.Implied...) {
					for _, res := range u.Resources {
						r := res
						if r == "*" {
							r = ""
						}
						d := policy.Evaluate(recSet, policy.Request{Action: u.Action, Resource: r})
						if d.Effect != policy.Allow && !d.Conditional {
							t.Errorf("%s: truth call %s on %s is not allowed by the recommendation: %s", p.Name, u.Action, res, d.Reason)
						}
					}
				}
				// Unmapped calls are allowed too, with the action AWS
				// authorizes them with, on their exact resources: kept
				// with the service's grant (KeptUnmapped), never a hole.
				for _, u := range p.Unmapped {
					if !rec.Proof.UnmappedKept || !slices.ContainsFunc(rec.Proof.Unmapped, func(c string) bool { return strings.Contains(c, u.EventName) }) {
						t.Errorf("%s: unmapped call %s %s is not named by the proof: %+v", p.Name, u.EventSource, u.EventName, rec.Proof.Unmapped)
					}
					for _, res := range u.Resources {
						r := res
						if r == "*" {
							r = ""
						}
						if d := policy.Evaluate(recSet, policy.Request{Action: u.Action, Resource: r}); d.Effect != policy.Allow && !d.Conditional {
							t.Errorf("%s: unmapped call %s (%s %s) on %s is not allowed by the recommendation: %s", p.Name, u.Action, u.EventSource, u.EventName, res, d.Reason)
						}
					}
				}
				// Calls the trail did not log, on their exact resources, are
				// allowed too: kept as unobservable, never removed because
				// the logs could not show them.
				for _, u := range p.Unlogged {
					if !keptActions[u.Action] && !keptByWildcard(keptActions, u.Action) {
						t.Errorf("%s: %s (used, not logged: %s) is not kept by the recommendation", p.Name, u.Action, u.Reason)
					}
					for _, res := range u.Resources {
						d := policy.Evaluate(recSet, policy.Request{Action: u.Action, Resource: res})
						if d.Effect != policy.Allow && !d.Conditional {
							t.Errorf("%s: unlogged call %s on %s (%s) is not allowed by the recommendation: %s", p.Name, u.Action, res, u.Reason, d.Reason)
						}
					}
				}
			}
			// The admin roles are flagged.
			for _, r := range snap.Principals {
				if strings.Contains(r.Name, "AdministratorAccess") || r.Name == "break-glass" {
					if !slices.Contains(r.Flags, "admin") {
						t.Errorf("%s: flags %v lack admin", r.Name, r.Flags)
					}
				}
			}
		})
	}
}

func keptByWildcard(kept map[string]bool, action string) bool {
	for k := range kept {
		if strings.HasSuffix(k, "*") && strings.HasPrefix(strings.ToLower(action), strings.ToLower(strings.TrimSuffix(k, "*"))) {
			return true
		}
	}
	return false
}

// TestPipelineIdempotent: running every stage a second time on the same
// input changes nothing: no new rows anywhere.
func TestPipelineIdempotent(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	first := mustRun(t, env, exitOK, "analyze", "--format", "json")
	counts := tableCounts(t, env)
	loadSample(t, env, "../../testdata/catalog")
	second := mustRun(t, env, exitOK, "analyze", "--format", "json")
	if diff := cmp.Diff(counts, tableCounts(t, env)); diff != "" {
		t.Errorf("row counts changed on the second run (-first +second):\n%s", diff)
	}
	if first != second {
		t.Errorf("analyze output differs on the second run")
	}
}

func TestReportAndListing(t *testing.T) {
	env := testEnv(t)
	code, _, errOut := runCLI(t, env, "report")
	if code != exitError || !strings.Contains(errOut, "run 'iamtrim analyze' first") {
		t.Fatalf("report before analyze: exit %d, stderr %q", code, errOut)
	}
	loadSample(t, env, "../../testdata/catalog")
	mustRun(t, env, exitOK, "analyze")
	out := mustRun(t, env, exitOK, "report", "--quarter", "2026Q4")
	if !strings.Contains(out, "IAM permission audit: 2026Q4") || !strings.Contains(out, "break-glass") {
		t.Fatalf("report table lacks its title or a principal:\n%s", out)
	}
	html := filepath.Join(t.TempDir(), "audit.html")
	mustRun(t, env, exitOK, "report", "--quarter", "2026Q4", "--format", "html", "-o", html)
	b, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(b), "<html") {
		t.Fatalf("html report: %v", err)
	}
	list := mustRun(t, env, exitOK, "authz", "list", "edge-router-lambda")
	if !strings.Contains(list, "ssm:GetParameter  on arn:aws:ssm:*:111122223333:parameter/prod/edge/*  from inline:edge-config#1") {
		t.Fatalf("listing lacks provenance:\n%s", list)
	}
	mustRun(t, env, exitUsage, "authz", "list", "nobody")
}

// checkSCPTruth checks one principal's analysis against what truth.json
// says the sample organisation's SCPs make ineffective: every granted
// action the Deny names is blocked by that statement (for a principal it
// binds) and reported neither used nor unused; nothing else is blocked;
// nothing the principal used is.
func checkSCPTruth(t *testing.T, o *sample.TruthOrg, p sample.TruthPrincipal, r analyze.Result) {
	t.Helper()
	if o == nil {
		t.Fatal("truth.json has no organization")
	}
	b := o.BlockedBySCP
	matches := func(action string) bool {
		for _, pat := range b.Actions {
			if policy.Covers(pat, action, true) {
				return true
			}
		}
		return false
	}
	exempt := slices.Contains(b.Exempt, p.ARN)
	blocked := map[string]analyze.BlockedAction{}
	for _, x := range r.BlockedBySCP {
		blocked[x.Action] = x
		switch {
		case exempt:
			t.Errorf("%s: %s blocked by SCP (%s), but the SCPs do not bind this principal", p.Name, x.Action, x.Reason)
		case !matches(x.Action) || x.Policy != b.Policy || x.Sid != b.Sid || x.Level != b.Level:
			t.Errorf("%s: %s blocked as %+v, want only %v by %s Sid %s at %s", p.Name, x.Action, x, b.Actions, b.Policy, b.Sid, b.Level)
		}
		if slices.Contains(r.Unused, x.Action) || slices.Contains(r.Granted, x.Action) {
			t.Errorf("%s: %s is blocked by SCP, yet reported granted or unused", p.Name, x.Action)
		}
	}
	if !exempt {
		for _, a := range r.Granted {
			if matches(a) {
				t.Errorf("%s: %s is effective, but %s denies it to this principal", p.Name, a, b.Policy)
			}
		}
	}
	for _, a := range truthUsed(p) {
		if _, ok := blocked[a]; ok {
			t.Errorf("%s: %s was used, yet reported blocked by SCP", p.Name, a)
		}
	}
}
