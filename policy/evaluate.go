package policy

import (
	"fmt"
	"strings"
)

// Policy kinds, for NamedPolicy.Kind and StatementRef.PolicyKind.
const (
	KindInline       = "inline"
	KindManaged      = "managed"
	KindGroupInline  = "group-inline"
	KindGroupManaged = "group-managed"
	KindBoundary     = "boundary"
	KindSCP          = "scp"
)

// NamedPolicy is a parsed document with where it came from.
type NamedPolicy struct {
	Name string
	ARN  string // managed policies and SCPs; "" for inline policies
	Kind string // one of the Kind… constants
	Doc  *Document
}

// PolicySet is every policy that decides what one principal may do.
type PolicySet struct {
	// Identity holds the principal's own inline and managed policies and
	// those of its groups. Any of them may allow.
	Identity []NamedPolicy
	// Boundary, when set, is the permissions boundary: it must allow too.
	Boundary *NamedPolicy
	// SCPs are the service control policies that apply to the account.
	// Each one must allow (they intersect); a Deny in any of them denies.
	// Give one NamedPolicy per SCP attachment level whose policies must
	// all allow; merge the policies attached at one level (where any may
	// allow) into a single Document.
	SCPs []NamedPolicy
}

// Request is one API call to decide.
type Request struct {
	Action   string // "s3:GetObject"; compared case-insensitively
	Resource string // an ARN; "" means "*", for actions without resource types
	// Context holds request context keys (aws:SourceIp, aws:username,
	// aws:PrincipalTag/team, …), looked up case-insensitively, used by
	// conditions and to substitute policy variables.
	Context map[string][]string
}

// Effect is the outcome of an evaluation.
type Effect int

// Outcomes, in AWS's terms.
const (
	ImplicitDeny Effect = iota // nothing allows the request
	Allow                      // allowed, and nothing denies it
	ExplicitDeny               // a Deny statement applies
)

func (e Effect) String() string {
	switch e {
	case ImplicitDeny:
		return "implicit deny"
	case Allow:
		return "allow"
	case ExplicitDeny:
		return "explicit deny"
	}
	return fmt.Sprintf("Effect(%d)", int(e))
}

// StatementRef names one statement of one policy.
type StatementRef struct {
	Policy     string
	PolicyKind string
	Sid        string
	Index      int // 0-based position in the document's Statement list
}

func (r StatementRef) String() string {
	s := fmt.Sprintf("statement %d", r.Index+1)
	if r.Sid != "" {
		s += fmt.Sprintf(" (Sid %s)", r.Sid)
	}
	kind := r.PolicyKind
	if kind == "" {
		kind = "policy"
	} else {
		kind += " policy"
	}
	return fmt.Sprintf("%s of %s %s", s, kind, r.Policy)
}

// Decision is the outcome of Evaluate and why.
type Decision struct {
	Effect Effect
	// DecidedBy is the Allow statement that allowed, or the Deny statement
	// that denied; nil for an implicit deny.
	DecidedBy *StatementRef
	Reason    string
	// Conditional is true when a statement that matched the action and
	// resource used a context key (in a condition or a policy variable)
	// that the request's Context lacks, or a condition operator the
	// evaluator does not know (Condition.Unknown: such a statement may or
	// may not apply). The decision then follows AWS's rules for an absent
	// key, which is right only if the key really is absent from the real
	// request.
	Conditional bool
}

// Evaluate decides a request the way AWS does for a principal acting in
// its own account, with no resource-based policy:
//
//  1. A Deny statement that applies, in any identity policy, the
//     permissions boundary or any SCP, denies (explicit deny wins).
//  2. Each SCP must have an Allow that applies; otherwise implicit deny.
//  3. If a permissions boundary is set, it must have an Allow that
//     applies; otherwise implicit deny (a boundary grants nothing itself).
//  4. Some identity policy must have an Allow that applies; otherwise
//     implicit deny.
//
// A statement applies when its Action (or NotAction: every action not
// listed) matches the action, its Resource (or NotResource) matches the
// resource, and all its conditions hold. Actions match case-insensitively,
// resources case-sensitively. In 2012-10-17 documents, policy variables in
// resources and condition values are substituted from Context; a pattern
// whose variable has no value matches nothing. A condition whose policy
// value cannot be read counts as holding in a Deny and failing in an
// Allow (the safe reading); Parse rejects such values up front.
//
// Context keys absent from Request.Context are treated as absent from the
// request, per AWS's rules; Decision.Conditional says when the outcome
// could differ had they been present.
func Evaluate(set PolicySet, req Request) Decision {
	ev := evaluator{req: req, ctx: ctxView{m: req.Context}}
	if ev.req.Resource == "" {
		ev.req.Resource = "*"
	}
	var id layer
	for _, p := range set.Identity {
		id.merge(ev.policy(p))
	}
	var boundary layer
	if set.Boundary != nil {
		boundary = ev.policy(*set.Boundary)
	}
	scps := make([]layer, len(set.SCPs))
	for i, p := range set.SCPs {
		scps[i] = ev.policy(p)
	}

	what := fmt.Sprintf("%s on %s", req.Action, ev.req.Resource)
	var all layer
	all.merge(id)
	all.merge(boundary)
	for _, l := range scps {
		all.merge(l)
	}
	if d := all.deny.pick(); d != nil {
		return Decision{
			Effect:      ExplicitDeny,
			DecidedBy:   d,
			Reason:      fmt.Sprintf("%s is explicitly denied by %s", what, d),
			Conditional: all.deny.certain == nil,
		}
	}

	// No Deny applies; it stays so only if no uncertain Deny could.
	dec := Decision{Conditional: all.deny.maybe}
	type gate struct {
		l    layer
		name string
	}
	var gates []gate
	for i, l := range scps {
		gates = append(gates, gate{l, "service control policy " + set.SCPs[i].Name})
	}
	if set.Boundary != nil {
		gates = append(gates, gate{boundary, "permissions boundary " + set.Boundary.Name})
	}
	gates = append(gates, gate{id, ""})
	var failed []string
	failConditional := true
	for _, g := range gates {
		if g.l.allow.pick() == nil {
			failed = append(failed, g.name)
			failConditional = failConditional && g.l.allow.maybe
			continue
		}
		if g.l.allow.certain == nil {
			dec.Conditional = true
		}
	}
	if len(failed) > 0 {
		dec.Conditional = failConditional
		if f := failed[0]; f != "" {
			dec.Reason = fmt.Sprintf("%s is not allowed by %s", what, f)
		} else {
			dec.Reason = fmt.Sprintf("no identity-based policy allows %s", what)
		}
		return dec
	}
	dec.Effect = Allow
	dec.DecidedBy = id.allow.pick()
	dec.Reason = fmt.Sprintf("%s is allowed by %s", what, dec.DecidedBy)
	return dec
}

// outcome tracks the statements of one effect in one layer of policies.
type outcome struct {
	certain   *StatementRef // first that applies whatever the missing keys
	uncertain *StatementRef // first that applies only given missing keys are absent
	maybe     bool          // one that does not apply might, were missing keys present
}

func (o outcome) pick() *StatementRef {
	if o.certain != nil {
		return o.certain
	}
	return o.uncertain
}

func (o *outcome) merge(x outcome) {
	if o.certain == nil {
		o.certain = x.certain
	}
	if o.uncertain == nil {
		o.uncertain = x.uncertain
	}
	o.maybe = o.maybe || x.maybe
}

// layer is what a group of policies says: the identity policies together,
// the boundary, or one SCP.
type layer struct {
	allow, deny outcome
}

func (l *layer) merge(x layer) {
	l.allow.merge(x.allow)
	l.deny.merge(x.deny)
}

type evaluator struct {
	req Request
	ctx ctxView
}

// policy evaluates every statement of p.
func (ev *evaluator) policy(p NamedPolicy) layer {
	var l layer
	if p.Doc == nil {
		return l
	}
	vars := p.Doc.Version == Version2012
	for i := range p.Doc.Statements {
		st := &p.Doc.Statements[i]
		isDeny := st.Effect == EffectDeny
		o := &l.allow
		if isDeny {
			o = &l.deny
		} else if st.Effect != EffectAllow {
			continue
		}
		applies, uncertain := ev.applies(st, vars, isDeny)
		switch {
		case applies && !uncertain:
			if o.certain == nil {
				o.certain = &StatementRef{Policy: p.Name, PolicyKind: p.Kind, Sid: st.Sid, Index: i}
			}
		case applies:
			if o.uncertain == nil {
				o.uncertain = &StatementRef{Policy: p.Name, PolicyKind: p.Kind, Sid: st.Sid, Index: i}
			}
		case uncertain:
			o.maybe = true
		}
	}
	return l
}

// applies reports whether the statement applies to the request, and
// whether that answer rests on context keys missing from the request.
func (ev *evaluator) applies(st *Statement, vars, isDeny bool) (applies, uncertain bool) {
	if !actionMatches(st, ev.req.Action) {
		return false, false
	}
	matched, unresolved := ev.resourceMatches(st, vars)
	if !matched && !unresolved {
		return false, false
	}
	applies, uncertain = matched, unresolved
	for _, c := range st.Conditions {
		res, missing, err := evalCondition(c, ev.ctx, vars)
		if err != nil {
			res = isDeny
		}
		if !res && !missing {
			return false, false // certainly false, whatever else is missing
		}
		applies = applies && res
		uncertain = uncertain || missing
	}
	return applies, uncertain
}

func actionMatches(st *Statement, action string) bool {
	if st.HasNotAction {
		for _, p := range st.NotAction {
			if MatchAction(p, action) {
				return false
			}
		}
		return true
	}
	for _, p := range st.Action {
		if MatchAction(p, action) {
			return true
		}
	}
	return false
}

// resourceMatches reports whether the statement's Resource/NotResource
// element matches the request's resource. unresolved says the answer
// could change if a policy variable without a value had one: no pattern
// matched for sure, and one was skipped for want of a value.
func (ev *evaluator) resourceMatches(st *Statement, vars bool) (matched, unresolved bool) {
	pats := st.Resource
	if st.HasNotResource {
		pats = st.NotResource
	}
	hit := false
	for _, p := range pats {
		m, u := ev.matchResource(p, vars)
		if m {
			hit, unresolved = true, false
			break
		}
		unresolved = unresolved || u
	}
	return hit != st.HasNotResource, unresolved
}

func (ev *evaluator) matchResource(pattern string, vars bool) (matched, unresolved bool) {
	if pattern == "*" {
		return true, false
	}
	if !vars || !strings.Contains(pattern, "${") {
		return globMatch(pattern, ev.req.Resource, false), false
	}
	toks, ok := resolve(compile(pattern, true), ev.ctx)
	if !ok {
		return false, true
	}
	return tokMatch(toks, ev.req.Resource, false), false
}
