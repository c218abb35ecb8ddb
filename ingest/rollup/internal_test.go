package rollup

import (
	"testing"

	"github.com/iamtrim/iamtrim/cloudtrail"
)

func TestSourceNet(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.77":            "203.0.113.0/24",
		"2001:db8:1234:5678::1":   "2001:db8:1234::/48",
		"::ffff:198.51.100.9":     "198.51.100.0/24",
		"ecs-tasks.amazonaws.com": "",
		"":                        "",
	} {
		if got := SourceNet(in); got != want {
			t.Errorf("SourceNet(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrincipalKey(t *testing.T) {
	tests := []struct {
		p         cloudtrail.Principal
		invokedBy string
		want      string
	}{
		{p: cloudtrail.Principal{ARN: "arn:aws:iam::1:role/r"}, want: "arn:aws:iam::1:role/r"},
		{p: cloudtrail.Principal{Type: cloudtrail.PrincipalAnonymous}, want: "anonymous"},
		{p: cloudtrail.Principal{Type: cloudtrail.PrincipalService}, invokedBy: "ec2.amazonaws.com", want: "service:ec2.amazonaws.com"},
		{p: cloudtrail.Principal{Type: cloudtrail.PrincipalUnknown, AccountID: "1", Name: "x"}, want: "unknown:Unknown:1:x"},
	}
	for _, tc := range tests {
		if got := PrincipalKey(&tc.p, tc.invokedBy); got != tc.want {
			t.Errorf("PrincipalKey(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
