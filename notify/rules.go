package notify

import (
	"fmt"
	"slices"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/snapdiff"
)

// Triggers are what can make a run notify: any finding counted by the
// notification's fail_on, the run's status, or a kind of change since the
// previous analysis.
var Triggers = []string{
	"findings", "failed", "partial",
	"new-principals", "removed-principals", "grants-added", "grants-removed",
	"newly-used", "newly-unused", "risk-changes",
}

// DefaultTriggers are used when the configuration names none: what a
// platform team acts on (new findings, failed runs, access that grew or
// went unused).
var DefaultTriggers = []string{"findings", "failed", "new-principals", "grants-added", "newly-unused"}

// Rules decide whether a run notifies.
type Rules struct {
	// Triggers are some of Triggers; empty means DefaultTriggers.
	Triggers []string
	// MinChanges is how many changes of the diff kinds among Triggers,
	// added up, make the diff notify; below 1 counts as 1.
	MinChanges int
}

// Validate names the first unknown trigger.
func (r Rules) Validate() error {
	for _, t := range r.Triggers {
		if err := option.OneOf(t, Triggers...); err != nil {
			return fmt.Errorf("triggers: %v", err)
		}
	}
	if r.MinChanges < 0 {
		return fmt.Errorf("min_changes: %d: want 1 or more (0: the default, 1)", r.MinChanges)
	}
	return nil
}

// Fired returns the triggers ev crosses, in Triggers order; none means no
// notification.
func (r Rules) Fired(ev *Event) []string {
	on := r.Triggers
	if len(on) == 0 {
		on = DefaultTriggers
	}
	var fired []string
	if slices.Contains(on, "findings") && total(ev.Findings) > 0 {
		fired = append(fired, "findings")
	}
	for _, s := range []string{"failed", "partial"} {
		if slices.Contains(on, s) && ev.Status == s {
			fired = append(fired, s)
		}
	}
	if ev.Diff == nil {
		return fired
	}
	changes := 0
	var kinds []string
	for _, k := range diffKinds {
		if n := k.count(ev.Diff.Totals); slices.Contains(on, k.name) && n > 0 {
			changes += n
			kinds = append(kinds, k.name)
		}
	}
	if changes >= max(r.MinChanges, 1) {
		fired = append(fired, kinds...)
	}
	return fired
}

// diffKinds are the diff's triggers with the totals they count, in
// Triggers order.
var diffKinds = []struct {
	name, label string
	count       func(snapdiff.Totals) int
}{
	{"new-principals", "new principal(s)", func(t snapdiff.Totals) int { return t.NewPrincipals }},
	{"removed-principals", "removed principal(s)", func(t snapdiff.Totals) int { return t.RemovedPrincipals }},
	{"grants-added", "grant(s) added", func(t snapdiff.Totals) int { return t.GrantsAdded }},
	{"grants-removed", "grant(s) removed", func(t snapdiff.Totals) int { return t.GrantsRemoved }},
	{"newly-used", "action(s) newly used", func(t snapdiff.Totals) int { return t.NewlyUsed }},
	{"newly-unused", "action(s) newly unused", func(t snapdiff.Totals) int { return t.NewlyUnused }},
	{"risk-changes", "risk change(s)", func(t snapdiff.Totals) int { return t.RiskChanges }},
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
