package exception

import (
	"fmt"
	"slices"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
)

// Status of an entry on the day it is applied.
const (
	Active  = "active"
	Expired = "expired"
)

// Registered is one entry of the register as a report shows it: its
// status on the day applied, the principals it names and the findings it
// accepts.
type Registered struct {
	analyze.ExceptionRef
	Status string `json:"status"`
	// Principals are the ARNs of the analysis the entry names, sorted.
	Principals []string `json:"principals"`
	// Excepted counts the findings it accepts (0 when expired).
	Excepted int `json:"excepted"`
}

// Apply marks, on each principal of snap, the findings an active entry
// accepts (Result.Excepted) and the entries past their expiry
// (Result.ExpiredExceptions), as of day. It returns the register and the
// entries that name no principal of the analysis (a typo, or a principal
// since deleted), each a Problem by line: the rest is applied. A nil set
// applies nothing.
func Apply(snap *analyze.Snapshot, set *Set, day time.Time) ([]Registered, []Problem) {
	if set == nil {
		return nil, nil
	}
	reg := make([]Registered, len(set.Entries))
	for i := range snap.Principals {
		r := &snap.Principals[i]
		r.Excepted, r.ExpiredExceptions = nil, nil
	}
	refused := map[string]bool{}
	for _, rf := range snap.Refused {
		refused[rf.PrincipalARN] = true
	}
	var probs []Problem
	for ei := range set.Entries {
		e := &set.Entries[ei]
		reg[ei] = Registered{ExceptionRef: e.Ref(), Status: Active, Principals: []string{}}
		if !e.Active(day) {
			reg[ei].Status = Expired
		}
		for i := range snap.Principals {
			r := &snap.Principals[i]
			if !e.MatchesPrincipal(r) {
				continue
			}
			reg[ei].Principals = append(reg[ei].Principals, r.PrincipalARN)
			if reg[ei].Status == Expired {
				r.ExpiredExceptions = append(r.ExpiredExceptions, e.Ref())
				continue
			}
			for _, k := range analyze.PrincipalKinds {
				if !r.Has(k) || r.IsExcepted(k) || !e.covers(r.FindingActions(k)) {
					continue
				}
				r.Excepted = append(r.Excepted, analyze.ExceptedFinding{Kind: k, Exception: e.Ref()})
				reg[ei].Excepted++
			}
		}
		if len(reg[ei].Principals) == 0 {
			named := false
			for arn := range refused {
				if e.matchesARN(arn) {
					named = true
				}
			}
			if !named {
				probs = append(probs, Problem{e.File, e.Line, fmt.Sprintf("principal %s: no principal of the analysis matches (a typo, or a principal since deleted)", e.Principal)})
			}
		}
		slices.Sort(reg[ei].Principals)
	}
	return reg, probs
}
