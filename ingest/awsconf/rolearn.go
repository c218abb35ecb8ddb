package awsconf

import (
	"fmt"
	"regexp"

	"github.com/iamtrim/iamtrim/internal/option"
)

// roleARNRE is an IAM role ARN: a partition (aws, aws-cn, aws-us-gov,
// ...), no region, a 12-digit account, role/, an optional path and a name
// of IAM's role-name characters (at most 64).
var roleARNRE = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::\d{12}:role/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64}$`)

// CheckAssumeRole checks the value of a single --assume-role (key
// assume_role): "" (none) or an IAM role ARN, as CheckAssumeRoles.
func CheckAssumeRole(arn string) error {
	if arn == "" {
		return nil
	}
	return CheckAssumeRoles("", []string{arn})
}

// CheckAssumeRoles checks values of --assume-role, each a role to assume
// with STS: every one must be an IAM role ARN, so that a typo is a usage
// error naming the option before any AWS call (an STS request, or the
// instance metadata service looked up for base credentials), not a
// failure from AWS after them. key is the option's configuration key when
// it is not assume_role (assume_roles), for option.Keyed.
func CheckAssumeRoles(key string, arns []string) error {
	for _, a := range arns {
		if !roleARNRE.MatchString(a) {
			return &option.Named{Flag: "assume-role", Key: key,
				Err: fmt.Errorf("%q: not an IAM role ARN (want arn:aws:iam::ACCOUNT:role/NAME)", a)}
		}
	}
	return nil
}
