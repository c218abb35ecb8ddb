package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t testing.TB, name, doc string) *Document {
	t.Helper()
	d, err := ParseNamed(name, []byte(doc))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return d
}

// pol builds a NamedPolicy from statements written as JSON.
func pol(t testing.TB, name, kind, statements string) NamedPolicy {
	t.Helper()
	return NamedPolicy{Name: name, Kind: kind, Doc: mustParse(t, name, `{"Version":"2012-10-17","Statement":`+statements+`}`)}
}

func ref(policy, kind, sid string, index int) *StatementRef {
	return &StatementRef{Policy: policy, PolicyKind: kind, Sid: sid, Index: index}
}

func TestEvaluate(t *testing.T) {
	type ctx = map[string][]string
	allowAll := `{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`
	tests := []struct {
		name       string
		set        func(t *testing.T) PolicySet
		req        Request
		want       Effect
		decidedBy  *StatementRef
		cond       bool
		reasonPart string
	}{
		{
			name: "allowed by a matching statement",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Read", KindInline, `[{"Sid":"S3","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`)}}
			},
			req:        Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:       Allow,
			decidedBy:  ref("Read", KindInline, "S3", 0),
			reasonPart: "allowed by statement 1 (Sid S3) of inline policy Read",
		},
		{
			name: "implicit deny when nothing matches",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Read", KindInline, `[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`)}}
			},
			req:        Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"},
			want:       ImplicitDeny,
			reasonPart: "no identity-based policy allows s3:PutObject on arn:aws:s3:::b/k",
		},
		{
			name: "no policies at all",
			set:  func(t *testing.T) PolicySet { return PolicySet{} },
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want: ImplicitDeny,
		},
		{
			name: "explicit deny in another policy wins",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{
					pol(t, "Admin", KindManaged, `[`+allowAll+`]`),
					pol(t, "NoDelete", KindGroupInline, `[{"Sid":"X","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"NoDel","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]`),
				}}
			},
			req:        Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"},
			want:       ExplicitDeny,
			decidedBy:  ref("NoDelete", KindGroupInline, "NoDel", 1),
			reasonPart: "explicitly denied by statement 2 (Sid NoDel) of group-inline policy NoDelete",
		},
		{
			name: "actions match case-insensitively",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"S3:get*","Resource":"*"}`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "", 0),
		},
		{
			name: "resources match case-sensitively",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}`)}}
			},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::Bucket/k"},
			want: ImplicitDeny,
		},
		{
			name: "Allow with NotAction allows what is not listed",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "PowerUser", KindManaged, `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      Allow,
			decidedBy: ref("PowerUser", KindManaged, "", 0),
		},
		{
			name: "Allow with NotAction does not allow what is listed",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "PowerUser", KindManaged, `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`)}}
			},
			req:  Request{Action: "IAM:CreateUser", Resource: "*"},
			want: ImplicitDeny,
		},
		{
			name: "Deny with NotAction denies everything not listed",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OnlyIAM","Effect":"Deny","NotAction":["iam:*","sts:GetCallerIdentity"],"Resource":"*"}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      ExplicitDeny,
			decidedBy: ref("P", KindInline, "OnlyIAM", 1),
		},
		{
			name: "Deny with NotAction leaves listed actions alone",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OnlyIAM","Effect":"Deny","NotAction":["iam:*","sts:GetCallerIdentity"],"Resource":"*"}]`)}}
			},
			req:       Request{Action: "iam:ListUsers", Resource: "*"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "All", 0),
		},
		{
			name: "Allow with NotResource excludes the listed resources",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::secret","arn:aws:s3:::secret/*"]}`)}}
			},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::secret/k"},
			want: ImplicitDeny,
		},
		{
			name: "Allow with NotResource allows other resources",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::secret","arn:aws:s3:::secret/*"]}`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::public/k"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "", 0),
		},
		{
			name: "Deny with NotResource denies outside the listed resources",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"Fence","Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::ok/*"}]`)}}
			},
			req:       Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::other/k"},
			want:      ExplicitDeny,
			decidedBy: ref("P", KindInline, "Fence", 1),
		},
		{
			name: "Deny with NotResource spares the listed resources",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"Fence","Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::ok/*"}]`)}}
			},
			req:       Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::ok/k"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "All", 0),
		},
		{
			name: "? in an ARN matches exactly one character",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"ec2:StartInstances","Resource":"arn:aws:ec2:*:*:instance/i-0?"}`)}}
			},
			req:       Request{Action: "ec2:StartInstances", Resource: "arn:aws:ec2:eu-west-1:1:instance/i-07"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "", 0),
		},
		{
			name: "? in an ARN does not match two characters",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"ec2:StartInstances","Resource":"arn:aws:ec2:*:*:instance/i-0?"}`)}}
			},
			req:  Request{Action: "ec2:StartInstances", Resource: "arn:aws:ec2:eu-west-1:1:instance/i-077"},
			want: ImplicitDeny,
		},
		{
			name: "permissions boundary without the action: implicit deny",
			set: func(t *testing.T) PolicySet {
				b := pol(t, "Boundary", KindBoundary, `{"Effect":"Allow","Action":["s3:*","cloudwatch:*"],"Resource":"*"}`)
				return PolicySet{Identity: []NamedPolicy{pol(t, "Admin", KindManaged, `[`+allowAll+`]`)}, Boundary: &b}
			},
			req:        Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::1:user/x"},
			want:       ImplicitDeny,
			reasonPart: "not allowed by permissions boundary Boundary",
		},
		{
			name: "permissions boundary with the action: identity decides",
			set: func(t *testing.T) PolicySet {
				b := pol(t, "Boundary", KindBoundary, `{"Effect":"Allow","Action":["s3:*","cloudwatch:*"],"Resource":"*"}`)
				return PolicySet{Identity: []NamedPolicy{pol(t, "Admin", KindManaged, `[`+allowAll+`]`)}, Boundary: &b}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      Allow,
			decidedBy: ref("Admin", KindManaged, "All", 0),
		},
		{
			name: "permissions boundary grants nothing by itself",
			set: func(t *testing.T) PolicySet {
				b := pol(t, "Boundary", KindBoundary, `[`+allowAll+`]`)
				return PolicySet{Identity: []NamedPolicy{pol(t, "Read", KindInline, `{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}`)}, Boundary: &b}
			},
			req:  Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"},
			want: ImplicitDeny,
		},
		{
			name: "deny in the permissions boundary",
			set: func(t *testing.T) PolicySet {
				b := pol(t, "Boundary", KindBoundary, `[`+allowAll+`,{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}]`)
				return PolicySet{Identity: []NamedPolicy{pol(t, "Admin", KindManaged, `[`+allowAll+`]`)}, Boundary: &b}
			},
			req:       Request{Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/r"},
			want:      ExplicitDeny,
			decidedBy: ref("Boundary", KindBoundary, "NoIAM", 1),
		},
		{
			name: "SCP that does not allow the action: implicit deny",
			set: func(t *testing.T) PolicySet {
				return PolicySet{
					Identity: []NamedPolicy{pol(t, "Admin", KindManaged, `[`+allowAll+`]`)},
					SCPs: []NamedPolicy{
						pol(t, "FullAWSAccess", KindSCP, `[`+allowAll+`]`),
						pol(t, "OnlyS3", KindSCP, `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
					},
				}
			},
			req:        Request{Action: "ec2:RunInstances", Resource: "*"},
			want:       ImplicitDeny,
			reasonPart: "not allowed by service control policy OnlyS3",
		},
		{
			name: "every SCP allows: identity decides",
			set: func(t *testing.T) PolicySet {
				return PolicySet{
					Identity: []NamedPolicy{pol(t, "Admin", KindManaged, `[`+allowAll+`]`)},
					SCPs: []NamedPolicy{
						pol(t, "FullAWSAccess", KindSCP, `[`+allowAll+`]`),
						pol(t, "OnlyS3", KindSCP, `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
					},
				}
			},
			req:       Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"},
			want:      Allow,
			decidedBy: ref("Admin", KindManaged, "All", 0),
		},
		{
			name: "SCP allows but identity does not",
			set: func(t *testing.T) PolicySet {
				return PolicySet{SCPs: []NamedPolicy{pol(t, "FullAWSAccess", KindSCP, `[`+allowAll+`]`)}}
			},
			req:  Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"},
			want: ImplicitDeny,
		},
		{
			name: "deny in an SCP",
			set: func(t *testing.T) PolicySet {
				return PolicySet{
					Identity: []NamedPolicy{pol(t, "Admin", KindManaged, `[`+allowAll+`]`)},
					SCPs:     []NamedPolicy{pol(t, "Guard", KindSCP, `[`+allowAll+`,{"Sid":"NoLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]`)},
				}
			},
			req:       Request{Action: "organizations:LeaveOrganization", Resource: "*"},
			want:      ExplicitDeny,
			decidedBy: ref("Guard", KindSCP, "NoLeave", 1),
		},
		{
			name: "Deny with a condition, no context: the absent key makes NotIpAddress true",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OfficeOnly","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      ExplicitDeny,
			decidedBy: ref("P", KindInline, "OfficeOnly", 1),
			cond:      true,
		},
		{
			name: "Deny with a condition, context inside the range: allowed",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OfficeOnly","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx{"aws:SourceIp": {"10.1.2.3"}}},
			want:      Allow,
			decidedBy: ref("P", KindInline, "All", 0),
		},
		{
			name: "Deny with a condition, context outside the range: denied",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"OfficeOnly","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx{"aws:SourceIp": {"8.8.8.8"}}},
			want:      ExplicitDeny,
			decidedBy: ref("P", KindInline, "OfficeOnly", 1),
		},
		{
			name: "Deny with a positive condition, no context: does not apply, but might",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NoProd","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]`)}}
			},
			req:       Request{Action: "ec2:TerminateInstances", Resource: "arn:aws:ec2:eu-west-1:1:instance/i-1"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "All", 0),
			cond:      true,
		},
		{
			name: "Deny with BoolIfExists: absent key applies the deny",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"MFA","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      ExplicitDeny,
			decidedBy: ref("P", KindInline, "MFA", 1),
			cond:      true,
		},
		{
			name: "Deny with BoolIfExists: MFA present",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"MFA","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx{"aws:MultiFactorAuthPresent": {"true"}}},
			want:      Allow,
			decidedBy: ref("P", KindInline, "All", 0),
		},
		{
			name: "Allow with a condition and no context: implicit deny, conditional",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}}
			},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want: ImplicitDeny,
			cond: true,
		},
		{
			name: "Allow with a condition met",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx{"aws:multifactorauthpresent": {"true"}}},
			want:      Allow,
			decidedBy: ref("P", KindInline, "", 0),
		},
		{
			name: "Allow with a condition not met is certain",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:PrincipalTag/team":"red"}}}`)}}
			},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx{"aws:MultiFactorAuthPresent": {"false"}}},
			want: ImplicitDeny,
		},
		{
			name: "an unconditional Allow makes the decision certain",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[{"Sid":"C","Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Sid":"U","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "U", 1),
		},
		{
			name: "ForAllValues on an absent key allows, conditionally",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}`)}}
			},
			req:       Request{Action: "ec2:CreateTags", Resource: "arn:aws:ec2:eu-west-1:1:instance/i-1"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "", 0),
			cond:      true,
		},
		{
			name: "ForAllValues with a key outside the list",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}`)}}
			},
			req:  Request{Action: "ec2:CreateTags", Resource: "*", Context: ctx{"aws:TagKeys": {"env", "owner"}}},
			want: ImplicitDeny,
		},
		{
			name: "Deny when Null says the key is absent",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NeedTag","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{"Null":{"aws:RequestTag/team":"true"}}}]`)}}
			},
			req:       Request{Action: "ec2:RunInstances", Resource: "*"},
			want:      ExplicitDeny,
			decidedBy: ref("P", KindInline, "NeedTag", 1),
			cond:      true,
		},
		{
			name: "Null deny lifted when the key is present",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[`+allowAll+`,{"Sid":"NeedTag","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{"Null":{"aws:RequestTag/team":"true"}}}]`)}}
			},
			req:       Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx{"aws:RequestTag/team": {"red"}}},
			want:      Allow,
			decidedBy: ref("P", KindInline, "All", 0),
		},
		{
			name: "policy variable resolved from context",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Home", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}`)}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/doc", Context: ctx{"aws:username": {"alice"}}},
			want:      Allow,
			decidedBy: ref("Home", KindInline, "", 0),
		},
		{
			name: "policy variable: someone else's folder",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Home", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}`)}}
			},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/bob/doc", Context: ctx{"aws:username": {"alice"}}},
			want: ImplicitDeny,
		},
		{
			name: "policy variable without a value matches nothing, conditionally",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "Home", KindInline, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}`)}}
			},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/doc"},
			want: ImplicitDeny,
			cond: true,
		},
		{
			name: "2008-10-17: ${…} is literal text",
			set: func(t *testing.T) PolicySet {
				d := mustParse(t, "Old", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)
				return PolicySet{Identity: []NamedPolicy{{Name: "Old", Kind: KindInline, Doc: d}}}
			},
			req:       Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/doc", Context: ctx{"aws:username": {"alice"}}},
			want:      Allow,
			decidedBy: ref("Old", KindInline, "", 0),
		},
		{
			name: "empty resource means *: only Resource * matches",
			set: func(t *testing.T) PolicySet {
				return PolicySet{Identity: []NamedPolicy{pol(t, "P", KindInline, `[{"Sid":"Some","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"},{"Sid":"List","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]`)}}
			},
			req:       Request{Action: "s3:ListAllMyBuckets"},
			want:      Allow,
			decidedBy: ref("P", KindInline, "List", 1),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.set(t), tc.req)
			if got.Effect != tc.want {
				t.Errorf("Effect = %v, want %v (reason: %s)", got.Effect, tc.want, got.Reason)
			}
			if diff := cmp.Diff(tc.decidedBy, got.DecidedBy); diff != "" {
				t.Errorf("DecidedBy mismatch (-want +got):\n%s", diff)
			}
			if got.Conditional != tc.cond {
				t.Errorf("Conditional = %v, want %v", got.Conditional, tc.cond)
			}
			if !strings.Contains(got.Reason, tc.reasonPart) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tc.reasonPart)
			}
		})
	}
}

// TestEvaluateManagedCorpus runs requests against real AWS managed
// policies, checking a few well-known facts about them.
func TestEvaluateManagedCorpus(t *testing.T) {
	byName := map[string]*Document{}
	for _, mp := range loadManaged(t) {
		d, err := ParseNamed(mp.PolicyName, mp.Document)
		if err != nil {
			t.Fatalf("%v", err)
		}
		byName[mp.PolicyName] = d
	}
	get := func(t *testing.T, name string) NamedPolicy {
		d, ok := byName[name]
		if !ok {
			t.Skipf("managed policy %s not in the corpus", name)
		}
		return NamedPolicy{Name: name, Kind: KindManaged, Doc: d}
	}
	audit := []string{"AmazonS3FullAccess", "IAMReadOnlyAccess", "IAMAuditRootUserCredentials"}
	tests := []struct {
		policies []string
		req      Request
		want     Effect
		sid      string // Sid of the deciding statement, when one decides
	}{
		{[]string{"ReadOnlyAccess"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Allow, ""},
		{[]string{"ReadOnlyAccess"}, Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, ""},
		{[]string{"AmazonS3ReadOnlyAccess"}, Request{Action: "S3:LISTBUCKET", Resource: "arn:aws:s3:::b"}, Allow, ""},
		{[]string{"AmazonS3ReadOnlyAccess"}, Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, ""},
		{[]string{"IAMReadOnlyAccess"}, Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::1:user/x"}, ImplicitDeny, ""},
		// IAMAuditRootUserCredentials denies with NotAction and with NotResource.
		{audit, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, ExplicitDeny, "DenyAllOtherActionsOnAnyResource"},
		{audit, Request{Action: "iam:ListAccessKeys", Resource: "arn:aws:iam::123456789012:root"}, Allow, ""},
		{audit, Request{Action: "iam:ListAccessKeys", Resource: "arn:aws:iam::123456789012:user/bob"}, ExplicitDeny, "DenyAuditingCredentialsOnNonRootUserResource"},
		{audit, Request{Action: "iam:GetAccountSummary", Resource: "*"}, Allow, ""},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.policies, "+")+" "+tc.req.Action+" "+tc.req.Resource, func(t *testing.T) {
			var set PolicySet
			for _, name := range tc.policies {
				set.Identity = append(set.Identity, get(t, name))
			}
			got := Evaluate(set, tc.req)
			if got.Effect != tc.want {
				t.Errorf("Effect = %v, want %v (%s)", got.Effect, tc.want, got.Reason)
			}
			if tc.sid != "" && (got.DecidedBy == nil || got.DecidedBy.Sid != tc.sid) {
				t.Errorf("DecidedBy = %v, want Sid %s", got.DecidedBy, tc.sid)
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	set := PolicySet{
		Identity: []NamedPolicy{
			pol(b, "App", KindInline, `[
				{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]},
				{"Sid":"Write","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::data/out/*"},
				{"Sid":"Home","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"},
				{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:/app/*"},
				{"Sid":"NoProd","Effect":"Deny","Action":"s3:Delete*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]`),
			pol(b, "ReadOnlyish", KindManaged, `[{"Effect":"Allow","Action":["ec2:Describe*","cloudwatch:Get*","cloudwatch:List*","sqs:Get*","sqs:List*","sns:List*"],"Resource":"*"}]`),
		},
	}
	bd := pol(b, "Boundary", KindBoundary, `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`)
	set.Boundary = &bd
	reqs := []Request{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/2026/05/01/part-0001.parquet"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::data/out/x"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/notes.txt", Context: map[string][]string{"aws:username": {"alice"}}},
		{Action: "ec2:DescribeInstances", Resource: "*"},
		{Action: "iam:CreateUser", Resource: "arn:aws:iam::1:user/x"},
		{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data/out/x", Context: map[string][]string{"aws:ResourceTag/env": {"dev"}}},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Evaluate(set, reqs[i%len(reqs)])
	}
}
