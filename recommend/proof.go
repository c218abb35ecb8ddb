package recommend

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// Proof is what the evaluator shows about a recommendation.
type Proof struct {
	// Proven is true when both checks pass.
	Proven bool `json:"proven"`
	// ObservedAllowed: every successful call of the window (that the
	// current identity policies grant) is allowed by the new policy.
	ObservedAllowed bool `json:"observed_allowed"`
	// ObservedChecked counts the distinct (action, resource) pairs
	// checked, ObservedCalls the calls they stand for.
	ObservedChecked  int      `json:"observed_checked"`
	ObservedCalls    int64    `json:"observed_calls"`
	ObservedFailures []string `json:"observed_failures,omitempty"`
	// NoBroader: every (action, resource pattern) the new policy allows is
	// allowed by the current identity policies, under the new statement's
	// conditions.
	NoBroader       bool     `json:"no_broader"`
	GrantsChecked   int      `json:"grants_checked"`
	BroaderFailures []string `json:"broader_failures,omitempty"`
	// Wildcards lists the action wildcards of the new policy: each also
	// matches actions AWS may add later, which no catalog can check.
	Wildcards []Wildcard `json:"wildcards,omitempty"`
	// Kept and Removed count granted actions the new policy still allows
	// and those it removes; RemovedByAccessLevel lists the removed ones.
	Kept                 int                 `json:"kept"`
	Removed              int                 `json:"removed"`
	RemovedByAccessLevel map[string][]string `json:"removed_by_access_level"`
	// EvidenceFailures say why a recommendation is unfit although the
	// evaluator passes it: it grants nothing to a principal that made
	// calls, or removes anything on thin evidence (see evidenceFailures).
	EvidenceFailures []string `json:"evidence_failures,omitempty"`
	// Unmapped names the successful calls of the window that map to no
	// IAM action; UnmappedKept is true when the new policy keeps the
	// current grant of each one's service (see proveUnmapped).
	Unmapped         []string `json:"unmapped,omitempty"`
	UnmappedKept     bool     `json:"unmapped_kept"`
	UnmappedFailures []string `json:"unmapped_failures,omitempty"`
}

const maxFailures = 20

// patternCovered says why the recommended set does not cover a stored
// resource pattern ("" when it does): it must allow the whole pattern, or
// each current grant pattern that overlaps it (some ARN matches both: policy.PatternsOverlap).
func patternCovered(newSet policy.PolicySet, parts []part, action, pattern string) string {
	if ok, _ := policy.AllowsAllWhen(newSet, action, pattern, nil); ok {
		return ""
	}
	overlapping := 0
	for _, pt := range parts {
		for _, g := range pt.resources {
			if !policy.PatternsOverlap(g, pattern) {
				continue
			}
			overlapping++
			if ok, _ := policy.AllowsAllWhen(newSet, action, g, pt.conds); !ok {
				return "the recommendation allows neither the pattern nor the current grant's " + g
			}
		}
	}
	if overlapping == 0 {
		return "no current grant pattern overlaps it"
	}
	return ""
}

// PatternCheck asks the proof's question of a stored resource pattern
// (calls on some resources of it that the current policies allowed, not
// known one by one) for another window's calls: package backtest replays
// the test window's patterns with it.
type PatternCheck struct {
	newAllow policy.PolicySet
	gi       *grantIndex
}

// NewPatternCheck prepares the check of patterns against the recommended
// policies rec for a principal whose identity policies are current.
func NewPatternCheck(current, rec policy.PolicySet) *PatternCheck {
	return &PatternCheck{newAllow: allowOnlySet(rec), gi: newGrantIndex(allowOnlySet(current))}
}

// Covered says why the recommended policies may deny calls of action on
// pattern that the current grant g allowed ("" when they cannot): as
// Prove, they must allow the whole pattern, or each current grant pattern
// that overlaps it, under that grant's conditions. Allow statements only:
// the current Denies are carried as they are, so they take the same away
// from both.
func (c *PatternCheck) Covered(g *authz.Grant, action, pattern string) string {
	return patternCovered(c.newAllow, grantParts(c.gi, g, action), action, pattern)
}

// Prove checks rec against the current policies and the observed calls.
// It checks ctx per observed action and per recommended statement, and
// returns its error once ctx is done.
func Prove(ctx context.Context, in Input, rec *Recommendation) (Proof, error) {
	p := Proof{RemovedByAccessLevel: map[string][]string{}}
	newSet := policy.PolicySet{}
	for i, d := range rec.Policies {
		newSet.Identity = append(newSet.Identity, policy.NamedPolicy{Name: fmt.Sprintf("recommended-%d", i+1), Kind: policy.KindManaged, Doc: d})
	}
	cur := policy.PolicySet{Identity: in.Principal.Policies.Identity}
	allow := allowOnlySet(in.Principal.Policies)
	// The Prover indexes the current statements: part (2) asks one
	// question per recommended action and resource.
	prover := policy.NewProver(allow)
	gi := newGrantIndex(allow)

	// (1) Every observed successful call is allowed. The boundary and SCPs
	// stay as they are and allowed these calls already, so the identity
	// policies decide.
	p.ObservedAllowed = true
	excluded := map[string]bool{}
	for _, e := range rec.Excluded {
		excluded[e.Action+"|"+e.Resource] = true
	}
	fail1 := func(s string) {
		p.ObservedAllowed = false
		if len(p.ObservedFailures) < maxFailures {
			p.ObservedFailures = append(p.ObservedFailures, s)
		}
	}
	var newAllow *policy.PolicySet // newSet's Allow statements, when needed
	for _, u := range in.Result.Used {
		if err := ctx.Err(); err != nil {
			return Proof{}, err
		}
		if !u.Granted || excluded[u.Action+"|"] {
			continue
		}
		p.ObservedCalls += u.Calls
		resources := u.Resources
		if len(resources) == 0 || u.MoreResourceCalls > 0 {
			// The events named no resource (or more than the rollup
			// kept): the action must be allowed on the whole scope the
			// current policy grants it on.
			_, known := in.Catalog.Action(u.Action)
			noRL := known && !in.Catalog.SupportsResourceLevel(u.Action)
			for _, pt := range wholeScope(grantParts(gi, in.Effective.Grants[u.Action], u.Action), noRL) {
				for _, s := range pt.resources {
					if err := ctx.Err(); err != nil {
						return Proof{}, err
					}
					p.ObservedChecked++
					if ok, _ := policy.AllowsAllWhen(newSet, u.Action, s, pt.conds); ok {
						continue
					}
					req := policy.Request{Action: u.Action, Resource: resourceOrEmpty(s)}
					d := policy.Evaluate(newSet, req)
					if d.Effect == policy.Allow {
						continue
					}
					if c := policy.Evaluate(cur, req); d.Conditional && c.Conditional && c.Effect == d.Effect {
						// Decided by the same carried condition on a context
						// key the rollup does not keep, as before.
						continue
					}
					fail1(fmt.Sprintf("%s on %s: %s", u.Action, s, d.Reason))
				}
			}
			if len(resources) == 0 {
				continue
			}
		}
		for _, res := range resources {
			if err := ctx.Err(); err != nil {
				return Proof{}, err
			}
			if excluded[u.Action+"|"+res] {
				continue
			}
			p.ObservedChecked++
			if strings.ContainsAny(res, "*?") {
				// Stored generalised by ingest: the calls were on some
				// resources of the pattern that the current policy
				// allowed, so the recommendation must allow the whole
				// pattern, or every current grant pattern overlapping it.
				// Allow statements only: the current Denies are carried
				// as they are, so they take the same away from both.
				if newAllow == nil {
					a := allowOnlySet(newSet)
					newAllow = &a
				}
				if why := patternCovered(*newAllow, grantParts(gi, in.Effective.Grants[u.Action], u.Action), u.Action, res); why != "" {
					fail1(fmt.Sprintf("%s on %s: %s", u.Action, res, why))
				}
				continue
			}
			req := policy.Request{Action: u.Action, Resource: res}
			d := policy.Evaluate(newSet, req)
			if d.Effect == policy.Allow {
				continue
			}
			if d.Conditional {
				// Decided by a context key the rollup does not keep: the
				// call is allowed exactly as it was if the current policy
				// decides the same way on the same missing key.
				if c := policy.Evaluate(cur, req); c.Conditional && c.Effect == d.Effect {
					continue
				}
			}
			fail1(fmt.Sprintf("%s on %s: %s", u.Action, res, d.Reason))
		}
	}

	// (2) Nothing broader than the current identity policies. Carried
	// Deny statements bind both the same way; the boundary and SCPs are
	// unchanged and only narrow both.
	p.NoBroader = true
	newActions := map[string]bool{}
	for _, d := range rec.Policies {
		for _, st := range d.Statements {
			if err := ctx.Err(); err != nil {
				return Proof{}, err
			}
			if st.Effect != policy.EffectAllow {
				continue
			}
			if st.HasNotAction || st.HasNotResource {
				p.NoBroader = false
				p.BroaderFailures = append(p.BroaderFailures, fmt.Sprintf("statement %s uses NotAction or NotResource", st.Sid))
				continue
			}
			for _, pat := range st.Action {
				if err := ctx.Err(); err != nil {
					return Proof{}, err
				}
				acts := expand(in.Catalog, pat)
				for _, a := range acts {
					newActions[a] = true
				}
				for _, res := range st.Resource {
					p.GrantsChecked += len(acts)
					if len(acts) > 1 {
						// One current statement covering the whole pattern
						// covers each action it stands for.
						if ok, _ := prover.AllowsAllWhen(pat, res, st.Conditions); ok {
							continue
						}
					}
					for _, a := range acts {
						if ok, _ := prover.AllowsAllWhen(a, res, st.Conditions); !ok {
							p.NoBroader = false
							if len(p.BroaderFailures) < maxFailures {
								p.BroaderFailures = append(p.BroaderFailures, fmt.Sprintf("%s on %s (statement %s) is not allowed by the current policies", a, res, st.Sid))
							}
						}
					}
				}
			}
		}
	}

	// (3) What it removes.
	for _, a := range in.Effective.Actions() {
		if newActions[a] {
			p.Kept++
			continue
		}
		p.Removed++
		lvl := string(in.Catalog.AccessLevel(a))
		if lvl == "" {
			lvl = "unknown"
		}
		p.RemovedByAccessLevel[lvl] = append(p.RemovedByAccessLevel[lvl], a)
	}
	for _, l := range p.RemovedByAccessLevel {
		sort.Strings(l)
	}
	p.EvidenceFailures = evidenceFailures(in, rec, p)
	if err := proveUnmapped(ctx, in, rec, &p); err != nil {
		return Proof{}, err
	}
	p.Proven = p.ObservedAllowed && p.NoBroader && len(p.EvidenceFailures) == 0 && p.UnmappedKept
	return p, nil
}

func resourceOrEmpty(s string) string {
	if s == "*" {
		return ""
	}
	return s
}

// expand turns an action pattern into catalog actions, or itself when
// there is no catalog or the pattern matches nothing known.
func expand(cat *catalog.Catalog, pattern string) []string {
	if cat != nil {
		if exp := cat.Expand(pattern); len(exp) > 0 {
			return exp
		}
	}
	return []string{pattern}
}
