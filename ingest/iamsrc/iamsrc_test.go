package iamsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/internal/awstest"
)

// fakeIAM speaks the IAM (and STS AssumeRole) query protocol: form-encoded
// POSTs answered with XML, documents URL-encoded as IAM returns them.
type fakeIAM struct {
	t *testing.T
	// pages per account ("" for the base credentials' account).
	pages map[string][]*authz.Details
	// throttle is how many requests get a 400 Throttling before the first
	// success (-1: always).
	throttle int

	mu       sync.Mutex
	requests []url.Values
	auth     []string
	keyToAcc map[string]string // access key id -> account (assumed roles)
}

func (f *fakeIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		f.t.Errorf("request %s %s content type %q: not a form POST (%v)", r.Method, r.URL, r.Header.Get("Content-Type"), err)
	}
	f.mu.Lock()
	f.requests = append(f.requests, form)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	throttle := f.throttle != 0 && form.Get("Action") == "GetAccountAuthorizationDetails"
	if throttle && f.throttle > 0 {
		f.throttle--
	}
	f.mu.Unlock()

	w.Header().Set("Content-Type", "text/xml")
	switch form.Get("Action") {
	case "AssumeRole":
		f.assumeRole(w, form)
		return
	case "GetAccountAuthorizationDetails":
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", "unexpected action "+form.Get("Action"))
		return
	}
	if throttle {
		writeError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
		return
	}
	account := ""
	if key := accessKey(r.Header.Get("Authorization")); strings.HasPrefix(key, "ASIA") {
		f.mu.Lock()
		account = f.keyToAcc[key]
		f.mu.Unlock()
	}
	pages := f.pages[account]
	i := 0
	if m := form.Get("Marker"); m != "" {
		if _, err := fmt.Sscanf(m, "page-%d", &i); err != nil || i >= len(pages) {
			writeError(w, http.StatusBadRequest, "InvalidInput", "bad marker "+m)
			return
		}
	}
	marker := ""
	if i+1 < len(pages) {
		marker = fmt.Sprintf("page-%d", i+1)
	}
	awstest.WriteXML(w, awstest.AuthorizationDetailsResponse(pages[i], marker))
}

func (f *fakeIAM) assumeRole(w http.ResponseWriter, form url.Values) {
	arn := form.Get("RoleArn")
	account := strings.Split(arn, ":")[4]
	key := "ASIA" + account
	f.mu.Lock()
	f.keyToAcc[key] = account
	f.mu.Unlock()
	type creds struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	awstest.WriteXML(w, struct {
		XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleResponse"`
		Creds   creds    `xml:"AssumeRoleResult>Credentials"`
		ARN     string   `xml:"AssumeRoleResult>AssumedRoleUser>Arn"`
		ID      string   `xml:"AssumeRoleResult>AssumedRoleUser>AssumedRoleId"`
		Request string   `xml:"ResponseMetadata>RequestId"`
	}{
		Creds: creds{key, "secret", "token", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
		ARN:   arn + "/" + form.Get("RoleSessionName"), ID: "AROA:" + form.Get("RoleSessionName"), Request: "req-2",
	})
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	awstest.WriteXML(w, struct {
		XMLName   xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ ErrorResponse"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{Type: "Sender", Code: code, Message: msg, RequestID: "req-err"})
}

// accessKey returns the access key id of a SigV4 Authorization header.
func accessKey(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

// accountPages is one account's details split over three pages.
func accountPages(account string) []*authz.Details {
	arn := func(res string) string { return "arn:aws:iam::" + account + ":" + res }
	doc := func(stmt string) json.RawMessage {
		return json.RawMessage(`{"Version":"2012-10-17","Statement":[` + stmt + `]}`)
	}
	return []*authz.Details{
		{RoleDetailList: []authz.RoleDetail{{
			Path: "/", RoleName: "app", RoleID: "AROA" + account, Arn: arn("role/app"), CreateDate: "2019-08-16T17:27:59Z",
			AssumeRolePolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
			InstanceProfileList:      []authz.InstanceProfile{{InstanceProfileName: "app", Arn: arn("instance-profile/app")}},
			RolePolicyList:           []authz.InlinePolicy{{PolicyName: "put", PolicyDocument: doc(`{"Sid":"Put","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::a+b/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner full-control"}}}`)}},
			AttachedManagedPolicies:  []authz.AttachedPolicy{{PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
			PermissionsBoundary:      &authz.PermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn("policy/Boundary")},
			Tags:                     []authz.Tag{{Key: "env", Value: "prod"}},
			RoleLastUsed:             &authz.RoleLastUsed{LastUsedDate: "2024-03-01T10:00:00Z", Region: "eu-west-1"},
		}}},
		{
			UserDetailList: []authz.UserDetail{{
				Path: "/", UserName: "alice", UserID: "AIDA" + account, Arn: arn("user/alice"), CreateDate: "2019-12-18T19:10:08Z",
				UserPolicyList: []authz.InlinePolicy{{PolicyName: "own", PolicyDocument: doc(`{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}`)}},
				GroupList:      []string{"devs"},
			}},
			GroupDetailList: []authz.GroupDetail{{
				Path: "/", GroupName: "devs", GroupID: "AGPA" + account, Arn: arn("group/devs"), CreateDate: "2017-05-15T17:33:36Z",
				GroupPolicyList: []authz.InlinePolicy{{PolicyName: "g", PolicyDocument: doc(`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}`)}},
			}},
		},
		{Policies: []authz.PolicyDetail{
			{PolicyName: "Boundary", PolicyID: "ANPA1", Arn: arn("policy/Boundary"), Path: "/", DefaultVersionID: "v2", IsAttachable: true,
				CreateDate: "2020-01-29T21:24:20Z", UpdateDate: "2020-01-29T23:23:12Z",
				PolicyVersionList: []authz.PolicyVersion{
					{Document: doc(`{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}`), VersionID: "v2", IsDefaultVersion: true, CreateDate: "2020-01-29T23:23:12Z"},
					{Document: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), VersionID: "v1", CreateDate: "2020-01-29T21:24:20Z"},
				}},
			{PolicyName: "ReadOnlyAccess", PolicyID: "ANPA2", Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", Path: "/", DefaultVersionID: "v1", AttachmentCount: 1, IsAttachable: true,
				PolicyVersionList: []authz.PolicyVersion{{Document: doc(`{"Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"*"}`), VersionID: "v1", IsDefaultVersion: true}}},
		}},
	}
}

func canonical(t *testing.T, inv *authz.Inventory) string {
	t.Helper()
	if inv == nil {
		return "<nil>"
	}
	c := *inv
	c.Warnings = nil
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFetch(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
	base := credentials.NewStaticCredentialsProvider("AKIDBASE", "secret", "")
	tests := []struct {
		name         string
		throttle     int
		maxAttempts  int
		accounts     []Account
		wantAccounts []string
		wantErr      string
		wantCalls    int // GetAccountAuthorizationDetails requests
		wantKeys     []string
		wantRetries  int // retry lines logged at info
	}{
		{
			name:         "pages after a throttled first request",
			throttle:     1,
			wantAccounts: []string{"111122223333"},
			wantCalls:    4, // 1 throttled + 3 pages
			wantKeys:     []string{"AKIDBASE"},
			wantRetries:  1,
		},
		{
			name:         "two accounts through assumed roles",
			throttle:     2,
			accounts:     []Account{{AssumeRole: "arn:aws:iam::222233334444:role/audit", ExternalID: "x-1"}, {AssumeRole: "arn:aws:iam::555566667777:role/audit"}},
			wantAccounts: []string{"222233334444", "555566667777"},
			wantCalls:    8,
			wantKeys:     []string{"ASIA222233334444", "ASIA555566667777"},
			wantRetries:  2,
		},
		{
			name:        "throttled on every attempt gives up",
			throttle:    -1,
			maxAttempts: 3,
			wantErr:     "Throttling",
			wantCalls:   3,
			wantKeys:    []string{"AKIDBASE"},
			wantRetries: 2, // the third attempt is the last: no retry follows it
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeIAM{t: t, throttle: tc.throttle, keyToAcc: map[string]string{}, pages: map[string][]*authz.Details{
				"":             accountPages("111122223333"),
				"222233334444": accountPages("222233334444"),
				"555566667777": accountPages("555566667777"),
			}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			opts := Options{Region: "us-east-1", BaseEndpoint: srv.URL, Credentials: base, MaxAttempts: tc.maxAttempts, MaxBackoff: 5 * time.Millisecond}
			ctx := context.Background()
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			inv, err := FetchAccounts(ctx, opts, tc.accounts, log)
			// Every retry is logged at info with the service, operation
			// and attempt (issue 10, item 9: they were silent).
			retries := strings.Count(logs.String(), `msg="AWS call failed, retrying"`)
			if retries != tc.wantRetries || retries != strings.Count(logs.String(), "service=IAM operation=GetAccountAuthorizationDetails attempt=") {
				t.Errorf("%d retry lines, want %d, each naming IAM GetAccountAuthorizationDetails and the attempt:\n%s", retries, tc.wantRetries, logs.String())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}

			var calls int
			keys := map[string]bool{}
			for i, form := range f.requests {
				if form.Get("Action") != "GetAccountAuthorizationDetails" {
					continue
				}
				calls++
				keys[accessKey(f.auth[i])] = true
				if form.Get("Version") != "2010-05-08" || form.Get("Filter.member.1") == "" {
					t.Errorf("request %d: form %v lacks Version 2010-05-08 or Filter", i, form)
				}
			}
			if calls != tc.wantCalls {
				t.Errorf("got %d GetAccountAuthorizationDetails requests, want %d", calls, tc.wantCalls)
			}
			var gotKeys []string
			for k := range keys {
				gotKeys = append(gotKeys, k)
			}
			if diff := cmp.Diff(tc.wantKeys, gotKeys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("signing keys (-want +got):\n%s", diff)
			}
			for _, form := range f.requests {
				if form.Get("Action") == "AssumeRole" && (form.Get("RoleSessionName") != "iamtrim" ||
					(strings.Contains(form.Get("RoleArn"), "222233334444") && form.Get("ExternalId") != "x-1")) {
					t.Errorf("AssumeRole form %v: want session name iamtrim and the external id", form)
				}
			}
			if tc.wantErr != "" {
				return
			}

			// The live read equals reading the same details from files.
			var want []*authz.Inventory
			for _, a := range tc.wantAccounts {
				key := a
				if tc.accounts == nil {
					key = ""
				}
				want = append(want, authz.NewInventory("file", f.pages[key]...))
			}
			if diff := cmp.Diff(canonical(t, authz.Merge(want...)), canonical(t, inv)); diff != "" {
				t.Errorf("live inventory differs from the file reading (-file +live):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantAccounts, inv.Accounts); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			if len(inv.Warnings) > 0 {
				t.Errorf("warnings: %q", inv.Warnings)
			}
			r := inv.Roles[0]
			if st := r.Inline[0].Doc.Statements[0]; st.Resource[0] != "arn:aws:s3:::a+b/*" || st.Conditions[0].Values[0] != "bucket-owner full-control" {
				t.Errorf("URL-decoded statement = %+v, want resource arn:aws:s3:::a+b/* and value %q", st, "bucket-owner full-control")
			}
			if r.LastUsed == nil || r.Boundary == "" || r.Trust == nil {
				t.Errorf("role %+v: want last use, boundary and trust policy", r)
			}
		})
	}
}
