package authz

import (
	"context"
	"slices"
	"strings"

	"github.com/iamtrim/iamtrim/policy"
)

// expandPatterns is Expand without a catalog: grants are keyed by the
// policies' action patterns, and Denies, boundaries and SCPs are related to
// them by pattern inclusion and overlap (policy.Covers, policy.Overlaps),
// which is exact for patterns but cannot count actions.
func (e *Expander) expandPatterns(ctx context.Context, eff *Effective, p Principal, scps *gate, denies []denyStmt) error {
	eff.Notes = append(eff.Notes, NoCatalogNote)
	byKey := map[string]*building{}
	var order []*building
	add := func(key string, nb func() *building, src source) {
		lk := strings.ToLower(key)
		b := byKey[lk]
		if b == nil {
			b = nb()
			b.g = Grant{Action: key}
			byKey[lk] = b
			order = append(order, b)
		}
		if n := len(b.srcs); n == 0 || b.srcs[n-1].st != src.st {
			b.srcs = append(b.srcs, src)
		}
	}
	err := eachAllow(ctx, p, func(np policy.NamedPolicy, st *policy.Statement) {
		src := source{ref(np, st), st}
		if st.HasNotAction {
			not := slices.Clone(st.NotAction)
			slices.SortFunc(not, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
			key := "NotAction(" + strings.Join(not, ",") + ")"
			add(key, func() *building { return &building{not: not, isNot: true} }, src)
			return
		}
		for _, pat := range st.Action {
			add(pat, func() *building { return &building{pat: pat} }, src)
		}
	})
	if err != nil {
		return err
	}

	alive := order[:0:0]
	for _, b := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		removed := false
		for _, d := range denies {
			r := actionRel(b, d.st)
			if r == relNone {
				continue
			}
			if e.applyDeny(b, d, r) == denyRemoves {
				eff.deny(b.g.Action, d)
				removed = true
				break
			}
		}
		if removed {
			continue
		}
		if bd := p.Policies.Boundary; bd != nil {
			if e.admitPatterns(b, []SCPLevel{{Policies: []policy.NamedPolicy{*bd}}}) >= 0 {
				eff.OutsideBoundary++
				continue
			}
		}
		if scps != nil {
			if l := e.admitPatterns(b, scps.levels); l >= 0 {
				eff.OutsideSCP++
				eff.block(b.g.Action, scps.levels[l])
				continue
			}
		}
		alive = append(alive, b)
	}
	if p.Policies.Boundary == nil && (p.Role != nil && p.Role.Boundary != "" || p.User != nil && p.User.Boundary != "") {
		eff.Notes = append(eff.Notes, "permissions boundary not in the inventory: not applied")
	}
	for _, b := range alive {
		b.finish(make([]policy.StatementRef, len(b.srcs)))
		g := &b.g
		eff.Grants[g.Action] = g
		eff.Patterns = append(eff.Patterns, g.Action)
	}
	slices.Sort(eff.Patterns)
	if g := eff.Grants["*"]; g != nil {
		eff.AllActions = slices.Equal(g.Resources, []string{"*"}) && len(g.Conditions) == 0 &&
			len(g.ConditionalDeny) == 0 && len(g.PartialDeny) == 0 && len(g.Limits) == 0
	}
	return nil
}

// admitPatterns returns the first level (any of whose policies may allow)
// that does not allow the grant, -1 when each allows it at least in part,
// adding Limits where one allows it only in part.
func (e *Expander) admitPatterns(b *building, levels []SCPLevel) int {
	for li, lv := range levels {
		var limits []policy.StatementRef
		full, read := false, false
		for _, np := range lv.Policies {
			if np.Doc == nil {
				continue
			}
			read = true
			for i := range np.Doc.Statements {
				st := &np.Doc.Statements[i]
				if st.Effect != policy.EffectAllow {
					continue
				}
				r := minRel(actionRel(b, st), e.resourceRel(b.srcs, st))
				if r == relNone {
					continue
				}
				if r == relAll && len(st.Conditions) == 0 {
					full = true
					break
				}
				limits = append(limits, ref(np, st))
			}
			if full {
				break
			}
		}
		if full || !read {
			continue
		}
		if len(limits) == 0 {
			return li
		}
		b.g.Limits = append(b.g.Limits, limits...)
	}
	return -1
}

// actionRel relates the actions of a pattern-level grant to a statement's
// Action or NotAction element.
func actionRel(b *building, st *policy.Statement) rel {
	switch {
	case !b.isNot && !st.HasNotAction:
		out := relNone
		for _, d := range st.Action {
			if policy.Covers(d, b.pat, true) {
				return relAll
			}
			if policy.Overlaps(d, b.pat, true) {
				out = relSome
			}
		}
		return out
	case !b.isNot && st.HasNotAction:
		out := relAll
		for _, x := range st.NotAction {
			if policy.Covers(x, b.pat, true) {
				return relNone
			}
			if policy.Overlaps(x, b.pat, true) {
				out = relSome
			}
		}
		return out
	case b.isNot && !st.HasNotAction:
		// The grant is "every action but b.not".
		none := true
		for _, d := range st.Action {
			if d == "*" {
				return relAll
			}
			if !coveredByAny(b.not, d) {
				none = false
			}
		}
		if none {
			return relNone
		}
		return relSome
	default:
		// Both are complements: all when st's exceptions are among the
		// grant's (¬X ⊆ ¬Y when Y ⊆ X); otherwise they still share
		// every action neither list names.
		for _, y := range st.NotAction {
			if !coveredByAny(b.not, y) {
				return relSome
			}
		}
		return relAll
	}
}

func coveredByAny(general []string, specific string) bool {
	for _, g := range general {
		if policy.Covers(g, specific, true) {
			return true
		}
	}
	return false
}
