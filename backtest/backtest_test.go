package backtest

import (
	"time"

	"testing"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/policy"
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
			granted, allowed, reason := decide(cur, rec, tc.g, tc.action, tc.resource)
			if granted != tc.granted || allowed != tc.allowed {
				t.Errorf("decide(%s, %q) = granted %v allowed %v (%s), want granted %v allowed %v", tc.action, tc.resource, granted, allowed, reason, tc.granted, tc.allowed)
			}
			if granted && !allowed && reason == "" {
				t.Errorf("decide(%s, %q): denied without a reason", tc.action, tc.resource)
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
	}
	for _, tc := range tests {
		if got := cause(seen, tc.action, tc.resource); got != tc.want {
			t.Errorf("cause(%s, %s) = %s, want %s", tc.action, tc.resource, got, tc.want)
		}
	}
}
