package policy

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAllowsAll(t *testing.T) {
	allowAll := `{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`
	mfa := Condition{Operator: "Bool", Base: "Bool", Key: "aws:MultiFactorAuthPresent", Values: []string{"true"}}
	regions := func(vals ...string) Condition {
		return Condition{Operator: "StringEquals", Base: "StringEquals", Key: "aws:RequestedRegion", Values: vals}
	}
	tests := []struct {
		name     string
		set      func(t *testing.T) PolicySet
		action   string
		resource string
		conds    []Condition
		want     bool
		ref      *StatementRef
	}{
		{
			name: "covered by one statement",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"R","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b/x/*",
			want: true, ref: ref("P", KindInline, "R", 0),
		},
		{
			name: "action pattern covered",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"R","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}`)}}
			},
			action: "S3:GetObject*", resource: "arn:aws:s3:::b/k",
			want: true, ref: ref("P", KindInline, "R", 0),
		},
		{
			name: "action pattern wider than the grant",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"R","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}`)}}
			},
			action: "s3:*", resource: "arn:aws:s3:::b/k",
			want: false,
		},
		{
			name: "resource pattern wider than the grant",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"R","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b*",
			want: false,
		},
		{
			name: "a Deny that overlaps blocks the proof",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NoProd","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/prod/*"}]`)}}
			},
			action: "s3:Delete*", resource: "arn:aws:s3:::b/*",
			want: false, ref: ref("P", KindInline, "NoProd", 1),
		},
		{
			name: "a Deny on other resources does not",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NoProd","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/prod/*"}]`)}}
			},
			action: "s3:Delete*", resource: "arn:aws:s3:::b/dev/*",
			want: true, ref: ref("P", KindInline, "All", 0),
		},
		{
			name: "a Deny on other actions does not",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NoProd","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/prod/*"}]`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b/*",
			want: true, ref: ref("P", KindInline, "All", 0),
		},
		{
			name: "a conditional Deny is assumed to apply",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"Office","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b/k",
			want: false, ref: ref("P", KindInline, "Office", 1),
		},
		{
			name: "a conditional Allow does not count without conditions",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"MFA","Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b/k",
			want: false,
		},
		{
			name: "a conditional Allow counts when the caller has the same condition",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"MFA","Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b/k", conds: []Condition{mfa, regions("eu-west-1")},
			want: true, ref: ref("P", KindInline, "MFA", 0),
		},
		{
			name: "a condition with fewer allowed values implies the grant's",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"EU","Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-west-2"]}}}`)}}
			},
			action: "ec2:RunInstances", resource: "*", conds: []Condition{regions("eu-west-2")},
			want: true, ref: ref("P", KindInline, "EU", 0),
		},
		{
			name: "a condition with more values does not",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"EU","Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-west-2"]}}}`)}}
			},
			action: "ec2:RunInstances", resource: "*", conds: []Condition{regions("eu-west-2", "us-east-1")},
			want: false,
		},
		{
			name: "negated operators need a superset",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Sid":"NotUS","Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}`)}}
			},
			action: "ec2:RunInstances", resource: "*",
			conds: []Condition{{Operator: "StringNotEquals", Key: "AWS:RequestedRegion", Values: []string{"us-east-1", "us-west-2"}}},
			want:  true, ref: ref("P", KindInline, "NotUS", 0),
		},
		{
			name: "Allow with NotAction covers actions outside it",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindManaged, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}}
			},
			action: "s3:Get*", resource: "*",
			want: true, ref: ref("P", KindManaged, "", 0),
		},
		{
			name: "Allow with NotAction does not cover a pattern that reaches into it",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindManaged, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}}
			},
			action: "*:Get*", resource: "*",
			want: false,
		},
		{
			name: "Allow with NotResource covers resources outside it",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::public/*",
			want: true, ref: ref("P", KindInline, "", 0),
		},
		{
			name: "Allow with NotResource does not cover a pattern that reaches into it",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::*",
			want: false,
		},
		{
			name: "Deny with NotResource spares what it lists",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"Fence","Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::ok/*"}]`)}}
			},
			action: "s3:PutObject", resource: "arn:aws:s3:::ok/in/*",
			want: true, ref: ref("P", KindInline, "All", 0),
		},
		{
			name: "Deny with NotResource blocks the rest",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"Fence","Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::ok/*"}]`)}}
			},
			action: "s3:PutObject", resource: "arn:aws:s3:::o*",
			want: false, ref: ref("P", KindInline, "Fence", 1),
		},
		{
			name: "Deny with NotAction spares what it lists",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OnlyS3","Effect":"Deny","NotAction":"s3:*","Resource":"*"}]`)}}
			},
			action: "s3:Get*", resource: "*",
			want: true, ref: ref("P", KindInline, "All", 0),
		},
		{
			name: "Deny with NotAction blocks the rest",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OnlyS3","Effect":"Deny","NotAction":"s3:*","Resource":"*"}]`)}}
			},
			action: "ec2:DescribeInstances", resource: "*",
			want: false, ref: ref("P", KindInline, "OnlyS3", 1),
		},
		{
			name: "boundary without the action",
			set: func(t *testing.T) PolicySet {
				b := pol(t, "B", KindBoundary, `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`]`)}, Boundary: &b}
			},
			action: "ec2:RunInstances", resource: "*",
			want: false,
		},
		{
			name: "boundary with the action",
			set: func(t *testing.T) PolicySet {
				b := pol(t, "B", KindBoundary, `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`]`)}, Boundary: &b}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::b/*",
			want: true, ref: ref("P", KindInline, "All", 0),
		},
		{
			name: "an SCP without the action",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`]`)}, SCPs: []NamedPolicy{pol(t, "S", KindSCP, `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)}}
			},
			action: "ec2:RunInstances", resource: "*",
			want: false,
		},
		{
			name: "a Deny in an SCP",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`]`)}, SCPs: []NamedPolicy{pol(t, "S", KindSCP, `[`+allowAll+`,{"Sid":"D","Effect":"Deny","Action":"ec2:Run*","Resource":"*"}]`)}}
			},
			action: "ec2:*", resource: "*",
			want: false, ref: ref("S", KindSCP, "D", 1),
		},
		{
			name: "the same policy variable covers itself",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Home", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::home/${aws:username}/docs/*",
			want: true, ref: ref("Home", KindInline, "", 0),
		},
		{
			name: "a policy variable does not cover a fixed name",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Home", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}`)}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/*",
			want: false,
		},
		{
			name: "a Deny with a policy variable may hit any name",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NotMine","Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]`)}}
			},
			action: "s3:DeleteObject", resource: "arn:aws:s3:::home/alice/x",
			want: false, ref: ref("P", KindInline, "NotMine", 1),
		},
		{
			name: "2008-10-17: the variable is literal text, not a placeholder",
			set: func(t *testing.T) PolicySet {
				d := mustParse(t, "Old", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)
				return PolicySet{Identity: []NamedPolicy{{Name: "Old", Kind: KindInline, Doc: d}}}
			},
			action: "s3:GetObject", resource: "arn:aws:s3:::home/${aws:username}/docs/*",
			want: false,
		},
		{
			name: "conservative: two statements that only cover together",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a/*"},{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::a/*"}]`)}}
			},
			action: "s3:GetObject", resource: "*",
			want: false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, gotRef := AllowsAllWhen(tc.set(t), tc.action, tc.resource, tc.conds)
			if got != tc.want {
				t.Errorf("AllowsAllWhen(%q, %q) = %v, want %v", tc.action, tc.resource, got, tc.want)
			}
			if diff := cmp.Diff(tc.ref, gotRef); diff != "" {
				t.Errorf("StatementRef mismatch (-want +got):\n%s", diff)
			}
			if tc.conds == nil {
				if got2, _ := AllowsAll(tc.set(t), tc.action, tc.resource); got2 != got {
					t.Errorf("AllowsAll = %v, AllowsAllWhen(nil) = %v", got2, got)
				}
			}
		})
	}
}

// TestAllowsAllSound generates random policy sets and queries over a tiny
// alphabet and checks, by Evaluate on every concrete action and resource
// the query's patterns match, that AllowsAll never says true wrongly. It
// also counts how often AllowsAll proves what brute force confirms, so
// that a checker that always says false would not pass.
func TestAllowsAllSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	glob := func(max int) string {
		var b strings.Builder
		for range 1 + rng.IntN(max) {
			b.WriteByte("ab*?"[rng.IntN(4)])
		}
		return b.String()
	}
	// Concrete names: every string over {a, b, c} up to 4 characters ('c'
	// appears in no pattern and stands for every other character).
	names := allStrings("abc", 4)
	contexts := []map[string][]string{
		nil,
		{"k:k": {"a"}},
		{"k:k": {"b"}},
	}
	statement := func(i int) string {
		effect := "Allow"
		if rng.IntN(4) == 0 {
			effect = "Deny"
		}
		act := "Action"
		if rng.IntN(5) == 0 {
			act = "NotAction"
		}
		res := "Resource"
		if rng.IntN(5) == 0 {
			res = "NotResource"
		}
		s := fmt.Sprintf(`{"Sid":"S%d","Effect":%q,%q:["s:%s","s:%s"],%q:"arn:%s"`, i, effect, act, glob(3), glob(3), res, glob(3))
		if rng.IntN(4) == 0 {
			s += fmt.Sprintf(`,"Condition":{"StringEquals":{"k:k":%q}}`, "ab"[rng.IntN(2):][:1])
		}
		return s + "}"
	}
	policy := func(name, kind string, n int) NamedPolicy {
		var sts []string
		for i := range n {
			sts = append(sts, statement(i))
		}
		return pol(t, name, kind, "["+strings.Join(sts, ",")+"]")
	}
	var proved, provable, checked int
	for iter := 0; iter < 3000; iter++ {
		set := PolicySet{Identity: []NamedPolicy{policy("P1", KindInline, 1+rng.IntN(3)), policy("P2", KindManaged, 1+rng.IntN(2))}}
		if rng.IntN(3) == 0 {
			b := policy("B", KindBoundary, 1+rng.IntN(2))
			set.Boundary = &b
		}
		if rng.IntN(4) == 0 {
			set.SCPs = []NamedPolicy{policy("S", KindSCP, 1+rng.IntN(2))}
		}
		actPat, resPat := "s:"+glob(3), "arn:"+glob(3)
		got, _ := AllowsAll(set, actPat, resPat)

		// Brute force: is every matched pair allowed in every context?
		all := true
	outer:
		for _, a := range names {
			if !MatchAction(actPat, "s:"+a) {
				continue
			}
			for _, r := range names {
				if !MatchResource(resPat, "arn:"+r) {
					continue
				}
				for _, ctx := range contexts {
					checked++
					if Evaluate(set, Request{Action: "s:" + a, Resource: "arn:" + r, Context: ctx}).Effect != Allow {
						all = false
						if got {
							t.Fatalf("AllowsAll(%q, %q) = true, but Evaluate denies s:%s on arn:%s with %v\nset: %s", actPat, resPat, a, r, ctx, describe(set))
						}
						break outer
					}
				}
			}
		}
		if all {
			provable++
			if got {
				proved++
			}
		}
	}
	t.Logf("AllowsAll proved %d of %d queries that brute force confirms (%d evaluations)", proved, provable, checked)
	if proved == 0 || proved*2 < provable {
		t.Errorf("AllowsAll proved only %d of %d provable queries", proved, provable)
	}
}

func describe(set PolicySet) string {
	var b strings.Builder
	for _, p := range set.Identity {
		fmt.Fprintf(&b, "\n  identity %s: %s", p.Name, p.Doc)
	}
	if set.Boundary != nil {
		fmt.Fprintf(&b, "\n  boundary: %s", set.Boundary.Doc)
	}
	for _, p := range set.SCPs {
		fmt.Fprintf(&b, "\n  scp %s: %s", p.Name, p.Doc)
	}
	return b.String()
}

// BenchmarkAllowsAll proves queries against a large policy shaped like
// ReadOnlyAccess: thousands of action patterns across hundreds of
// services, plus a Deny.
func BenchmarkAllowsAll(b *testing.B) {
	var acts []string
	for s := range 300 {
		for _, verb := range []string{"Get*", "List*", "Describe*", "BatchGet*", "Search*", "View*", "Query", "Scan", "Lookup*", "Check*"} {
			acts = append(acts, fmt.Sprintf("%q", fmt.Sprintf("svc%d:%s", s, verb)))
		}
	}
	big := pol(b, "ReadOnlyish", KindManaged, `[{"Sid":"Read","Effect":"Allow","Action":[`+strings.Join(acts, ",")+`],"Resource":"*"},
		{"Sid":"Data","Effect":"Allow","Action":["svc7:Put*","svc7:Delete*"],"Resource":["arn:aws:svc7:*:*:table/app-*","arn:aws:svc7:*:*:table/app-*/index/*"]},
		{"Sid":"NoSecrets","Effect":"Deny","Action":"svc9:GetSecret*","Resource":"*"}]`)
	set := PolicySet{Identity: []NamedPolicy{big}}
	queries := [][2]string{
		{"svc150:GetThing", "*"},
		{"svc299:List*", "*"},
		{"svc7:PutItem", "arn:aws:svc7:eu-west-1:123456789012:table/app-orders"},
		{"svc7:Delete*", "arn:aws:svc7:*:123456789012:table/app-*/index/*"},
		{"svc9:GetSecretValue", "arn:aws:svc9:eu-west-1:1:secret:x"},
		{"svc3:PutThing", "*"},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		AllowsAll(set, q[0], q[1])
	}
}
