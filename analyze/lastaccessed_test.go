package analyze

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/lastaccess"
	"github.com/iamtrim/iamtrim/trails"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// laReport builds an ACTION_LEVEL report taken 2026-11-01 for the worker
// role from "svc=date" and "svc:Action=date" entries ("never" for nil).
func laReport(entries ...string) *lastaccess.Report {
	taken := *at("2026-11-01")
	r := &lastaccess.Report{PrincipalARN: "arn:aws:iam::111122223333:role/app/worker", Granularity: lastaccess.ActionLevel,
		TakenAt: taken, TrackingStart: taken.Add(-lastaccess.TrackingPeriod)}
	idx := map[string]int{}
	for _, e := range entries {
		k, v, _ := strings.Cut(e, "=")
		var d *time.Time
		if v != "never" {
			d = at(v)
		}
		svc, action, isAction := strings.Cut(k, ":")
		i, ok := idx[svc]
		if !ok {
			i = len(r.Services)
			idx[svc] = i
			r.Services = append(r.Services, lastaccess.Service{Namespace: svc})
		}
		if isAction {
			r.Services[i].ActionLevel = true
			r.Services[i].Actions = append(r.Services[i].Actions, lastaccess.Action{Name: action, LastAccessed: d})
		} else {
			r.Services[i].LastAuthenticated = d
		}
	}
	// Services sorted, as Convert and LoadLatest leave them.
	for i := range r.Services {
		for j := i + 1; j < len(r.Services); j++ {
			if r.Services[j].Namespace < r.Services[i].Namespace {
				r.Services[i], r.Services[j] = r.Services[j], r.Services[i]
			}
		}
	}
	return r
}

func evidenceOf(r Result, action string) ActionEvidence {
	for _, e := range r.Evidence {
		if e.Action == action {
			return e
		}
	}
	return ActionEvidence{}
}

func uses(list []LastAccessedUse) []string {
	var out []string
	for _, u := range list {
		out = append(out, u.Action)
	}
	return out
}

func TestLastAccessedRules(t *testing.T) {
	fixture, err := catalog.LoadDir("../testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	if !fixture.LastAccessTracked("iam:AttachRolePolicy") || fixture.LastAccessTracked("iam:PassRole") || fixture.LastAccessTracked("sqs:ReceiveMessage") {
		t.Fatal("the fixture catalog's SupportedBy flags are not as this test assumes")
	}
	base := func(t *testing.T) Input {
		in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
		in.Catalog = fixture
		in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
			"s3:GetObject": use("s3:GetObject", 5, 0, "arn:aws:s3:::data/a"),
			"iam:GetRole":  use("iam:GetRole", 2, 0),
		}}
		return in
	}
	t.Run("no data: CloudTrail decides, evidence none or cloudtrail", func(t *testing.T) {
		r := Principal(base(t))
		if e := evidenceOf(r, "iam:GetRole"); e.Class != "used" || e.Source != SourceCloudTrail {
			t.Errorf("iam:GetRole: %+v", e)
		}
		if e := evidenceOf(r, "iam:PassRole"); e.Class != "unobservable" || e.Source != SourceNone || e.Reason != "permission-only" {
			t.Errorf("iam:PassRole: %+v", e)
		}
		if len(r.Evidence) != len(r.Granted) {
			t.Errorf("evidence for %d of %d granted actions", len(r.Evidence), len(r.Granted))
		}
	})
	t.Run("service never accessed: its unobservable actions become unused", func(t *testing.T) {
		in := base(t)
		in.LastAccessed = laReport("iam=2026-10-20", "iam:GetRole=2026-10-20", "s3=2026-10-20", "sqs=never")
		r := Principal(in)
		unobs := unobservableNames(r)
		for _, a := range []string{"sqs:ReceiveMessage", "sqs:SendMessage"} {
			if _, ok := unobs[a]; ok {
				t.Errorf("%s still unobservable", a)
			}
			e := evidenceOf(r, a)
			if e.Class != "unused" || e.Source != SourceLastAccessed || !strings.Contains(e.Reason, "service sqs was not accessed since") {
				t.Errorf("%s: %+v", a, e)
			}
		}
		in.LastAccessed = laReport("iam=never", "s3=2026-10-20", "sqs=never")
		if got := unobservableNames(Principal(in))["iam:PassRole"]; got != "permission-only" {
			t.Errorf("iam:PassRole: %q; want it kept permission-only even when IAM never saw the iam service (PassRole is not counted as an access of it)", got)
		}
		// s3 was accessed in the window: its data actions stay
		// unobservable (which action is unknown).
		if unobs["s3:PutObject"] == "" || unobs["iam:PassRole"] == "" {
			t.Errorf("s3:PutObject or iam:PassRole no longer unobservable: %v", unobs)
		}
		if e := evidenceOf(r, "s3:PutObject"); e.LastAccessed == nil || e.ActionLevel {
			t.Errorf("s3:PutObject evidence: %+v, want the service's date", e)
		}
		if len(r.Conflicts) > 0 {
			t.Errorf("conflicts: %v", r.Conflicts)
		}
	})
	t.Run("tracked action accessed in the window is used, before it seasonal", func(t *testing.T) {
		in := base(t)
		in.LastAccessed = laReport("iam=2026-10-20", "iam:GetRole=2026-10-20", "iam:AttachRolePolicy=2026-07-31", "s3=2026-10-20", "s3:GetBucketPolicy=2026-09-10", "sqs=never")
		r := Principal(in)
		if diff := cmp.Diff([]string{"s3:GetBucketPolicy"}, uses(r.LastAccessedUsed)); diff != "" {
			t.Errorf("used via last-accessed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"iam:AttachRolePolicy"}, uses(r.Seasonal)); diff != "" {
			t.Errorf("seasonal (-want +got):\n%s", diff)
		}
		for _, a := range r.Unused {
			if a == "iam:AttachRolePolicy" || a == "s3:GetBucketPolicy" {
				t.Errorf("%s called unused", a)
			}
		}
		if len(r.Conflicts) != 1 || r.Conflicts[0].Action != "s3:GetBucketPolicy" || r.Conflicts[0].Kind != "last-accessed-only" {
			t.Errorf("conflicts: %+v, want s3:GetBucketPolicy last-accessed-only (CloudTrail logs that event)", r.Conflicts)
		}
		if !strings.Contains(strings.Join(r.Flags, " "), "seasonal") {
			t.Errorf("flags %v: want seasonal", r.Flags)
		}
	})
	t.Run("denied-only stays unused with a note", func(t *testing.T) {
		in := base(t)
		in.Usage.Actions["iam:AttachRolePolicy"] = use("iam:AttachRolePolicy", 0, 4)
		in.LastAccessed = laReport("iam=2026-10-21", "iam:GetRole=2026-10-20", "iam:AttachRolePolicy=2026-10-21", "s3=2026-10-20", "sqs=never")
		r := Principal(in)
		found := false
		for _, a := range r.Unused {
			found = found || a == "iam:AttachRolePolicy"
		}
		if !found || len(r.LastAccessedUsed) > 0 {
			t.Errorf("iam:AttachRolePolicy: unused %v, last-accessed used %v; want unused", r.Unused, r.LastAccessedUsed)
		}
		if !strings.Contains(strings.Join(r.Caveats, "\n"), "iam:AttachRolePolicy: last-accessed reports the action on 2026-10-21, but CloudTrail saw only denied calls") {
			t.Errorf("no note on the denied-only action: %v", r.Caveats)
		}
	})
	t.Run("CloudTrail call the data does not show is a conflict", func(t *testing.T) {
		in := base(t)
		in.LastAccessed = laReport("iam=2026-10-20", "s3=2026-10-20", "sqs=never")
		r := Principal(in)
		if len(r.Conflicts) != 1 || r.Conflicts[0].Action != "iam:GetRole" || r.Conflicts[0].Kind != "cloudtrail-only" {
			t.Errorf("conflicts: %+v, want iam:GetRole cloudtrail-only", r.Conflicts)
		}
	})
	t.Run("service accessed in the window that CloudTrail never shows is kept", func(t *testing.T) {
		in := base(t)
		// sqs has data actions CloudTrail cannot show: IAM's access may
		// be one of them, CloudTrail's verdict on the others stands.
		in.LastAccessed = laReport("iam=2026-10-20", "iam:GetRole=2026-10-20", "s3=2026-10-20", "sqs=2026-10-01")
		r := Principal(in)
		if !slices.Contains(r.Unused, "sqs:ListQueues") || len(r.Conflicts) > 0 {
			t.Errorf("sqs:ListQueues: unused %v, conflicts %v; want unused, no conflict", r.Unused, r.Conflicts)
		}
		// Every S3 event logged, no S3 call logged, IAM saw S3 accessed:
		// the service's untracked actions are kept, as a conflict.
		cfg, err := trails.Parse([]byte(`{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1",
		  "EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		in.Trails = cfg
		delete(in.Usage.Actions, "s3:GetObject")
		in.LastAccessed = laReport("iam=2026-10-20", "iam:GetRole=2026-10-20", "s3=2026-10-01", "sqs=never")
		r = Principal(in)
		if got := unobservableNames(r)["s3:GetObject"]; got != "evidence-conflict" {
			t.Errorf("s3:GetObject: unobservable reason %q, want evidence-conflict (kept); unused %v", got, r.Unused)
		}
		if !slices.Contains(r.Unused, "s3:GetBucketPolicy") {
			t.Errorf("s3:GetBucketPolicy (tracked, not accessed) not unused: %v", r.Unused)
		}
		if len(r.Conflicts) == 0 || !strings.Contains(r.Flags[len(r.Flags)-1]+strings.Join(r.Flags, " "), "evidence-conflict") {
			t.Errorf("conflicts %v, flags %v", r.Conflicts, r.Flags)
		}
	})
	t.Run("a tracking period that does not cover the window decides nothing", func(t *testing.T) {
		in := base(t)
		rep := laReport("iam=2026-10-20", "iam:GetRole=2026-10-20", "s3=2026-10-20", "sqs=never")
		rep.TrackingStart = *at("2026-09-01")
		in.LastAccessed = rep
		r := Principal(in)
		if got := unobservableNames(r)["sqs:ReceiveMessage"]; got == "" {
			t.Errorf("sqs:ReceiveMessage called unused on a tracking period that starts inside the window")
		}
	})
	t.Run("thin log coverage keeps what last-accessed decided", func(t *testing.T) {
		in := base(t)
		in.Coverage = Coverage{WindowDays: 90, DaysWithLogs: 3, Ratio: 3.0 / 90}
		in.LastAccessed = laReport("iam=2026-10-20", "iam:GetRole=2026-10-20", "s3=2026-10-20", "sqs=never")
		r := Principal(in)
		// Tracked and not listed (s3:GetBucketPolicy), or of a service
		// never accessed: unused whatever the log coverage.
		if !slices.Contains(r.Unused, "sqs:ReceiveMessage") || !slices.Contains(r.Unused, "sqs:ListQueues") || !slices.Contains(r.Unused, "s3:GetBucketPolicy") {
			t.Errorf("unused %v, unobservable %v", r.Unused, unobservableNames(r))
		}
	})
}
