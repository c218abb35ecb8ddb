package recommend

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// How a recommended policy is attached (Recommendation.Attach).
const (
	AttachAny     = "inline or managed" // one document within the managed limit
	AttachInline  = "inline"            // the principal's inline policy
	AttachManaged = "managed"           // a customer managed policy
)

// ErrOverBudget: the recommendation needs more policies than the budget
// allows, even with read and list actions compacted.
var ErrOverBudget = errors.New("the recommendation does not fit the policy budget")

// BudgetError says how many policies a recommendation needs and what the
// budget was.
type BudgetError struct {
	Principal string
	Needed    int
	budget    budget
}

// Max is the number of policies the budget allows.
func (e *BudgetError) Max() int { return e.budget.max() }

func (e *BudgetError) Error() string {
	return fmt.Sprintf("%s: the recommendation needs %d policies even with read and list actions compacted, more than the %d allowed (%s); raise --max-policies (and the principal's managed policy quota, 10 by default, 20 at most) or narrow the grant by hand",
		e.Principal, e.Needed, e.budget.max(), e.budget)
}

func (e *BudgetError) Unwrap() error { return ErrOverBudget }

// budget is what IAM lets one principal hold: an optional inline policy
// (filled first) and up to maxManaged managed policies.
type budget struct {
	managed, inline, maxManaged int
}

// budget resolves the options' defaults for a principal type. An inline
// budget no larger than a managed policy (users: 2,048; groups: 5,120)
// buys nothing and is not used.
func (o Options) budget(principalType string) budget {
	b := budget{managed: o.MaxChars, inline: o.InlineChars, maxManaged: o.MaxPolicies}
	if b.managed == 0 {
		b.managed = ManagedPolicyLimit
	}
	if b.inline == 0 {
		switch principalType {
		case authz.TypeRole:
			b.inline = RoleInlineLimit
		case authz.TypeUser:
			b.inline = UserInlineLimit
		default:
			b.inline = GroupInlineLimit
		}
	}
	if b.inline <= b.managed {
		b.inline = 0
	}
	if b.maxManaged == 0 {
		b.maxManaged = DefaultMaxPolicies
	}
	return b
}

func (b budget) String() string {
	if b.inline > 0 {
		return fmt.Sprintf("one inline policy of %d characters and %d managed policies of %d", b.inline, b.maxManaged, b.managed)
	}
	return fmt.Sprintf("%d managed policies of %d characters", b.maxManaged, b.managed)
}

func (b budget) max() int {
	if b.inline > 0 {
		return b.maxManaged + 1
	}
	return b.maxManaged
}

// capacity is the size limit of the i-th document of a split.
func (b budget) capacity(i int) int {
	if i == 0 && b.inline > 0 {
		return b.inline
	}
	return b.managed
}

// fit lays the statements out in one managed-size document, else splits
// them over the budget (inline first); nil when they need more policies
// than it allows.
func (b budget) fit(stmts []policy.Statement, notes []StatementNote) ([]*policy.Document, []StatementNote, []string) {
	if docs, n := layout(stmts, notes, b.managed); docs != nil {
		return docs, n, []string{AttachAny}
	}
	if total := policy.CharCount(&policy.Document{Version: policy.Version2012, Statements: stmts}); total > b.inline+b.maxManaged*b.managed {
		return nil, nil, nil // more than the whole budget holds, however split
	}
	docs, n := split(stmts, notes, b)
	if len(docs) > b.max() {
		return nil, nil, nil
	}
	attach := make([]string, len(docs))
	for i := range docs {
		attach[i] = AttachManaged
		if i == 0 && b.inline > 0 {
			attach[i] = AttachInline
		}
	}
	return docs, n, attach
}

// tooLarge reports whether the groups' action names alone, each with its
// quotes and a comma, hold more characters than the whole budget: fit
// would fail, after laying out and splitting every statement.
func (b budget) tooLarge(groups []*group) bool {
	limit := b.inline + b.maxManaged*b.managed
	n := 0
	for _, g := range groups {
		for _, a := range g.actions {
			if n += len(a) + 3; n > limit {
				return true
			}
		}
	}
	return false
}

// needed is how many policies the split takes.
func (b budget) needed(stmts []policy.Statement, notes []StatementNote) int {
	docs, _ := split(stmts, notes, b)
	return len(docs)
}

// note tells people how to attach what fit returned.
func (b budget) note(attach []string) string {
	switch {
	case len(attach) == 1 && attach[0] == AttachAny:
		return ""
	case len(attach) == 1:
		return fmt.Sprintf("the policy exceeds a managed policy's %d characters: attach it as the inline policy (up to %d)", b.managed, b.inline)
	case attach[0] == AttachInline:
		return fmt.Sprintf("split into %d policies to keep exact actions: policy 1 is the inline policy (up to %d characters), policies 2 to %d managed policies (up to %d each); attach them all", len(attach), b.inline, len(attach), b.managed)
	}
	return fmt.Sprintf("split into %d managed policies (up to %d characters each) to keep exact actions; attach them all", len(attach), b.managed)
}

// compactor replaces runs of actions by wildcards that cannot grow beyond
// read and list access or beyond the current grant.
type compactor struct {
	cat   *catalog.Catalog
	allow policy.PolicySet // the current identity policies' Allow statements
	every []string         // every catalog action, sorted; set on first use
}

// actions replaces runs of actions by "svc:*" or "svc:Verb*" when every
// catalog action the wildcard matches is in the list, and either every one
// is a read or list action, or the current policies grant the wildcard
// itself on the statement's resources under its conditions (a break-glass
// role granted "*"). So a wildcard never reaches a mutating action AWS adds
// later that the principal could not already call today. The wildcards
// that remain still match actions AWS adds later; the proof lists them.
func (cp *compactor) actions(actions, resources []string, conds []policy.Condition) []string {
	cat := cp.cat
	if cat == nil {
		return actions
	}
	// Every action the catalog has (an administrator's grant kept whole):
	// "*", when the current policies grant "*" there too. Checked first,
	// in one pass, since the per-service walk below costs a lookup per
	// action and statement.
	if cp.every == nil {
		cp.every = cat.Expand("*")
		slices.Sort(cp.every)
	}
	if len(actions) == len(cp.every) && slices.Equal(actions, cp.every) && grants(cp.allow, "*", resources, conds) {
		return []string{"*"}
	}
	have := map[string]bool{}
	bySvc := map[string][]string{}
	for _, a := range actions {
		have[a] = true
		bySvc[service(a)] = append(bySvc[service(a)], a)
	}
	covered := func(pattern string) bool {
		exp := cat.Expand(pattern)
		if len(exp) == 0 {
			return false
		}
		readOnly := true
		for _, e := range exp {
			if !have[e] {
				return false
			}
			if lvl := cat.AccessLevel(e); lvl != catalog.Read && lvl != catalog.List {
				readOnly = false
			}
		}
		return readOnly || grants(cp.allow, pattern, resources, conds)
	}
	var out []string
	svcs := make([]string, 0, len(bySvc))
	for s := range bySvc {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	for _, s := range svcs {
		list := bySvc[s]
		if len(list) > 1 && covered(s+":*") {
			out = append(out, s+":*")
			continue
		}
		done := map[string]bool{}
		for _, a := range list {
			if done[a] {
				continue
			}
			verb := leadingWord(a[len(s)+1:])
			pat := s + ":" + verb + "*"
			if verb != "" && covered(pat) {
				matched := 0
				for _, b := range list {
					if policy.MatchAction(pat, b) {
						done[b] = true
						matched++
					}
				}
				if matched > 1 {
					out = append(out, pat)
					continue
				}
			}
			done[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Wildcard is an action wildcard of a recommended Allow statement. It
// matches actions AWS may add later, which the catalog cannot check.
type Wildcard struct {
	Pattern string `json:"pattern"`
	Policy  int    `json:"policy"`
	Sid     string `json:"sid"`
	// CurrentGrantMatches: the current policies grant the same wildcard
	// (or a wider one) on the statement's resources, so a future action it
	// matches is granted today as well.
	CurrentGrantMatches bool `json:"current_grant_matches"`
}

// grants reports whether the current Allow statements grant the action
// pattern itself on every resource, under conds.
func grants(allow policy.PolicySet, pattern string, resources []string, conds []policy.Condition) bool {
	if len(resources) == 0 {
		return false
	}
	for _, res := range resources {
		if ok, _ := policy.AllowsAllWhen(allow, pattern, res, conds); !ok {
			return false
		}
	}
	return true
}

// wildcards lists the action wildcards of rec's Allow statements.
func wildcards(allow policy.PolicySet, rec *Recommendation) []Wildcard {
	var out []Wildcard
	for di, d := range rec.Policies {
		for _, st := range d.Statements {
			if st.Effect != policy.EffectAllow {
				continue
			}
			for _, pat := range st.Action {
				if !strings.ContainsAny(pat, "*?") {
					continue
				}
				out = append(out, Wildcard{Pattern: pat, Policy: di, Sid: st.Sid, CurrentGrantMatches: grants(allow, pat, st.Resource, st.Conditions)})
			}
		}
	}
	return out
}

// layout puts every statement in one document, or returns nil when that
// exceeds max.
func layout(stmts []policy.Statement, notes []StatementNote, max int) ([]*policy.Document, []StatementNote) {
	d := &policy.Document{Version: policy.Version2012, Statements: stmts}
	renumber(d)
	if policy.CharCount(d) > max {
		return nil, nil
	}
	return []*policy.Document{d}, notes
}

// split packs statements into documents first fit, the i-th at most
// b.capacity(i) characters, splitting a statement's action list when it
// alone is larger than a managed policy.
func split(stmts []policy.Statement, notes []StatementNote, b budget) ([]*policy.Document, []StatementNote) {
	var pieces []policy.Statement
	var pieceNotes []StatementNote
	for i, st := range stmts {
		for _, p := range splitStatement(st, b.managed) {
			pieces = append(pieces, p)
			n := notes[i]
			n.Sid = p.Sid
			n.Actions = len(p.Action)
			pieceNotes = append(pieceNotes, n)
		}
	}
	if docs, outNotes, ok := packFast(pieces, pieceNotes, b); ok {
		return docs, outNotes
	}
	return packSlow(pieces, pieceNotes, b)
}

// packFast is first fit with each piece's size measured once: a document's
// size is additive in its statements (the JSON of the others plus a
// comma). The result is checked, and not used (ok false) if the sum was
// off.
func packFast(pieces []policy.Statement, notes []StatementNote, b budget) ([]*policy.Document, []StatementNote, bool) {
	if len(pieces) == 0 {
		return nil, nil, true
	}
	one := func(sts ...policy.Statement) int {
		return policy.CharCount(&policy.Document{Version: policy.Version2012, Statements: sts})
	}
	sizes := make([]int, len(pieces))
	for i, p := range pieces {
		sizes[i] = one(p)
	}
	base := 2*sizes[0] + 1 - one(pieces[0], pieces[0]) // the document around its statements
	var docs []*policy.Document
	var used []int
	var outNotes []StatementNote
	for i, p := range pieces {
		di := 0
		for ; di < len(docs); di++ {
			if used[di]+sizes[i]-base+1 <= b.capacity(di) {
				break
			}
		}
		if di == len(docs) {
			docs = append(docs, &policy.Document{Version: policy.Version2012})
			used = append(used, base-1)
		}
		docs[di].Statements = append(docs[di].Statements, p)
		used[di] += sizes[i] - base + 1
		n := notes[i]
		n.Policy = di
		outNotes = append(outNotes, n)
	}
	for di, d := range docs {
		renumber(d)
		if policy.CharCount(d) > b.capacity(di) {
			return nil, nil, false
		}
	}
	return docs, outNotes, true
}

// packSlow is first fit measuring each candidate document whole.
func packSlow(pieces []policy.Statement, pieceNotes []StatementNote, b budget) ([]*policy.Document, []StatementNote) {
	var docs []*policy.Document
	var outNotes []StatementNote
	// Each document's size, kept as statements go in (a statement adds
	// its own count and a comma), so that first fit does not re-count
	// every document for every piece.
	var sizes []int
	for i, p := range pieces {
		placed := false
		ps := policy.StatementCharCount(&p)
		for di, d := range docs {
			if sizes[di]+1+ps <= b.capacity(di) {
				d.Statements = append(d.Statements, p)
				sizes[di] += 1 + ps
				n := pieceNotes[i]
				n.Policy = di
				outNotes = append(outNotes, n)
				placed = true
				break
			}
		}
		if !placed {
			docs = append(docs, &policy.Document{Version: policy.Version2012, Statements: []policy.Statement{p}})
			sizes = append(sizes, policy.CharCount(docs[len(docs)-1]))
			n := pieceNotes[i]
			n.Policy = len(docs) - 1
			outNotes = append(outNotes, n)
		}
	}
	for _, d := range docs {
		renumber(d)
	}
	return docs, outNotes
}

// splitStatement halves a statement larger than max: its action list, or
// when one action is left its resource list (both are unions, so the
// halves grant exactly what the whole did). NotAction and NotResource
// lists are never split: their halves would grant more.
func splitStatement(st policy.Statement, max int) []policy.Statement {
	one := &policy.Document{Version: policy.Version2012, Statements: []policy.Statement{st}}
	if policy.CharCount(one) <= max {
		return []policy.Statement{st}
	}
	a, b := st, st
	switch {
	case len(st.Action) >= 2 && !st.HasNotAction:
		half := len(st.Action) / 2
		a.Action = slices.Clone(st.Action[:half])
		b.Action = slices.Clone(st.Action[half:])
	case len(st.Resource) >= 2 && !st.HasNotResource:
		half := len(st.Resource) / 2
		a.Resource = slices.Clone(st.Resource[:half])
		b.Resource = slices.Clone(st.Resource[half:])
	default:
		return []policy.Statement{st}
	}
	a.Sid, b.Sid = st.Sid+"A", st.Sid+"B"
	return append(splitStatement(a, max), splitStatement(b, max)...)
}

func renumber(d *policy.Document) {
	for i := range d.Statements {
		d.Statements[i].Index = i
	}
}
