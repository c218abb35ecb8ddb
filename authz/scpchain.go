package authz

import (
	"fmt"
	"strings"

	"github.com/iamtrim/iamtrim/policy"
)

// SCPLevel is one level of an account's service control policy chain: the
// policies attached at the organisation's root, at one OU on the account's
// path, or at the account itself. Any policy of a level may allow an
// action; every level must, and a Deny at any level denies.
type SCPLevel struct {
	// Name says where the policies are attached, for people:
	// "root r-ab12", "OU Workloads (ou-ab12-34cd56ef)",
	// "account prod (111122223333)", or a --scp file's name.
	Name     string
	Policies []policy.NamedPolicy
	// Unread is true when a policy attached here could not be read (an
	// unknown policy id, a document that does not parse): the level's
	// Allows are then not applied, since the missing policy may allow
	// more, while the Denies of the policies that were read are.
	Unread bool
}

// SCPChain is the SCPs that apply to one account's principals, from the
// root down to the account.
type SCPChain struct {
	Levels []SCPLevel
	// Note says why no level applies or what is left out ("management
	// account: SCPs do not apply"); empty when nothing is.
	Note string
}

// SCPChains gives each account's chain: the stored organisation.
type SCPChains interface {
	SCPChain(account string) SCPChain
}

// SCPBlock says why service control policies take a granted action away
// from a principal: an SCP Deny statement (Deny set), or no policy attached
// at Level allowing it (Deny nil, Policies the policies attached there).
type SCPBlock struct {
	Level    string               `json:"level"`
	Deny     *policy.StatementRef `json:"deny,omitempty"`
	Policies []string             `json:"policies,omitempty"`
}

func (b SCPBlock) String() string {
	if b.Deny != nil {
		s := "denied by " + b.Deny.Policy
		if b.Deny.Sid != "" {
			s += " Sid " + b.Deny.Sid
		} else {
			s += fmt.Sprintf(" statement %d", b.Deny.Index+1)
		}
		if b.Level == b.Deny.Policy {
			return s // a --scp file: its own level
		}
		return s + " at " + b.Level
	}
	return "not allowed by any SCP at " + b.Level + " (" + strings.Join(b.Policies, ", ") + ")"
}

// WithChains makes the Expander apply each principal's SCP chain from
// chains (before the SCPs given to NewExpander, which apply to every
// principal). nil leaves only those.
func (e *Expander) WithChains(chains SCPChains) *Expander {
	e.chains = chains
	return e
}

// scpLevels returns the levels that apply to p: its account's chain, then
// the Expander's own SCPs, one level each; and a note for eff.
func (e *Expander) scpLevels(p Principal) (key string, levels []SCPLevel, note string) {
	if e.chains != nil {
		ch := e.chains.SCPChain(p.AccountID)
		levels = append(levels, ch.Levels...)
		note = ch.Note
		key = p.AccountID
	}
	for _, np := range e.scps {
		levels = append(levels, SCPLevel{Name: np.Name, Policies: []policy.NamedPolicy{np}})
	}
	return key, levels, note
}

// principalKeys are the condition keys a principal fixes: an SCP Deny
// conditioned on them alone (the common "deny iam:* unless the principal
// is the break-glass role") is decided for each principal.
var principalKeys = map[string]bool{"aws:principalarn": true, "aws:principalaccount": true}

// resolveDeny decides an SCP Deny's conditions for p when they rest on
// principal keys alone: the statement without conditions when they hold,
// nil when they do not, st itself otherwise.
func (e *Expander) resolveDeny(p Principal, st *policy.Statement) *policy.Statement {
	if len(st.Conditions) == 0 {
		return st
	}
	for _, c := range st.Conditions {
		if !principalKeys[strings.ToLower(c.Key)] {
			return st
		}
	}
	ctx := map[string][]string{"aws:PrincipalArn": {p.ARN}, "aws:PrincipalAccount": {p.AccountID}}
	for _, c := range st.Conditions {
		ok, err := policy.EvaluateCondition(c, ctx)
		if err != nil {
			return st
		}
		if !ok {
			return nil
		}
	}
	if u, ok := e.unconditional[st]; ok {
		return u
	}
	u := *st
	u.Conditions = nil
	e.unconditional[st] = &u
	return &u
}
