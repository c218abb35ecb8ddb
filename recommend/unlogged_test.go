package recommend

import (
	"context"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/trails"
)

// A trail that logs S3 data events for the data bucket only: calls on
// logs/ could not show, so the unlogged part of each S3 object action's
// grant is kept, and only that part.
func TestPartlyLoggedDataEventsKeepUnloggedScope(t *testing.T) {
	f := newFixture(t)
	cfg, err := trails.Parse([]byte(`{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1",
	  "AdvancedEventSelectors":[{"Name":"mgmt","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},
	    {"Name":"data bucket","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},
	      {"Field":"resources.ARN","StartsWith":["arn:aws:s3:::data/"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	usage := &analyze.PrincipalUsage{Actions: map[string]*analyze.ActionUsage{
		"s3:GetObject": {Action: "s3:GetObject", Used: 3, Own: 3, FirstUsed: day, LastUsed: day,
			Resources: map[string]int64{"arn:aws:s3:::data/reports/q1.csv": 3}, Via: map[string]int64{}},
	}}
	f.in.Result = analyze.Principal(analyze.Input{
		Principal: f.in.Principal, Effective: f.in.Effective, Usage: usage, Catalog: f.cat, Trails: cfg,
		Seen:     map[string]bool{"s3": true, "iam": true, "sqs": true},
		Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1},
		Window:   analyze.NewWindow(day, 90),
	})
	rec, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Proof.Proven {
		t.Fatalf("not proven:\n%s", Summary(rec))
	}
	set := policy.PolicySet{}
	for _, d := range rec.Policies {
		set.Identity = append(set.Identity, policy.NamedPolicy{Name: "rec", Kind: policy.KindManaged, Doc: d})
	}
	tests := []struct {
		action, resource string
		allow            bool
	}{
		{"s3:GetObject", "arn:aws:s3:::data/reports/q1.csv", true},   // used, logged
		{"s3:GetObject", "arn:aws:s3:::logs/app/2.log", true},        // could not show
		{"s3:PutObject", "arn:aws:s3:::logs/app/2.log", true},        // could not show
		{"s3:PutObject", "arn:aws:s3:::data/reports/q9.csv", false},  // logged and unused
		{"s3:GetObject", "arn:aws:s3:::data/other/never.csv", false}, // logged and unused
	}
	for _, tc := range tests {
		d := policy.Evaluate(set, policy.Request{Action: tc.action, Resource: tc.resource})
		if got := d.Effect == policy.Allow; got != tc.allow {
			t.Errorf("%s on %s: allowed %v, want %v (%s)", tc.action, tc.resource, got, tc.allow, d.Reason)
		}
	}
}
