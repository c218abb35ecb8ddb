package authz

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// fixtureCatalog is the tiny hand-written catalog in testdata/catalog
// (21 actions in ec2, iam, s3, sqs), so that expected results can be
// listed in full.
func fixtureCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.LoadDir(filepath.Join("testdata", "catalog"))
	if err != nil {
		t.Fatalf("load fixture catalog: %v", err)
	}
	return cat
}

// fullCatalog is IAMTRIM_CATALOG, else ../shared/catalog; the test is
// skipped when neither exists.
func fullCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	dir := os.Getenv("IAMTRIM_CATALOG")
	if dir == "" {
		dir = filepath.Join(sharedDir(t), "catalog")
	}
	cat, err := catalog.LoadDir(dir)
	if err != nil {
		t.Fatalf("load catalog %s: %v", dir, err)
	}
	return cat
}

func mustParse(t testing.TB, js string) *Inventory {
	t.Helper()
	inv, err := Parse(strings.NewReader(js), "test.json")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return inv
}

// role returns a one-role inventory: the role's inline policies (name to
// document), attached managed policies (ARN to document) and an optional
// boundary (ARN to document, also listed in Policies).
func roleJSON(path string, inline, managed map[string]string, boundary string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"RoleDetailList":[{"RoleName":"r","Path":%q,"Arn":"arn:aws:iam::111122223333:role%sr","RolePolicyList":[`, path, path)
	for i, name := range sortedKeys(inline) {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"PolicyName":%q,"PolicyDocument":%s}`, name, inline[name])
	}
	b.WriteString(`],"AttachedManagedPolicies":[`)
	n := 0
	for _, arn := range sortedKeys(managed) {
		if arn == boundary {
			continue
		}
		if n > 0 {
			b.WriteString(",")
		}
		n++
		fmt.Fprintf(&b, `{"PolicyArn":%q}`, arn)
	}
	b.WriteString(`]`)
	if boundary != "" {
		fmt.Fprintf(&b, `,"PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":%q}`, boundary)
	}
	b.WriteString(`}],"Policies":[`)
	for i, arn := range sortedKeys(managed) {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"PolicyName":%q,"Arn":%q,"DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,"Document":%s}]}`, nameFromARN(arn), arn, managed[arn])
	}
	b.WriteString(`]}`)
	return b.String()
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// grantView is what the tests compare of a Grant: provenance and caveats as
// their String forms.
type grantView struct {
	Resources, NotResources []string
	Conditional             bool
	Provenance              []string
	ConditionalDeny         []string
	PartialDeny             []string
	Limits                  []string
}

func refs(rs []policy.StatementRef) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

func view(eff *Effective) map[string]grantView {
	out := map[string]grantView{}
	for k, g := range eff.Grants {
		out[k] = grantView{
			Resources: g.Resources, NotResources: g.NotResources, Conditional: g.Conditional,
			Provenance: refs(g.Provenance), ConditionalDeny: refs(g.ConditionalDeny),
			PartialDeny: refs(g.PartialDeny), Limits: refs(g.Limits),
		}
	}
	return out
}

const (
	allowAll    = `{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`
	denyIAM     = `{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}`
	roleBucket  = "arn:aws:s3:::data/*"
	managedA    = "arn:aws:iam::111122223333:policy/A"
	boundaryArn = "arn:aws:iam::111122223333:policy/Boundary"
	scpFile     = "scp"
)

func TestExpandCatalog(t *testing.T) {
	cat := fixtureCatalog(t)
	all := cat.Actions()
	except := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(a string) bool {
			for _, d := range drop {
				if policy.MatchAction(d, a) {
					return true
				}
			}
			return false
		})
	}
	scp := func(stmts ...string) []policy.NamedPolicy {
		d, err := policy.ParseNamed(scpFile, []byte(doc(stmts...)))
		if err != nil {
			t.Fatal(err)
		}
		return []policy.NamedPolicy{{Name: scpFile, Kind: policy.KindSCP, Doc: d}}
	}
	tests := []struct {
		name       string
		inv        string
		scps       []policy.NamedPolicy
		wantKeys   []string
		wantGrants map[string]grantView // checked for the listed actions only
		wantDenied []string
		wantOutB   int
		wantOutSCP int
		wantAll    bool
	}{
		{
			name:     "allow star minus unconditional deny",
			inv:      roleJSON("/", map[string]string{"p": doc(allowAll, denyIAM)}, nil, ""),
			wantKeys: except("iam:*"),
			wantGrants: map[string]grantView{"s3:GetObject": {
				Resources: []string{"*"}, Provenance: []string{"statement 1 (Sid All) of inline policy p"},
			}},
			wantDenied: []string{"iam:AttachRolePolicy", "iam:CreateUser", "iam:GetRole", "iam:ListRoles", "iam:PassRole"},
		},
		{
			name:     "admin is all actions",
			inv:      roleJSON("/", map[string]string{"p": doc(allowAll)}, nil, ""),
			wantKeys: all,
			wantAll:  true,
		},
		{
			name:     "NotAction allow expands to every other catalog action",
			inv:      roleJSON("/", map[string]string{"p": doc(`{"Effect":"Allow","NotAction":["iam:*","s3:Delete*"],"Resource":"*"}`)}, nil, ""),
			wantKeys: except("iam:*", "s3:Delete*"),
			wantGrants: map[string]grantView{"sqs:SendMessage": {
				Resources: []string{"*"}, Provenance: []string{"statement 1 of inline policy p"},
			}},
		},
		{
			name: "NotAction deny removes every other action",
			inv: roleJSON("/", map[string]string{"p": doc(allowAll,
				`{"Sid":"OnlyS3","Effect":"Deny","NotAction":"s3:*","Resource":"*"}`)}, nil, ""),
			wantKeys:   except("ec2:*", "iam:*", "sqs:*"),
			wantDenied: except("s3:*"),
		},
		{
			name: "boundary intersects",
			inv: roleJSON("/", nil, map[string]string{
				managedA:    doc(`{"Effect":"Allow","Action":["s3:*","sqs:*","ec2:Describe*"],"Resource":"*"}`),
				boundaryArn: doc(`{"Sid":"B","Effect":"Allow","Action":["s3:Get*","sqs:*","iam:*"],"Resource":"*"}`, `{"Sid":"Scoped","Effect":"Allow","Action":"ec2:DescribeVpcs","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`),
			}, boundaryArn),
			wantKeys: []string{"ec2:DescribeVpcs", "s3:GetObject", "s3:GetObjectTagging", "sqs:DeleteQueue", "sqs:ReceiveMessage", "sqs:SendMessage"},
			wantGrants: map[string]grantView{
				"ec2:DescribeVpcs": {
					Resources:  []string{"*"},
					Provenance: []string{"statement 1 of managed policy " + managedA},
					Limits:     []string{"statement 2 (Sid Scoped) of boundary policy " + boundaryArn},
				},
			},
			wantOutB: 7 + 1, // s3 has 9 actions, 2 kept; ec2:DescribeInstances
		},
		{
			name: "boundary deny is an explicit deny",
			inv: roleJSON("/", map[string]string{"p": doc(allowAll)}, map[string]string{
				boundaryArn: doc(allowAll, `{"Effect":"Deny","Action":"s3:*","Resource":"*"}`),
			}, boundaryArn),
			wantKeys:   except("s3:*"),
			wantDenied: except("ec2:*", "iam:*", "sqs:*"),
		},
		{
			name: "conditional deny is kept as a caveat",
			inv: roleJSON("/", map[string]string{"p": doc(
				`{"Sid":"S3","Effect":"Allow","Action":"s3:*Object","Resource":"*"}`,
				`{"Sid":"MFA","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`,
			)}, nil, ""),
			wantKeys: []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
			wantGrants: map[string]grantView{
				"s3:DeleteObject": {
					Resources:       []string{"*"},
					Provenance:      []string{"statement 1 (Sid S3) of inline policy p"},
					ConditionalDeny: []string{"statement 2 (Sid MFA) of inline policy p"},
				},
				"s3:GetObject": {Resources: []string{"*"}, Provenance: []string{"statement 1 (Sid S3) of inline policy p"}},
			},
		},
		{
			// Issue 10 item 20: an operator the evaluator does not know
			// used to reject the whole document, its Deny statements
			// included. The statements stay, as conditional ones: the
			// Allow still grants (conditionally), the Deny is a caveat.
			name: "unknown condition operator: statements kept as conditional",
			inv: roleJSON("/", map[string]string{"p": doc(
				`{"Sid":"Get","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsFuture":{"aws:PrincipalTag/team":"a"}}}`,
				`{"Sid":"S3","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"*"}`,
				`{"Sid":"Locked","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"x"}}}`,
			)}, nil, ""),
			wantKeys: []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
			wantGrants: map[string]grantView{
				"s3:GetObject": {Resources: []string{"*"}, Conditional: true, Provenance: []string{"statement 1 (Sid Get) of inline policy p"}},
				"s3:DeleteObject": {
					Resources:       []string{"*"},
					Provenance:      []string{"statement 2 (Sid S3) of inline policy p"},
					ConditionalDeny: []string{"statement 3 (Sid Locked) of inline policy p"},
				},
			},
		},
		{
			name: "deny on part of the resources is partial, on all of them removes",
			inv: roleJSON("/", map[string]string{"p": doc(
				`{"Sid":"Any","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}`,
				`{"Sid":"Data","Effect":"Allow","Action":"s3:DeleteObject","Resource":"`+roleBucket+`"}`,
				`{"Sid":"NoProd","Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::prod/*"}`,
				`{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::*"}`,
			)}, nil, ""),
			wantKeys: []string{"s3:GetObject", "s3:PutObject"},
			wantGrants: map[string]grantView{
				"s3:PutObject": {
					Resources:   []string{"*"},
					Provenance:  []string{"statement 1 (Sid Any) of inline policy p"},
					PartialDeny: []string{"statement 3 (Sid NoProd) of inline policy p"},
				},
			},
			wantDenied: []string{"s3:DeleteObject"},
		},
		{
			name: "provenance lists every granting statement with scope and conditions",
			inv: roleJSON("/", map[string]string{"p": doc(
				`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"` + roleBucket + `"}`,
			)}, map[string]string{managedA: doc(
				`{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::logs/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`,
			)}, ""),
			wantKeys: []string{"s3:GetObject", "s3:GetObjectTagging"},
			wantGrants: map[string]grantView{
				"s3:GetObject": {
					Resources:  []string{roleBucket, "arn:aws:s3:::logs/*"},
					Provenance: []string{"statement 1 (Sid Read) of inline policy p", "statement 1 of managed policy " + managedA},
				},
				"s3:GetObjectTagging": {
					Resources:   []string{"arn:aws:s3:::logs/*"},
					Conditional: true,
					Provenance:  []string{"statement 1 of managed policy " + managedA},
				},
			},
		},
		{
			name:       "SCP intersects and its deny denies",
			inv:        roleJSON("/", map[string]string{"p": doc(allowAll)}, nil, ""),
			scps:       scp(`{"Effect":"Allow","Action":["s3:*","sqs:*"],"Resource":"*"}`, `{"Sid":"NoDelete","Effect":"Deny","Action":"sqs:DeleteQueue","Resource":"*"}`),
			wantKeys:   except("ec2:*", "iam:*", "sqs:DeleteQueue"),
			wantDenied: []string{"sqs:DeleteQueue"},
			wantOutSCP: 9,
		},
		{
			name:     "SCPs do not apply to service-linked roles",
			inv:      roleJSON("/aws-service-role/x.amazonaws.com/", map[string]string{"p": doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`)}, nil, ""),
			scps:     scp(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
			wantKeys: []string{"ec2:DescribeInstances", "ec2:DescribeVpcs", "ec2:RunInstances", "ec2:TerminateInstances"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := mustParse(t, tc.inv)
			if len(inv.Warnings) > 0 {
				t.Fatalf("warnings: %q", inv.Warnings)
			}
			ps := inv.Principals()
			if len(ps) != 1 {
				t.Fatalf("got %d principals, want 1", len(ps))
			}
			eff := mustExpand(t, NewExpander(cat, tc.scps), ps[0])
			if !eff.Expanded || eff.CatalogVersion != cat.Version().Digest {
				t.Errorf("Expanded %v CatalogVersion %q, want true and the catalog's digest", eff.Expanded, eff.CatalogVersion)
			}
			if diff := cmp.Diff(tc.wantKeys, eff.Actions()); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			got := view(eff)
			for action, want := range tc.wantGrants {
				if diff := cmp.Diff(want, got[action]); diff != "" {
					t.Errorf("grant %s (-want +got):\n%s", action, diff)
				}
			}
			var denied []string
			for a := range eff.Denied {
				denied = append(denied, a)
			}
			slices.Sort(denied)
			if diff := cmp.Diff(tc.wantDenied, denied); diff != "" {
				t.Errorf("denied (-want +got):\n%s", diff)
			}
			if eff.OutsideBoundary != tc.wantOutB || eff.OutsideSCP != tc.wantOutSCP {
				t.Errorf("outside boundary/SCP = %d/%d, want %d/%d", eff.OutsideBoundary, eff.OutsideSCP, tc.wantOutB, tc.wantOutSCP)
			}
			if eff.AllActions != tc.wantAll {
				t.Errorf("AllActions = %v, want %v", eff.AllActions, tc.wantAll)
			}
		})
	}
}

func TestExpandUserGroups(t *testing.T) {
	const js = `{
	 "UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111122223333:user/u","GroupList":["devs","ghost"],
	   "UserPolicyList":[{"PolicyName":"own","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}}]}],
	 "GroupDetailList":[{"GroupName":"devs","Arn":"arn:aws:iam::111122223333:group/devs",
	   "GroupPolicyList":[{"PolicyName":"gi","PolicyDocument":{"Version":"2012-10-17","Statement":{"Sid":"G","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}}],
	   "AttachedManagedPolicies":[{"PolicyName":"A","PolicyArn":"arn:aws:iam::111122223333:policy/A"}]}],
	 "Policies":[{"PolicyName":"A","Arn":"arn:aws:iam::111122223333:policy/A","DefaultVersionId":"v2","PolicyVersionList":[
	   {"VersionId":"v1","Document":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}},
	   {"VersionId":"v2","IsDefaultVersion":true,"Document":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}}}]}]}`
	inv := mustParse(t, js)
	wantWarn := []string{`test.json: user arn:aws:iam::111122223333:user/u: member of group "ghost", which is not in the input; the group's permissions are not counted`}
	if diff := cmp.Diff(wantWarn, inv.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	p, ok := inv.Principal("arn:aws:iam::111122223333:user/u")
	if !ok {
		t.Fatal("user not found")
	}
	got := map[string][]string{}
	for a, g := range mustExpand(t, NewExpander(fixtureCatalog(t), nil), p).Grants {
		got[a] = refs(g.Provenance)
	}
	want := map[string][]string{
		"sqs:SendMessage":       {"statement 1 of inline policy own"},
		"ec2:DescribeInstances": {"statement 1 (Sid G) of group-inline policy devs/gi"},
		"ec2:DescribeVpcs":      {"statement 1 (Sid G) of group-inline policy devs/gi"},
		"sqs:ReceiveMessage":    {"statement 1 of group-managed policy arn:aws:iam::111122223333:policy/A"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grants and provenance (-want +got):\n%s", diff)
	}
}

func TestExpandPatterns(t *testing.T) {
	tests := []struct {
		name     string
		inv      string
		want     map[string]grantView
		wantAll  bool
		wantDeny []string
		wantOutB int
	}{
		{
			name: "allow star minus deny iam is star with a partial deny",
			inv:  roleJSON("/", map[string]string{"p": doc(allowAll, denyIAM)}, nil, ""),
			want: map[string]grantView{"*": {
				Resources: []string{"*"}, Provenance: []string{"statement 1 (Sid All) of inline policy p"},
				PartialDeny: []string{"statement 2 (Sid NoIAM) of inline policy p"},
			}},
		},
		{
			name:    "admin",
			inv:     roleJSON("/", map[string]string{"p": doc(allowAll)}, nil, ""),
			want:    map[string]grantView{"*": {Resources: []string{"*"}, Provenance: []string{"statement 1 (Sid All) of inline policy p"}}},
			wantAll: true,
		},
		{
			name: "a covering deny removes the pattern",
			inv: roleJSON("/", map[string]string{"p": doc(
				`{"Effect":"Allow","Action":["s3:Get*","SQS:Send*"],"Resource":"*"}`,
				`{"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"*"}`)}, nil, ""),
			want:     map[string]grantView{"SQS:Send*": {Resources: []string{"*"}, Provenance: []string{"statement 1 of inline policy p"}}},
			wantDeny: []string{"s3:Get*"},
		},
		{
			name: "NotAction is kept as one grant",
			inv:  roleJSON("/", map[string]string{"p": doc(`{"Effect":"Allow","NotAction":["s3:*","iam:*"],"Resource":"*"}`)}, nil, ""),
			want: map[string]grantView{"NotAction(iam:*,s3:*)": {Resources: []string{"*"}, Provenance: []string{"statement 1 of inline policy p"}}},
		},
		{
			name: "boundary keeps covered patterns, limits overlapping ones, drops the rest",
			inv: roleJSON("/", nil, map[string]string{
				managedA:    doc(`{"Effect":"Allow","Action":["s3:GetObject","ec2:*","iam:PassRole"],"Resource":"*"}`),
				boundaryArn: doc(`{"Sid":"B","Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"*"}`),
			}, boundaryArn),
			want: map[string]grantView{
				"s3:GetObject": {Resources: []string{"*"}, Provenance: []string{"statement 1 of managed policy " + managedA}},
				"ec2:*": {Resources: []string{"*"}, Provenance: []string{"statement 1 of managed policy " + managedA},
					Limits: []string{"statement 1 (Sid B) of boundary policy " + boundaryArn}},
			},
			wantOutB: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := mustParse(t, tc.inv).Principals()
			eff := mustExpand(t, NewExpander(nil, nil), ps[0])
			if eff.Expanded || !slices.Contains(eff.Notes, NoCatalogNote) {
				t.Errorf("Expanded %v, notes %q: want a pattern-level result that says so", eff.Expanded, eff.Notes)
			}
			if diff := cmp.Diff(tc.want, view(eff)); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(eff.Actions(), eff.Patterns); diff != "" {
				t.Errorf("Patterns differ from the grant keys (-keys +patterns):\n%s", diff)
			}
			var denied []string
			for a := range eff.Denied {
				denied = append(denied, a)
			}
			if diff := cmp.Diff(tc.wantDeny, denied); diff != "" {
				t.Errorf("denied (-want +got):\n%s", diff)
			}
			if eff.AllActions != tc.wantAll || eff.OutsideBoundary != tc.wantOutB {
				t.Errorf("AllActions %v OutsideBoundary %d, want %v %d", eff.AllActions, eff.OutsideBoundary, tc.wantAll, tc.wantOutB)
			}
		})
	}
}

// checkAgainstEvaluate cross-checks Expand with policy.Evaluate, action by
// action (every stride-th catalog action): an action Expand leaves out
// must never be allowed, and one it grants on "*" without conditions or
// caveats must be allowed on any resource.
func checkAgainstEvaluate(t *testing.T, cat *catalog.Catalog, p Principal, scps []policy.NamedPolicy, stride int) (checked int) {
	t.Helper()
	eff := mustExpand(t, NewExpander(cat, scps), p)
	set := p.Policies
	if !p.ServiceLinked() {
		set.SCPs = scps
	}
	for i, a := range cat.Actions() {
		g := eff.Grants[a]
		if i%stride != 0 && g == nil {
			continue
		}
		svc, _, _ := strings.Cut(a, ":")
		for _, res := range []string{"arn:aws:" + svc + ":us-east-1:111122223333:probe/x", "arn:aws:s3:::probe-bucket/key"} {
			dec := policy.Evaluate(set, policy.Request{Action: a, Resource: res})
			checked++
			switch {
			case g == nil && dec.Effect == policy.Allow:
				t.Errorf("%s: %s on %s: Expand leaves it out, Evaluate allows (%s)", p.ARN, a, res, dec.Reason)
			case g != nil && slices.Equal(g.Resources, []string{"*"}) && len(g.NotResources) == 0 && len(g.Conditions) == 0 &&
				len(g.ConditionalDeny)+len(g.PartialDeny)+len(g.Limits) == 0 && dec.Effect != policy.Allow:
				t.Errorf("%s: %s on %s: Expand grants it unconditionally, Evaluate says %s (%s)", p.ARN, a, res, dec.Effect, dec.Reason)
			}
		}
	}
	return checked
}

func TestExpandAgreesWithEvaluate(t *testing.T) {
	t.Run("fixture cases", func(t *testing.T) {
		cat := fixtureCatalog(t)
		scp, err := policy.ParseNamed("scp", []byte(doc(`{"Effect":"Allow","NotAction":"ec2:*","Resource":"*"}`, `{"Effect":"Deny","Action":"sqs:Delete*","Resource":"*"}`)))
		if err != nil {
			t.Fatal(err)
		}
		invs := []string{
			roleJSON("/", map[string]string{"p": doc(allowAll, denyIAM)}, nil, ""),
			roleJSON("/", map[string]string{"p": doc(`{"Effect":"Allow","NotAction":["iam:*","s3:Delete*"],"Resource":"*"}`)}, nil, ""),
			roleJSON("/", nil, map[string]string{
				managedA:    doc(`{"Effect":"Allow","Action":["s3:*","sqs:*","ec2:Describe*"],"Resource":"*"}`),
				boundaryArn: doc(`{"Effect":"Allow","Action":["s3:Get*","sqs:*","iam:*"],"Resource":"*"}`, `{"Effect":"Deny","Action":"sqs:Send*","Resource":"*"}`),
			}, boundaryArn),
			roleJSON("/", map[string]string{"p": doc(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::probe-bucket/*"}`,
				`{"Effect":"Deny","Action":"s3:Put*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)}, nil, ""),
		}
		for _, js := range invs {
			for _, p := range mustParse(t, js).Principals() {
				checkAgainstEvaluate(t, cat, p, nil, 1)
				checkAgainstEvaluate(t, cat, p, []policy.NamedPolicy{{Name: "scp", Kind: policy.KindSCP, Doc: scp}}, 1)
			}
		}
	})
	t.Run("shared example.json against the full catalog", func(t *testing.T) {
		cat := fullCatalog(t)
		inv, err := ParseFile(filepath.Join(sharedDir(t), "data", "authz", "example.json"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range inv.Principals() {
			n += checkAgainstEvaluate(t, cat, p, nil, 97)
		}
		t.Logf("%d evaluations agree", n)
	})
}

// mustExpand is x.Expand with a background context, failing the test on
// an error.
func mustExpand(t testing.TB, x *Expander, p Principal) *Effective {
	t.Helper()
	eff, err := x.Expand(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return eff
}

// TestExpandCancelled: Expand gives up with ctx's error, with or without
// a catalog.
func TestExpandCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	inv := NewInventory("synthetic", synthDetails(fixtureCatalog(t), 5, 1))
	for _, cat := range []*catalog.Catalog{fixtureCatalog(t), nil} {
		if _, err := NewExpander(cat, nil).Expand(ctx, inv.Principals()[0]); !errors.Is(err, context.Canceled) {
			t.Errorf("catalog %v: err = %v, want context.Canceled", cat != nil, err)
		}
	}
}
