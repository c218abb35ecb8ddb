package awsconf

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// ReadonlyPolicy is the least-privilege policy iamtrim needs, shipped in
// the repository; AccessDenied messages point at it.
const ReadonlyPolicy = "docs/iamtrim-readonly-policy.json"

// Error is an AWS failure said in one line a user can act on; Unwrap gives
// the SDK's error with its whole chain.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Explain turns the AWS failures a user can act on into one line: no
// credentials anywhere in the SDK's chain (what to provide, and how), and
// AccessDenied (which call, and the policy in docs/ that grants it). Other
// errors are returned as they are. Every command passes its error through
// it, so each AWS path says the same.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) && accessDenied[api.ErrorCode()] {
		call := "a call"
		var op *smithy.OperationError
		if errors.As(err, &op) {
			call = op.ServiceID + " " + op.OperationName
		}
		return &Error{Err: err, Msg: fmt.Sprintf("AWS denied %s (%s: %s): the identity iamtrim runs as needs the read-only permissions in %s",
			call, api.ErrorCode(), api.ErrorMessage(), ReadonlyPolicy)}
	}
	if noCredentials(err) {
		return &Error{Err: err, Msg: "no AWS credentials found (environment, shared config and credentials files, SSO, container and instance roles were tried): " +
			"name a profile with --profile or AWS_PROFILE, export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with a role (instance profile, ECS task role, EKS web identity)"}
	}
	return err
}

// accessDenied are the error codes AWS services use for a call the
// caller's policies do not allow.
var accessDenied = map[string]bool{"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true}

// noCredentials reports whether err is the SDK's credential chain coming
// up empty: the chain's last resort, the instance metadata service, failed
// inside the credential lookup (it carries no error type of its own).
func noCredentials(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if op, ok := e.(*smithy.OperationError); ok && op.ServiceID == "ec2imds" {
			return true
		}
	}
	return false
}
