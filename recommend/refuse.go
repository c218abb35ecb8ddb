package recommend

import (
	"fmt"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// errNoCatalog is why Recommend refuses to work without an action catalog:
// the current grants cannot be expanded into actions, so nothing could be
// kept as unobservable nor proven no broader, and the result would be an
// empty policy.
var errNoCatalog = fmt.Errorf("a recommendation needs the action catalog to expand the current grants and prove the result: %w", catalog.ErrNoCatalog)

// evidenceFailures are what makes a recommendation unfit whatever the
// evaluator says: a policy that grants nothing to a principal that is
// granted actions and made successful calls, and one that removes
// anything although the logs cover too little of the window to call
// anything unused.
func evidenceFailures(in Input, rec *Recommendation, p Proof) []string {
	var out []string
	granted := p.Kept + p.Removed
	if !in.Result.Coverage.Sufficient && p.Removed > 0 {
		out = append(out, fmt.Sprintf("the logs cover too little of the window (%d of %d days) to call anything unused, yet %d of %d granted actions are removed",
			in.Result.Coverage.DaysWithLogs, in.Result.Coverage.WindowDays, p.Removed, granted))
	}
	var calls int64
	for _, u := range in.Result.Used {
		if u.Granted {
			calls += u.Calls
		}
	}
	if granted > 0 && calls > 0 && !grantsAnything(rec) {
		out = append(out, fmt.Sprintf("the policy grants nothing, yet the principal is granted %d actions and made %d successful calls in the window", granted, calls))
	}
	return out
}

func grantsAnything(rec *Recommendation) bool {
	for _, d := range rec.Policies {
		for _, st := range d.Statements {
			if st.Effect == policy.EffectAllow {
				return true
			}
		}
	}
	return false
}
