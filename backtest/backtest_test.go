package backtest

import (
	"time"

	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/recommend"
)

func set(t *testing.T, docs ...string) policy.PolicySet {
	t.Helper()
	var s policy.PolicySet
	for i, d := range docs {
		doc, err := policy.Parse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		s.Identity = append(s.Identity, policy.NamedPolicy{Name: string(rune('a' + i)), Kind: policy.KindInline, Doc: doc})
	}
	return s
}

func TestDecide(t *testing.T) {
	cur := set(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["logs:*","ec2:DescribeInstances"],"Resource":"*"},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"},
		{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	rec := set(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"arn:aws:logs:us-east-1:1:log-group:/a:log-stream:s1"},
		{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/in/*"},
		{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	star := &authz.Grant{Resources: []string{"*"}}
	data := &authz.Grant{Resources: []string{"arn:aws:s3:::data/*"}}
	tests := []struct {
		name             string
		g                *authz.Grant
		action, resource string
		granted, allowed bool
	}{
		{"seen stream", star, "logs:CreateLogStream", "arn:aws:logs:us-east-1:1:log-group:/a:log-stream:s1", true, true},
		{"new stream", star, "logs:CreateLogStream", "arn:aws:logs:us-east-1:1:log-group:/a:log-stream:s2", true, false},
		{"removed action", star, "logs:DeleteLogGroup", "arn:aws:logs:us-east-1:1:log-group:/a", true, false},
		{"in kept prefix", data, "s3:GetObject", "arn:aws:s3:::data/in/x.csv", true, true},
		{"outside kept prefix", data, "s3:GetObject", "arn:aws:s3:::data/out/x.csv", true, false},
		{"not granted now", nil, "s3:GetObject", "arn:aws:s3:::other/x", false, false},
		{"no resource, kept on star", star, "ec2:DescribeInstances", "", true, true},
		{"no resource, removed", star, "logs:DescribeLogGroups", "", true, false},
		{"no resource, kept on a prefix of the scope", data, "s3:GetObject", "", true, false},
		{"no resource, not granted", nil, "iam:ListRoles", "", false, false},
		{"same missing condition key", star, "ssm:GetParameter", "arn:aws:ssm:us-east-1:1:parameter/p", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			granted, allowed, reason := decide(cur, rec, recommend.NewPatternCheck(cur, rec), tc.g, tc.action, tc.resource)
			if granted != tc.granted || allowed != tc.allowed {
				t.Errorf("decide(%s, %q) = granted %v allowed %v (%s), want granted %v allowed %v", tc.action, tc.resource, granted, allowed, reason, tc.granted, tc.allowed)
			}
			if granted && !allowed && reason == "" {
				t.Errorf("decide(%s, %q): denied without a reason", tc.action, tc.resource)
			}
		})
	}
}

// TestDecidePattern replays fold patterns (the calls of a day past
// --collapse-at resources of one kind, on resources not known one by
// one): granted when the current grant could have allowed some resource
// of the pattern, allowed only when the recommendation allows every one
// the current grant does, so that no call the recommendation would deny
// is called allowed.
func TestDecidePattern(t *testing.T) {
	const role = "arn:aws:iam::1:role/"
	cur := set(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetRole","Resource":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b","arn:aws:iam::1:role/c"]},
		{"Effect":"Allow","Action":["iam:ListRoleTags","iam:TagRole"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:UntagRole","Resource":"arn:aws:iam::1:role/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"x"}}},
		{"Effect":"Deny","Action":"iam:UntagRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	rec := set(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetRole","Resource":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b"]},
		{"Effect":"Allow","Action":"iam:ListRoleTags","Resource":"arn:aws:iam::1:role/*"},
		{"Effect":"Allow","Action":"iam:TagRole","Resource":"arn:aws:iam::1:role/app-*"},
		{"Effect":"Allow","Action":"iam:UntagRole","Resource":"arn:aws:iam::1:role/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"x"}}},
		{"Effect":"Deny","Action":"iam:UntagRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	recAll := set(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetRole","Resource":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b","arn:aws:iam::1:role/c"]}]}`)
	listed := &authz.Grant{Resources: []string{role + "a", role + "b", role + "c"}}
	star := &authz.Grant{Resources: []string{"*"}}
	tests := []struct {
		name             string
		rec              policy.PolicySet
		g                *authz.Grant
		action, pattern  string
		granted, allowed bool
	}{
		{"listed grant, one listed role removed", rec, listed, "iam:GetRole", role + "*", true, false},
		{"listed grant, every listed role kept", recAll, listed, "iam:GetRole", role + "*", true, true},
		{"whole pattern allowed", rec, star, "iam:ListRoleTags", role + "*", true, true},
		{"part of the pattern allowed", rec, star, "iam:TagRole", role + "*", true, false},
		{"conditional grant kept, its Deny carried", rec, &authz.Grant{Resources: []string{role + "*"}, Conditional: true}, "iam:UntagRole", role + "*", true, true},
		{"no grant overlaps", rec, listed, "iam:GetRole", "arn:aws:iam::2:role/*", false, false},
		{"not granted now", rec, nil, "iam:DeleteRole", role + "*", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			granted, allowed, reason := decide(cur, tc.rec, recommend.NewPatternCheck(cur, tc.rec), tc.g, tc.action, tc.pattern)
			if granted != tc.granted || allowed != tc.allowed {
				t.Errorf("decide(%s, %q) = granted %v allowed %v (%s), want granted %v allowed %v", tc.action, tc.pattern, granted, allowed, reason, tc.granted, tc.allowed)
			}
			if granted && !allowed && reason == "" {
				t.Errorf("decide(%s, %q): denied without a reason", tc.action, tc.pattern)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	o := Options{AsOf: mustDay(t, "2026-10-29"), TrainDays: 60, TestDays: 30}
	train, test := o.Windows()
	got := [4]string{day(train.From), day(train.To), day(test.From), day(test.To)}
	want := [4]string{"2026-08-01", "2026-09-29", "2026-09-30", "2026-10-29"}
	if got != want {
		t.Errorf("Windows() = %v, want %v", got, want)
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func day(d time.Time) string { return d.Format(time.DateOnly) }

func TestCause(t *testing.T) {
	seen := map[string]bool{"s3:getobject|arn:aws:s3:::data/a.csv": true}
	tests := []struct{ action, resource, want string }{
		{"s3:GetObject", "arn:aws:s3:::data/a.csv", CauseSeen},
		{"logs:CreateLogStream", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:2026/10/01/[$LATEST]0123456789abcdef0123456789abcdef", CauseMinted},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:1:instance/i-0123456789abcdef0", CauseMinted},
		{"iam:GetRole", "arn:aws:iam::1:role/app", CauseNewResource},
		{"ec2:DescribeInstances", "", CauseNoResource},
		{"iam:GetRole", "arn:aws:iam::1:role/*", CauseFolded},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:1:instance/*", CauseFolded},
	}
	for _, tc := range tests {
		if got := cause(seen, tc.action, tc.resource); got != tc.want {
			t.Errorf("cause(%s, %s) = %s, want %s", tc.action, tc.resource, got, tc.want)
		}
	}
}

// Test calls stored as unmapped that map under the backtest's catalog are
// replayed, on no resource, as the analysis counts them used; the others
// stay unmapped, and a principal left with none has no unmapped entry.
func TestRemapTestCalls(t *testing.T) {
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	const a, b = "arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"
	calls := map[string][]Call{a: {{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:111122223333:q", Calls: 4}}}
	unmapped := map[string][]UnmappedCall{
		a: {{"sqs.amazonaws.com", "PurgeQueue", 2}, {"sqs.amazonaws.com", "ListQueues", 3}},
		b: {{"sqs.amazonaws.com", "ListQueues", 1}},
	}
	remapTestCalls(cat, calls, unmapped)
	want := map[string][]Call{
		a: {{Action: "sqs:ListQueues", Calls: 3}, {Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:111122223333:q", Calls: 4}},
		b: {{Action: "sqs:ListQueues", Calls: 1}},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]UnmappedCall{a: {{"sqs.amazonaws.com", "PurgeQueue", 2}}}, unmapped); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
}
