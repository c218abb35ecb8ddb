// Package iamsrc reads the authorization inventory from the live IAM API:
// GetAccountAuthorizationDetails, every page, with the SDK's retryer set up
// for IAM's throttling, optionally through sts:AssumeRole into several
// accounts. The pages are converted into authz.Details, the shape of the
// `aws iam get-account-authorization-details` output, so a live read and a
// file read go through the same authz.NewInventory.
//
// It is the `aws` source of `iamtrim ingest authz`; the command line wires
// its flags (--profile, --region, --endpoint-url, --assume-role) into
// Options.
package iamsrc
