package recommend

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest/rollup"
)

// TestDefaultsLoseNothingToTheFold: ingest folds the resources of one
// kind beyond its collapse-at (rollup.Fold), per principal, action and
// day; what recommend makes of a window of folded days with its default
// rule must be what it makes of the resources themselves. Days of random
// resources of a few kinds, named in random order.
func TestDefaultsLoseNothingToTheFold(t *testing.T) {
	if rollup.DefaultCollapseAt < DefaultGeneralize.CollapseAt {
		t.Fatalf("ingest folds at %d, before recommend's default collapse-at %d", rollup.DefaultCollapseAt, DefaultGeneralize.CollapseAt)
	}
	if rollup.DefaultMaxNetworks < MaxSuggestedNetworks {
		t.Fatalf("ingest keeps %d networks a day, fewer than a suggestion may list (%d)", rollup.DefaultMaxNetworks, MaxSuggestedNetworks)
	}
	var vocab []string
	for i := range 12 {
		vocab = append(vocab,
			fmt.Sprintf("arn:aws:iam::1:role/churn-role-%d", i),
			fmt.Sprintf("arn:aws:iam::1:role/app-%c", 'a'+i),
			fmt.Sprintf("arn:aws:ssm:us-east-1:1:parameter/app/config/%c%c", 'a'+i, 'k'+i),
			fmt.Sprintf("arn:aws:s3:::data/customers/%c-name/*", 'a'+i),
			fmt.Sprintf("arn:aws:s3:::data/f%c.json", 'a'+i),
		)
	}
	vocab = append(vocab, "arn:aws:iam::1:role/admin", "arn:aws:s3:::data/raw/*", "arn:aws:s3:::data/uploads/*")
	rng := rand.New(rand.NewPCG(1, 15))
	for n := range 500 {
		var exact, folded []string
		for range 1 + rng.IntN(4) { // days
			var day []string
			for range rng.IntN(14) {
				day = append(day, vocab[rng.IntN(len(vocab))])
			}
			exact = append(exact, day...)
			folded = append(folded, rollup.Fold(rollup.DefaultCollapseAt, day)...)
		}
		if diff := cmp.Diff(patterns(DefaultGeneralize, exact), patterns(DefaultGeneralize, folded)); diff != "" {
			t.Fatalf("case %d: %q: patterns from the folded rollup differ (-exact +folded):\n%s", n, exact, diff)
		}
	}
}

func patterns(g Generalize, arns []string) []string {
	slices.Sort(arns)
	arns = slices.Compact(arns)
	var out []string
	for _, c := range g.generalize(arns) {
		out = append(out, c.pattern)
	}
	slices.Sort(out)
	return out
}
