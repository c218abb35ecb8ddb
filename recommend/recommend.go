package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/policy"
)

// How unobservable actions are treated.
const (
	UnobservableKeep = "keep" // in their own statement (default)
	UnobservableDrop = "drop" // removed, and listed as removed
	UnobservableList = "list" // left out of the policy, listed for review
)

// How seasonal actions (last accessed before the window, inside IAM's
// tracking period) are treated.
const (
	SeasonalKeep = "keep" // with their current scope (default)
	SeasonalDrop = "drop" // removed, and listed as removed
)

// Size limits IAM applies, in characters without white space.
const (
	ManagedPolicyLimit = 6144
	RoleInlineLimit    = 10240
	UserInlineLimit    = 2048
	GroupInlineLimit   = 5120
)

// DefaultMaxPolicies is IAM's default quota of managed policies attached
// to a role or user.
const DefaultMaxPolicies = 10

// Options configure Recommend.
type Options struct {
	// Unobservable is keep, drop or list; "" means keep.
	Unobservable string
	// Generalize is the resource rule; nil means DefaultGeneralize.
	Generalize *Generalize
	// MaxChars bounds each managed policy document; 0 means
	// ManagedPolicyLimit.
	MaxChars int
	// InlineChars is the inline policy a split fills first (policy 1): 0
	// means IAM's aggregate inline limit for the principal type (10,240
	// characters for a role). An inline budget no larger than MaxChars is
	// not used: the split is then managed policies only.
	InlineChars int
	// MaxPolicies bounds the managed policies of a split; 0 means
	// DefaultMaxPolicies.
	MaxPolicies int
	// Context, when set, yields condition suggestions.
	Context *ContextEvidence
	// Unmapped is keep or fail; "" means keep.
	Unmapped string
	// Seasonal is keep or drop; "" means keep.
	Seasonal string
}

// Validate names the first bad field.
func (o Options) Validate() error {
	for _, c := range []struct {
		name, v string
		allowed []string
	}{
		{"unobservable", o.Unobservable, []string{UnobservableKeep, UnobservableDrop, UnobservableList}},
		{"seasonal", o.Seasonal, []string{SeasonalKeep, SeasonalDrop}},
		{"unmapped", o.Unmapped, []string{UnmappedKeep, UnmappedFail}},
	} {
		if c.v == "" {
			continue
		}
		if err := option.OneOf(c.v, c.allowed...); err != nil {
			return fmt.Errorf("%s %w", c.name, err)
		}
	}
	type limit struct {
		name string
		v    int
	}
	limits := []limit{{"max-chars", o.MaxChars}, {"inline-chars", o.InlineChars}, {"max-policies", o.MaxPolicies}}
	if g := o.Generalize; g != nil {
		limits = append(limits, limit{"object-prefix-depth", g.ObjectPrefixDepth}, limit{"collapse-at", g.CollapseAt})
	}
	for _, l := range limits {
		if l.v < 0 {
			return fmt.Errorf("%s %d: want 0 or more", l.name, l.v)
		}
	}
	return nil
}

// Input is what one recommendation is made from.
type Input struct {
	Principal authz.Principal
	Effective *authz.Effective
	Result    analyze.Result
	Catalog   *catalog.Catalog
}

// StatementNote says why a statement of the recommended policy is there.
type StatementNote struct {
	Policy   int    `json:"policy"` // index into Policies
	Sid      string `json:"sid"`
	Kind     string `json:"kind"` // used, passrole, unobservable, deny
	Actions  int    `json:"actions"`
	Evidence string `json:"evidence"`
}

// Excluded is an observed call the recommendation does not grant.
type Excluded struct {
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	Reason   string `json:"reason"`
}

// Recommendation is a least-privilege policy for one principal with its
// proof.
type Recommendation struct {
	PrincipalARN string `json:"principal_arn"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Window       string `json:"window"`
	// Policies are the recommended documents; more than one only when one
	// would exceed the size limit (Split).
	Policies []*policy.Document `json:"policies"`
	Chars    []int              `json:"chars"`
	// Attach says how each policy is to be attached: AttachAny (one
	// document that fits a managed policy), AttachInline or AttachManaged.
	Attach []string `json:"attach"`
	Split  bool     `json:"split"`
	// Compacted is true when action wildcards over read and list actions
	// replaced action lists because the split did not fit the budget (each
	// wildcard matches only kept actions of the catalog; the proof lists
	// them, since they also match actions AWS adds later).
	Compacted  bool            `json:"compacted"`
	Statements []StatementNote `json:"statements"`
	// Unobservable lists the unobservable actions left out of the policy
	// (policy list or drop), for review.
	Unobservable       []analyze.Unobservable `json:"unobservable,omitempty"`
	UnobservablePolicy string                 `json:"unobservable_policy"`
	// UnmappedPolicy is how successful calls that map to no IAM action
	// were treated: keep (KeptUnmapped statements) or fail.
	UnmappedPolicy string `json:"unmapped_policy"`
	// SeasonalPolicy is how seasonal actions were treated: keep (Seasonal
	// statements, current scope) or drop (listed in SeasonalDropped).
	SeasonalPolicy  string                    `json:"seasonal_policy"`
	SeasonalDropped []analyze.LastAccessedUse `json:"seasonal_dropped,omitempty"`
	Excluded        []Excluded                `json:"excluded,omitempty"`
	Suggestions     []Suggestion              `json:"suggested_conditions,omitempty"`
	Proof           Proof                     `json:"proof"`
	Notes           []string                  `json:"notes,omitempty"`
	CatalogVersion  string                    `json:"catalog_version,omitempty"`
	// BlockedBySCP are the granted actions the organisation's SCPs take
	// away, with the SCP statement or level that does: not effective
	// grants, so not kept. The policy is proven against the identity
	// policies alone and relies on no SCP.
	BlockedBySCP []analyze.BlockedAction `json:"blocked_by_scp,omitempty"`
}

// group is the actions that share a statement.
type group struct {
	kind      string
	service   string
	resources []string
	conds     []policy.Condition
	ckey      string   // JSON of conds, when known
	actions   []string // sorted and without duplicates once sortActions ran
	evidence  string   // for kinds whose evidence is per group (unmapped)
}

func (g *group) key() string {
	ck := g.ckey
	if ck == "" {
		b, _ := json.Marshal(g.conds)
		ck = string(b)
	}
	svc := g.service
	if g.kind == "unobservable" || g.kind == "seasonal" {
		svc = ""
	}
	return g.kind + "|" + svc + "|" + strings.Join(g.resources, ",") + "|" + ck
}

// sortActions sorts g's actions and drops duplicates.
func (g *group) sortActions() {
	if !slices.IsSorted(g.actions) { // added in the catalog's order, mostly
		slices.Sort(g.actions)
	}
	g.actions = slices.Compact(g.actions)
}

var kindOrder = map[string]int{"used": 0, "passrole": 1, "lastaccessed": 2, "seasonal": 3, "unobservable": 4, "unmapped": 5, "deny": 6}

// Recommend builds and proves the policy for one principal. It checks ctx
// per action and per proof step, and returns its error once ctx is done.
func Recommend(ctx context.Context, in Input, opts Options) (*Recommendation, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Unobservable == "" {
		opts.Unobservable = UnobservableKeep
	}
	if opts.MaxChars == 0 {
		opts.MaxChars = ManagedPolicyLimit
	}
	if opts.Unmapped == "" {
		opts.Unmapped = UnmappedKeep
	}
	if opts.Seasonal == "" {
		opts.Seasonal = SeasonalKeep
	}
	rule := DefaultGeneralize
	if opts.Generalize != nil {
		rule = *opts.Generalize
	}
	eff := in.Effective
	if eff == nil {
		return nil, errors.New("no effective permissions")
	}
	if in.Catalog == nil {
		return nil, errNoCatalog
	}
	r := in.Result
	rec := &Recommendation{
		PrincipalARN: r.PrincipalARN, Name: r.Name, Type: r.Type,
		Window:             fmt.Sprintf("%d days", r.Coverage.WindowDays),
		UnobservablePolicy: opts.Unobservable, UnmappedPolicy: opts.Unmapped, SeasonalPolicy: opts.Seasonal, CatalogVersion: eff.CatalogVersion,
	}
	allowOnly := allowOnlySet(in.Principal.Policies)
	gi := newGrantIndex(allowOnly)
	groups := map[string]*group{}
	add := func(g *group, action string) *group {
		k := g.key()
		if have, ok := groups[k]; ok {
			have.actions = append(have.actions, action)
			return have
		}
		g.actions = []string{action}
		groups[k] = g
		return g
	}
	// The group of a shared part (grantParts' memo), so that the thousands
	// of unobservable actions of a wildcard grant do not each build the
	// same group key.
	partGroup := map[*part]*group{}

	for _, u := range r.Used {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !u.Granted {
			rec.Excluded = append(rec.Excluded, Excluded{Action: u.Action, Reason: "used, but the identity policies do not grant it (a resource policy or a since-removed grant allowed it): not added"})
			continue
		}
		kind := "used"
		if strings.EqualFold(u.Action, "iam:PassRole") {
			kind = "passrole"
		}
		parts := grantParts(gi, eff.Grants[u.Action], u.Action)
		for _, sc := range scope(in.Catalog, rule, allowOnly, u, parts, rec) {
			add(&group{kind: kind, service: service(u.Action), resources: sc.resources, conds: sc.conds, ckey: sc.ckey}, u.Action)
		}
	}
	for i, u := range r.Unobservable {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		// Thin evidence removes nothing, whatever the policy for
		// unobservable actions says.
		if opts.Unobservable == UnobservableKeep || u.Reason == "insufficient-evidence" || !r.Coverage.Sufficient {
			if !r.Coverage.Sufficient {
				u.Resources = nil // the whole grant: nothing is unused
			}
			pts := unobservableParts(gi, eff.Grants[u.Action], u)
			for i := range pts {
				pt := &pts[i]
				if g, ok := partGroup[pt]; ok {
					g.actions = append(g.actions, u.Action)
					continue
				}
				g := add(&group{kind: "unobservable", resources: pt.resources, conds: pt.conds, ckey: pt.ckey}, u.Action)
				if len(u.Resources) == 0 { // pts is grantParts' shared slice
					partGroup[pt] = g
				}
			}
			continue
		}
		rec.Unobservable = append(rec.Unobservable, u)
	}

	// IAM's last-accessed data: used in the window though CloudTrail does
	// not show it, or before it (seasonal). Both keep the current grant's
	// scope: the data names no resource.
	for _, u := range r.LastAccessedUsed {
		for _, pt := range grantParts(gi, eff.Grants[u.Action], u.Action) {
			add(&group{kind: "lastaccessed", service: service(u.Action), resources: pt.resources, conds: pt.conds, ckey: pt.ckey}, u.Action)
		}
	}
	for _, u := range r.Seasonal {
		if opts.Seasonal == SeasonalDrop {
			rec.SeasonalDropped = append(rec.SeasonalDropped, u)
			continue
		}
		for _, pt := range grantParts(gi, eff.Grants[u.Action], u.Action) {
			add(&group{kind: "seasonal", resources: pt.resources, conds: pt.conds, ckey: pt.ckey}, u.Action)
		}
	}

	for _, k := range unmappedKeeps(in, gi, opts.Unmapped) {
		add(k.g, k.action)
	}

	kept := map[string]bool{}
	for _, g := range groups {
		g.sortActions()
		for _, a := range g.actions {
			kept[a] = true
		}
	}
	denies := carriedDenies(in.Principal.Policies, kept)

	// Statements in a stable order.
	ordered := make([]*group, 0, len(groups))
	for _, g := range groups {
		ordered = append(ordered, g)
	}
	sort.Slice(ordered, func(i, j int) bool {
		a, b := ordered[i], ordered[j]
		if kindOrder[a.kind] != kindOrder[b.kind] {
			return kindOrder[a.kind] < kindOrder[b.kind]
		}
		if a.service != b.service {
			return a.service < b.service
		}
		return a.key() < b.key()
	})
	stmts, notes := buildStatements(ordered, denies, nil)
	if len(stmts) == 0 {
		rec.Notes = append(rec.Notes, "nothing to grant: no call was observed and nothing is kept; consider deleting the principal")
	} else {
		b := opts.budget(in.Principal.Type)
		var docs []*policy.Document
		var docNotes []StatementNote
		var attach []string
		if !b.tooLarge(ordered) {
			docs, docNotes, attach = b.fit(stmts, notes)
		}
		if docs == nil {
			// The budget cannot hold the exact actions: compact read and
			// list actions, and only then give up.
			stmts, notes = buildStatements(ordered, denies, &compactor{cat: in.Catalog, allow: allowOnly})
			rec.Compacted = true
			if docs, docNotes, attach = b.fit(stmts, notes); docs == nil {
				return nil, &BudgetError{Principal: r.PrincipalARN, Needed: b.needed(stmts, notes), budget: b}
			}
		}
		rec.Policies, rec.Statements, rec.Attach = docs, docNotes, attach
		rec.Split = len(docs) > 1
		for _, d := range docs {
			rec.Chars = append(rec.Chars, policy.CharCount(d))
		}
		if note := b.note(attach); note != "" {
			rec.Notes = append(rec.Notes, note)
		}
	}
	if slices.Contains(r.Flags, "unused-principal") && r.Coverage.Sufficient {
		rec.Notes = append(rec.Notes, fmt.Sprintf("no successful call in the %d-day window: consider deleting the principal rather than keeping a trimmed policy", r.Coverage.WindowDays))
	}
	if !r.Coverage.Sufficient {
		rec.Notes = append(rec.Notes, fmt.Sprintf("insufficient evidence: the logs cover %d of %d days, so nothing was called unused and the recommendation keeps every granted action", r.Coverage.DaysWithLogs, r.Coverage.WindowDays))
	}
	if n := len(r.BlockedBySCP); n > 0 {
		rec.BlockedBySCP = r.BlockedBySCP
		first := r.BlockedBySCP[0].Action + ": " + r.BlockedBySCP[0].Reason
		if n > 1 {
			first += ", ... (blocked_by_scp lists them)"
		}
		rec.Notes = append(rec.Notes, fmt.Sprintf("granted actions blocked by SCPs: %d (%s): not effective, so not kept; the policy relies on no SCP", n, first))
	}
	if in.Principal.ServiceLinked() {
		rec.Notes = append(rec.Notes, NoteServiceLinked)
	} else if in.Principal.Role != nil && strings.HasPrefix(in.Principal.Role.Path, "/aws-reserved/sso.amazonaws.com/") {
		rec.Notes = append(rec.Notes, NoteIdentityCenter)
	}
	if opts.Context != nil {
		rec.Suggestions = Suggest(*opts.Context, in.Principal)
	}
	proof, err := Prove(ctx, in, rec)
	if err != nil {
		return nil, err
	}
	rec.Proof = proof
	rec.Proof.Wildcards = wildcards(allowOnly, rec)
	return rec, nil
}

// allowOnlySet is the principal's identity policies without their Deny
// statements: the set a recommended grant must stay within. Denies that
// touch kept actions are carried into the recommendation, so they bind the
// new policy exactly as they bind the current one.
func allowOnlySet(ps policy.PolicySet) policy.PolicySet {
	out := policy.PolicySet{}
	for _, np := range ps.Identity {
		if np.Doc == nil {
			continue
		}
		d := &policy.Document{Version: np.Doc.Version, ID: np.Doc.ID}
		for _, st := range np.Doc.Statements {
			if st.Effect == policy.EffectAllow {
				d.Statements = append(d.Statements, st)
			}
		}
		out.Identity = append(out.Identity, policy.NamedPolicy{Name: np.Name, ARN: np.ARN, Kind: np.Kind, Doc: d})
	}
	return out
}

// part is one way the current identity policies grant an action: the
// resources of the Allow statements that grant it under one set of
// conditions (none for unconditional statements).
type part struct {
	resources []string
	conds     []policy.Condition
	ckey      string // JSON of conds
}

// grantIndex is an allow-only policy set prepared for grantParts: each
// statement's conditions encoded once, and the parts remembered per
// grant provenance, which the actions authz puts in one class share
// (an administrator's thousands of unobservable actions then cost one
// pass over the statements, not one each).
type grantIndex struct {
	allow policy.PolicySet
	ckeys [][]string // by policy and statement: JSON of the conditions
	memo  map[provenance][]part
}

type provenance struct {
	first *policy.StatementRef
	n     int
}

func newGrantIndex(allow policy.PolicySet) *grantIndex {
	gi := &grantIndex{allow: allow, ckeys: make([][]string, len(allow.Identity)), memo: map[provenance][]part{}}
	for i, np := range allow.Identity {
		if np.Doc == nil {
			continue
		}
		for _, st := range np.Doc.Statements {
			b, _ := json.Marshal(st.Conditions)
			gi.ckeys[i] = append(gi.ckeys[i], string(b))
		}
	}
	return gi
}

// grantParts lists, in policy order, the ways the identity policies grant
// action: one part per distinct condition set of the Allow statements that
// match it, with those statements' resources. A statement that uses
// NotResource counts as "*" (the proof then says whether that is too
// broad). Conditions are never merged across statements: two statements
// with different conditions are two alternatives, not one conjunction.
// The parts are shared: treat them as read-only.
func grantParts(gi *grantIndex, g *authz.Grant, action string) []part {
	var key provenance
	if g != nil && len(g.Provenance) > 0 {
		key = provenance{&g.Provenance[0], len(g.Provenance)}
		if parts, ok := gi.memo[key]; ok {
			return parts
		}
	}
	parts := gi.parts(g, action)
	if key.first != nil {
		gi.memo[key] = parts
	}
	return parts
}

func (gi *grantIndex) parts(g *authz.Grant, action string) []part {
	var parts []part
	index := map[string]int{}
	for pi, np := range gi.allow.Identity {
		if np.Doc == nil {
			continue
		}
		for si, st := range np.Doc.Statements {
			if st.Effect != policy.EffectAllow || !statementMatchesAction(st, action) {
				continue
			}
			res := st.Resource
			if st.HasNotResource {
				res = []string{"*"}
			}
			k := gi.ckeys[pi][si]
			if i, ok := index[k]; ok {
				parts[i].resources = append(parts[i].resources, res...)
				continue
			}
			index[k] = len(parts)
			parts = append(parts, part{resources: slices.Clone(res), conds: st.Conditions, ckey: k})
		}
	}
	if len(parts) == 0 {
		// Granted through a pattern the statements above do not show (no
		// catalog): fall back to the grant's own scope.
		return []part{{resources: grantScope(g)}}
	}
	for i := range parts {
		sort.Strings(parts[i].resources)
		parts[i].resources = slices.Compact(parts[i].resources)
		if slices.Contains(parts[i].resources, "*") {
			parts[i].resources = []string{"*"}
		}
	}
	// An unconditional part first: resources it covers need no condition.
	slices.SortStableFunc(parts, func(a, b part) int {
		return min(len(a.conds), 1) - min(len(b.conds), 1)
	})
	return parts
}

// grantScope is the resource scope of a current grant: its resource
// patterns, or "*" when it names none.
func grantScope(g *authz.Grant) []string {
	if g == nil || len(g.Resources) == 0 {
		return []string{"*"}
	}
	out := slices.Clone(g.Resources)
	sort.Strings(out)
	return slices.Compact(out)
}

// wholeScope is every way the action is granted, for calls that name no
// resource: requests for an action without resource-level permissions are
// on "*", so only statements whose resources match "*" grant it; an
// unconditional way subsumes the conditional ones.
func wholeScope(parts []part, noResourceLevel bool) []part {
	if noResourceLevel {
		var star []part
		for _, pt := range parts {
			for _, pat := range pt.resources {
				if policy.MatchResource(pat, "*") {
					star = append(star, part{resources: []string{"*"}, conds: pt.conds, ckey: pt.ckey})
					break
				}
			}
		}
		parts = star
	}
	if len(parts) > 0 && len(parts[0].conds) == 0 {
		parts = parts[:1]
	}
	return parts
}

// scope returns the statements' resource lists and conditions for a used
// action: each observed resource goes with the first part that grants it
// (unconditional parts first), and is generalised within that part.
func scope(cat *catalog.Catalog, rule Generalize, allow policy.PolicySet, u analyze.UsedAction, parts []part, rec *Recommendation) []part {
	noResourceLevel := false
	if cat != nil {
		if _, known := cat.Action(u.Action); known && !cat.SupportsResourceLevel(u.Action) {
			noResourceLevel = true
		}
	}
	if noResourceLevel || len(u.Resources) == 0 || u.MoreResourceCalls > 0 {
		// (With MoreResourceCalls, the rollup did not keep every resource
		// the calls named: the list cannot scope the action.)
		// The events name no resource (or the action takes none): keep the
		// current scope of every way it is granted, with its conditions.
		return wholeScope(parts, noResourceLevel)
	}
	if keepsGrantScope(cat, u.Action) {
		// A configuration read: the current grant's scope (configread.go).
		if kept := grantScopeParts(allow, u.Action, parts); kept != nil {
			return kept
		}
	}
	byPart := make([][]string, len(parts))
	for _, r := range u.Resources {
		placed := false
		for i, pt := range parts {
			for _, pat := range pt.resources {
				if policy.MatchResource(pat, r) {
					byPart[i] = append(byPart[i], r)
					placed = true
					break
				}
			}
			if placed {
				break
			}
		}
		if !placed {
			// Matched through a policy variable or NotResource: the first
			// part's conditions, exact ARN; the proof decides.
			byPart[0] = append(byPart[0], r)
		}
	}
	var out []part
	for i, pt := range parts {
		if len(byPart[i]) == 0 {
			continue
		}
		var res []string
		r := rule
		r.siblings = DataRead(u.Action)
		for _, c := range r.generalize(byPart[i]) {
			if ok, _ := policy.AllowsAllWhen(allow, u.Action, c.pattern, pt.conds); ok {
				res = append(res, c.pattern)
				continue
			}
			for _, m := range c.members {
				if strings.ContainsAny(m, "*?") {
					// Stored already generalised by ingest (a lifecycle
					// pattern, a cut S3 key) and not allowed whole: the
					// part's own patterns that overlap it, else all of
					// them; never the pattern itself.
					res = append(res, overlappingGrant(allow, u.Action, pt, m)...)
					continue
				}
				if lp, _, minted := lifecycle.Generalize(m); minted {
					// Never the minted identifier itself: its lifecycle
					// pattern, else the current grant's own patterns
					// that cover it.
					if lp != c.pattern {
						if ok, _ := policy.AllowsAllWhen(allow, u.Action, lp, pt.conds); ok {
							res = append(res, lp)
							continue
						}
					}
					if cover := coveringGrant(allow, u.Action, pt, m); len(cover) > 0 {
						res = append(res, cover...)
						continue
					}
				}
				if ok, _ := policy.AllowsAllWhen(allow, u.Action, m, pt.conds); ok {
					res = append(res, m)
					continue
				}
				if d := policy.Evaluate(allow, policy.Request{Action: u.Action, Resource: m}); d.Effect == policy.Allow || d.Conditional {
					// Allowed only under a condition or variable that
					// cannot be carried as such: keep the exact ARN; the
					// proof decides.
					res = append(res, m)
					continue
				}
				rec.Excluded = append(rec.Excluded, Excluded{Action: u.Action, Resource: m, Reason: "the identity policies do not allow this resource (a resource policy did): not added"})
			}
		}
		if len(res) == 0 {
			continue
		}
		sort.Strings(res)
		out = append(out, part{resources: slices.Compact(res), conds: pt.conds, ckey: pt.ckey})
	}
	return out
}

// coveringGrant is the part's own resource patterns that match arn and
// that the current policies allow whole for action under the part's
// conditions: the narrowest scope known to be no broader than the grant.
func coveringGrant(allow policy.PolicySet, action string, pt part, arn string) []string {
	var out []string
	for _, pat := range pt.resources {
		if !policy.MatchResource(pat, arn) {
			continue
		}
		if ok, _ := policy.AllowsAllWhen(allow, action, pat, pt.conds); ok {
			out = append(out, pat)
		}
	}
	return out
}

// overlappingGrant is the part's own resource patterns that the current
// policies allow whole for action and that overlap pattern (one matches
// the other), else every such pattern of the part: the current grant's
// scope, for a stored pattern that cannot be kept as it is.
func overlappingGrant(allow policy.PolicySet, action string, pt part, pattern string) []string {
	var over, all []string
	for _, pat := range pt.resources {
		if ok, _ := policy.AllowsAllWhen(allow, action, pat, pt.conds); !ok {
			continue
		}
		all = append(all, pat)
		if policy.PatternsOverlap(pat, pattern) {
			over = append(over, pat)
		}
	}
	if len(over) > 0 {
		return over
	}
	return all
}

// carriedDenies returns the Deny statements of the identity policies that
// match a kept action.
func carriedDenies(ps policy.PolicySet, kept map[string]bool) []policy.Statement {
	var out []policy.Statement
	seen := map[string]bool{}
	for _, np := range ps.Identity {
		if np.Doc == nil {
			continue
		}
		for _, st := range np.Doc.Statements {
			if st.Effect != policy.EffectDeny {
				continue
			}
			hit := false
			for a := range kept {
				if statementMatchesAction(st, a) {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
			c := st
			c.Sid = ""
			b, _ := json.Marshal(&policy.Document{Version: policy.Version2012, Statements: []policy.Statement{c}})
			if seen[string(b)] {
				continue
			}
			seen[string(b)] = true
			out = append(out, c)
		}
	}
	return out
}

func statementMatchesAction(st policy.Statement, action string) bool {
	if st.HasNotAction {
		for _, p := range st.NotAction {
			if policy.MatchAction(p, action) {
				return false
			}
		}
		return true
	}
	for _, p := range st.Action {
		if policy.MatchAction(p, action) {
			return true
		}
	}
	return false
}

// buildStatements turns groups into statements; a compactor, when given,
// replaces runs of actions by wildcards that cannot grow (see compact.go).
func buildStatements(groups []*group, denies []policy.Statement, cp *compactor) ([]policy.Statement, []StatementNote) {
	var stmts []policy.Statement
	var notes []StatementNote
	sids := map[string]int{}
	sid := func(base string) string {
		sids[base]++
		if sids[base] == 1 {
			return base
		}
		return fmt.Sprintf("%s%d", base, sids[base])
	}
	for _, g := range groups {
		actions := g.actions
		n := len(actions)
		if cp != nil {
			actions = cp.actions(actions, g.resources, g.conds)
		}
		var base, evidence string
		switch g.kind {
		case "used":
			base = "Used" + title(g.service)
			evidence = "successful calls in the window"
		case "passrole":
			base = "PassRoleObserved"
			evidence = "roles passed by calls in the window"
		case "lastaccessed":
			base = "UsedLastAccessed" + title(g.service)
			evidence = "IAM last-accessed data: accessed in the window, not in CloudTrail (current scope kept)"
		case "seasonal":
			base = "KeptSeasonal"
			evidence = "IAM last-accessed data: last accessed before the window, inside the tracking period (a periodic job; current scope kept)"
		case "unobservable":
			base = "KeptUnobservable"
			evidence = "granted now; CloudTrail could not have shown their use in the window (kept, review before removing)"
		case "unmapped":
			base = "KeptUnmapped"
			evidence = g.evidence
		}
		st := policy.Statement{Sid: sid(base), Effect: policy.EffectAllow, Action: actions, Resource: g.resources, Conditions: g.conds}
		stmts = append(stmts, st)
		notes = append(notes, StatementNote{Sid: st.Sid, Kind: g.kind, Actions: n, Evidence: evidence})
	}
	for _, d := range denies {
		d.Sid = sid("CarriedDeny")
		stmts = append(stmts, d)
		notes = append(notes, StatementNote{Sid: d.Sid, Kind: "deny", Evidence: "explicit Deny of the current policies that applies to kept actions"})
	}
	return stmts, notes
}

// leadingWord is the first CamelCase word: "DescribeInstances" -> "Describe".
func leadingWord(name string) string {
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			return name[:i]
		}
	}
	return ""
}

func service(action string) string {
	if i := strings.IndexByte(action, ':'); i >= 0 {
		return action[:i]
	}
	return action
}

func title(svc string) string {
	var b strings.Builder
	up := true
	for _, r := range svc {
		if r == '-' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteRune(unicode.ToUpper(r))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
