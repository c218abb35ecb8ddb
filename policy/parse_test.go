package policy

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseGrammar(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Document
	}{
		{
			name: "statement as object, strings",
			in:   `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			want: &Document{Version: Version2012, Statements: []Statement{
				{Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"}},
			}},
		},
		{
			name: "statement as array, lists, Sid, Id",
			in: `{"Version":"2012-10-17","Id":"pol1","Statement":[
				{"Sid":"One","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::a","arn:aws:s3:::a/*"]},
				{"Sid":"Two","Effect":"Deny","Action":"*","Resource":"*"}]}`,
			want: &Document{Version: Version2012, ID: "pol1", Statements: []Statement{
				{Index: 0, Sid: "One", Effect: "Allow", Action: []string{"s3:Get*", "s3:List*"}, Resource: []string{"arn:aws:s3:::a", "arn:aws:s3:::a/*"}},
				{Index: 1, Sid: "Two", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}},
			}},
		},
		{
			name: "2008 version",
			in:   `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
			want: &Document{Version: Version2008, Statements: []Statement{
				{Effect: "Allow", Action: []string{"sqs:*"}, Resource: []string{"*"}},
			}},
		},
		{
			name: "no version",
			in:   `{"Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
			want: &Document{Statements: []Statement{
				{Effect: "Allow", Action: []string{"sqs:*"}, Resource: []string{"*"}},
			}},
		},
		{
			name: "NotAction and NotResource as string and array",
			in:   `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b"]}]}`,
			want: &Document{Version: Version2012, Statements: []Statement{
				{Effect: "Deny", NotAction: []string{"iam:*"}, HasNotAction: true, NotResource: []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"}, HasNotResource: true},
			}},
		},
		{
			name: "conditions: every form, sorted by operator then key",
			in: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{
				"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-west-2"],"ec2:InstanceType":"t3.micro"},
				"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"team*"},
				"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]},
				"Bool":{"aws:MultiFactorAuthPresent":true},
				"NumericLessThan":{"aws:MultiFactorAuthAge":3600},
				"Null":{"aws:TokenIssueTime":"false"}}}]}`,
			want: &Document{Version: Version2012, Statements: []Statement{
				{Effect: "Allow", Action: []string{"ec2:RunInstances"}, Resource: []string{"*"}, Conditions: []Condition{
					{Operator: "Bool", Base: "Bool", Key: "aws:MultiFactorAuthPresent", Values: []string{"true"}},
					{Operator: "ForAllValues:StringEquals", Base: "StringEquals", Set: SetForAllValues, Key: "aws:TagKeys", Values: []string{"team", "env"}},
					{Operator: "ForAnyValue:StringLikeIfExists", Base: "StringLike", Set: SetForAnyValue, IfExists: true, Key: "aws:TagKeys", Values: []string{"team*"}},
					{Operator: "Null", Base: "Null", Key: "aws:TokenIssueTime", Values: []string{"false"}},
					{Operator: "NumericLessThan", Base: "NumericLessThan", Key: "aws:MultiFactorAuthAge", Values: []string{"3600"}},
					{Operator: "StringEquals", Base: "StringEquals", Key: "aws:RequestedRegion", Values: []string{"eu-west-1", "eu-west-2"}},
					{Operator: "StringEquals", Base: "StringEquals", Key: "ec2:InstanceType", Values: []string{"t3.micro"}},
				}},
			}},
		},
		{
			name: "policy variables kept verbatim",
			in:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`,
			want: &Document{Version: Version2012, Statements: []Statement{
				{Effect: "Allow", Action: []string{"s3:*"}, Resource: []string{"arn:aws:s3:::home/${aws:username}/*"}},
			}},
		},
		{
			name: "empty condition block",
			in:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{}}]}`,
			want: &Document{Version: Version2012, Statements: []Statement{
				{Effect: "Allow", Action: []string{"s3:*"}, Resource: []string{"*"}},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEncodings(t *testing.T) {
	const doc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a+b/my file*"}]}`
	want := &Document{Version: Version2012, Statements: []Statement{
		{Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::a+b/my file*"}},
	}}
	// The IAM API's form: RFC 3986 percent-encoding (spaces as %20).
	apiForm := strings.ReplaceAll(url.PathEscape(doc), "+", "%2B")
	quoted, _ := json.Marshal(doc)
	quotedAPI, _ := json.Marshal(apiForm)
	tests := []struct {
		name string
		in   string
	}{
		{"JSON object", doc},
		{"JSON object with BOM and blank lines", "\ufeff\n\n" + doc + "\n"},
		{"URL-encoded", apiForm},
		{"URL-encoded, plus left literal", strings.ReplaceAll(apiForm, "%2B", "+")},
		{"URL-encoded, lower-case hex", strings.ToLower(apiForm[:3]) + apiForm[3:]},
		{"JSON string holding the object", string(quoted)},
		{"JSON string holding the URL-encoded form", string(quotedAPI)},
		{"URL-encoded except the braces", "{" + strings.TrimSuffix(strings.TrimPrefix(apiForm, "%7B"), "%7D") + "}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse(%.40q…): %v", tc.in, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const name = "MyPolicy"
	tests := []struct {
		name string
		in   string
		want []string // one line per problem
	}{
		{"empty", ``, []string{"policy MyPolicy: document is empty"}},
		{"not JSON", `Version: 1`, []string{"policy MyPolicy: document is not a JSON object (nor URL-encoded JSON)"}},
		{"array", `[]`, []string{"policy MyPolicy: document is not a JSON object (nor URL-encoded JSON)"}},
		{"bad URL encoding", `%7B%zz`, []string{`policy MyPolicy: document is not valid URL encoding: invalid URL escape "%zz"`}},
		{"truncated JSON", `{"Version":"2012-10-17","Statement":[`, []string{"policy MyPolicy: invalid JSON at byte 37: unexpected end of JSON input"}},
		{"syntax error", `{"Version":"2012-10-17",}`, []string{"policy MyPolicy: invalid JSON at byte 25: invalid character '}' looking for beginning of object key string"}},
		{"duplicate key", `{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}`, []string{`policy MyPolicy: document: duplicate key "Version"`}},
		{"missing statement", `{"Version":"2012-10-17"}`, []string{"policy MyPolicy: Statement is missing"}},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, []string{"policy MyPolicy: Statement is an empty list"}},
		{"statement is a string", `{"Version":"2012-10-17","Statement":"x"}`, []string{"policy MyPolicy: Statement must be an object or an array, not a string"}},
		{"bad version", `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
			[]string{`policy MyPolicy: Version must be "2012-10-17" or "2008-10-17", not "2012-10-18"`}},
		{"unknown top-level key", `{"Version":"2012-10-17","Statements":[]}`,
			[]string{`policy MyPolicy: unknown element "Statements" (want Version, Id, Statement)`, "policy MyPolicy: Statement is missing"}},
		{"lower-case element names are not IAM's", `{"Version":"2012-10-17","Statement":{"effect":"Allow","Action":"*","Resource":"*"}}`,
			[]string{`policy MyPolicy: statement 1: unknown element "effect"`, "policy MyPolicy: statement 1: Effect is missing"}},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"S2","Effect":"allow","Action":"*","Resource":"*"}]}`,
			[]string{`policy MyPolicy: statement 2 (Sid "S2"): Effect must be Allow or Deny, not "allow"`}},
		{"effect not a string", `{"Version":"2012-10-17","Statement":{"Effect":true,"Action":"*","Resource":"*"}}`,
			[]string{"policy MyPolicy: statement 1: Effect must be a string, not a boolean"}},
		{"no action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`,
			[]string{"policy MyPolicy: statement 1: needs an Action or NotAction element"}},
		{"both action forms", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}}`,
			[]string{"policy MyPolicy: statement 1: has both Action and NotAction"}},
		{"no resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}`,
			[]string{"policy MyPolicy: statement 1: needs a Resource or NotResource element"}},
		{"both resource forms", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"arn:aws:s3:::x"}}`,
			[]string{"policy MyPolicy: statement 1: has both Resource and NotResource"}},
		{"empty action list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`,
			[]string{"policy MyPolicy: statement 1: Action is an empty list", "policy MyPolicy: statement 1: needs an Action or NotAction element"}},
		{"action not a string", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get",3],"Resource":"*"}}`,
			[]string{"policy MyPolicy: statement 1: Action[1] must be a string, not a number"}},
		{"action without service", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`,
			[]string{`policy MyPolicy: statement 1: Action "GetObject": must be "*" or service:action`}},
		{"wildcard in service", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s*:Get","Resource":"*"}}`,
			[]string{`policy MyPolicy: statement 1: NotAction "s*:Get": service prefix must not hold wildcards`}},
		{"resource not an ARN", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}}`,
			[]string{`policy MyPolicy: statement 1: Resource "my-bucket" must be "*" or an ARN (arn:partition:service:region:account:resource)`}},
		{"principal", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`,
			[]string{"policy MyPolicy: statement 1: Principal is not allowed in an identity-based policy (it belongs in resource-based and trust policies)"}},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}]}`,
			[]string{`policy MyPolicy: statement 2 (Sid "A"): Sid is also used by statement 1; Sids must be unique`}},
		{"sid with space", `{"Version":"2012-10-17","Statement":{"Sid":"My Sid","Effect":"Allow","Action":"*","Resource":"*"}}`,
			[]string{`policy MyPolicy: statement 1 (Sid "My Sid"): Sid may hold only ASCII letters and digits`}},
		{"NullIfExists", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition: condition operator "NullIfExists": Null cannot take IfExists`}},
		{"bad numeric value", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"a:b":"ten"}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "NumericLessThan" key "a:b": value "ten": not a number`}},
		{"bad date value", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "DateGreaterThan" key "aws:CurrentTime": value "yesterday": not an ISO 8601 date or epoch seconds`}},
		{"bad CIDR", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "IpAddress" key "aws:SourceIp": value "10.0.0.0/33": not an IP address or CIDR block`}},
		{"bad Null value", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"a:b":"yes"}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "Null" key "a:b": value "yes": must be true or false`}},
		{"condition values an object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":{"c":"d"}}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "StringEquals" key "a:b": values must be strings, numbers or booleans, or an array of them, not an object`}},
		{"condition operator without keys", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "StringEquals" has no keys`}},
		{"condition with empty values", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":[]}}}}`,
			[]string{`policy MyPolicy: statement 1: Condition "StringEquals" key "a:b" has no values`}},
		{"several problems in order", `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*"}]}`,
			[]string{
				`policy MyPolicy: statement 1: Effect must be Allow or Deny, not "Permit"`,
				"policy MyPolicy: statement 2: needs a Resource or NotResource element",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseNamed(name, []byte(tc.in))
			if err == nil {
				t.Fatalf("ParseNamed = %v, want error", doc)
			}
			if doc != nil {
				t.Errorf("ParseNamed returned a document with an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Policy != name {
				t.Errorf("error is not a *ParseError naming %q: %#v", name, err)
			}
			got := strings.Split(err.Error(), "\n")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUnnamedError(t *testing.T) {
	_, err := Parse([]byte(`{"Statement":{"Effect":"Allow","Action":"*"}}`))
	want := "policy: statement 1: needs a Resource or NotResource element"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
}

func TestUnmarshalJSONInsideOtherJSON(t *testing.T) {
	encoded := url.PathEscape(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}`)
	in := `{"Inline": {"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}, "FromAPI": "` + encoded + `"}`
	var got struct {
		Inline  Document
		FromAPI Document
	}
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if got.Inline.Statements[0].Effect != EffectDeny || got.FromAPI.Statements[0].Action[0] != "s3:ListBucket" {
		t.Errorf("got %+v", got)
	}
	var bad struct{ D Document }
	if err := json.Unmarshal([]byte(`{"D":{"Statement":[]}}`), &bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid embedded document: err = %v, want ErrInvalid", err)
	}
}

func TestValidateBuiltDocument(t *testing.T) {
	tests := []struct {
		name string
		doc  Document
		want string // "" for valid
	}{
		{"valid", Document{Version: Version2012, Statements: []Statement{{Effect: EffectAllow, Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"}}}}, ""},
		{"bad effect", Document{Version: Version2012, Statements: []Statement{{Effect: "allow", Action: []string{"s3:GetObject"}, Resource: []string{"*"}}}},
			`policy: statement 1: Effect must be Allow or Deny, not "allow"`},
		{"NotAction flag with Action too", Document{Statements: []Statement{{Effect: EffectDeny, Action: []string{"s3:*"}, NotAction: []string{"s3:Get*"}, HasNotAction: true, Resource: []string{"*"}}}},
			"policy: statement 1: has both Action and NotAction"},
		{"duplicate condition key", Document{Statements: []Statement{{Effect: EffectAllow, Action: []string{"s3:*"}, Resource: []string{"*"}, Conditions: []Condition{
			{Operator: "StringEquals", Key: "a:b", Values: []string{"x"}}, {Operator: "StringEquals", Key: "a:b", Values: []string{"y"}}}}}},
			`policy: statement 1: Condition "StringEquals" lists key "a:b" twice`},
		{"inconsistent base", Document{Statements: []Statement{{Effect: EffectAllow, Action: []string{"s3:*"}, Resource: []string{"*"}, Conditions: []Condition{
			{Operator: "StringLike", Base: "StringEquals", Key: "a:b", Values: []string{"x"}}}}}},
			`policy: statement 1: Condition "StringLike": Base, Set and IfExists do not agree with the operator`},
		{"bad version", Document{Version: "2020-01-01", Statements: []Statement{{Effect: EffectAllow, Action: []string{"s3:*"}, Resource: []string{"*"}}}},
			`policy: Version must be "2012-10-17" or "2008-10-17", not "2020-01-01"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.doc.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		op       string
		set      string
		base     string
		ifExists bool
		wantErr  bool
	}{
		{"StringEquals", "", "StringEquals", false, false},
		{"stringequals", "", "StringEquals", false, false},
		{"StringLikeIfExists", "", "StringLike", true, false},
		{"ForAnyValue:StringLikeIfExists", SetForAnyValue, "StringLike", true, false},
		{"ForAllValues:ArnEquals", SetForAllValues, "ArnEquals", false, false},
		{"NotIpAddressIfExists", "", "NotIpAddress", true, false},
		{"BinaryEquals", "", "BinaryEquals", false, false},
		{"DateGreaterThanEqualsIfExists", "", "DateGreaterThanEquals", true, false},
		{"Null", "", "Null", false, false},
		{"NullIfExists", "", "", false, true},
		{"IfExists", "", "", false, true},
		{"Foo:StringEquals", "", "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			set, base, ifExists, err := ParseOperator(tc.op)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseOperator(%q) err = %v, wantErr %v", tc.op, err, tc.wantErr)
			}
			if set != tc.set || base != tc.base || ifExists != tc.ifExists {
				t.Errorf("ParseOperator(%q) = %q, %q, %v; want %q, %q, %v", tc.op, set, base, ifExists, tc.set, tc.base, tc.ifExists)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, and that whatever it accepts
// it can write back in canonical form and read again unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",true,3]}}}]}`,
		`%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D`,
		`"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		out, err := doc.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a parsed document: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("reparse %s: %v", out, err)
		}
		if diff := cmp.Diff(doc, again); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}
