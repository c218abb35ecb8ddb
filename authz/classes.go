package authz

import (
	"context"
	"slices"

	"github.com/iamtrim/iamtrim/policy"
)

// With a catalog, a principal's actions fall into classes: the actions
// granted by the same Allow statements and touched the same way by the
// same Deny statements. Everything Expand works out about a grant's scope
// (resources, conditions, provenance, Deny caveats) depends only on its
// class, so it is worked out once per class and shared by the class's
// grants. A role with a hundred "Action": "*" statements then costs a
// hundred passes over the catalog's actions, not a hundred times a hundred
// conditions for each of them.

// class is one set of actions with the same sources and Deny caveats.
type class struct {
	srcs        []int32 // positions in expansion.sources, in policy order
	condDeny    []policy.StatementRef
	partialDeny []policy.StatementRef
	scope       *Grant // filled by grant, once
}

// expansion is the state of one principal's catalog expansion.
type expansion struct {
	e       *Expander
	sources []source
	classes []*class // classes[0] is "not granted"
	of      []int32  // per catalog action: its class
	// For the statement being applied: the class each class's actions move
	// to (valid where stamp equals the statement's number).
	to, stamp []int32
	round     int32
	rels      map[classStmt]rel
}

type classStmt struct {
	class int32
	st    *policy.Statement
}

func newExpansion(e *Expander) *expansion {
	return &expansion{e: e, classes: []*class{{}}, of: make([]int32, len(e.actions)),
		to: []int32{0}, stamp: []int32{0}, rels: map[classStmt]rel{}}
}

// move returns the class the actions of class c go to for the current
// statement, making it with derive the first time.
func (x *expansion) move(c int32, derive func(*class) *class) int32 {
	if x.stamp[c] == x.round {
		return x.to[c]
	}
	n := derive(x.classes[c])
	t := c
	if n != nil {
		t = int32(len(x.classes))
		x.classes = append(x.classes, n)
		x.to = append(x.to, 0)
		x.stamp = append(x.stamp, 0)
	}
	x.stamp[c], x.to[c] = x.round, t
	return t
}

func (x *expansion) srcs(c *class) []source {
	out := make([]source, len(c.srcs))
	for i, s := range c.srcs {
		out[i] = x.sources[s]
	}
	return out
}

// rel is resourceRel for a class, cached.
func (x *expansion) rel(c int32, st *policy.Statement) rel {
	k := classStmt{c, st}
	if r, ok := x.rels[k]; ok {
		return r
	}
	r := x.e.resourceRel(x.srcs(x.classes[c]), st)
	x.rels[k] = r
	return r
}

// grant returns the scope shared by class c's grants.
func (x *expansion) grant(c int32) *Grant {
	cl := x.classes[c]
	if cl.scope == nil {
		cl.scope = &Grant{ConditionalDeny: cl.condDeny, PartialDeny: cl.partialDeny}
		fillScope(cl.scope, x.srcs(cl), make([]policy.StatementRef, len(cl.srcs)))
	}
	return cl.scope
}

func (e *Expander) expandCatalog(ctx context.Context, eff *Effective, p Principal, scps *gate, denies []denyStmt) error {
	eff.Expanded = true
	eff.CatalogVersion = e.catVer
	x := newExpansion(e)
	var touched []int32 // granted actions, in the order first granted
	var unknown []string
	err := eachAllow(ctx, p, func(np policy.NamedPolicy, st *policy.Statement) {
		si := e.info(st)
		for _, u := range si.unknown {
			if !slices.Contains(unknown, u) {
				unknown = append(unknown, u)
			}
		}
		if len(si.actions) == 0 {
			return
		}
		x.sources = append(x.sources, source{ref(np, st), st})
		src := int32(len(x.sources) - 1)
		x.round++
		add := func(c *class) *class {
			return &class{srcs: append(slices.Clip(c.srcs), src)}
		}
		for _, a := range si.actions {
			if x.of[a] == 0 {
				touched = append(touched, a)
			}
			x.of[a] = x.move(x.of[a], add)
		}
	})
	if err != nil {
		return err
	}
	slices.Sort(unknown)
	eff.Unknown = unknown

	for _, d := range denies {
		if err := ctx.Err(); err != nil {
			return err
		}
		x.round++
		for _, a := range e.info(d.st).actions {
			c := x.of[a]
			if c == 0 {
				continue
			}
			// Actions a Deny removes stay in their class until taken out.
			t := x.move(c, func(cl *class) *class {
				r := x.rel(c, d.st)
				switch {
				case r == relNone || r == relAll && len(d.st.Conditions) == 0:
					return nil
				case len(d.st.Conditions) > 0:
					n := *cl
					n.condDeny = append(slices.Clip(cl.condDeny), d.ref)
					return &n
				}
				n := *cl
				n.partialDeny = append(slices.Clip(cl.partialDeny), d.ref)
				return &n
			})
			if t == c && len(d.st.Conditions) == 0 && x.rel(c, d.st) == relAll {
				t = 0
				eff.deny(e.actions[a], d)
			}
			x.of[a] = t
		}
	}

	limits := map[int32][]policy.StatementRef{}
	if bd := p.Policies.Boundary; bd != nil {
		g := e.gate(bd)
		for _, a := range touched {
			if x.of[a] != 0 && x.admit(g, a, limits) >= 0 {
				x.of[a] = 0
				eff.OutsideBoundary++
			}
		}
	} else if p.Role != nil && p.Role.Boundary != "" || p.User != nil && p.User.Boundary != "" {
		eff.Notes = append(eff.Notes, "permissions boundary not in the inventory: not applied")
	}
	if scps != nil {
		for _, a := range touched {
			if x.of[a] == 0 {
				continue
			}
			if l := x.admit(scps, a, limits); l >= 0 {
				x.of[a] = 0
				eff.OutsideSCP++
				eff.block(e.actions[a], scps.levels[l])
			}
		}
	}

	live := 0
	for _, a := range touched {
		if x.of[a] != 0 {
			live++
		}
	}
	grants := make([]Grant, 0, live)
	eff.Grants = make(map[string]*Grant, live)
	for _, a := range touched {
		if x.of[a] == 0 {
			continue
		}
		grants = append(grants, *x.grant(x.of[a]))
		g := &grants[len(grants)-1]
		g.Action = e.actions[a]
		g.Limits = limits[a]
		eff.Grants[g.Action] = g
	}
	eff.AllActions = len(eff.Grants) == len(e.actions)
	eff.AdminBeforeSCP = !eff.AllActions && len(eff.BlockedBySCP) > 0 && len(eff.Grants)+len(eff.BlockedBySCP) == len(e.actions)
	return nil
}

// admit reports the first layer that does not allow action a (of its
// class), -1 when every layer allows it at least in part, adding to
// limits[a] the statements of layers that allow it only in part.
func (x *expansion) admit(g *gate, a int32, limits map[int32][]policy.StatementRef) int {
	c := x.of[a]
	for li, l := range g.layers {
		if l.star[a] {
			continue
		}
		var lim []policy.StatementRef
		full := false
		for _, s := range l.scoped[a] {
			r := x.rel(c, s.st)
			if r == relNone {
				continue
			}
			if r == relAll && len(s.st.Conditions) == 0 {
				full = true
				break
			}
			lim = append(lim, s.ref)
		}
		if full {
			continue
		}
		if len(lim) == 0 {
			return li
		}
		limits[a] = append(limits[a], lim...)
	}
	return -1
}
