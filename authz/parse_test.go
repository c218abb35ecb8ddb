package authz

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// pageJSON is one account's details in the CLI's shape, documents as JSON
// objects. The '+' and ' ' in values check that URL decoding keeps them.
const pageJSON = `{
 "UserDetailList":[{"Path":"/","UserName":"alice","UserId":"AIDA1","Arn":"arn:aws:iam::111122223333:user/alice",
   "CreateDate":"2019-12-18 19:10:08+00:00","GroupList":["devs"],"AttachedManagedPolicies":[],
   "Tags":[{"Key":"team","Value":"data eng"}]}],
 "GroupDetailList":[{"Path":"/","GroupName":"devs","GroupId":"AGPA1","Arn":"arn:aws:iam::111122223333:group/devs",
   "CreateDate":"2017-05-15T17:33:36Z",
   "GroupPolicyList":[{"PolicyName":"g","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}}],
   "AttachedManagedPolicies":[{"PolicyName":"ReadOnlyAccess","PolicyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]}],
 "RoleDetailList":[{"Path":"/service/","RoleName":"app","RoleId":"AROA1","Arn":"arn:aws:iam::111122223333:role/service/app",
   "CreateDate":"2019-08-16 17:27:59+00:00",
   "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},
   "InstanceProfileList":[{"InstanceProfileName":"app","Arn":"arn:aws:iam::111122223333:instance-profile/app"}],
   "RolePolicyList":[{"PolicyName":"inline","PolicyDocument":{"Version":"2012-10-17","Statement":[
     {"Sid":"Put","Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::a+b/*",
      "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner full"}}}]}}],
   "AttachedManagedPolicies":[{"PolicyName":"Local","PolicyArn":"arn:aws:iam::111122223333:policy/Local"}],
   "PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::111122223333:policy/Local"},
   "Tags":[{"Key":"env","Value":"prod"}],
   "RoleLastUsed":{"LastUsedDate":"2024-03-01T10:00:00Z","Region":"eu-west-1"}}],
 "Policies":[
  {"PolicyName":"Local","PolicyId":"ANPA1","Arn":"arn:aws:iam::111122223333:policy/Local","Path":"/","DefaultVersionId":"v2",
   "PolicyVersionList":[
    {"VersionId":"v2","IsDefaultVersion":true,"CreateDate":"2020-01-29 23:23:12+00:00","Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}},
    {"VersionId":"v1","IsDefaultVersion":false,"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]},
  {"PolicyName":"ReadOnlyAccess","Arn":"arn:aws:iam::aws:policy/ReadOnlyAccess","Path":"/","DefaultVersionId":"v1",
   "PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"*"}]}}]}]}`

// awsEncode percent-encodes as IAM does (RFC 3986: all but unreserved
// characters), so '+' is %2B and ' ' is %20.
func awsEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// encodeDocuments rewrites every document in a page as the API returns
// it: a string of URL-encoded JSON.
func encodeDocuments(t *testing.T, page string) string {
	t.Helper()
	var d Details
	if err := json.Unmarshal([]byte(page), &d); err != nil {
		t.Fatal(err)
	}
	enc := func(raw json.RawMessage) json.RawMessage {
		if raw == nil {
			return nil
		}
		b, _ := json.Marshal(awsEncode(string(raw)))
		return b
	}
	for i := range d.RoleDetailList {
		r := &d.RoleDetailList[i]
		r.AssumeRolePolicyDocument = enc(r.AssumeRolePolicyDocument)
		for j := range r.RolePolicyList {
			r.RolePolicyList[j].PolicyDocument = enc(r.RolePolicyList[j].PolicyDocument)
		}
	}
	for i := range d.GroupDetailList {
		g := &d.GroupDetailList[i]
		for j := range g.GroupPolicyList {
			g.GroupPolicyList[j].PolicyDocument = enc(g.GroupPolicyList[j].PolicyDocument)
		}
	}
	for i := range d.Policies {
		for j := range d.Policies[i].PolicyVersionList {
			v := &d.Policies[i].PolicyVersionList[j]
			v.Document = enc(v.Document)
		}
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `%7B%22Version%22`) || !strings.Contains(string(out), "a%2Bb") {
		t.Fatalf("documents not URL-encoded: %.300s", out)
	}
	return string(out)
}

func TestParse(t *testing.T) {
	lastUsed := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	want := &Inventory{
		Accounts: []string{"111122223333"},
		Roles: []Role{{
			AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:role/service/app", Name: "app", Path: "/service/", RoleID: "AROA1",
			CreateDate:       time.Date(2019, 8, 16, 17, 27, 59, 0, time.UTC),
			Trust:            json.RawMessage(`{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}`),
			Tags:             map[string]string{"env": "prod"},
			LastUsed:         &lastUsed,
			LastUsedRegion:   "eu-west-1",
			Boundary:         "arn:aws:iam::111122223333:policy/Local",
			Attached:         []string{"arn:aws:iam::111122223333:policy/Local"},
			InstanceProfiles: []string{"arn:aws:iam::111122223333:instance-profile/app"},
		}},
		Users: []User{{
			AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", Name: "alice", Path: "/", UserID: "AIDA1",
			CreateDate: time.Date(2019, 12, 18, 19, 10, 8, 0, time.UTC),
			Tags:       map[string]string{"team": "data eng"},
			Groups:     []string{"devs"},
		}},
		Groups: []Group{{
			AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:group/devs", Name: "devs", Path: "/", GroupID: "AGPA1",
			CreateDate: time.Date(2017, 5, 15, 17, 33, 36, 0, time.UTC),
			Attached:   []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		}},
	}
	// Documents are compared through their canonical JSON.
	ignoreDocs := cmpopts.IgnoreFields(Role{}, "Inline")
	ignoreGroupDocs := cmpopts.IgnoreFields(Group{}, "Inline")
	ignorePolicies := cmpopts.IgnoreFields(Inventory{}, "Policies")
	encoded := encodeDocuments(t, pageJSON)

	tests := []struct {
		name string
		in   string
	}{
		{"JSON documents", pageJSON},
		{"URL-encoded documents", encoded},
		{"with a byte order mark and blank lines", "\ufeff\n  " + pageJSON + "\n\n"},
	}
	var canon []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustParse(t, tc.in)
			if diff := cmp.Diff(want, got, ignoreDocs, ignoreGroupDocs, ignorePolicies, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("inventory (-want +got):\n%s", diff)
			}
			r := got.Roles[0]
			if len(r.Inline) != 1 || r.Inline[0].Name != "inline" || r.Inline[0].Doc == nil {
				t.Fatalf("role inline policies = %+v, want one named inline", r.Inline)
			}
			st := r.Inline[0].Doc.Statements[0]
			if st.Resource[0] != "arn:aws:s3:::a+b/*" || st.Conditions[0].Values[0] != "bucket-owner full" {
				t.Errorf("decoded resource %q and condition value %q, want %q and %q", st.Resource[0], st.Conditions[0].Values[0], "arn:aws:s3:::a+b/*", "bucket-owner full")
			}
			local := got.Policies["arn:aws:iam::111122223333:policy/Local"]
			if local == nil || local.DefaultVersion != "v2" || local.AWSManaged || local.Doc.Statements[0].Action[0] != "s3:*" {
				t.Errorf("policy Local = %+v, want customer managed at default version v2 (s3:*)", local)
			}
			ro := got.Policies["arn:aws:iam::aws:policy/ReadOnlyAccess"]
			if ro == nil || !ro.AWSManaged {
				t.Errorf("policy ReadOnlyAccess = %+v, want AWS managed", ro)
			}
			canon = append(canon, canonicalJSON(t, got))
		})
	}
	for i := 1; i < len(canon); i++ {
		if canon[i] != canon[0] {
			t.Errorf("%s reads differently from %s:\n%s", tests[i].name, tests[0].name, cmp.Diff(canon[0], canon[i]))
		}
	}
}

// canonicalJSON renders an inventory with its documents as canonical JSON,
// for whole-inventory comparisons.
func canonicalJSON(t *testing.T, inv *Inventory) string {
	t.Helper()
	b, err := json.MarshalIndent(inv, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseMergedPages(t *testing.T) {
	whole := mustParse(t, pageJSON)
	var d Details
	if err := json.Unmarshal([]byte(pageJSON), &d); err != nil {
		t.Fatal(err)
	}
	p1 := Details{RoleDetailList: d.RoleDetailList, Policies: d.Policies[:1], IsTruncated: true, Marker: "m1"}
	p2 := Details{UserDetailList: d.UserDetailList, GroupDetailList: d.GroupDetailList, Policies: d.Policies[1:]}
	b1, _ := json.Marshal(p1)
	b2, _ := json.Marshal(p2)
	tests := []struct {
		name string
		in   string
	}{
		{"concatenated pages", string(b1) + "\n" + string(b2)},
		{"array of pages", "[" + string(b1) + "," + string(b2) + "]"},
		{"same page twice", string(b1) + string(b2) + string(b1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustParse(t, tc.in)
			if len(got.Warnings) > 0 {
				t.Errorf("warnings: %q", got.Warnings)
			}
			if diff := cmp.Diff(canonicalJSON(t, whole), canonicalJSON(t, got)); diff != "" {
				t.Errorf("merged pages differ from one page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantErr   string
		wantWarn  []string
		wantRoles []string
		check     func(t *testing.T, inv *Inventory)
	}{
		{
			name:    "malformed JSON is an error",
			in:      `{"RoleDetailList":[`,
			wantErr: "test.json: value 1: unexpected EOF",
		},
		{
			name:    "not authorization details",
			in:      `{"Records":[]}`,
			wantErr: "test.json: value 1: looks like a CloudTrail log file (Records), not get-account-authorization-details output; load it with 'iamtrim ingest cloudtrail'",
		},
		{
			name: "missing Arn is derived from the sole account",
			in: `{"RoleDetailList":[{"RoleName":"a","Arn":"arn:aws:iam::111122223333:role/a"},{"RoleName":"b","Path":"/x/"}],
			      "UserDetailList":[{"UserName":"nobody-knows"}]}`,
			wantRoles: []string{"arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/x/b"},
			wantWarn: []string{
				`test.json: role "b": no Arn, using arn:aws:iam::111122223333:role/x/b`,
				`test.json: user "nobody-knows": no Arn, using arn:aws:iam::111122223333:user/nobody-knows`,
			},
		},
		{
			name: "attached policy missing from Policies, default version missing, unparsable document",
			in: `{"RoleDetailList":[{"RoleName":"a","Arn":"arn:aws:iam::111122223333:role/a",
			        "RolePolicyList":[{"PolicyName":"bad","PolicyDocument":{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}}],
			        "AttachedManagedPolicies":[{"PolicyName":"Gone","PolicyArn":"arn:aws:iam::aws:policy/Gone"},{"PolicyName":"NoDoc"}],
			        "RoleLastUsed":{},"CreateDate":"yesterday"}],
			      "Policies":[{"PolicyName":"NoDoc","Arn":"arn:aws:iam::111122223333:policy/NoDoc","DefaultVersionId":"v3","PolicyVersionList":[{"VersionId":"v1"}]}]}`,
			wantRoles: []string{"arn:aws:iam::111122223333:role/a"},
			wantWarn: []string{
				`test.json: managed policy arn:aws:iam::111122223333:policy/NoDoc: default version "v3" not in the input; its permissions are not counted`,
				`test.json: role arn:aws:iam::111122223333:role/a: CreateDate "yesterday" is not a date, ignored`,
				`test.json: role arn:aws:iam::111122223333:role/a: attached policy "NoDoc" has no PolicyArn, using arn:aws:iam::111122223333:policy/NoDoc`,
				`test.json: managed policy arn:aws:iam::aws:policy/Gone is attached to arn:aws:iam::111122223333:role/a but not in the input's Policies; its permissions are not counted`,
			},
			check: func(t *testing.T, inv *Inventory) {
				wantRej := []string{"test.json: role arn:aws:iam::111122223333:role/a: inline policy bad: policy bad: statement 1: Effect must be Allow or Deny, not \"allow\"; its permissions are not counted"}
				if diff := cmp.Diff(wantRej, inv.Rejected); diff != "" {
					t.Errorf("rejected (-want +got):\n%s", diff)
				}
				p := inv.Principals()[0]
				want := []string{"arn:aws:iam::aws:policy/Gone", "arn:aws:iam::111122223333:policy/NoDoc"}
				if diff := cmp.Diff(want, p.Missing); diff != "" {
					t.Errorf("missing policies (-want +got):\n%s", diff)
				}
				if r := inv.Roles[0]; r.LastUsed != nil || !r.CreateDate.IsZero() || len(r.Inline) != 0 {
					t.Errorf("role = %+v, want no last use, no create date, no inline policies", r)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Parse(strings.NewReader(tc.in), "test.json")
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantWarn, inv.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			var roles []string
			for _, r := range inv.Roles {
				roles = append(roles, r.ARN)
			}
			if diff := cmp.Diff(tc.wantRoles, roles); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, inv)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	a := mustParse(t, roleJSON("/", map[string]string{"p": doc(allowAll)}, map[string]string{managedA: doc(allowAll)}, ""))
	other := strings.ReplaceAll(roleJSON("/", map[string]string{"p": doc(allowAll)}, nil, ""), "111122223333", "444455556666")
	b := mustParse(t, other)
	// The same customer policy ARN with other content conflicts.
	c := mustParse(t, roleJSON("/", nil, map[string]string{managedA: doc(denyIAM)}, ""))
	got := Merge(a, b, c)
	if diff := cmp.Diff([]string{"111122223333", "444455556666"}, got.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	var roles []string
	for _, r := range got.Roles {
		roles = append(roles, r.ARN)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/r", "arn:aws:iam::444455556666:role/r"}, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"merge: role arn:aws:iam::111122223333:role/r differs between inputs; keeping the first",
		"merge: managed policy " + managedA + " differs between inputs (versions v1 and v1); keeping the first",
	}
	if diff := cmp.Diff(wantWarn, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if got.Policies[managedA].Doc.Statements[0].Effect != "Allow" {
		t.Errorf("kept the second definition of %s, want the first", managedA)
	}
}

// TestSharedFiles loads every file of ../shared/data/authz: all must load,
// edge cases with warnings.
func TestSharedFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedDir(t), "data", "authz", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no shared authz files (%v)", err)
	}
	type counts struct{ Roles, Users, Groups, Policies, Warnings int }
	want := map[string]counts{
		"example.json":                                                {Roles: 78, Users: 44, Groups: 5, Policies: 84},
		"example_authz_v2.json":                                       {Roles: 2, Users: 1, Groups: 1, Policies: 2, Warnings: 1},
		"managed_policy_mismatch.json":                                {Groups: 1, Policies: 1, Warnings: 1},
		"example-authz-details.json":                                  {Roles: 3, Users: 3, Groups: 2, Policies: 32},
		"example_authz_details_for_overrides.json":                    {Policies: 1},
		"example_authz_details_for_overrides_complete.json":           {Roles: 2, Users: 1, Groups: 1, Policies: 3},
		"test_authorization_file_details_missing_constraints_v2.json": {Roles: 2, Policies: 2, Warnings: 1},
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			inv, err := ParseFile(f)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			for _, w := range inv.Warnings {
				t.Logf("warning: %s", w)
			}
			got := counts{len(inv.Roles), len(inv.Users), len(inv.Groups), len(inv.Policies), len(inv.Warnings)}
			w, ok := want[name]
			if !ok {
				t.Logf("new shared file: %+v", got)
				return
			}
			if got != w {
				t.Errorf("counts = %+v, want %+v", got, w)
			}
			// Every principal resolves and expands at the pattern level.
			for _, p := range inv.Principals() {
				if eff := mustExpand(t, NewExpander(nil, nil), p); eff.Principal != p.ARN {
					t.Errorf("expand %s: got principal %q", p.ARN, eff.Principal)
				}
			}
		})
	}
}
