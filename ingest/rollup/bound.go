package rollup

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/store/queries"
)

// capTracker admits at most max distinct values per group over a run and
// maps the others to the overflow value, so that what one run writes is
// bounded before it reaches the database; the write applies the cap again
// against what is stored (queries.QueueRollup), which makes it hold
// across runs. Past trackerLimit remembered pairs it forgets everything,
// bounding its memory.
type capTracker[G comparable] struct {
	mu       sync.Mutex
	max      int
	overflow string
	groups   map[G]map[string]struct{}
	entries  int
}

func newCapTracker[G comparable](max int, overflow string) *capTracker[G] {
	return &capTracker[G]{max: max, overflow: overflow, groups: map[G]map[string]struct{}{}}
}

// admit returns v when the group holds it or has room for it, else the
// overflow value.
func (t *capTracker[G]) admit(g G, v string) string {
	if v == t.overflow {
		return v
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s := tracked(t.groups, &t.entries, g, func() map[string]struct{} { return map[string]struct{}{} })
	if _, ok := s[v]; ok {
		return v
	}
	if len(s) >= t.max {
		return t.overflow
	}
	s[v] = struct{}{}
	t.entries++
	return v
}

// tracked returns the state of group g in groups, made by mk when new;
// past trackerLimit entries (counted by the caller in *entries) it forgets
// every group first, bounding the trackers' memory.
func tracked[G comparable, S any](groups map[G]S, entries *int, g G, mk func() S) S {
	s, ok := groups[g]
	if !ok {
		if *entries >= trackerLimit {
			clear(groups)
			*entries = 0
		}
		s = mk()
		groups[g] = s
	}
	return s
}

// resourceGroup is what the resource cap counts per.
type resourceGroup struct {
	principal                  string
	day                        time.Time
	action, invokedBy, account string
}

// networkGroup is what the network cap counts per.
type networkGroup struct {
	principal string
	day       time.Time
}

// foldGroup is what the fold counts per: the cap's group and the
// resources' parent (see foldParent).
type foldGroup struct {
	resourceGroup
	parent string
}

// foldSet is a group's state: the resources stored exact (fewer than
// the threshold) and the pattern of its fold row once it has one (a
// prefix, never empty since it is at least the parent, and "*").
type foldSet struct {
	exact   []string
	pattern string
}

// foldTracker folds the resources of a group beyond the first at-1 into
// one pattern, as recommend's --collapse-at does with at or more
// resources of one kind, through the same function
// (lifecycle.CollapsePattern): their longest common prefix, cut back
// before any minted-looking token, then "*". The at-1 exact resources
// and the fold row make at candidates of one kind for recommend, which
// then collapses them to the same pattern as from the resources
// themselves. A resource outside the fold's prefix widens
// it (a new fold row): the rows of a group stay at most at-1 plus one
// per distinct prefix, which the cap (capTracker) bounds anyway. Like
// capTracker, it forgets everything past trackerLimit entries.
type foldTracker struct {
	mu      sync.Mutex
	at      int
	groups  map[foldGroup]*foldSet
	entries int
}

func newFoldTracker(at int) *foldTracker {
	return &foldTracker{at: at, groups: map[foldGroup]*foldSet{}}
}

// fold returns v, or the fold pattern its group maps it to.
func (t *foldTracker) fold(g foldGroup, v string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := tracked(t.groups, &t.entries, g, func() *foldSet { t.entries++; return &foldSet{} })
	if slices.Contains(s.exact, v) {
		return v
	}
	if s.pattern != "" && strings.HasPrefix(v, s.pattern[:len(s.pattern)-1]) {
		return s.pattern
	}
	if len(s.exact) < t.at-1 {
		s.exact = append(s.exact, v)
		t.entries++
		return v
	}
	pats := make([]string, 0, len(s.exact)+2)
	pats = append(append(pats, s.exact...), v)
	if s.pattern != "" {
		pats = append(pats, s.pattern)
	}
	s.pattern = lifecycle.CollapsePattern(g.parent, pats)
	return s.pattern
}

// foldParent is the parent a stored resource is folded under, "" when
// it is never folded: its parent path when the resource part has one
// below its kind (objects under b/customers/ fold into b/customers/…*,
// parameters under parameter/prod/ into parameter/prod/…*), else its kind
// (lifecycle.KindPrefix), what recommend's --collapse-at counts per.
// Folding per parent path is never broader than recommend's own rules:
// its default --object-prefix-depth keeps S3 folders apart, and data
// reads collapse per parent path (siblings), so a fold across parents
// (parameter/prod/db with parameter/stage/db into parameter/*) would
// widen what recommend writes for them.
func foldParent(arn string) string {
	k := lifecycle.KindPrefix(arn)
	if k == "" {
		return k
	}
	name := strings.TrimSuffix(strings.TrimSuffix(arn, "*"), "/")
	i := strings.LastIndexByte(name, '/')
	if i+1 < len(k) {
		return k
	}
	return name[:i+1]
}

// Fold is what the rollup stores for the resources of one principal,
// day, action, invoking service and account, named in this order, when it
// folds them at at (queries.RollupBounds.CollapseAt): each resource, or the pattern it
// was folded into. It is the fold Add applies, without the cap.
func Fold(at int, resources []string) []string {
	t := newFoldTracker(at)
	out := make([]string, len(resources))
	for i, r := range resources {
		out[i] = r
		if p := foldParent(r); p != "" && at > 0 {
			out[i] = t.fold(foldGroup{parent: p}, r)
		}
	}
	return out
}

// MaxSeededResources bounds what Seed is given for one day.
const MaxSeededResources = trackerLimit / 4

// Seed makes the run's fold and cap remember what the rollup already
// holds for account's day (queries.StoredResources), as if this run had
// read it: a day an earlier run began (a run killed and started again,
// logs delivered after the nightly run) is then folded and capped as by
// one run, instead of each run keeping its own CollapseAt-1 resources of
// a kind exact.
func (r *Run) Seed(account string, day time.Time, stored []queries.StoredResource) {
	for _, s := range stored {
		g := resourceGroup{principal: s.Principal, day: day, action: s.Action, invokedBy: s.InvokedBy, account: account}
		if r.fold != nil {
			if parent := foldParent(s.Resource); parent != "" {
				r.fold.fold(foldGroup{resourceGroup: g, parent: parent}, s.Resource)
			}
		}
		r.resCap.admit(g, s.Resource)
	}
}
