package recommend

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/trails"
)

// A role of 100 statements granting "*" each under its own condition, with
// too little evidence to remove anything (issue 10, item 13): every
// statement is kept as "*" under its condition, proven, within the budget.
// Enumerated, each would list every catalog action, and the role was
// refused as needing 199 policies after 15 s of work.
func TestConditionalWildcardsKeptWhole(t *testing.T) {
	f := newFixture(t)
	var stmts []string
	for i := range 100 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/t%d":"*"}}}`, i))
	}
	p, _ := randomRole(t, 0, stmts)
	eff := mustExpand(t, p, f.cat)
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	in := Input{Principal: p, Effective: eff, Catalog: f.cat, Result: analyze.Principal(analyze.Input{
		Principal: p, Effective: eff, Catalog: f.cat, Trails: trails.UnknownConfig(),
		Seen: map[string]bool{}, Coverage: analyze.Coverage{WindowDays: 90}, Window: analyze.NewWindow(day, 90),
	})}
	// The fixture catalog is small: one inline and one managed policy
	// cannot hold its 17 actions 100 times, as the full catalog's 21,785
	// cannot fit any budget.
	rec, err := Recommend(context.Background(), in, Options{MaxPolicies: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Compacted {
		t.Fatalf("not compacted: %d policies", len(rec.Policies))
	}
	if !rec.Proof.Proven || rec.Proof.Removed != 0 {
		t.Fatalf("proven %v, removed %d: want everything kept, proven\n%s", rec.Proof.Proven, rec.Proof.Removed, Summary(rec))
	}
	var conds []string
	for _, d := range rec.Policies {
		for _, st := range d.Statements {
			if st.Effect != policy.EffectAllow {
				continue
			}
			if !slices.Equal(st.Action, []string{"*"}) || !slices.Equal(st.Resource, []string{"*"}) || len(st.Conditions) != 1 {
				t.Fatalf("statement %s: actions %d (%.3v), resources %v, conditions %v; want \"*\" on \"*\" under one condition", st.Sid, len(st.Action), st.Action, st.Resource, st.Conditions)
			}
			conds = append(conds, st.Conditions[0].Key)
		}
	}
	slices.Sort(conds)
	if len(slices.Compact(conds)) != 100 {
		t.Errorf("%d distinct conditions kept, want 100", len(conds))
	}
	for _, w := range rec.Proof.Wildcards {
		if !w.CurrentGrantMatches {
			t.Errorf("wildcard %s in %s is not granted today", w.Pattern, w.Sid)
		}
	}
}

// "*" replaces the whole catalog only where the current policies grant "*"
// on the statement's resources under its conditions.
func TestCompactEveryActionOnlyWhereGranted(t *testing.T) {
	f := newFixture(t)
	every := f.cat.Expand("*")
	slices.Sort(every)
	cp := compactor{cat: f.cat, allow: allowOnlySet(f.in.Principal.Policies)}
	if got := cp.actions(every, []string{"*"}, nil); slices.Contains(got, "*") {
		t.Errorf("compacted to %v though the fixture role is not granted \"*\"", got)
	}
	p, _ := randomRole(t, 0, []string{`{"Effect":"Allow","Action":"*","Resource":"*"}`})
	cp = compactor{cat: f.cat, allow: allowOnlySet(p.Policies)}
	if got := cp.actions(every, []string{"*"}, nil); !slices.Equal(got, []string{"*"}) {
		t.Errorf("every action of a role granted \"*\": got %d actions, want [*]", len(got))
	}
	if got := cp.actions(every[1:], []string{"*"}, nil); slices.Contains(got, "*") {
		t.Errorf("compacted to \"*\" though %s is not kept", every[0])
	}
}
