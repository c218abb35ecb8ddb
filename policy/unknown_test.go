package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An operator AWS added after this evaluator's table (or one it does not
// know for any other reason) must not drop its document: the statement is
// kept as a conditional statement. For "is X allowed" an Allow under it
// may apply (Conditional), and a Deny under it is still a possible Deny;
// the prover lets only the very same condition imply it, so a
// recommendation never grants more than the current policies (issue 10,
// item 20).
func TestUnknownOperatorKeepsTheStatement(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Tagged","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEqualsFuture":{"aws:PrincipalTag/team":["a","b"]}}},
	 {"Sid":"Other","Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
	 {"Sid":"NoDelete","Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::locked/*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"x"}}}]}`
	d, err := ParseNamed("P", []byte(doc))
	if err != nil {
		t.Fatalf("an unknown operator rejected the document: %v", err)
	}
	if len(d.Statements) != 3 {
		t.Fatalf("%d statements, want 3", len(d.Statements))
	}
	want := []Condition{{Operator: "StringEqualsFuture", Key: "aws:PrincipalTag/team", Values: []string{"a", "b"}}}
	if diff := cmp.Diff(want, d.Statements[0].Conditions); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if !d.Statements[0].Conditions[0].Unknown() || !d.Statements[2].Conditions[0].Unknown() {
		t.Error("Unknown() = false for an unknown operator and set qualifier")
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	// Round trip: the operator is written back as it came.
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(b)
	if err != nil {
		t.Fatalf("reparse %s: %v", b, err)
	}
	if diff := cmp.Diff(d.Statements, again.Statements); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	set := PolicySet{Identity: []NamedPolicy{{Name: "P", Kind: KindManaged, Doc: d}}}
	for _, tc := range []struct {
		name        string
		req         Request
		effect      Effect
		conditional bool
	}{
		{"allow under an unknown operator: may apply", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: map[string][]string{"aws:PrincipalTag/team": {"a"}}}, ImplicitDeny, true},
		{"deny under an unknown set qualifier: may apply", Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::locked/k", Context: map[string][]string{"aws:TagKeys": {"x"}}}, Allow, true},
		{"untouched statements decide as before", Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::open/k"}, Allow, false},
		{"no statement", Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(set, tc.req)
			if got.Effect != tc.effect || got.Conditional != tc.conditional {
				t.Errorf("Evaluate = %v conditional %v (%s), want %v conditional %v", got.Effect, got.Conditional, got.Reason, tc.effect, tc.conditional)
			}
		})
	}

	// The prover: only the same unknown condition implies it; an
	// unconditional or differently conditioned statement is never proved
	// within the grant; an unknown Deny blocks what it may touch.
	same := want[0]
	for _, tc := range []struct {
		name     string
		action   string
		resource string
		conds    []Condition
		want     bool
	}{
		{"same unknown condition", "s3:GetObject", "arn:aws:s3:::b/x/*", []Condition{same}, true},
		{"same, keys in another case", "s3:GetObject", "arn:aws:s3:::b/*", []Condition{{Operator: "stringequalsfuture", Key: "AWS:PrincipalTag/team", Values: []string{"b", "a"}}}, true},
		{"no condition", "s3:GetObject", "arn:aws:s3:::b/*", nil, false},
		{"fewer values (meaning unknown)", "s3:GetObject", "arn:aws:s3:::b/*", []Condition{{Operator: "StringEqualsFuture", Key: "aws:PrincipalTag/team", Values: []string{"a"}}}, false},
		{"a known operator instead", "s3:GetObject", "arn:aws:s3:::b/*", []Condition{{Operator: "StringEquals", Base: "StringEquals", Key: "aws:PrincipalTag/team", Values: []string{"a"}}}, false},
		{"a possible deny blocks", "s3:PutObject", "arn:aws:s3:::locked/*", nil, false},
		{"outside the deny", "s3:PutObject", "arn:aws:s3:::open/*", nil, true},
	} {
		t.Run("prover "+tc.name, func(t *testing.T) {
			if got, _ := AllowsAllWhen(set, tc.action, tc.resource, tc.conds); got != tc.want {
				t.Errorf("AllowsAllWhen(%s, %s, %v) = %v, want %v", tc.action, tc.resource, tc.conds, got, tc.want)
			}
			if got, _ := NewProver(set).AllowsAllWhen(tc.action, tc.resource, tc.conds); got != tc.want {
				t.Errorf("Prover.AllowsAllWhen(%s, %s, %v) = %v, want %v", tc.action, tc.resource, tc.conds, got, tc.want)
			}
		})
	}
}
