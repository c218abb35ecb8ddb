package analyze

import (
	"fmt"
	"slices"
	"strings"
)

// FailOnKinds are the findings --fail-on understands: flags, high-risk
// unused permissions, risk levels (that level or above), an exception
// past its expiry, and breakage (counted by a backtest, not by Findings).
var FailOnKinds = []string{"none", "high-risk-unused", "unused-principal", "admin", "workload-admin", "insufficient-evidence", "critical", "high", "medium", "low", "expired-exception", "breakage"}

// PrincipalKinds are the findings a principal's analysis can have, in the
// order they are listed.
var PrincipalKinds = []string{"critical", "high", "medium", "low", "high-risk-unused", "unused-principal", "admin", "workload-admin", "insufficient-evidence"}

// ParseFailOn reads a comma-separated list of FailOnKinds; "none" and ""
// mean no findings fail.
func ParseFailOn(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(FailOnKinds, k) {
			return nil, fmt.Errorf("%q: want a comma-separated list of %s", k, strings.Join(FailOnKinds, ", "))
		}
		if k != "none" {
			out = append(out, k)
		}
	}
	return out, nil
}

var riskRank = map[string]int{"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

// Has reports whether r has the finding kind (one of PrincipalKinds; a
// risk level means that level or above).
func (r *Result) Has(kind string) bool {
	switch kind {
	case "high-risk-unused":
		return len(r.Risk.HighRiskUnused) > 0
	case "unused-principal", "admin", "workload-admin", "insufficient-evidence":
		return slices.Contains(r.Flags, kind)
	case "critical", "high", "medium", "low":
		return riskRank[r.Risk.Level] >= riskRank[kind]
	}
	return false
}

// FindingActions are the actions a finding of r rests on: the unused
// privilege-escalation actions for high-risk-unused, the unused actions
// (and "*" for an administrator) for a risk level, "*" for admin. Nil for
// findings about the whole principal (unused-principal,
// insufficient-evidence), which only an exception of every action covers.
func (r *Result) FindingActions(kind string) []string {
	switch kind {
	case "high-risk-unused":
		return r.Risk.HighRiskUnused
	case "admin", "workload-admin":
		return []string{"*"}
	case "critical", "high", "medium", "low":
		acts := slices.Clone(r.Unused)
		if r.Risk.Admin {
			acts = append(acts, "*")
		}
		return acts
	}
	return nil
}

// IsExcepted reports whether an active exception accepts r's finding kind.
func (r *Result) IsExcepted(kind string) bool {
	return slices.ContainsFunc(r.Excepted, func(e ExceptedFinding) bool { return e.Kind == kind })
}

// Findings counts, per kind, the principals of snap that have it and no
// active exception accepts; "expired-exception" counts the principals with
// an exception past its expiry.
func Findings(snap *Snapshot, kinds []string) map[string]int {
	out := map[string]int{}
	for i := range snap.Principals {
		r := &snap.Principals[i]
		for _, k := range kinds {
			hit := false
			switch k {
			case "breakage":
				continue // counted by a backtest
			case "expired-exception":
				hit = len(r.ExpiredExceptions) > 0
			default:
				hit = r.Has(k) && !r.IsExcepted(k)
			}
			if hit {
				out[k]++
			}
		}
	}
	return out
}

// HighRiskPrincipals counts the principals holding high-risk permissions
// they did not use.
func HighRiskPrincipals(snap *Snapshot) int {
	n := 0
	for _, r := range snap.Principals {
		if len(r.Risk.HighRiskUnused) > 0 {
			n++
		}
	}
	return n
}

// ExceptedKinds lists the finding kinds of excepted for people: the risk
// level once (the highest: a critical principal's exception also accepts
// high, medium and low, which --fail-on high would count), then the
// others.
func ExceptedKinds(excepted []ExceptedFinding) []string {
	var out []string
	level := false
	for _, e := range excepted {
		if _, ok := riskRank[e.Kind]; ok {
			if level {
				continue
			}
			level = true
		}
		out = append(out, e.Kind)
	}
	return out
}
