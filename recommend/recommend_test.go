package recommend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/trails"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testAuthz = `{
 "UserDetailList": [], "GroupDetailList": [], "Policies": [],
 "RoleDetailList": [
  {"Path": "/app/", "RoleName": "worker", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/app/worker",
   "CreateDate": "2025-01-01T00:00:00Z",
   "AssumeRolePolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},
   "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version":"2012-10-17","Statement":[
     {"Sid":"Data","Effect":"Allow","Action":["s3:Get*","s3:PutObject"],"Resource":["arn:aws:s3:::data/*","arn:aws:s3:::logs/*"]},
     {"Sid":"List","Effect":"Allow","Action":["s3:ListBucket","s3:ListAllMyBuckets"],"Resource":"*"},
     {"Sid":"Queues","Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}},
     {"Sid":"Iam","Effect":"Allow","Action":["iam:PassRole","iam:GetRole","iam:AttachRolePolicy","iam:TagRole"],"Resource":"*"},
     {"Sid":"NoSecrets","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/secret/*"}]}}],
   "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []}
 ]
}`

type fixture struct {
	in  Input
	cat *catalog.Catalog
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := authz.Parse(strings.NewReader(testAuthz), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := inv.Principal("arn:aws:iam::111122223333:role/app/worker")
	eff := mustExpand(t, p, cat)
	day := func(d int) time.Time { return time.Date(2026, 10, d, 12, 0, 0, 0, time.UTC) }
	usage := &analyze.PrincipalUsage{Actions: map[string]*analyze.ActionUsage{}}
	for _, u := range []struct {
		action string
		res    []string
	}{
		{"s3:GetObject", []string{"arn:aws:s3:::data/reports/2026/q1.csv", "arn:aws:s3:::data/reports/2026/q2.csv", "arn:aws:s3:::data/readme.txt"}},
		{"s3:PutObject", []string{"arn:aws:s3:::logs/app/1.log"}},
		{"s3:ListAllMyBuckets", nil},
		{"sqs:SendMessage", []string{"arn:aws:sqs:us-east-1:111122223333:jobs"}},
		{"iam:GetRole", []string{"arn:aws:iam::111122223333:role/app/worker"}},
		{"iam:PassRole", []string{"arn:aws:iam::111122223333:role/app/task"}},
	} {
		au := &analyze.ActionUsage{Action: u.action, Used: 3, Own: 3, FirstUsed: day(1), LastUsed: day(20), Resources: map[string]int64{}, Via: map[string]int64{}}
		for _, r := range u.res {
			au.Resources[r] = 1
		}
		usage.Actions[u.action] = au
	}
	trailCfg, err := trails.Parse([]byte(`{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1",
	  "EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	res := analyze.Principal(analyze.Input{
		Principal: p, Effective: eff, Usage: usage, Catalog: cat, Trails: trailCfg,
		Seen:     map[string]bool{"s3": true, "iam": true, "sqs": true},
		Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1},
		Window:   analyze.NewWindow(day(31), 90),
	})
	return fixture{in: Input{Principal: p, Effective: eff, Result: res, Catalog: cat}, cat: cat}
}

func stmt(t *testing.T, rec *Recommendation, sid string) policy.Statement {
	t.Helper()
	for _, d := range rec.Policies {
		for _, s := range d.Statements {
			if s.Sid == sid {
				return s
			}
		}
	}
	t.Fatalf("no statement %s in %v", sid, rec.Statements)
	return policy.Statement{}
}

func TestRecommendWorker(t *testing.T) {
	f := newFixture(t)
	rec := recommendProven(t, f.in, Options{})
	s3 := stmt(t, rec, "UsedS3")
	// GetObject and PutObject share no scope, so they are apart; check the
	// generalised object prefix and the exact top-level key.
	var get policy.Statement
	for _, d := range rec.Policies {
		for _, s := range d.Statements {
			if s.Effect == policy.EffectAllow && slices.Contains(s.Action, "s3:GetObject") {
				get = s
			}
		}
	}
	if diff := cmp.Diff([]string{"arn:aws:s3:::data/readme.txt", "arn:aws:s3:::data/reports/*"}, get.Resource); diff != "" {
		t.Errorf("GetObject resources (-want +got):\n%s", diff)
	}
	_ = s3
	sqs := stmt(t, rec, "UsedSqs")
	if len(sqs.Conditions) != 1 || sqs.Conditions[0].Key != "aws:RequestedRegion" {
		t.Errorf("sqs statement lost the current condition: %+v", sqs.Conditions)
	}
	pr := stmt(t, rec, "PassRoleObserved")
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/app/task"}, pr.Resource); diff != "" {
		t.Errorf("PassRole resources (-want +got):\n%s", diff)
	}
	deny := stmt(t, rec, "CarriedDeny")
	if deny.Effect != policy.EffectDeny || !slices.Contains(deny.Action, "s3:GetObject") {
		t.Errorf("carried deny: %+v", deny)
	}
	removed := rec.Proof.RemovedByAccessLevel
	if !slices.Contains(removed["Permissions management"], "iam:AttachRolePolicy") || !slices.Contains(removed["Tagging"], "iam:TagRole") {
		t.Errorf("removed by level: %v", removed)
	}
	// sqs:ReceiveMessage is unobservable (SQS data events not logged):
	// kept in its own statement with the current condition.
	kept := stmt(t, rec, "KeptUnobservable")
	if !slices.Contains(kept.Action, "sqs:ReceiveMessage") {
		t.Errorf("kept unobservable: %v", kept.Action)
	}
}

func TestUnobservablePolicies(t *testing.T) {
	f := newFixture(t)
	for _, mode := range []string{UnobservableList, UnobservableDrop} {
		rec, err := Recommend(context.Background(), f.in, Options{Unobservable: mode})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range rec.Statements {
			if n.Kind == "unobservable" {
				t.Errorf("%s: statement %s keeps unobservable actions", mode, n.Sid)
			}
		}
		if len(rec.Unobservable) == 0 || !rec.Proof.Proven {
			t.Errorf("%s: unobservable %v proven %v", mode, rec.Unobservable, rec.Proof.Proven)
		}
	}
	if _, err := Recommend(context.Background(), f.in, Options{Unobservable: "maybe"}); err == nil {
		t.Error("unknown unobservable policy accepted")
	}
}

// The proof must fail when the policy is widened or narrowed by hand.
func TestProofCatchesTampering(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name          string
		tamper        func(d *policy.Document)
		wantObserved  bool
		wantNoBroader bool
	}{
		{"untouched", func(d *policy.Document) {}, true, true},
		{"widened by an action never granted", func(d *policy.Document) {
			d.Statements = append(d.Statements, policy.Statement{Sid: "Extra", Effect: policy.EffectAllow, Action: []string{"sqs:DeleteQueue"}, Resource: []string{"*"}})
		}, true, false},
		{"widened by a resource", func(d *policy.Document) {
			for i, s := range d.Statements {
				if slices.Contains(s.Action, "s3:PutObject") {
					d.Statements[i].Resource = []string{"*"}
				}
			}
		}, true, false},
		{"widened by dropping a carried condition", func(d *policy.Document) {
			for i, s := range d.Statements {
				if s.Sid == "UsedSqs" {
					d.Statements[i].Conditions = nil
				}
			}
		}, true, false},
		{"narrowed by removing a used action", func(d *policy.Document) {
			for i, s := range d.Statements {
				if s.Sid == "UsedIam" {
					d.Statements[i].Action = []string{"iam:ListRoles"}
				}
			}
		}, false, false},
		{"narrowed by a resource", func(d *policy.Document) {
			for i, s := range d.Statements {
				if s.Effect == policy.EffectAllow && slices.Contains(s.Action, "s3:GetObject") {
					d.Statements[i].Resource = []string{"arn:aws:s3:::data/readme.txt"}
				}
			}
		}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Recommend(context.Background(), f.in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			tc.tamper(rec.Policies[0])
			p, err := Prove(context.Background(), f.in, rec)
			if err != nil {
				t.Fatal(err)
			}
			if p.ObservedAllowed != tc.wantObserved || p.NoBroader != tc.wantNoBroader {
				t.Fatalf("observed %v no-broader %v, want %v %v\nfailures: %v %v", p.ObservedAllowed, p.NoBroader, tc.wantObserved, tc.wantNoBroader, p.ObservedFailures, p.BroaderFailures)
			}
			if p.Proven != (tc.wantObserved && tc.wantNoBroader) {
				t.Fatalf("proven %v", p.Proven)
			}
		})
	}
}

func TestSplitWhenTooLarge(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{MaxChars: 400, InlineChars: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Split || len(rec.Policies) < 2 {
		t.Fatalf("split %v into %d policies, want several", rec.Split, len(rec.Policies))
	}
	// The budget is used before any wildcard: nothing compacted.
	if rec.Compacted || len(rec.Proof.Wildcards) > 0 {
		t.Errorf("compacted %v with wildcards %v, though the policies fit the budget split", rec.Compacted, rec.Proof.Wildcards)
	}
	for i, d := range rec.Policies {
		limit, attach := 400, AttachManaged
		if i == 0 {
			limit, attach = 500, AttachInline
		}
		if n := policy.CharCount(d); n > limit {
			t.Errorf("policy %d has %d characters, over the %d limit", i, n, limit)
		}
		if rec.Attach[i] != attach {
			t.Errorf("policy %d attaches as %q, want %q", i, rec.Attach[i], attach)
		}
	}
	if !rec.Proof.Proven {
		t.Fatalf("split policies not proven:\n%s", Summary(rec))
	}
	// Terraform attaches the inline one as the role's inline policy.
	var tf strings.Builder
	if err := Write(&tf, rec, f.in, "terraform"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(tf.String(), `resource "aws_iam_role_policy"`); got != 1 || !strings.Contains(tf.String(), `role = "worker"`) {
		t.Errorf("terraform of a split has %d aws_iam_role_policy for the inline policy, want 1 on role worker:\n%s", got, tf.String())
	}
	if got := strings.Count(tf.String(), `resource "aws_iam_policy"`); got != len(rec.Policies)-1 {
		t.Errorf("terraform has %d aws_iam_policy, want %d", got, len(rec.Policies)-1)
	}
}

// Wildcards only when the budget cannot hold the split, only over read and
// list actions, and each one listed in the proof.
func TestCompactionCannotGrow(t *testing.T) {
	f := newFixture(t)
	// A reader and writer of S3 that used every s3:Get*, s3:List* and
	// s3:Put* action of the catalog.
	// Granted action by action, as ReadOnlyAccess does: a wildcard would
	// reach actions AWS adds later that the current policy does not grant.
	var granted []string
	for _, fam := range []string{"s3:Get*", "s3:List*", "s3:Put*"} {
		granted = append(granted, f.cat.Expand(fam)...)
	}
	b, _ := json.Marshal(granted)
	p, _ := randomRole(t, 0, []string{`{"Effect":"Allow","Action":` + string(b) + `,"Resource":"*"}`})
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	usage := &analyze.PrincipalUsage{Actions: map[string]*analyze.ActionUsage{}}
	for _, fam := range []string{"s3:Get*", "s3:List*", "s3:Put*"} {
		for _, a := range f.cat.Expand(fam) {
			addUse(usage, a, "", day)
		}
	}
	eff := mustExpand(t, p, f.cat)
	in := Input{Principal: p, Effective: eff, Catalog: f.cat, Result: analyze.Principal(analyze.Input{
		Principal: p, Effective: eff, Usage: usage, Catalog: f.cat, Trails: trails.UnknownConfig(),
		Seen: map[string]bool{"s3": true}, Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1}, Window: analyze.NewWindow(day, 90),
	})}
	rec, err := Recommend(context.Background(), in, Options{MaxChars: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Compacted || len(rec.Proof.Wildcards) > 0 {
		t.Fatalf("compacted %v with wildcards %v, though the policy fits", rec.Compacted, rec.Proof.Wildcards)
	}
	// One character less than the exact policy, and one policy only.
	n := rec.Chars[0] - 1
	rec, err = Recommend(context.Background(), in, Options{MaxChars: n, InlineChars: n, MaxPolicies: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Compacted {
		t.Fatalf("not compacted though the split needs more policies than allowed")
	}
	var wild []string
	for _, d := range rec.Policies {
		for _, st := range d.Statements {
			for _, a := range st.Action {
				if strings.ContainsAny(a, "*?") && st.Effect == policy.EffectAllow {
					wild = append(wild, a)
					for _, e := range f.cat.Expand(a) {
						if lvl := f.cat.AccessLevel(e); lvl != catalog.Read && lvl != catalog.List {
							t.Errorf("wildcard %s covers %s (%s): only read and list actions are compacted", a, e, lvl)
						}
					}
				}
			}
		}
	}
	var listed []string
	for _, w := range rec.Proof.Wildcards {
		listed = append(listed, w.Pattern)
	}
	if len(wild) == 0 || !slices.Equal(listed, wild) {
		t.Errorf("wildcards in the policies %v, listed in the proof %v", wild, listed)
	}
	if !strings.Contains(Summary(rec), "matches actions AWS may add later") {
		t.Errorf("the summary does not warn about the wildcards:\n%s", Summary(rec))
	}
}

func TestTooManyPolicies(t *testing.T) {
	f := newFixture(t)
	_, err := Recommend(context.Background(), f.in, Options{MaxChars: 200, InlineChars: 300, MaxPolicies: 1})
	var be *BudgetError
	if !errors.As(err, &be) || !errors.Is(err, ErrOverBudget) {
		t.Fatalf("error %v, want a BudgetError", err)
	}
	if be.Max() != 2 || be.Needed <= 2 || !strings.Contains(err.Error(), "--max-policies") {
		t.Errorf("error %q (needed %d, max %d) does not say what to change", err, be.Needed, be.Max())
	}
}

func TestCompactOnlyWithKeptActions(t *testing.T) {
	f := newFixture(t)
	cp := compactor{cat: f.cat}
	all := f.cat.Expand("s3:Get*")
	got := cp.actions(append(all, "s3:PutObject"), []string{"*"}, nil)
	if diff := cmp.Diff([]string{"s3:Get*", "s3:PutObject"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// One Get* action missing: no wildcard.
	got = cp.actions(all[1:], []string{"*"}, nil)
	if slices.Contains(got, "s3:Get*") {
		t.Errorf("wildcard s3:Get* used though %s is not kept: %v", all[0], got)
	}
	// Write actions are never compacted, however many are kept.
	puts := f.cat.Expand("s3:Put*")
	got = cp.actions(puts, []string{"*"}, nil)
	if diff := cmp.Diff(puts, got); diff != "" {
		t.Errorf("write actions compacted (-want +got):\n%s", diff)
	}
	// Unless the current policies grant the wildcard itself: then it
	// cannot reach anything the principal cannot call today.
	p, _ := randomRole(t, 0, []string{`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`})
	cp.allow = allowOnlySet(p.Policies)
	if got = cp.actions(puts, []string{"*"}, nil); !slices.Equal(got, []string{"s3:Put*"}) {
		t.Errorf("write actions granted as s3:* today: got %v, want [s3:Put*]", got)
	}
	if got = cp.actions(puts, []string{"arn:aws:s3:::data/*"}, []policy.Condition{}); !slices.Equal(got, []string{"s3:Put*"}) {
		t.Errorf("on a narrower resource: got %v, want [s3:Put*]", got)
	}
}

func TestGoldenFormats(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{Context: &ContextEvidence{Calls: 10, Days: 3,
		Regions: map[string]int64{"us-east-1": 10}, SourceNets: map[string]int64{"203.0.113.0/24": 10},
		VPCEndpoints: map[string]int64{"": 10}, UserAgents: map[string]int64{"sdk-go": 10}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, rec, f.in, format); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "worker."+format+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./recommend -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", format, path, diff)
			}
		})
	}
	// The policy format is a valid IAM document.
	var buf bytes.Buffer
	if err := Write(&buf, rec, f.in, "policy"); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Parse(buf.Bytes()); err != nil {
		t.Fatalf("policy output does not parse: %v", err)
	}
}

// Two statements that grant one action under different conditions are two
// alternatives: the recommendation keeps each resource with the conditions
// of the statement that grants it, never both conditions at once.
func TestConditionsPerGrantingStatement(t *testing.T) {
	const doc = `{"UserDetailList":[],"GroupDetailList":[],"Policies":[],"RoleDetailList":[
	 {"Path":"/ci/","RoleName":"deployer","RoleId":"AROA9","Arn":"arn:aws:iam::111122223333:role/ci/deployer","CreateDate":"2025-01-01T00:00:00Z",
	  "RolePolicyList":[{"PolicyName":"pass","PolicyDocument":{"Version":"2012-10-17","Statement":[
	   {"Sid":"PassLambda","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/service-role/*","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}},
	   {"Sid":"PassEcs","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/ecs/*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}}]}]}`
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := authz.Parse(strings.NewReader(doc), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := inv.Principal("arn:aws:iam::111122223333:role/ci/deployer")
	eff := mustExpand(t, p, cat)
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	res := analyze.Principal(analyze.Input{
		Principal: p, Effective: eff, Catalog: cat, Trails: trails.UnknownConfig(),
		Usage: &analyze.PrincipalUsage{Actions: map[string]*analyze.ActionUsage{"iam:PassRole": {
			Action: "iam:PassRole", Used: 2, Own: 2, FirstUsed: day, LastUsed: day, Via: map[string]int64{},
			Resources: map[string]int64{"arn:aws:iam::111122223333:role/service-role/fn": 1, "arn:aws:iam::111122223333:role/ecs/task": 1}}}},
		Seen:     map[string]bool{"iam": true},
		Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1},
		Window:   analyze.NewWindow(day, 90),
	})
	rec, err := Recommend(context.Background(), Input{Principal: p, Effective: eff, Result: res, Catalog: cat}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Proof.Proven {
		t.Fatalf("not proven:\n%s", Summary(rec))
	}
	got := map[string]string{}
	for _, st := range rec.Policies[0].Statements {
		if st.Sid == "" || !strings.HasPrefix(st.Sid, "PassRole") {
			continue
		}
		if len(st.Conditions) != 1 {
			t.Fatalf("statement %s has %d conditions, want exactly its own one", st.Sid, len(st.Conditions))
		}
		for _, r := range st.Resource {
			got[r] = st.Conditions[0].Values[0]
		}
	}
	want := map[string]string{
		"arn:aws:iam::111122223333:role/service-role/fn": "lambda.amazonaws.com",
		"arn:aws:iam::111122223333:role/ecs/task":        "ecs-tasks.amazonaws.com",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resource -> iam:PassedToService (-want +got):\n%s", diff)
	}
	if _, err := rec.Policies[0].MarshalIndent(); err != nil {
		t.Fatalf("recommended policy does not validate: %v", err)
	}
}

// --format policy is one document: a split is written as files or as the
// recommendation (json), never as a JSON array a tool would misread.
func TestPolicyFormatOfASplit(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{MaxChars: 400, InlineChars: 400})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = Write(&b, rec, f.in, "policy")
	if !errors.Is(err, ErrSplitPolicy) || b.Len() > 0 {
		t.Fatalf("Write(policy) of a split: error %v, output %q; want ErrSplitPolicy and nothing written", err, b.String())
	}
	for i, d := range rec.Policies {
		if _, err := d.MarshalIndent(); err != nil {
			t.Errorf("document %d: %v", i, err)
		}
	}
}

// Resources come from logs: the diff and the proof summary, written to a
// terminal, must not carry their control characters.
func TestDiffEscapesControlCharacters(t *testing.T) {
	f := newFixture(t)
	u := f.in.Result.Used
	for i := range u {
		if u[i].Action == "s3:PutObject" {
			u[i].Resources = []string{"arn:aws:s3:::logs/\x1b[2Jx.log"}
		}
	}
	rec, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Write(&b, rec, f.in, "diff"); err != nil {
		t.Fatal(err)
	}
	out := b.String() + Summary(rec)
	if strings.ContainsRune(out, '\x1b') {
		t.Fatalf("raw escape character in the diff or summary:\n%q", out)
	}
	if !strings.Contains(out, `\x1b[2J`) {
		t.Fatalf("the hostile resource is not shown escaped:\n%s", out)
	}
}

// A principal with too few days of logs gets no removals, even when the
// user asked to drop unobservable actions.
func TestInsufficientEvidenceRemovesNothing(t *testing.T) {
	f := newFixture(t)
	in := f.in
	cov := analyze.Coverage{WindowDays: 90, DaysWithLogs: 3, Ratio: 3.0 / 90}
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	in.Result = analyze.Principal(analyze.Input{
		Principal: in.Principal, Effective: in.Effective, Catalog: f.cat, Trails: trails.UnknownConfig(),
		Seen: map[string]bool{"s3": true, "iam": true, "sqs": true}, Coverage: cov, Window: analyze.NewWindow(day, 90),
	})
	for _, mode := range []string{UnobservableKeep, UnobservableDrop, UnobservableList} {
		rec, err := Recommend(context.Background(), in, Options{Unobservable: mode})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Proof.Removed != 0 || !rec.Proof.Proven {
			t.Errorf("%s: removed %d (proven %v), want nothing removed", mode, rec.Proof.Removed, rec.Proof.Proven)
		}
		if !strings.Contains(strings.Join(rec.Notes, "\n"), "insufficient evidence") {
			t.Errorf("%s: notes %v do not say why nothing is removed", mode, rec.Notes)
		}
	}
}

// A role name is chosen by whoever controls the account: the Terraform
// output's header comment and strings must not carry its escape sequences.
func TestTerraformEscapesControlCharacters(t *testing.T) {
	f := newFixture(t)
	in := f.in
	in.Result.PrincipalARN = "arn:aws:iam::111122223333:role/evil\x1b]0;pwned\x07\u009b2J\u202e"
	in.Result.Name = "evil\x1b]0;pwned\x07\u009b2J\u202e"
	rec, err := Recommend(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Write(&b, rec, in, "terraform"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for i, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u202e' {
			t.Fatalf("terraform output has control character %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
	if !strings.Contains(out, `# Least-privilege policy for arn:aws:iam::111122223333:role/evil\x1b]0;pwned\x07`) {
		t.Errorf("the header does not show the hostile name escaped:\n%s", out)
	}
}

// mustExpand expands p against cat with a background context, failing
// the test on an error.
func mustExpand(t testing.TB, p authz.Principal, cat *catalog.Catalog) *authz.Effective {
	t.Helper()
	eff, err := authz.Expand(context.Background(), p, cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	return eff
}

// packFast (sizes measured once) packs exactly as packSlow (every
// candidate document measured whole).
func TestPackFastMatchesSlow(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{MaxChars: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	stmts := rec.Policies[0].Statements
	for _, b := range []budget{{managed: 400, maxManaged: 50}, {managed: 400, inline: 550, maxManaged: 50}, {managed: 1000, maxManaged: 5}} {
		var pieces []policy.Statement
		var notes []StatementNote
		for i, st := range stmts {
			for _, p := range splitStatement(st, b.managed) {
				pieces = append(pieces, p)
				notes = append(notes, rec.Statements[i])
			}
		}
		fast, fastNotes, ok := packFast(pieces, notes, b)
		if !ok {
			t.Fatalf("%v: packFast's sizes were off", b)
		}
		slow, slowNotes := packSlow(pieces, notes, b)
		if diff := cmp.Diff(slow, fast); diff != "" || !slices.Equal(slowNotes, fastNotes) {
			t.Errorf("%v: packFast differs from packSlow (-slow +fast):\n%s", b, diff)
		}
	}
}
