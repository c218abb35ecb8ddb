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

// TestFoldedUsageRecommendsAlike: the whole recommendation, proven, is
// the same from an action's resources as from what ingest stores of them
// when it folds (one day's, named in order), at the defaults of both.
func TestFoldedUsageRecommendsAlike(t *testing.T) {
	var tenants, tasks []string
	for _, n := range []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"} {
		tenants = append(tenants, "arn:aws:s3:::logs/app/tenant-"+n+"/*") // keys as ingest cuts them (depth 2)
		tasks = append(tasks, "arn:aws:iam::111122223333:role/app/task-"+n)
	}
	tests := []struct {
		action    string
		resources []string
	}{
		{"s3:PutObject", append(tenants, "arn:aws:s3:::logs/app/readme.txt", "arn:aws:s3:::data/out/*")},
		{"iam:PassRole", append(tasks, "arn:aws:iam::111122223333:role/app/other")},
		{"iam:PassRole", append([]string{"arn:aws:iam::111122223333:role/admin"}, tasks...)},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			folded := rollup.Fold(rollup.DefaultCollapseAt, tc.resources)
			slices.Sort(folded)
			folded = slices.Compact(folded)
			if len(folded) >= len(tc.resources) {
				t.Fatalf("nothing folded: %q", folded)
			}
			recs := make([]*Recommendation, 2)
			for i, res := range [][]string{tc.resources, folded} {
				f := newFixture(t)
				found := false
				for j := range f.in.Result.Used {
					if f.in.Result.Used[j].Action == tc.action {
						f.in.Result.Used[j].Resources = res
						found = true
					}
				}
				if !found {
					t.Fatalf("the fixture does not use %s", tc.action)
				}
				recs[i] = recommendProven(t, f.in, Options{})
			}
			if diff := cmp.Diff(recs[0].Policies, recs[1].Policies); diff != "" {
				t.Errorf("policies from %q and from the folded %q differ (-exact +folded):\n%s", tc.resources, folded, diff)
			}
		})
	}
}
