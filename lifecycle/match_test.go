package lifecycle

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestMatcherAgreesWithRegexp: each rule's matcher gives exactly the
// submatches of its regular expression (or gives up), on ARNs made from
// every rule's format with values holding the characters the expressions
// care about (':', '/', newlines, non-ASCII and invalid UTF-8), cut,
// extended, and spliced at random.
func TestMatcherAgreesWithRegexp(t *testing.T) {
	values := []string{"x", "ab", "a/b", "1:2", ":", "/", "", "a\nb", "é", "\xff", "i-0123", "backup/x", "object/k", "a:b/c:d/e", "2025/01/02/[$LATEST]abc"}
	var arns []string
	for _, r := range table {
		for _, v := range values {
			arn := varRE.ReplaceAllLiteralString(r.Format, v)
			arns = append(arns, arn, arn+"/more", arn+":9", arn+"\n", arn[:len(arn)/2], arn[:len(arn)-1])
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := arns[rng.IntN(len(arns))], arns[rng.IntN(len(arns))]
		i, j := rng.IntN(len(a)+1), rng.IntN(len(b)+1)
		arns = append(arns, a[:i]+b[j:])
	}
	arns = append(arns, "arn:aws:s3:::"+strings.Repeat("a/", 3000)) // past the budget
	fast, matched := 0, 0
	for _, r := range table {
		if r.fast == nil {
			continue
		}
		fast++
		for _, arn := range arns {
			want := r.re.FindStringSubmatchIndex(arn)
			got, ok := r.fast.match(arn, nil)
			if !ok {
				continue
			}
			if want != nil {
				matched++
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("rule %s on %q: matcher %v, regexp %v", r.Name(), arn, got, want)
			}
		}
	}
	if fast < len(table)*9/10 || matched < len(table) {
		t.Fatalf("%d of %d rules have a matcher, %d matches: the test does not exercise them", fast, len(table), matched)
	}
}
