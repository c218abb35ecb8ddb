package policy

import (
	"slices"
	"sort"
	"strings"
)

// Prover answers AllowsAllWhen for one PolicySet, many times, with the
// same answers (statement references included). It indexes the identity
// policies' Allow statements so that each question looks only at those
// that could answer it: unconditional statements by the literal start of
// their resource patterns (a pattern whose literal start differs from the
// resource asked about can neither cover nor overlap it), conditional ones
// by the key of their first condition (a condition the question's
// conditions do not name cannot be implied by them). Proving a
// recommendation asks one question per recommended action and resource;
// without the index each question scans every statement, which for a
// policy of 10,000 statements makes a proof of 10,000 resources take
// hours.
type Prover struct {
	set     PolicySet
	stmts   []proverStmt
	denying bool // some policy of the set has a Deny statement
	// Positions in stmts.
	byPrefix map[string][]int32 // unconditional, by a resource pattern's literal start
	prefixes []string           // the keys of byPrefix, sorted
	anyRes   []int32            // unconditional with NotResource: always asked
	byKey    map[string][]int32 // conditional, by first condition key (lower case)
}

type proverStmt struct {
	ref  StatementRef
	st   *Statement
	vars bool
}

// NewProver indexes set. set must not change while the Prover is in use.
func NewProver(set PolicySet) *Prover {
	pr := &Prover{set: set, byPrefix: map[string][]int32{}, byKey: map[string][]int32{}}
	for _, p := range append(append(slices.Clone(set.Identity), set.SCPs...), boundaryList(set)...) {
		if p.Doc == nil {
			continue
		}
		for i := range p.Doc.Statements {
			if p.Doc.Statements[i].Effect == EffectDeny {
				pr.denying = true
			}
		}
	}
	for _, p := range set.Identity {
		if p.Doc == nil {
			continue
		}
		vars := p.Doc.Version == Version2012
		for i := range p.Doc.Statements {
			st := &p.Doc.Statements[i]
			if st.Effect != EffectAllow {
				continue
			}
			n := int32(len(pr.stmts))
			pr.stmts = append(pr.stmts, proverStmt{ref: StatementRef{Policy: p.Name, PolicyKind: p.Kind, Sid: st.Sid, Index: i}, st: st, vars: vars})
			switch {
			case len(st.Conditions) > 0:
				k := strings.ToLower(st.Conditions[0].Key)
				pr.byKey[k] = append(pr.byKey[k], n)
			case st.HasNotResource:
				pr.anyRes = append(pr.anyRes, n)
			default:
				for _, r := range st.Resource {
					lp := literalStart(r)
					if l := pr.byPrefix[lp]; len(l) == 0 || l[len(l)-1] != n {
						pr.byPrefix[lp] = append(l, n)
					}
				}
			}
		}
	}
	for k := range pr.byPrefix {
		pr.prefixes = append(pr.prefixes, k)
	}
	sort.Strings(pr.prefixes)
	return pr
}

// literalStart is a pattern up to its first wildcard or '$' (which may
// start a policy variable): what prefixConflict compares.
func literalStart(pat string) string {
	if i := strings.IndexAny(pat, "*?$"); i >= 0 {
		return pat[:i]
	}
	return pat
}

// AllowsAllWhen is AllowsAllWhen(set, action, resourcePattern, conds).
func (pr *Prover) AllowsAllWhen(action, resourcePattern string, conds []Condition) (bool, *StatementRef) {
	if pr.denying || len(pr.set.SCPs) > 0 || pr.set.Boundary != nil {
		// Denies, boundaries and SCPs are few: the plain answer.
		return AllowsAllWhen(pr.set, action, resourcePattern, conds)
	}
	q := newQuery(action, resourcePattern, conds)
	for _, n := range pr.candidates(resourcePattern, conds) {
		s := pr.stmts[n]
		if q.condsImply(s.st, s.vars) && q.actionsCovered(s.st) && q.resourcesCovered(s.st, s.vars) {
			ref := s.ref
			return true, &ref
		}
	}
	return false, nil
}

// candidates returns, in policy order, the statements that may cover
// resourcePattern under conds.
func (pr *Prover) candidates(resourcePattern string, conds []Condition) []int32 {
	var out []int32
	qp := literalStart(resourcePattern)
	// Patterns whose literal start is a prefix of the question's ...
	for l := 0; l <= len(qp); l++ {
		out = append(out, pr.byPrefix[qp[:l]]...)
	}
	// ... or extends it.
	for i := sort.SearchStrings(pr.prefixes, qp); i < len(pr.prefixes) && strings.HasPrefix(pr.prefixes[i], qp); i++ {
		if len(pr.prefixes[i]) > len(qp) {
			out = append(out, pr.byPrefix[pr.prefixes[i]]...)
		}
	}
	out = append(out, pr.anyRes...)
	var keys []string
	for _, c := range conds {
		k := strings.ToLower(c.Key)
		if slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		out = append(out, pr.byKey[k]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
