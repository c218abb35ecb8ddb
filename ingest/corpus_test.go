package ingest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCatalog knows a few services and takes every action name in them as
// valid: enough for the mapper to tell mapped from unmapped events in
// tests. (A fake of the cloudtrail.Catalog interface, not of the database.)
type testCatalog struct{}

var testServices = map[string]bool{"s3": true, "iam": true, "ec2": true, "sts": true, "lambda": true, "kms": true, "signin": true, "cloudtrail": true}

func (testCatalog) Action(name string) (string, bool) {
	svc, act, ok := strings.Cut(name, ":")
	if !ok || !testServices[strings.ToLower(svc)] || act == "" {
		return "", false
	}
	return strings.ToLower(svc) + ":" + act, true
}
func (testCatalog) HasService(prefix string) bool                       { return testServices[prefix] }
func (testCatalog) OperationActions(service, operation string) []string { return nil }
func (testCatalog) ResourceARNFormats(service, rt string) []string      { return nil }
func (testCatalog) TagOnCreate(action string) string                    { return "" }

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

var day0 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// identities are the userIdentity blocks of every caller type CloudTrail
// logs, with the principal ARN and type ingest must store for each.
var identities = []struct {
	name, wantARN, wantType string
	ui                      map[string]any
	// eventSource/eventName when the identity implies a call
	// (SAML/web-identity sessions are the AssumeRoleWith* calls).
	source, event string
	req           map[string]any
}{
	{name: "iam-user", wantARN: "arn:aws:iam::111111111111:user/alice", wantType: "IAMUser",
		ui: map[string]any{"type": "IAMUser", "principalId": "AIDAALICE", "arn": "arn:aws:iam::111111111111:user/alice", "accountId": acctA, "userName": "alice"}},
	{name: "assumed-role", wantARN: "arn:aws:iam::111111111111:role/svc/app", wantType: "AssumedRole",
		ui: map[string]any{"type": "AssumedRole", "principalId": "AROAAPP:s1", "arn": "arn:aws:sts::111111111111:assumed-role/app/s1", "accountId": acctA,
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAAPP", "arn": "arn:aws:iam::111111111111:role/svc/app", "accountId": acctA, "userName": "app"},
				"attributes":    map[string]any{"mfaAuthenticated": "true", "creationDate": "2026-07-01T00:00:00Z"}}}},
	{name: "assumed-role-invoked-by", wantARN: "arn:aws:iam::111111111111:role/svc/app", wantType: "AssumedRole",
		ui: map[string]any{"type": "AssumedRole", "principalId": "AROAAPP:s2", "arn": "arn:aws:sts::111111111111:assumed-role/app/s2", "accountId": acctA,
			"invokedBy": "cloudformation.amazonaws.com",
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAAPP", "arn": "arn:aws:iam::111111111111:role/svc/app", "accountId": acctA, "userName": "app"}}}},
	{name: "cross-account-role", wantARN: "arn:aws:iam::222222222222:role/auditor", wantType: "AssumedRole",
		ui: map[string]any{"type": "AssumedRole", "principalId": "AROAAUD:s", "arn": "arn:aws:sts::222222222222:assumed-role/auditor/s", "accountId": acctB,
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAAUD", "arn": "arn:aws:iam::222222222222:role/auditor", "accountId": acctB, "userName": "auditor"}}}},
	{name: "federated-user", wantARN: "arn:aws:iam::111111111111:user/bob", wantType: "FederatedUser",
		ui: map[string]any{"type": "FederatedUser", "principalId": "111111111111:bob", "arn": "arn:aws:sts::111111111111:federated-user/bob", "accountId": acctA,
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "IAMUser", "principalId": "AIDABOB", "arn": "arn:aws:iam::111111111111:user/bob", "accountId": acctA, "userName": "bob"}}}},
	{name: "root", wantARN: "arn:aws:iam::111111111111:root", wantType: "Root",
		ui: map[string]any{"type": "Root", "principalId": acctA, "arn": "arn:aws:iam::111111111111:root", "accountId": acctA}},
	{name: "aws-service", wantARN: "lambda.amazonaws.com", wantType: "AWSService",
		ui: map[string]any{"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}},
	{name: "aws-account", wantARN: "arn:aws:iam::222222222222:root", wantType: "AWSAccount",
		ui: map[string]any{"type": "AWSAccount", "principalId": "AIDAX", "accountId": acctB}},
	{name: "anonymous", wantARN: "anonymous", wantType: "Anonymous",
		ui: map[string]any{"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}},
	{name: "saml-user", wantARN: "arn:aws:iam::111111111111:saml-provider/okta", wantType: "SAMLUser",
		ui:     map[string]any{"type": "SAMLUser", "principalId": "x:carol", "userName": "carol", "identityProvider": "x"},
		source: "sts.amazonaws.com", event: "AssumeRoleWithSAML",
		req: map[string]any{"roleArn": "arn:aws:iam::111111111111:role/sso", "principalArn": "arn:aws:iam::111111111111:saml-provider/okta"}},
	{name: "web-identity-user", wantARN: "accounts.google.com", wantType: "WebIdentityUser",
		ui:     map[string]any{"type": "WebIdentityUser", "principalId": "accounts.google.com:app:dave", "userName": "dave", "identityProvider": "accounts.google.com"},
		source: "sts.amazonaws.com", event: "AssumeRoleWithWebIdentity",
		req: map[string]any{"roleArn": "arn:aws:iam::111111111111:role/web"}},
	{name: "identity-center-user", wantARN: "arn:aws:identitystore::111111111111:identitystore/d-1/user/u-1", wantType: "IdentityCenterUser",
		ui: map[string]any{"type": "IdentityCenterUser", "principalId": "u-1", "accountId": acctA,
			"onBehalfOf": map[string]any{"userId": "u-1", "identityStoreArn": "arn:aws:identitystore::111111111111:identitystore/d-1"}}},
}

// outcomes are the error codes of each outcome kind.
var outcomes = []struct {
	name, code string
}{
	{name: "success"},
	{name: "denied", code: "AccessDenied"},
	{name: "failed after authorization", code: "NoSuchBucket"},
	{name: "unauthenticated", code: "ExpiredToken"},
}

// calls are the (eventSource, eventName) the generator draws from; the last
// is unmapped (no such service in testCatalog), the one before needs no
// permission.
var calls = [][2]string{
	{"s3.amazonaws.com", "ListBuckets"},
	{"iam.amazonaws.com", "ListUsers"},
	{"ec2.amazonaws.com", "DescribeInstances"},
	{"s3.amazonaws.com", "GetBucketPolicy"},
	{"kms.amazonaws.com", "ListKeys"},
	{"sts.amazonaws.com", "GetCallerIdentity"},
	{"madeup.amazonaws.com", "DoSomething"},
}

// event builds record i: identity i%len, outcome (i/len)%len, call
// (i/7)%len, at minute i from day0 + dayOffset days.
func event(i, dayOffset int, account, region string) map[string]any {
	id := identities[i%len(identities)]
	oc := outcomes[(i/3)%len(outcomes)]
	c := calls[(i/5)%len(calls)]
	src, name := c[0], c[1]
	var req any
	if id.source != "" {
		src, name, req = id.source, id.event, id.req
	}
	if name == "GetBucketPolicy" {
		req = map[string]any{"bucketName": fmt.Sprintf("bucket-%d", i%3)}
	}
	rec := map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       id.ui,
		"eventTime":          day0.AddDate(0, 0, dayOffset).Add(time.Duration(i%1440) * time.Minute).Format(time.RFC3339),
		"eventSource":        src,
		"eventName":          name,
		"awsRegion":          region,
		"sourceIPAddress":    fmt.Sprintf("198.51.100.%d", i%250),
		"userAgent":          "aws-cli/2.15.0 Python/3.11",
		"requestParameters":  req,
		"responseElements":   nil,
		"requestID":          fmt.Sprintf("req-%d", i),
		"eventID":            fmt.Sprintf("%08x-0000-4000-8000-%012x", dayOffset, i),
		"readOnly":           true,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": account,
		"eventCategory":      "Management",
	}
	if oc.code != "" {
		rec["errorCode"] = oc.code
		rec["errorMessage"] = "test"
	}
	if i%11 == 0 {
		rec["vpcEndpointId"] = "vpce-0123456789abcdef0"
	}
	return rec
}

// events returns n records starting at index from.
func events(from, n, dayOffset int, account, region string) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = event(from+i, dayOffset, account, region)
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// shape encodings of a list of records.
func asRecords(t testing.TB, recs []map[string]any) []byte {
	return mustJSON(t, map[string]any{"Records": recs})
}

func asArray(t testing.TB, recs []map[string]any) []byte { return mustJSON(t, recs) }

func asLines(t testing.TB, recs []map[string]any) []byte {
	var b bytes.Buffer
	for _, r := range recs {
		b.Write(mustJSON(t, r))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func asLookupEvents(t testing.TB, recs []map[string]any) []byte {
	evs := make([]map[string]any, len(recs))
	for i, r := range recs {
		evs[i] = map[string]any{"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": string(mustJSON(t, r))}
	}
	return mustJSON(t, map[string]any{"Events": evs})
}

// writeCorpus writes files×perFile records in S3 delivery format (gzip)
// over days, as a trail would, and returns the directory.
func writeCorpus(t testing.TB, dir string, files, perFile, days int) {
	t.Helper()
	for f := range files {
		d := f % days
		region := []string{"us-east-1", "eu-west-1"}[f%2]
		acct := []string{acctA, acctB}[(f/2)%2]
		name := filepath.Join(dir, "AWSLogs", acct, "CloudTrail", region, day0.AddDate(0, 0, d).Format("2006/01/02"),
			fmt.Sprintf("%s_CloudTrail_%s_%d.json.gz", acct, region, f))
		writeFile(t, name, gz(t, asRecords(t, events(f*perFile, perFile, d, acct, region))))
	}
}
