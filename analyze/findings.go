package analyze

import (
	"fmt"
	"slices"
	"strings"
)

// FailOnKinds are the findings --fail-on understands: flags, high-risk
// unused permissions, risk levels (that level or above), and breakage
// (counted by a backtest, not by Findings).
var FailOnKinds = []string{"none", "high-risk-unused", "unused-principal", "admin", "workload-admin", "insufficient-evidence", "critical", "high", "medium", "low", "breakage"}

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

// Findings counts, per kind, the principals of snap that have it.
func Findings(snap *Snapshot, kinds []string) map[string]int {
	out := map[string]int{}
	for _, r := range snap.Principals {
		for _, k := range kinds {
			hit := false
			switch k {
			case "breakage":
				continue // counted by a backtest
			case "high-risk-unused":
				hit = len(r.Risk.HighRiskUnused) > 0
			case "unused-principal", "admin", "workload-admin", "insufficient-evidence":
				hit = slices.Contains(r.Flags, k)
			default: // a risk level: that level or above
				hit = riskRank[r.Risk.Level] >= riskRank[k]
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
