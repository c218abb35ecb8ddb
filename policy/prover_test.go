package policy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestProverAgrees checks that a Prover gives AllowsAllWhen's answers,
// statement references included, on random sets of Allow statements
// (resource patterns with shared literal starts, wildcards, variables,
// NotResource, conditions on two keys) and random questions with and
// without conditions.
func TestProverAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	resources := []string{"*", "arn:a", "arn:a*", "arn:ab*", "arn:b?", "arn:a${aws:username}", "arn:$x", "arn:ab", "arn:abc", "arn:*b", "arn:b*"}
	conds := []string{
		`"StringEquals":{"k:k":"a"}`, `"StringEquals":{"k:k":["a","b"]}`, `"StringEquals":{"K:K":"a"}`,
		`"StringLike":{"j:j":"*"}`, `"StringEquals":{"j:j":"a","k:k":"a"}`,
		`"StringEqualsFuture":{"k:k":"a"}`, // an operator this evaluator does not know
	}
	var proved, asked int
	for iter := 0; iter < 2000; iter++ {
		var set PolicySet
		for p := range 1 + rng.IntN(3) {
			var sts []string
			for i := range 1 + rng.IntN(6) {
				res := "Resource"
				if rng.IntN(6) == 0 {
					res = "NotResource"
				}
				s := fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":%q,%q:[%q,%q]`, i, pick([]string{"s:*", "s:a", "s:a*", "*"}), res, pick(resources), pick(resources))
				if rng.IntN(2) == 0 {
					s += `,"Condition":{` + pick(conds) + `}`
				}
				sts = append(sts, s+"}")
			}
			version := "2012-10-17"
			if rng.IntN(4) == 0 {
				version = "2008-10-17"
			}
			doc, err := ParseNamed("P", []byte(`{"Version":"`+version+`","Statement":[`+strings.Join(sts, ",")+`]}`))
			if err != nil {
				t.Fatal(err)
			}
			set.Identity = append(set.Identity, NamedPolicy{Name: fmt.Sprintf("P%d", p), Kind: KindInline, Doc: doc})
		}
		pr := NewProver(set)
		for range 20 {
			action, res := pick([]string{"s:a", "s:ab", "s:*", "s:a*", "t:a"}), pick(append(resources, "arn:abd", "arn:", "arn:b"))
			var cs []Condition
			for range rng.IntN(3) {
				op, key, val := pick([]string{"StringEquals", "StringLike", "StringEqualsFuture"}), pick([]string{"k:k", "K:k", "j:j"}), pick([]string{"a", "b", "*"})
				c, err := NewCondition(op, key, val)
				if errors.Is(err, ErrUnknownOperator) {
					c, err = Condition{Operator: op, Key: key, Values: []string{val}}, nil
				}
				if err != nil {
					t.Fatal(err)
				}
				cs = append(cs, c)
			}
			wantOK, wantRef := AllowsAllWhen(set, action, res, cs)
			gotOK, gotRef := pr.AllowsAllWhen(action, res, cs)
			asked++
			if wantOK {
				proved++
			}
			if gotOK != wantOK || fmt.Sprint(gotRef) != fmt.Sprint(wantRef) {
				t.Fatalf("AllowsAllWhen(%q, %q, %v): prover %v %v, want %v %v\nset: %s", action, res, cs, gotOK, gotRef, wantOK, wantRef, describe(set))
			}
		}
	}
	if proved == 0 || proved == asked {
		t.Errorf("%d of %d questions proved: the test should see both answers", proved, asked)
	}
}
