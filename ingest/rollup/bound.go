package rollup

import (
	"sync"
	"time"
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
	s := t.groups[g]
	if s == nil {
		if t.entries >= trackerLimit {
			clear(t.groups)
			t.entries = 0
		}
		s = map[string]struct{}{}
		t.groups[g] = s
	}
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
