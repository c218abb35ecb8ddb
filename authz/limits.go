package authz

import (
	"encoding/json"
	"fmt"

	"github.com/iamtrim/iamtrim/policy"
)

// Limits on one principal's identity policies and permissions boundary,
// beyond which Expand refuses it with a *LimitError instead of letting
// one principal take the machine. IAM's own quotas keep real principals
// well inside them: a role holds at most 10,240 characters of inline
// policy and 20 managed policies of 6,144 (about 133,000 characters, some
// 3,000 statements at the shortest), a user in ten groups about 790,000.
// Conditions cost the most: each distinct condition set is a separate
// way the principal is granted its actions, so they are bounded too.
const (
	MaxStatements    = 10_000
	MaxPolicyChars   = 2_000_000
	MaxConditionSets = 256
)

// LimitError refuses a principal whose policies exceed the limits.
type LimitError struct {
	Principal     string
	Statements    int
	Chars         int
	ConditionSets int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: refused: its policies hold %d statements, %d characters and %d distinct condition sets, over the limits of %d, %d and %d",
		e.Principal, e.Statements, e.Chars, e.ConditionSets, MaxStatements, MaxPolicyChars, MaxConditionSets)
}

// checkLimits returns a *LimitError when p's identity policies and
// boundary exceed a limit. Characters are counted as IAM does (without
// white space), once per document.
func (e *Expander) checkLimits(p Principal) error {
	docs := make([]*policy.Document, 0, len(p.Policies.Identity)+1)
	for _, np := range p.Policies.Identity {
		docs = append(docs, np.Doc)
	}
	if p.Policies.Boundary != nil {
		docs = append(docs, p.Policies.Boundary.Doc)
	}
	le := LimitError{Principal: p.ARN}
	conds := map[string]bool{}
	for _, d := range docs {
		if d == nil {
			continue
		}
		le.Statements += len(d.Statements)
		n, ok := e.chars[d]
		if !ok {
			n = policy.CharCount(d)
			e.chars[d] = n
		}
		le.Chars += n
		for i := range d.Statements {
			if cs := d.Statements[i].Conditions; len(cs) > 0 {
				b, _ := json.Marshal(cs)
				conds[string(b)] = true
			}
		}
	}
	le.ConditionSets = len(conds)
	if le.Statements > MaxStatements || le.Chars > MaxPolicyChars || le.ConditionSets > MaxConditionSets {
		return &le
	}
	return nil
}
