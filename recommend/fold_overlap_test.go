package recommend

import (
	"slices"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/policy"
)

// passRoleFixture is the test fixture with iam:PassRole and its
// neighbours granted on iamRes (a JSON string or list) instead of "*".
func passRoleFixture(t *testing.T, iamRes string) fixture {
	t.Helper()
	f := newFixture(t)
	src := strings.Replace(testAuthz, `"Action":["iam:PassRole","iam:GetRole","iam:AttachRolePolicy","iam:TagRole"],"Resource":"*"`,
		`"Action":["iam:PassRole","iam:GetRole","iam:AttachRolePolicy","iam:TagRole"],"Resource":`+iamRes, 1)
	if src == testAuthz {
		t.Fatal("fixture: the PassRole statement was not found")
	}
	inv, err := authz.Parse(strings.NewReader(src), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := inv.Principal("arn:aws:iam::111122223333:role/app/worker")
	f.in.Principal = p
	f.in.Effective = mustExpand(t, p, f.cat)
	return f
}

// TestFoldedPatternKeepsWildcardGrant: a call on task-echo was allowed by
// a grant naming it with an account wildcard; ingest folded it into
// role/app/task-*, which that grant does not match as text and which does
// not match it. The recommendation must still allow task-echo, and the
// proof must not call it proven otherwise (found by review: it did).
func TestFoldedPatternKeepsWildcardGrant(t *testing.T) {
	grant := `["arn:aws:iam::*:role/app/task-echo","arn:aws:iam::111122223333:role/app/task-alpha","arn:aws:iam::111122223333:role/app/task-bravo","arn:aws:iam::111122223333:role/app/task-charlie","arn:aws:iam::111122223333:role/app/task-delta","arn:aws:iam::111122223333:role/app/task-zulu","arn:aws:iam::111122223333:role/app/worker"]`
	var used []string
	for _, n := range []string{"alpha", "bravo", "charlie", "delta", "echo"} {
		used = append(used, "arn:aws:iam::111122223333:role/app/task-"+n)
	}
	folded := slices.Compact(slices.Sorted(slices.Values(rollup.Fold(rollup.DefaultCollapseAt, used))))
	if !slices.ContainsFunc(folded, func(r string) bool { return strings.HasSuffix(r, "*") }) {
		t.Fatalf("the fixture needs a fold row; Fold gave %q", folded)
	}
	f := passRoleFixture(t, grant)
	for j := range f.in.Result.Used {
		if f.in.Result.Used[j].Action == "iam:PassRole" {
			f.in.Result.Used[j].Resources = folded
		}
	}
	rec, err := Recommend(t.Context(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	newSet := policy.PolicySet{}
	for _, d := range rec.Policies {
		newSet.Identity = append(newSet.Identity, policy.NamedPolicy{Name: "r", Kind: policy.KindManaged, Doc: d})
	}
	for _, r := range used {
		req := policy.Request{Action: "iam:PassRole", Resource: r}
		cur := policy.Evaluate(policy.PolicySet{Identity: f.in.Principal.Policies.Identity}, req)
		got := policy.Evaluate(newSet, req)
		if cur.Effect == policy.Allow && got.Effect != policy.Allow {
			t.Errorf("PassRole on %s: allowed now, denied by the recommendation (proven %v)", r, rec.Proof.Proven)
		}
	}
	if !rec.Proof.Proven {
		t.Errorf("not proven: %v %v", rec.Proof.ObservedFailures, rec.Proof.BroaderFailures)
	}
}

// TestFoldKeepsParentsApart: data reads collapse per parent path
// (siblings), so four parameters under prod/ and one under stage/ give
// prod/* and the stage parameter; what ingest stores of them, folded at
// the default, must give the same, not parameter/* (found by review: the
// fold counted per kind and stored parameter/*).
func TestFoldKeepsParentsApart(t *testing.T) {
	used := []string{
		"arn:aws:ssm:us-east-1:111122223333:parameter/prod/db",
		"arn:aws:ssm:us-east-1:111122223333:parameter/prod/api",
		"arn:aws:ssm:us-east-1:111122223333:parameter/prod/cache",
		"arn:aws:ssm:us-east-1:111122223333:parameter/prod/queue",
		"arn:aws:ssm:us-east-1:111122223333:parameter/stage/db",
		"arn:aws:ssm:us-east-1:111122223333:parameter/stage/api",
	}
	g := DefaultGeneralize
	g.siblings = true
	folded := rollup.Fold(rollup.DefaultCollapseAt, used)
	exact, fromFold := patterns(g, used), patterns(g, slices.Compact(slices.Sorted(slices.Values(folded))))
	if !slices.Equal(exact, fromFold) {
		t.Errorf("from the resources %q, from the folded rows %q (stored %q)", exact, fromFold, folded)
	}
}
