package policy

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// AllowsAll reports whether set allows action on every resource that
// resourcePattern matches, in every request: the check behind "the new
// policy allows nothing the current one does not". action may itself be a
// pattern ("s3:Get*"); then every action it matches must be allowed.
//
// It is sound: true means each (action, resource) pair the patterns match
// is allowed whatever the request context, because
//
//   - one identity Allow statement without conditions covers the whole
//     pattern (its Action covers the action pattern, or its NotAction
//     overlaps none of it; its Resource covers the resource pattern, or its
//     NotResource overlaps none of it),
//   - the permissions boundary, when set, and every SCP have such a
//     statement too,
//   - and no Deny statement anywhere can apply: none whose action and
//     resource elements overlap the patterns, with or without conditions
//     (a conditional Deny is assumed to apply).
//
// It is conservative, returning false though the set does allow
// everything, when coverage needs several statements together (Allow
// "arn:aws:s3:::a*" plus Allow "arn:aws:s3:::b*" for "arn:aws:s3:::[ab]…",
// or Resource and NotResource statements that jointly cover "*"), or
// when only conditional Allow statements cover the pattern (see
// AllowsAllWhen), or a conditional Deny could never hold in practice. A
// resource pattern with policy variables counts as covered only when
// covered for every value of the variables.
//
// The returned StatementRef is the identity Allow statement that covers
// the pattern when the answer is true; when false, the Deny statement that
// may apply, or nil when nothing covers the pattern.
func AllowsAll(set PolicySet, action string, resourcePattern string) (bool, *StatementRef) {
	return AllowsAllWhen(set, action, resourcePattern, nil)
}

// AllowsAllWhen is AllowsAll for requests known to satisfy every condition
// in conds (the conditions of the new statement being proved). A
// conditional Allow statement then counts when each of its conditions is
// implied by one in conds: the same operator (set qualifier and IfExists
// included) and key, with policy values that make it no harder to hold —
// a subset of the statement's values for positive operators, a superset
// for negated ones (StringNotEquals, NotIpAddress, …), the same values for
// Null. Values holding policy variables count only when the statement's
// document uses Version 2012-10-17, where they mean the same thing. conds
// never lift a Deny: a conditional Deny is still assumed to apply.
func AllowsAllWhen(set PolicySet, action, resourcePattern string, conds []Condition) (bool, *StatementRef) {
	q := newQuery(action, resourcePattern, conds)
	all := append(append(slices.Clone(set.Identity), set.SCPs...), boundaryList(set)...)
	for _, p := range all {
		if ref := q.mayDeny(p); ref != nil {
			return false, ref
		}
	}
	for _, p := range set.SCPs {
		if q.allowing(p) == nil {
			return false, nil
		}
	}
	if set.Boundary != nil && q.allowing(*set.Boundary) == nil {
		return false, nil
	}
	for _, p := range set.Identity {
		if ref := q.allowing(p); ref != nil {
			return true, ref
		}
	}
	return false, nil
}

func newQuery(action, resourcePattern string, conds []Condition) query {
	return query{
		action:       action,
		resource:     resourcePattern,
		actionToks:   compile(action, false),
		resourceToks: compile(resourcePattern, true),
		actionLit:    !strings.ContainsAny(action, "*?"),
		resourceLit:  !strings.ContainsAny(resourcePattern, "*?") && !strings.Contains(resourcePattern, "${"),
		conds:        conds,
	}
}

func boundaryList(set PolicySet) []NamedPolicy {
	if set.Boundary == nil {
		return nil
	}
	return []NamedPolicy{*set.Boundary}
}

type query struct {
	action, resource         string
	actionToks, resourceToks []token
	actionLit, resourceLit   bool // no wildcards or variables: one string
	conds                    []Condition
}

// coversQ reports whether the policy pattern pat covers the query's
// action (isAction) or resource, for every value of any variables. It
// takes cheap exits before falling back to the automaton.
func (q query) coversQ(pat string, vars, isAction bool) bool {
	if pat == "*" {
		return true
	}
	raw, toks, lit, ci := q.resource, q.resourceToks, q.resourceLit, false
	if isAction {
		raw, toks, lit, ci = q.action, q.actionToks, q.actionLit, true
	}
	if prefixConflict(pat, raw, ci) {
		return false
	}
	if lit {
		if vars && strings.Contains(pat, "${") {
			pt := compile(pat, true)
			return !hasVars(pt) && tokMatch(pt, raw, ci)
		}
		return globMatch(pat, raw, ci)
	}
	return covers(compile(pat, vars), toks, ci)
}

// overlapsQ reports whether the policy pattern pat may match some action
// (isAction) or resource of the query, for some value of any variables.
func (q query) overlapsQ(pat string, vars, isAction bool) bool {
	if pat == "*" {
		return true
	}
	raw, toks, lit, ci := q.resource, q.resourceToks, q.resourceLit, false
	if isAction {
		raw, toks, lit, ci = q.action, q.actionToks, q.actionLit, true
	}
	if prefixConflict(pat, raw, ci) {
		return false
	}
	if lit {
		if vars && strings.Contains(pat, "${") {
			return tokMatch(starVars(compile(pat, true)), raw, ci)
		}
		return globMatch(pat, raw, ci)
	}
	return overlaps(compile(pat, vars), toks, ci)
}

// prefixConflict reports whether two patterns differ before either
// reaches a wildcard or a '$' (which may start a variable): then no string
// matches both, and neither covers the other.
func prefixConflict(a, b string, ci bool) bool {
	for len(a) > 0 && len(b) > 0 {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra == '*' || ra == '?' || ra == '$' || rb == '*' || rb == '?' || rb == '$' {
			return false
		}
		if !runeEq(ra, rb, ci) {
			return true
		}
		a, b = a[na:], b[nb:]
	}
	return false
}

// allowing returns the first Allow statement of p that covers the query.
func (q query) allowing(p NamedPolicy) *StatementRef {
	if p.Doc == nil {
		return nil
	}
	vars := p.Doc.Version == Version2012
	for i := range p.Doc.Statements {
		st := &p.Doc.Statements[i]
		if st.Effect != EffectAllow || !q.condsImply(st, vars) {
			continue
		}
		if !q.actionsCovered(st) || !q.resourcesCovered(st, vars) {
			continue
		}
		return &StatementRef{Policy: p.Name, PolicyKind: p.Kind, Sid: st.Sid, Index: i}
	}
	return nil
}

// mayDeny returns the first Deny statement of p that might apply to some
// action and resource of the query.
func (q query) mayDeny(p NamedPolicy) *StatementRef {
	if p.Doc == nil {
		return nil
	}
	vars := p.Doc.Version == Version2012
	for i := range p.Doc.Statements {
		st := &p.Doc.Statements[i]
		if st.Effect != EffectDeny {
			continue
		}
		if q.actionsMayMatch(st) && q.resourcesMayMatch(st, vars) {
			return &StatementRef{Policy: p.Name, PolicyKind: p.Kind, Sid: st.Sid, Index: i}
		}
	}
	return nil
}

// matches decides a statement's Action/NotAction or Resource/NotResource
// element against the query. every asks whether each of the query's values
// is matched: some pattern covers them all, or, for a Not element, no Not
// pattern overlaps them. Otherwise it asks whether some value may be
// matched: some pattern overlaps, or no Not pattern covers them all. A
// Not element excluding the query only through several patterns together
// is not recognised, which errs the safe way for both questions.
func (q query) matches(pats []string, not, every, vars, isAction bool) bool {
	for _, p := range pats {
		var hit bool
		if every != not {
			hit = q.coversQ(p, vars, isAction)
		} else {
			hit = q.overlapsQ(p, vars, isAction)
		}
		if hit {
			return !not
		}
	}
	return not
}

// actionsCovered: every action of the query is matched by the statement.
func (q query) actionsCovered(st *Statement) bool {
	return q.matches(actionElement(st), st.HasNotAction, true, false, true)
}

// actionsMayMatch: some action of the query may be matched by the
// statement (conservatively true when unsure).
func (q query) actionsMayMatch(st *Statement) bool {
	return q.matches(actionElement(st), st.HasNotAction, false, false, true)
}

// resourcesCovered: every resource of the query is matched by the
// statement, for every value of the policy variables.
func (q query) resourcesCovered(st *Statement, vars bool) bool {
	return q.matches(resourceElement(st), st.HasNotResource, true, vars, false)
}

// resourcesMayMatch: some resource of the query may be matched by the
// statement for some values of the policy variables.
func (q query) resourcesMayMatch(st *Statement, vars bool) bool {
	return q.matches(resourceElement(st), st.HasNotResource, false, vars, false)
}

func actionElement(st *Statement) []string {
	if st.HasNotAction {
		return st.NotAction
	}
	return st.Action
}

func resourceElement(st *Statement) []string {
	if st.HasNotResource {
		return st.NotResource
	}
	return st.Resource
}

// condsImply reports whether every condition of st is implied by one of
// the query's conditions.
func (q query) condsImply(st *Statement, vars bool) bool {
	for _, c := range st.Conditions {
		if !vars && hasVariable(c.Values) {
			return false
		}
		ok := false
		for _, k := range q.conds {
			if implies(k, c) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func hasVariable(vals []string) bool {
	for _, v := range vals {
		if strings.Contains(v, "${") {
			return true
		}
	}
	return false
}

// implies reports whether a request satisfying have surely satisfies want.
func implies(have, want Condition) bool {
	if have.Unknown() || want.Unknown() {
		// Nothing is known of an unknown operator but that the very same
		// condition holds whenever it holds.
		return have.Unknown() && want.Unknown() && strings.EqualFold(have.OperatorName(), want.OperatorName()) &&
			strings.EqualFold(have.Key, want.Key) && subset(have.Values, want.Values) && subset(want.Values, have.Values)
	}
	hs, hb, hi, err1 := have.parts()
	ws, wb, wi, err2 := want.parts()
	if err1 != nil || err2 != nil || hs != ws || hb != wb || hi != wi || !strings.EqualFold(have.Key, want.Key) {
		return false
	}
	info := operators[strings.ToLower(wb)]
	switch {
	case info.kind == opNull:
		return subset(have.Values, want.Values) && subset(want.Values, have.Values)
	case info.negated:
		return subset(want.Values, have.Values)
	default:
		return subset(have.Values, want.Values)
	}
}

// subset reports whether every value of a is in b (exact strings).
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
