package policy

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestMarshalGolden writes each testdata/canonical/*.json document in
// canonical indented form and compares it with the .golden file beside
// it. Run go test ./policy/ -run MarshalGolden -update to accept changes.
func TestMarshalGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "canonical", "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs in testdata/canonical: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatalf("read %s: %v", in, err)
			}
			doc, err := ParseNamed(name, data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := doc.MarshalIndent()
			if err != nil {
				t.Fatalf("MarshalIndent: %v", err)
			}
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatalf("write %s: %v", golden, err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read %s (run with -update to create it): %v", golden, err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("canonical output mismatch (-want +got):\n%s", diff)
			}
			// The compact form is the indented form without layout.
			compact, err := json.Marshal(doc)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			if !json.Valid(compact) || CharCount(doc) != nonSpace(string(got)) {
				t.Errorf("compact form %s: valid %v, CharCount %d, indented non-space %d", compact, json.Valid(compact), CharCount(doc), nonSpace(string(got)))
			}
			// Output parses back to the same document.
			again, err := Parse(compact)
			if err != nil {
				t.Fatalf("reparse: %v", err)
			}
			if diff := cmp.Diff(doc, again); diff != "" {
				t.Errorf("round trip mismatch (-first +second):\n%s", diff)
			}
		})
	}
}

func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func TestMarshalJSONCompact(t *testing.T) {
	doc := &Document{Version: Version2012, Statements: []Statement{
		{Sid: "Read", Effect: EffectAllow, Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/a&b<c>"}},
		{Index: 1, Effect: EffectDeny, NotAction: []string{"iam:*", "sts:*"}, HasNotAction: true, Resource: []string{"*"},
			Conditions: []Condition{{Operator: "StringNotEquals", Base: "StringNotEquals", Key: "aws:RequestedRegion", Values: []string{"eu-west-1"}}}},
	}}
	got, err := doc.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a&b<c>"},{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`
	if string(got) != want {
		t.Errorf("MarshalJSON =\n%s\nwant\n%s", got, want)
	}
	// json.Marshal escapes <, > and & in what MarshalJSON returns; the
	// result must still mean the same document.
	viaStd, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	back, err := Parse(viaStd)
	if err != nil {
		t.Fatalf("parse json.Marshal output: %v", err)
	}
	if diff := cmp.Diff(doc, back); diff != "" {
		t.Errorf("json.Marshal round trip mismatch (-want +got):\n%s", diff)
	}
	if n := CharCount(doc); n != len(want) {
		t.Errorf("CharCount = %d, want %d", n, len(want))
	}
	bad := &Document{Statements: []Statement{{Effect: "Maybe", Action: []string{"s3:*"}, Resource: []string{"*"}}}}
	if _, err := json.Marshal(bad); err == nil {
		t.Errorf("json.Marshal of an invalid document succeeded")
	}
}

// TestMarshalConditionFromParts checks that code may describe a condition
// by Set, Base and IfExists instead of Operator.
func TestMarshalConditionFromParts(t *testing.T) {
	doc := &Document{Version: Version2012, Statements: []Statement{{
		Effect: EffectAllow, Action: []string{"ec2:CreateTags"}, Resource: []string{"*"},
		Conditions: []Condition{
			{Set: SetForAllValues, Base: "StringLike", IfExists: true, Key: "aws:TagKeys", Values: []string{"app-*"}},
			{Base: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}},
		},
	}}}
	got, err := doc.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"ForAllValues:StringLikeIfExists":{"aws:TagKeys":"app-*"}}}]}`
	if string(got) != want {
		t.Errorf("MarshalJSON =\n%s\nwant\n%s", got, want)
	}
	ok, err := EvaluateCondition(doc.Statements[0].Conditions[0], map[string][]string{"aws:TagKeys": {"app-a", "db"}})
	if err != nil || ok {
		t.Errorf("EvaluateCondition = %v, %v; want false, nil", ok, err)
	}
	noOp := &Document{Statements: []Statement{{Effect: EffectAllow, Action: []string{"s3:*"}, Resource: []string{"*"},
		Conditions: []Condition{{Key: "k:k", Values: []string{"v"}}}}}}
	if err := noOp.Validate(); err == nil || !strings.Contains(err.Error(), `unknown condition operator ""`) {
		t.Errorf("Validate of a condition without operator = %v", err)
	}
}

func TestCharCount(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want int
	}{
		{
			name: "whitespace in the source does not count",
			doc:  "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": [\"*\"] } ]\n}",
			want: len(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`),
		},
		{
			name: "spaces inside values do not count either",
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/my file"}}`,
			want: len(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/myfile"}]}`),
		},
		{
			name: "characters, not bytes",
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/été"}}`,
			want: len(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/ete"}]}`),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParse(t, tc.name, tc.doc)
			if got := CharCount(doc); got != tc.want {
				t.Errorf("CharCount = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestMarshalManagedCorpusRoundTrip writes every managed policy in
// canonical form and parses it back: nothing may change.
func TestMarshalManagedCorpusRoundTrip(t *testing.T) {
	for _, mp := range loadManaged(t) {
		doc, err := ParseNamed(mp.PolicyName, mp.Document)
		if err != nil {
			t.Fatalf("%v", err)
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Errorf("%s: marshal: %v", mp.PolicyName, err)
			continue
		}
		again, err := ParseNamed(mp.PolicyName, out)
		if err != nil {
			t.Errorf("%s: reparse: %v", mp.PolicyName, err)
			continue
		}
		if diff := cmp.Diff(doc, again); diff != "" {
			t.Errorf("%s: round trip mismatch (-first +second):\n%s", mp.PolicyName, diff)
		}
		if n, orig := CharCount(doc), nonSpace(string(mp.Document)); n > orig+8*strings.Count(string(mp.Document), "true")+8 {
			t.Errorf("%s: canonical form has %d characters, the original %d", mp.PolicyName, n, orig)
		}
	}
}
