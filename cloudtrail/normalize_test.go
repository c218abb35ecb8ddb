package cloudtrail

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

// normalizeID normalizes the testdata record with the given eventID.
func normalizeID(t *testing.T, m *Mapper, id string) Record {
	t.Helper()
	byID, _ := testRecords(t)
	raw, ok := byID[id]
	if !ok {
		t.Fatalf("no record %q in testdata/records.json", id)
	}
	var rec Record
	if err := m.Normalize(raw, &rec); err != nil {
		t.Fatalf("Normalize(%s): %v", id, err)
	}
	return rec
}

func TestNormalizePrincipal(t *testing.T) {
	m := NewMapper(nil)
	tests := []struct {
		id   string
		want Principal
		by   string // InvokedBy
	}{
		{id: "role-path-mfa-vpce", want: Principal{
			ARN: "arn:aws:iam::" + acctA + ":role/teams/payments/app-deployer", Type: PrincipalRole, AccountID: acctA, Name: "app-deployer",
			SessionARN: "arn:aws:sts::" + acctA + ":assumed-role/app-deployer/alice"}},
		{id: "cross-account-role", want: Principal{
			ARN: "arn:aws:iam::" + acctB + ":role/producer", Type: PrincipalRole, AccountID: acctB, Name: "producer", CrossAccount: true,
			SessionARN: "arn:aws:sts::" + acctB + ":assumed-role/producer/job-1"}},
		{id: "iam-user", want: Principal{ARN: "arn:aws:iam::" + acctA + ":user/ops/bob", Type: PrincipalUser, AccountID: acctA, Name: "bob"}},
		{id: "root", want: Principal{ARN: "arn:aws:iam::" + acctA + ":root", Type: PrincipalRoot, AccountID: acctA, Name: "root"}},
		{id: "federated", want: Principal{
			ARN: "arn:aws:iam::" + acctA + ":user/ops/bob", Type: PrincipalFederated, AccountID: acctA, Name: "bob",
			SessionARN: "arn:aws:sts::" + acctA + ":federated-user/temp-bob"}},
		{id: "saml-assume", want: Principal{
			ARN: "arn:aws:iam::" + acctA + ":saml-provider/Okta", Type: PrincipalSAML, Name: "carol@example.com", Provider: "c2FtbGlzc3Vlcg=="}},
		{id: "webid-assume", want: Principal{
			ARN: "token.actions.githubusercontent.com", Type: PrincipalWebIdentity, Name: "repo:example/app:ref:refs/heads/main", Provider: "token.actions.githubusercontent.com"}},
		{id: "webid-session", want: Principal{
			ARN: "arn:aws:iam::" + acctA + ":role/github-deploy", Type: PrincipalRole, AccountID: acctA, Name: "github-deploy",
			SessionARN: "arn:aws:sts::" + acctA + ":assumed-role/github-deploy/gha",
			Provider:   "arn:aws:iam::" + acctA + ":oidc-provider/token.actions.githubusercontent.com"}},
		{id: "service", want: Principal{ARN: "lambda.amazonaws.com", Type: PrincipalService, Name: "lambda.amazonaws.com"}, by: "lambda.amazonaws.com"},
		{id: "invoked-by", want: Principal{
			ARN: "arn:aws:iam::" + acctA + ":role/teams/payments/app-deployer", Type: PrincipalRole, AccountID: acctA, Name: "app-deployer",
			SessionARN: "arn:aws:sts::" + acctA + ":assumed-role/app-deployer/alice"}, by: "secretsmanager.amazonaws.com"},
		{id: "aws-account", want: Principal{ARN: "arn:aws:iam::" + acctB + ":root", Type: PrincipalAccount, AccountID: acctB, Name: acctB, CrossAccount: true}},
		{id: "anonymous", want: Principal{Type: PrincipalAnonymous, Name: "ANONYMOUS_PRINCIPAL"}},
		{id: "identity-center", want: Principal{
			ARN: "arn:aws:identitystore::111122223333:identitystore/d-9067c2fd4a/user/94482488-3041-7026-18f3-be45837cd0e4", Type: PrincipalIdentityCenter,
			AccountID: acctA, Name: "94482488-3041-7026-18f3-be45837cd0e4"}},
		{id: "unknown-type", want: Principal{Type: PrincipalUnknown, AccountID: acctA, Name: "dave"}},
		{id: `escaped\u0041`, want: Principal{ARN: "arn:aws:iam::" + acctA + ":user/ops/bob", Type: PrincipalUser, AccountID: acctA, Name: "böb"}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			rec := normalizeID(t, m, tc.id)
			if diff := cmp.Diff(tc.want, rec.Principal); diff != "" {
				t.Errorf("Principal (-want +got):\n%s", diff)
			}
			if rec.InvokedBy != tc.by {
				t.Errorf("InvokedBy = %q, want %q", rec.InvokedBy, tc.by)
			}
		})
	}
}

func TestNormalizeOutcome(t *testing.T) {
	m := NewMapper(nil)
	tests := []struct {
		id      string
		outcome Outcome
		code    string
	}{
		{"role-path-mfa-vpce", OutcomeSuccess, ""},
		{"denied-accessdenied", OutcomeDenied, "AccessDenied"},
		{"denied-exception", OutcomeDenied, "AccessDeniedException"},
		{"denied-ec2", OutcomeDenied, "Client.UnauthorizedOperation"},
		{"error-nosuchkey", OutcomeSuccess, "NoSuchKey"},
		{"error-validation", OutcomeSuccess, "ValidationException"},
		{"error-throttling", OutcomeSuccess, "ThrottlingException"},
		{"error-conditional", OutcomeSuccess, "ConditionalCheckFailedException"},
		{"error-expired", OutcomeUnauthenticated, "ExpiredToken"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			rec := normalizeID(t, m, tc.id)
			if rec.Outcome != tc.outcome || rec.ErrorCode != tc.code {
				t.Errorf("Outcome, ErrorCode = %v, %q; want %v, %q", rec.Outcome, rec.ErrorCode, tc.outcome, tc.code)
			}
		})
	}
}

func TestClassifyError(t *testing.T) {
	tests := []struct {
		code string
		want Outcome
	}{
		{"", OutcomeSuccess},
		{"AccessDenied", OutcomeDenied},
		{"AccessDeniedException", OutcomeDenied},
		{"UnauthorizedOperation", OutcomeDenied},
		{"Client.UnauthorizedOperation", OutcomeDenied},
		{"Client.AccessDenied", OutcomeDenied},
		{"AuthorizationError", OutcomeDenied},
		{"AccessDeniedByPolicyException", OutcomeDenied},
		{"VpceAccessDenied", OutcomeDenied},
		{"NoSuchKey", OutcomeSuccess},
		{"NoSuchBucket", OutcomeSuccess},
		{"ValidationException", OutcomeSuccess},
		{"ThrottlingException", OutcomeSuccess},
		{"Client.RequestLimitExceeded", OutcomeSuccess},
		{"ConditionalCheckFailedException", OutcomeSuccess},
		{"ResourceNotFoundException", OutcomeSuccess},
		{"KMSAccessDeniedException", OutcomeSuccess}, // Lambda: the function's KMS access, not the caller's
		{"ExpiredToken", OutcomeUnauthenticated},
		{"InvalidClientTokenId", OutcomeUnauthenticated},
		{"Client.AuthFailure", OutcomeUnauthenticated},
		{"SignatureDoesNotMatch", OutcomeUnauthenticated},
		// Authentication failures some services prefix with their name.
		{"CloudTrailInvalidClientTokenIdException", OutcomeUnauthenticated},
		{"InvalidClientTokenIdException", OutcomeUnauthenticated},
		{"UnrecognizedClientException", OutcomeUnauthenticated},
		{"KinesisExpiredTokenException", OutcomeUnauthenticated},
		{"ExpiredTokenException", OutcomeUnauthenticated},
		{"InvalidSignatureException", OutcomeUnauthenticated},
		{"MissingAuthenticationTokenException", OutcomeUnauthenticated},
		{"NotAuthorizedException", OutcomeSuccess}, // Cognito: the end user's login failed, after the call was authorized
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if got := classifyError(tc.code); got != tc.want {
				t.Errorf("classifyError(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}

func TestNormalizeAccess(t *testing.T) {
	m := NewMapper(nil)
	s3obj := "arn:aws:s3:::payments-data/2025/03/report.csv"
	role := func(n string) string { return "arn:aws:iam::" + acctA + ":role/" + n }
	tests := []struct {
		id     string
		kind   MappingKind
		access []Access
	}{
		{"role-path-mfa-vpce", Mapped, []Access{{Action: "s3:GetObject", Resource: s3obj}}},
		{"s3-bucket", Mapped, []Access{{Action: "s3:GetBucketPolicy", Resource: "arn:aws:s3:::payments-data"}}},
		{"denied-accessdenied", Mapped, []Access{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::payments-data"}}},
		{"error-nosuchkey", Mapped, []Access{{Action: "s3:GetObjectVersion", Resource: "arn:aws:s3:::payments-data/missing.csv"}}},
		{"s3-copy", Mapped, []Access{
			{Action: "s3:PutObject", Resource: "arn:aws:s3:::archive/2025/copy.csv"},
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::payments-data/2025/03/report final.csv"}}},
		{"aws-account", Mapped, []Access{{Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/a.txt"}}},
		{"ipv6-source", Mapped, []Access{{Action: "s3:ListAllMyBuckets", Resource: ""}}},
		{"error-validation", Mapped, []Access{{Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:" + acctA + ":table/orders"}}},
		{"error-conditional", Mapped, []Access{{Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:us-east-1:" + acctA + ":table/orders"}}},
		{"partiql", Mapped, []Access{{Action: "dynamodb:PartiQLSelect", Resource: ""}}},
		{"transact-write", Mapped, []Access{{Action: "dynamodb:PutItem", Resource: ""}, {Action: "dynamodb:ConditionCheckItem", Resource: ""}}},
		{"cross-account-role", Mapped, []Access{{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:" + acctA + ":orders"}}},
		{"sns-publish", Mapped, []Access{{Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:" + acctA + ":alerts"}}},
		{"kms-decrypt-keyid", Mapped, []Access{{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:" + acctA + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
		{"invoked-by", Mapped, []Access{{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:" + acctA + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
		{"kms-reencrypt", Mapped, []Access{
			{Action: "kms:ReEncryptFrom", Resource: "arn:aws:kms:us-east-1:" + acctA + ":key/1111aaaa-11aa-11aa-11aa-111111111111"},
			{Action: "kms:ReEncryptTo", Resource: "arn:aws:kms:us-east-1:" + acctA + ":key/2222bbbb-22bb-22bb-22bb-222222222222"}}},
		{"lambda-invoke", Mapped, []Access{{Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:" + acctA + ":function:billing"}}},
		{"denied-exception", Mapped, []Access{{Action: "lambda:GetFunction", Resource: "arn:aws:lambda:us-east-1:" + acctA + ":function:billing"}}},
		{"lambda-create", Mapped, []Access{
			{Action: "lambda:CreateFunction", Resource: "arn:aws:lambda:us-east-1:" + acctA + ":function:billing"},
			{Action: "iam:PassRole", Resource: role("service-role/billing-exec")}}},
		{"secret-by-name", Mapped, []Access{{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:" + acctA + ":secret:prod/db-??????"}}},
		{"error-throttling", Mapped, []Access{{Action: "ssm:GetParameter", Resource: "arn:aws:ssm:us-east-1:" + acctA + ":parameter/app/db/password"}}},
		{"ssm-get-parameters", Mapped, []Access{
			{Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:" + acctA + ":parameter/app/a"},
			{Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:" + acctA + ":parameter/app-b"}}},
		{"logs-put", Mapped, []Access{{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:" + acctA + ":log-group:/aws/lambda/billing:log-stream:2025/03/04/[$LATEST]abc"}}},
		{"ecs-taskdef", Mapped, []Access{
			{Action: "ecs:RegisterTaskDefinition", Resource: ""},
			{Action: "iam:PassRole", Resource: role("web-task")},
			{Action: "iam:PassRole", Resource: role("ecsTaskExecutionRole")}}},
		{"cfn-stack", Mapped, []Access{{Action: "cloudformation:CreateStack", Resource: "arn:aws:cloudformation:us-east-1:" + acctA + ":stack/net/*"}, {Action: "iam:PassRole", Resource: role("cfn-exec")}}},
		{"denied-ec2", Mapped, []Access{{Action: "ec2:RunInstances"}, {Action: "iam:PassRole", Via: "arn:aws:iam::" + acctA + ":instance-profile/web"}}},
		{"service", Mapped, []Access{{Action: "sts:AssumeRole", Resource: role("service-role/fn-role")}}},
		{"iam-user", Mapped, []Access{{Action: "iam:CreateRole", Resource: role("new-role")}}},
		{"monitoring", Mapped, []Access{{Action: "cloudwatch:PutMetricData", Resource: ""}}},
		{"cloudfront-versioned", Mapped, []Access{{Action: "cloudfront:UpdateDistribution", Resource: ""}}},
		{"apigateway", Mapped, []Access{{Action: "apigateway:POST", Resource: "arn:aws:apigateway:us-east-1::/restapis"}}},
		{"unmapped-service", Mapped, []Access{{Action: "madeup:DoThing", Resource: ""}}}, // naming rule without a catalog
		{"permissionless-gci", Permissionless, nil},
		{"federated", Permissionless, nil},
		{"console-login", Permissionless, nil},
		{"saml-assume", Permissionless, nil},
		{"webid-assume", Permissionless, nil},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			rec := normalizeID(t, m, tc.id)
			if rec.Mapping != tc.kind {
				t.Errorf("Mapping = %v, want %v", rec.Mapping, tc.kind)
			}
			if diff := cmp.Diff(tc.access, rec.Access); diff != "" {
				t.Errorf("Access (-want +got):\n%s", diff)
			}
			// Actions and Resources are the distinct values of Access.
			var acts, res []string
			for _, a := range tc.access {
				acts = appendUnique(acts, a.Action)
				res = appendUnique(res, a.Resource)
			}
			if diff := cmp.Diff(acts, rec.Actions); diff != "" {
				t.Errorf("Actions (-want +got):\n%s", diff)
			}
			for _, r := range res {
				if !contains(rec.Resources, r) {
					t.Errorf("Resources %q lack %q", rec.Resources, r)
				}
			}
		})
	}
}

func TestNormalizeContext(t *testing.T) {
	m := NewMapper(nil)
	tests := []struct {
		id       string
		ctx      Context
		mgmt, ro bool
	}{
		{"role-path-mfa-vpce", Context{SourceIP: "203.0.113.7", VPCEndpointID: "vpce-0abc123def4567890", MFA: true, UserAgentClass: UASDKGo}, false, true},
		{"cross-account-role", Context{SourceIP: "203.0.113.7", UserAgentClass: UASDKPython}, true, false},
		{"iam-user", Context{SourceIP: "203.0.113.7", UserAgentClass: UAConsole}, true, false},
		{"root", Context{SourceIP: "203.0.113.7", MFA: true, UserAgentClass: UAConsole}, true, true},
		{"service", Context{UserAgentClass: UAService}, true, true},
		{"console-login", Context{SourceIP: "203.0.113.7", MFA: true, UserAgentClass: UAConsole}, true, false},
		{"cloudfront-versioned", Context{SourceIP: "203.0.113.7", UserAgentClass: UATerraform}, true, false},
		{"monitoring", Context{SourceIP: "203.0.113.7", UserAgentClass: UASDKJava}, true, false},
		{"webid-assume", Context{SourceIP: "203.0.113.7", UserAgentClass: UASDKJS}, true, false},
		{"ipv6-source", Context{SourceIP: "2001:db8::1", UserAgentClass: UACLI}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			rec := normalizeID(t, m, tc.id)
			if diff := cmp.Diff(tc.ctx, rec.Context); diff != "" {
				t.Errorf("Context (-want +got):\n%s", diff)
			}
			if rec.Management != tc.mgmt || rec.ReadOnly != tc.ro {
				t.Errorf("Management, ReadOnly = %v, %v; want %v, %v", rec.Management, rec.ReadOnly, tc.mgmt, tc.ro)
			}
		})
	}
}

func TestNormalizeBasicFields(t *testing.T) {
	m := NewMapper(nil)
	rec := normalizeID(t, m, "lambda-create")
	want := Record{
		EventID:     "lambda-create",
		EventTime:   time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
		EventSource: "lambda.amazonaws.com",
		EventName:   "CreateFunction20150331", // as logged; the action has the suffix stripped
		AccountID:   acctA,
		Region:      "us-east-1",
		EventType:   "AwsApiCall",
		Management:  true,
	}
	got := Record{EventID: rec.EventID, EventTime: rec.EventTime, EventSource: rec.EventSource, EventName: rec.EventName,
		AccountID: rec.AccountID, Region: rec.Region, EventType: rec.EventType, Management: rec.Management, ReadOnly: rec.ReadOnly}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Record (-want +got):\n%s", diff)
	}
	if rec := normalizeID(t, m, `escaped\u0041`); rec.EventID != `escaped\u0041` {
		t.Errorf("EventID = %q, want the unescaped backslash form", rec.EventID)
	}
}

func TestNormalizeInvalid(t *testing.T) {
	m := NewMapper(nil)
	const ui = `"userIdentity":{"type":"Root","accountId":"111122223333"}`
	const base = `"eventID":"e","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"`
	tests := []struct {
		name, raw, want string
		is              error
	}{
		{"valid", `{` + base + `,` + ui + `}`, "", nil},
		{"missing eventID", `{"eventTime":"2025-01-01T00:00:00Z","eventSource":"s","eventName":"n",` + ui + `}`, "missing required field eventID", ErrMissingField},
		{"eventID not a string", `{"eventID":5,"eventTime":"2025-01-01T00:00:00Z","eventSource":"s","eventName":"n",` + ui + `}`, "missing required field eventID", ErrMissingField},
		{"missing eventTime", `{"eventID":"e","eventSource":"s","eventName":"n",` + ui + `}`, "eventTime", ErrMissingField},
		{"missing eventSource", `{"eventID":"e","eventTime":"2025-01-01T00:00:00Z","eventName":"n",` + ui + `}`, "eventSource", ErrMissingField},
		{"missing eventName", `{"eventID":"e","eventTime":"2025-01-01T00:00:00Z","eventSource":"s",` + ui + `}`, "eventName", ErrMissingField},
		{"missing userIdentity", `{` + base + `}`, "userIdentity", ErrMissingField},
		{"null userIdentity", `{` + base + `,"userIdentity":null}`, "userIdentity", ErrMissingField},
		{"bad time", `{"eventID":"e","eventTime":"yesterday","eventSource":"s","eventName":"n",` + ui + `}`, "eventTime: not an RFC 3339 time", nil},
		{"impossible date", `{"eventID":"e","eventTime":"2025-02-30T00:00:00Z","eventSource":"s","eventName":"n",` + ui + `}`, "eventTime", nil},
		{"not an object", `[1]`, "not a JSON object", nil},
		{"truncated", `{` + base + `,"userIdentity":{"type":"Ro`, "unexpected end of JSON input", nil},
		{"bad literal", `{` + base + `,` + ui + `,"readOnly":tru}`, "invalid character", nil},
		{"trailing data", `{` + base + `,` + ui + `} x`, "invalid data after top-level value", nil},
		{"bad escape", `{` + base + `,` + ui + `,"x":"\q"}`, "invalid character", nil},
		{"control char in string", "{" + base + "," + ui + ",\"x\":\"a\x01\"}", "invalid character", nil},
		{"insights event", `{"eventID":"e","eventTime":"2025-01-01T00:00:00Z","eventCategory":"Insight","eventType":"AwsCloudTrailInsight"}`, "insights event", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			err := m.Normalize([]byte(tc.raw), &rec)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Normalize: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Normalize error = %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
		})
	}
}

// TestNormalizeBounds feeds absurd sizes: long strings are cut, huge
// resource lists are capped, and nothing fails.
func TestNormalizeBounds(t *testing.T) {
	m := NewMapper(nil)
	long := strings.Repeat("é", 100000) // 2 bytes each
	var res strings.Builder
	for i := 0; i < 10000; i++ {
		if i > 0 {
			res.WriteByte(',')
		}
		res.WriteString(`{"ARN":"arn:aws:s3:::b/` + strings.Repeat("k", i%50) + `x` + itoa(i) + `","type":"AWS::S3::Object"}`)
	}
	raw := `{"eventID":"` + long + `","eventTime":"2025-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"Describe` + strings.Repeat("X", 5000) + `",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/` + long + `","accountId":"111122223333","userName":"` + long + `"},` +
		`"errorCode":"` + long + `","resources":[` + res.String() + `]}`
	var rec Record
	if err := m.Normalize([]byte(raw), &rec); err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	checks := []struct {
		name string
		s    string
		max  int
	}{
		{"EventID", rec.EventID, maxIDLen},
		{"EventName", rec.EventName, maxNameLen},
		{"ErrorCode", rec.ErrorCode, maxNameLen},
		{"Principal.ARN", rec.Principal.ARN, maxARNLen},
		{"Principal.Name", rec.Principal.Name, maxIDLen},
	}
	for _, c := range checks {
		if len(c.s) > c.max || len(c.s) < c.max-1 {
			t.Errorf("len(%s) = %d, want about %d", c.name, len(c.s), c.max)
		}
		if !utf8Valid(c.s) {
			t.Errorf("%s was cut inside a rune", c.name)
		}
	}
	if len(rec.Resources) > maxResources {
		t.Errorf("%d resources kept, want at most %d", len(rec.Resources), maxResources)
	}
	if len(rec.Access) > 4*maxResources {
		t.Errorf("%d access pairs kept, want at most %d", len(rec.Access), 4*maxResources)
	}
}

// TestNormalizeReusesRecord checks nothing leaks from one record into the
// next when a Record is reused.
func TestNormalizeReusesRecord(t *testing.T) {
	m := NewMapper(nil)
	byID, order := testRecords(t)
	var reused Record
	for _, id := range order {
		var fresh Record
		if err := m.Normalize(byID[id], &fresh); err != nil {
			t.Fatal(err)
		}
		if err := m.Normalize(byID[id], &reused); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fresh, reused, cmp.Comparer(func(a, b []string) bool { return cmp.Equal(nilIfNone(a), nilIfNone(b)) }),
			cmp.Comparer(func(a, b []Access) bool { return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b)) })); diff != "" {
			t.Errorf("%s: reused record differs (-fresh +reused):\n%s", id, diff)
		}
	}
}

func nilIfNone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestNormalizeGolden pins the full Record of every testdata record.
func TestNormalizeGolden(t *testing.T) {
	m := NewMapper(nil)
	byID, order := testRecords(t)
	out := map[string]Record{}
	for _, id := range order {
		var rec Record
		if err := m.Normalize(byID[id], &rec); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		out[id] = rec
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/records.golden.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestNormalizeGolden -update)", err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), strings.TrimSpace(string(got))); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if intended:\n%s", golden, diff)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestNormalizeConcurrent runs one Mapper from several goroutines (the
// mapping cache and the intern table are shared) and checks every result
// against a serial run. Run with -race.
func TestNormalizeConcurrent(t *testing.T) {
	byID, order := testRecords(t)
	serial := map[string]Record{}
	for _, id := range order {
		var rec Record
		if err := NewMapper(nil).Normalize(byID[id], &rec); err != nil {
			t.Fatal(err)
		}
		serial[id] = rec
	}
	m := NewMapper(nil)
	errs := make(chan string, 100)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- struct{}{} }()
			var rec Record
			for n := 0; n < 50; n++ {
				id := order[(n*7+g)%len(order)]
				if err := m.Normalize(byID[id], &rec); err != nil {
					errs <- err.Error()
					return
				}
				if !cmp.Equal(serial[id], rec, cmp.Comparer(func(a, b []string) bool { return cmp.Equal(nilIfNone(a), nilIfNone(b)) }),
					cmp.Comparer(func(a, b []Access) bool { return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b)) })) {
					errs <- id + ": differs from the serial result"
					return
				}
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Athena and CloudTrail Lake results write eventTime without a zone, with
// a space and milliseconds; it is UTC. Other forms stay refused.
func TestParseTimeForms(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"2025-01-21T17:49:47Z", "2025-01-21T17:49:47Z", ""},
		{"2025-01-21T17:49:47.250+01:00", "2025-01-21T16:49:47.25Z", ""},
		{"2025-01-21 17:49:47.000", "2025-01-21T17:49:47Z", ""},
		{"2025-01-21 17:49:47.123", "2025-01-21T17:49:47.123Z", ""},
		{"2025-01-21 17:49:47", "2025-01-21T17:49:47Z", ""},
		{"2025-02-30 17:49:47.000", "", "Athena"},
		{"2025-01-21 17:49", "", "RFC 3339"},
		{"2025-01-21 17:49:47 +0100", "", "Athena"},
		{"yesterday", "", "RFC 3339"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseTime([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseTime(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseTime(%q): %v", tc.in, err)
			}
			if s := got.Format(time.RFC3339Nano); s != tc.want || got.Location() != time.UTC {
				t.Errorf("parseTime(%q) = %s (%v); want %s UTC", tc.in, s, got.Location(), tc.want)
			}
		})
	}
}

func TestIsLogName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.json": true, "a.json.gz": true, "a.jsonl": true, "a.jsonl.gz": true, "a.ndjson": true, "a.ndjson.gz": true,
		"a.csv": false, "a.gz": false, "a.json.bz2": false, "jsonl": false, "a.txt": false,
	} {
		if got := IsLogName(name); got != want {
			t.Errorf("IsLogName(%q) = %v, want %v", name, got, want)
		}
	}
}
