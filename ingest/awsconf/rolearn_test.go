package awsconf

import (
	"errors"
	"testing"

	"github.com/iamtrim/iamtrim/internal/option"
)

func TestCheckAssumeRole(t *testing.T) {
	for _, tc := range []struct {
		arn string
		ok  bool
	}{
		{"arn:aws:iam::111122223333:role/audit", true},
		{"arn:aws:iam::111122223333:role/service-role/team/Audit_Reader+1=,.@-", true},
		{"arn:aws-us-gov:iam::111122223333:role/audit", true},
		{"arn:aws-cn:iam::111122223333:role/audit", true},
		{"notanarn", false},
		{"log-reader", false},
		{"", false},
		{"arn:", false},
		{"arn:aws:iam::111122223333:user/alice", false},
		{"arn:aws:iam::111122223333:role/", false},
		{"arn:aws:iam::111122223333:role/path/", false},
		{"arn:aws:iam::11112222333:role/audit", false},
		{"arn:aws:iam:us-east-1:111122223333:role/audit", false},
		{"arn:aws:sts::111122223333:assumed-role/audit/session", false},
		{"arn:aws:iam::111122223333:role/audit\n", false},
		{"arn:aws:iam::111122223333:role/has space", false},
		{"arn:aws:iam::111122223333:role/" + string(make([]byte, 65)), false},
	} {
		err := CheckAssumeRoles("assume_roles", []string{"arn:aws:iam::111122223333:role/first", tc.arn})
		if tc.ok != (err == nil) {
			t.Errorf("CheckAssumeRoles(%q) = %v, want ok %v", tc.arn, err, tc.ok)
		}
		var ne *option.Named
		if err != nil && (!errors.As(err, &ne) || ne.Flag != "assume-role" || ne.Key != "assume_roles") {
			t.Errorf("CheckAssumeRoles(%q) = %#v, want an *option.Named for --assume-role, key assume_roles", tc.arn, err)
		}
		if tc.arn != "" {
			if err := CheckAssumeRole(tc.arn); tc.ok != (err == nil) {
				t.Errorf("CheckAssumeRole(%q) = %v, want ok %v", tc.arn, err, tc.ok)
			}
		}
	}
	if err := CheckAssumeRole(""); err != nil {
		t.Errorf(`CheckAssumeRole("") = %v, want nil (no role to assume)`, err)
	}
}
