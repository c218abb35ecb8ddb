package authz

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fmt"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// Grant is one action a principal is granted, and how.
//
// Slices in a Grant may be shared with the policy documents and other
// grants (one statement grants many actions): treat them as read-only.
type Grant struct {
	// Action is the canonical action ("s3:GetObject") when a catalog
	// expanded the policies, else the pattern as written ("s3:Get*"), or
	// "NotAction(a,b)" for "every action except a and b".
	Action string
	// Resources are the resource patterns the granting statements name
	// (their union; ["*"] when any grants on every resource), and
	// NotResources those of granting statements that use NotResource.
	Resources    []string
	NotResources []string
	// Conditions are the conditions of the granting statements (union,
	// de-duplicated). Conditional is true when every granting statement
	// has conditions: the grant holds only when they do.
	Conditions  []policy.Condition
	Conditional bool
	// Provenance are the Allow statements that grant the action, in policy
	// order.
	Provenance []policy.StatementRef
	// ConditionalDeny are Deny statements that match the action but apply
	// only under conditions: the grant is kept, flagged.
	ConditionalDeny []policy.StatementRef
	// PartialDeny are unconditional Deny statements that match the action
	// on only some of the granted resources (or, without a catalog, only
	// some of the actions a pattern stands for).
	PartialDeny []policy.StatementRef
	// Limits are permissions boundary or SCP statements that allow the
	// action only under conditions or on some resources: the effective
	// permission is narrower than Resources says.
	Limits []policy.StatementRef
}

// Effective is what one principal may do: its identity policies' Allows,
// minus unconditional explicit Denies, intersected with its permissions
// boundary and the SCPs.
type Effective struct {
	Principal string // ARN
	Type      string // TypeRole or TypeUser
	AccountID string
	// Grants by canonical action, or by pattern when Expanded is false.
	Grants map[string]*Grant
	// Expanded is true when a catalog expanded patterns and NotAction into
	// concrete actions; CatalogVersion then names it (its digest).
	Expanded       bool
	CatalogVersion string
	// Patterns, without a catalog, are the keys of Grants, sorted.
	Patterns []string
	// AllActions is true when every catalog action is granted (an
	// administrator); without a catalog, when "*" is granted on "*"
	// unconditionally with no Deny or limit.
	AllActions bool
	// AdminBeforeSCP is true when the identity policies grant every
	// catalog action and only the SCPs take some away: an administrator
	// on paper, who becomes one wherever the SCPs are detached.
	AdminBeforeSCP bool
	// Unknown are Allow action patterns that match no catalog action
	// (unknown services, misspelt or newer actions): granted on paper,
	// not counted.
	Unknown []string
	// Missing are managed policies the principal uses that the inventory
	// lacks: what they grant is not counted.
	Missing []string
	// Denied maps each action an unconditional Deny removed to that Deny.
	Denied map[string]policy.StatementRef
	// OutsideBoundary and OutsideSCP count grants removed because the
	// permissions boundary or an SCP does not allow them.
	OutsideBoundary, OutsideSCP int
	// BlockedBySCP maps each granted action the SCPs take away (an SCP
	// Deny, or a level that does not allow it) to why. The principal's
	// identity policies grant it on paper; it is not an effective grant,
	// so never a used or unused one.
	BlockedBySCP map[string]SCPBlock
	// Notes say what limits the result ("no catalog: …").
	Notes []string
}

// Actions returns the keys of Grants, sorted.
func (e *Effective) Actions() []string {
	keys := make([]string, 0, len(e.Grants))
	for k := range e.Grants {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NoCatalogNote is the note an Effective computed without a catalog
// carries.
const NoCatalogNote = "no action catalog: grants are the policies' action patterns, not expanded into actions (load one with `iamtrim catalog load`)"

// Expand computes a principal's effective permissions. cat may be nil
// (pattern level only); scps may be empty. To expand many principals,
// use one Expander: it caches pattern expansions across principals.
func Expand(ctx context.Context, p Principal, cat *catalog.Catalog, scps []policy.NamedPolicy) (*Effective, error) {
	return NewExpander(cat, scps).Expand(ctx, p)
}

// Expander expands principals against one catalog and one set of SCPs,
// caching per statement and per policy (keyed by their addresses: the
// documents must not change while the Expander is in use). It is not safe
// for concurrent use; give each goroutine its own.
type Expander struct {
	cat     *catalog.Catalog
	catVer  string
	scps    []policy.NamedPolicy
	actions []string         // every catalog action, sorted
	index   map[string]int32 // canonical action -> position in actions
	pats    map[string][]int32
	stmts   map[*policy.Statement]*stmtInfo
	gates   map[*policy.Document]*gate
	// chains gives each account's SCP chain (WithChains); scpGates
	// caches the gate of each account's levels.
	chains   SCPChains
	scpGates map[string]*gate
	// unconditional caches the condition-free copy of an SCP Deny whose
	// principal-key conditions hold (resolveDeny).
	unconditional map[*policy.Statement]*policy.Statement
	// rels caches sourceResourceRel: the same granting and denying (or
	// boundary) statements meet for many actions and principals.
	rels map[[2]*policy.Statement]rel
	// chars caches each document's character count (checkLimits).
	chars map[*policy.Document]int
}

// stmtInfo is one statement's action set against the catalog.
type stmtInfo struct {
	actions []int32  // sorted
	unknown []string // Action patterns that matched nothing
}

// NewExpander prepares expansion against cat (nil for pattern level) with
// the given SCPs (each must allow, as in policy.PolicySet).
func NewExpander(cat *catalog.Catalog, scps []policy.NamedPolicy) *Expander {
	e := &Expander{cat: cat, scps: scps, rels: map[[2]*policy.Statement]rel{}, chars: map[*policy.Document]int{},
		scpGates: map[string]*gate{}, unconditional: map[*policy.Statement]*policy.Statement{}}
	if cat != nil {
		e.actions = cat.Actions()
		if len(e.actions) == 0 {
			e.cat = nil
		} else {
			e.catVer = cat.Version().Digest
			e.index = make(map[string]int32, len(e.actions))
			for i, a := range e.actions {
				e.index[a] = int32(i)
			}
			e.pats = map[string][]int32{}
			e.stmts = map[*policy.Statement]*stmtInfo{}
			e.gates = map[*policy.Document]*gate{}
		}
	}
	return e
}

// source is one Allow statement granting an action.
type source struct {
	ref policy.StatementRef
	st  *policy.Statement
}

// building is a grant being assembled.
type building struct {
	g    Grant
	srcs []source
	// Without a catalog: the action pattern, or (isNot) every action
	// except the patterns in not.
	pat   string
	not   []string
	isNot bool
}

// denyStmt is a Deny statement with where it came from; level names the
// SCP level of an SCP's.
type denyStmt struct {
	ref   policy.StatementRef
	st    *policy.Statement
	level string
}

// Expand computes one principal's effective permissions. It checks ctx
// per statement and returns its error once ctx is done, and refuses a
// principal whose policies exceed the limits (MaxStatements,
// MaxPolicyChars, MaxConditionSets) with a *LimitError.
func (e *Expander) Expand(ctx context.Context, p Principal) (*Effective, error) {
	if err := e.checkLimits(p); err != nil {
		return nil, err
	}
	eff := &Effective{
		Principal: p.ARN, Type: p.Type, AccountID: p.AccountID,
		Grants:  map[string]*Grant{},
		Missing: slices.Clone(p.Missing),
	}
	if len(p.Missing) > 0 {
		eff.Notes = append(eff.Notes, "not in the inventory, so what they grant is not counted: "+summarize(p.Missing))
	}
	key, levels, note := e.scpLevels(p)
	if len(levels) > 0 && p.ServiceLinked() {
		levels = nil
		eff.Notes = append(eff.Notes, "service-linked role: SCPs do not apply")
	} else if note != "" {
		eff.Notes = append(eff.Notes, note)
	}
	var denies []denyStmt
	collectDenies := func(np policy.NamedPolicy) {
		if np.Doc == nil {
			return
		}
		for i := range np.Doc.Statements {
			st := &np.Doc.Statements[i]
			if st.Effect == policy.EffectDeny {
				denies = append(denies, denyStmt{ref: ref(np, st), st: st})
			}
		}
	}
	for _, np := range p.Policies.Identity {
		collectDenies(np)
	}
	if p.Policies.Boundary != nil {
		collectDenies(*p.Policies.Boundary)
	}
	for _, lv := range levels {
		if lv.Unread {
			eff.Notes = append(eff.Notes, "a policy attached at "+lv.Name+" could not be read: that level's Allows are not applied, its other policies' Denies are")
		}
		for _, np := range lv.Policies {
			if np.Doc == nil {
				continue
			}
			for i := range np.Doc.Statements {
				st := &np.Doc.Statements[i]
				if st.Effect != policy.EffectDeny {
					continue
				}
				if r := e.resolveDeny(p, st); r != nil {
					denies = append(denies, denyStmt{ref: ref(np, st), st: r, level: lv.Name})
				}
			}
		}
	}
	scps := e.scpGateFor(key, levels)
	var err error
	if e.cat != nil {
		err = e.expandCatalog(ctx, eff, p, scps, denies)
	} else {
		err = e.expandPatterns(ctx, eff, p, scps, denies)
	}
	if err != nil {
		return nil, fmt.Errorf("expand %s: %w", p.ARN, err)
	}
	return eff, nil
}

// eachAllow calls fn for every Allow statement of p's identity policies, in
// order, checking ctx before each (a principal may hold thousands).
func eachAllow(ctx context.Context, p Principal, fn func(np policy.NamedPolicy, st *policy.Statement)) error {
	for _, np := range p.Policies.Identity {
		if np.Doc == nil {
			continue
		}
		for i := range np.Doc.Statements {
			if err := ctx.Err(); err != nil {
				return err
			}
			if st := &np.Doc.Statements[i]; st.Effect == policy.EffectAllow {
				fn(np, st)
			}
		}
	}
	return nil
}

func ref(np policy.NamedPolicy, st *policy.Statement) policy.StatementRef {
	return policy.StatementRef{Policy: np.Name, PolicyKind: np.Kind, Sid: st.Sid, Index: st.Index}
}

// info returns a statement's action set, cached.
func (e *Expander) info(st *policy.Statement) *stmtInfo {
	if si, ok := e.stmts[st]; ok {
		return si
	}
	si := &stmtInfo{}
	if st.HasNotAction {
		excluded := make([]bool, len(e.actions))
		for _, pat := range st.NotAction {
			for _, i := range e.pattern(pat) {
				excluded[i] = true
			}
		}
		si.actions = make([]int32, 0, len(e.actions))
		for i, x := range excluded {
			if !x {
				si.actions = append(si.actions, int32(i))
			}
		}
	} else {
		var sets [][]int32
		for _, pat := range st.Action {
			idx := e.pattern(pat)
			if len(idx) == 0 {
				si.unknown = append(si.unknown, pat)
				continue
			}
			sets = append(sets, idx)
		}
		si.actions = unionSorted(sets)
	}
	e.stmts[st] = si
	return si
}

// pattern returns the catalog positions an action pattern matches, cached.
func (e *Expander) pattern(pat string) []int32 {
	key := strings.ToLower(pat)
	if idx, ok := e.pats[key]; ok {
		return idx
	}
	names := e.cat.Expand(pat)
	idx := make([]int32, 0, len(names))
	for _, n := range names {
		if i, ok := e.index[n]; ok {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	e.pats[key] = idx
	return idx
}

func unionSorted(sets [][]int32) []int32 {
	switch len(sets) {
	case 0:
		return nil
	case 1:
		return sets[0]
	}
	n := 0
	for _, s := range sets {
		n += len(s)
	}
	out := make([]int32, 0, n)
	for _, s := range sets {
		out = append(out, s...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// finish fills the grant's scope and provenance from its sources; prov is
// where the provenance goes (len(b.srcs) long).
func (b *building) finish(prov []policy.StatementRef) {
	fillScope(&b.g, b.srcs, prov)
}

// fillScope fills g's scope and provenance from the Allow statements that
// grant it, in policy order; prov is where the provenance goes (len(srcs)
// long). Resources and conditions are de-duplicated through sets, so a
// grant from thousands of statements costs linear time.
func fillScope(g *Grant, srcs []source, prov []policy.StatementRef) {
	g.Conditional = true
	g.Provenance = prov
	for i, s := range srcs {
		g.Provenance[i] = s.ref
		if len(s.st.Conditions) == 0 {
			g.Conditional = false
		}
	}
	if len(srcs) == 1 {
		st := srcs[0].st
		if st.HasNotResource {
			g.NotResources = st.NotResource
		} else {
			g.Resources = st.Resource
		}
		g.Conditions = st.Conditions
		return
	}
	seenRes, seenNot, seenCond := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range srcs {
		if s.st.HasNotResource {
			g.NotResources = appendNew(g.NotResources, seenNot, s.st.NotResource...)
		} else {
			g.Resources = appendNew(g.Resources, seenRes, s.st.Resource...)
		}
		for _, c := range s.st.Conditions {
			if k := conditionKey(c); !seenCond[k] {
				seenCond[k] = true
				g.Conditions = append(g.Conditions, c)
			}
		}
	}
	if seenRes["*"] {
		g.Resources = []string{"*"}
	}
}

// appendNew appends the items not in seen, adding them to it.
func appendNew(list []string, seen map[string]bool, items ...string) []string {
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			list = append(list, s)
		}
	}
	return list
}

// conditionKey is the same for two conditions when they are the same
// test: operator, key (case-insensitively) and values.
func conditionKey(c policy.Condition) string {
	return c.Operator + "\x00" + strings.ToLower(c.Key) + "\x00" + strings.Join(c.Values, "\x00") + "\x00" + strconv.Itoa(len(c.Values))
}

// rel says how much of one set another covers.
type rel int

const (
	relNone rel = iota // disjoint
	relSome            // they overlap
	relAll             // the statement covers all of the grant
)

func minRel(a, b rel) rel {
	if a < b {
		return a
	}
	return b
}

// resourceRel says how much of the grant's resource scope (the union of its
// sources') the statement's Resource or NotResource element matches.
func (e *Expander) resourceRel(srcs []source, st *policy.Statement) rel {
	all, none := true, true
	for _, s := range srcs {
		key := [2]*policy.Statement{s.st, st}
		r, ok := e.rels[key]
		if !ok {
			r = sourceResourceRel(s.st, st)
			e.rels[key] = r
		}
		switch r {
		case relAll:
			none = false
		case relSome:
			all, none = false, false
		case relNone:
			all = false
		}
	}
	switch {
	case all:
		return relAll
	case none:
		return relNone
	}
	return relSome
}

// sourceResourceRel relates one granting statement's resources to st's.
func sourceResourceRel(src, st *policy.Statement) rel {
	if !st.HasNotResource {
		if slices.Contains(st.Resource, "*") {
			return relAll
		}
		if src.HasNotResource {
			return relSome // "everything but X" is never inside a finite list
		}
		all, any := true, false
		for _, r := range src.Resource {
			covered := false
			for _, d := range st.Resource {
				if policy.Covers(d, r, false) {
					covered, any = true, true
					break
				}
				if !any && policy.Overlaps(d, r, false) {
					any = true
				}
			}
			if !covered {
				all = false
			}
		}
		switch {
		case all:
			return relAll
		case any:
			return relSome
		}
		return relNone
	}
	// st matches everything except its NotResource list.
	if src.HasNotResource {
		return relSome
	}
	all, none := true, true
	for _, r := range src.Resource {
		exempt, touches := false, false
		for _, x := range st.NotResource {
			if policy.Covers(x, r, false) {
				exempt = true
				break
			}
			if policy.Overlaps(x, r, false) {
				touches = true
			}
		}
		if !exempt {
			none = false
		}
		if exempt || touches {
			all = false
		}
	}
	switch {
	case none:
		return relNone
	case all:
		return relAll
	}
	return relSome
}

type denyEffect int

const (
	denyNoEffect denyEffect = iota
	denyRemoves
	denyCaveat
)

// applyDeny records what Deny d does to grant b, given how much of the
// grant's actions it matches (relAll for a catalog action).
func (e *Expander) applyDeny(b *building, d denyStmt, actions rel) denyEffect {
	r := minRel(actions, e.resourceRel(b.srcs, d.st))
	if r == relNone {
		return denyNoEffect
	}
	if len(d.st.Conditions) > 0 {
		b.g.ConditionalDeny = append(b.g.ConditionalDeny, d.ref)
		return denyCaveat
	}
	if r == relAll {
		return denyRemoves
	}
	b.g.PartialDeny = append(b.g.PartialDeny, d.ref)
	return denyCaveat
}

// gate is a permissions boundary or a set of SCPs: a layer that must allow
// too. With a catalog, for each action: whether an unconditional statement
// allows it on every resource (star), and the other statements that allow
// it (scoped).
type gate struct {
	layers []*gateLayer // each must allow (SCPs); one for a boundary
	// levels are the SCP levels of the layers (catalog) or to relate by
	// pattern (no catalog); empty for a boundary.
	levels []SCPLevel
}

type gateLayer struct {
	star   []bool
	scoped map[int32][]denyStmt // statements with conditions or resource scope
}

func (e *Expander) gate(np *policy.NamedPolicy) *gate {
	if g, ok := e.gates[np.Doc]; ok {
		return g
	}
	g := &gate{layers: []*gateLayer{e.layer(*np)}}
	e.gates[np.Doc] = g
	return g
}

// scpGateFor returns the gate of the SCP levels that apply to an account
// (key), cached per account: nil when none applies. Levels whose policies
// could not all be read have no layer (their Allows are unknown).
func (e *Expander) scpGateFor(key string, levels []SCPLevel) *gate {
	if len(levels) == 0 {
		return nil
	}
	if g, ok := e.scpGates[key]; ok {
		return g
	}
	g := &gate{}
	for _, lv := range levels {
		if lv.Unread {
			continue
		}
		g.levels = append(g.levels, lv)
		if e.cat != nil {
			g.layers = append(g.layers, e.layer(lv.Policies...))
		}
	}
	e.scpGates[key] = g
	return g
}

func (e *Expander) layer(nps ...policy.NamedPolicy) *gateLayer {
	l := &gateLayer{star: make([]bool, len(e.actions)), scoped: map[int32][]denyStmt{}}
	for _, np := range nps {
		if np.Doc == nil {
			continue
		}
		for i := range np.Doc.Statements {
			st := &np.Doc.Statements[i]
			if st.Effect != policy.EffectAllow {
				continue
			}
			full := len(st.Conditions) == 0 && !st.HasNotResource && slices.Contains(st.Resource, "*")
			for _, a := range e.info(st).actions {
				if full {
					l.star[a] = true
				} else {
					l.scoped[a] = append(l.scoped[a], denyStmt{ref: ref(np, st), st: st})
				}
			}
		}
	}
	return l
}

// block records that the SCP level lv takes action away from eff.
func (eff *Effective) block(action string, lv SCPLevel) {
	if eff.BlockedBySCP == nil {
		eff.BlockedBySCP = map[string]SCPBlock{}
	}
	names := make([]string, 0, len(lv.Policies))
	for _, np := range lv.Policies {
		names = append(names, np.Name)
	}
	eff.BlockedBySCP[action] = SCPBlock{Level: lv.Name, Policies: names}
}

// deny records that Deny d removes action from eff.
func (eff *Effective) deny(action string, d denyStmt) {
	if eff.Denied == nil {
		eff.Denied = map[string]policy.StatementRef{}
	}
	eff.Denied[action] = d.ref
	if d.level != "" {
		if eff.BlockedBySCP == nil {
			eff.BlockedBySCP = map[string]SCPBlock{}
		}
		r := d.ref
		eff.BlockedBySCP[action] = SCPBlock{Level: d.level, Deny: &r}
	}
}
