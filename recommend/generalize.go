package recommend

import (
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/lifecycle"
)

// Generalize is the rule that turns observed resource ARNs into resource
// patterns. It is applied per action, and every pattern it makes is then
// checked against the current policies: a pattern the current policies do
// not fully allow falls back to the ARNs it stood for, and an ARN with a
// segment the workload mints (see package lifecycle) falls back to its
// lifecycle pattern or to the current grant's patterns that cover it,
// never to itself.
//
// Before either field applies, every ARN goes through lifecycle.Generalize:
// identifiers a workload mints as it runs (log streams, task ids,
// executions, dated S3 keys) never appear in a recommendation, however
// many or few of them were seen.
type Generalize struct {
	// ObjectPrefixDepth: S3 object ARNs keep this many leading key
	// segments and end in "/*" (arn:aws:s3:::b/reports/2026/q3.csv with
	// depth 1 becomes arn:aws:s3:::b/reports/*). A key with no more
	// segments than that is kept whole. 0 keeps object ARNs exact.
	ObjectPrefixDepth int
	// CollapseAt: when at least this many ARNs of one resource type (same
	// partition, service, region, account and type prefix) remain, they
	// become one pattern: their longest common prefix followed by "*".
	// 0 never collapses.
	CollapseAt int

	// siblings is set for data reads (DataRead): two or more resources
	// read under one named parent path become that parent (see
	// siblingParents). Not an option: recommend sets it per action.
	siblings bool
}

// DefaultGeneralize is the documented default rule.
var DefaultGeneralize = Generalize{ObjectPrefixDepth: 1, CollapseAt: 5}

// candidate is a generalised pattern and the ARNs it stands for.
type candidate struct {
	pattern string
	members []string
}

// generalize proposes patterns for arns, most general first within each
// group; the caller checks each against the current policies.
func (g Generalize) generalize(arns []string) []candidate {
	sorted := append([]string(nil), arns...)
	sort.Strings(sorted)
	// Step 1: minted segments to their stable parent, then S3 object keys
	// to prefixes.
	byPattern := map[string][]string{}
	var order []string
	for _, a := range sorted {
		p, _, _ := lifecycle.Generalize(a)
		if g.ObjectPrefixDepth > 0 {
			p = lifecycle.ObjectPrefix(p, g.ObjectPrefixDepth)
		}
		if _, ok := byPattern[p]; !ok {
			order = append(order, p)
		}
		byPattern[p] = append(byPattern[p], a)
	}
	cands := make([]candidate, 0, len(order))
	for _, p := range order {
		cands = append(cands, candidate{pattern: p, members: byPattern[p]})
	}
	if g.siblings {
		cands = siblingParents(cands)
	}
	if g.CollapseAt <= 0 {
		return cands
	}
	// Step 2: many of one kind to one pattern, whose prefix never ends in
	// a date or a number.
	groups := map[string][]candidate{}
	var kinds []string
	for _, c := range cands {
		k := lifecycle.KindPrefix(c.pattern)
		if _, ok := groups[k]; !ok {
			kinds = append(kinds, k)
		}
		groups[k] = append(groups[k], c)
	}
	var out []candidate
	for _, k := range kinds {
		cs := groups[k]
		if k == "" || len(cs) < g.CollapseAt {
			out = append(out, cs...)
			continue
		}
		pats := make([]string, len(cs))
		var members []string
		for i, c := range cs {
			pats[i] = c.pattern
			members = append(members, c.members...)
		}
		out = append(out, candidate{pattern: lifecycle.CollapsePattern(k, pats), members: members})
	}
	return out
}

// siblingParents is the read-family step of data reads. A data read of
// two or more resources with the same named parent path (log groups
// /aws/lambda/orders-api and /aws/lambda/thumbnailer, secrets prod/db and
// prod/api) is a principal browsing that family (an engineer reading the
// logs of the functions it debugs, a job reading the objects of a folder),
// not a fixed dependency: the next read names a sibling not read yet, and
// a policy listing the ones seen denies it (the backtest showed it). Such
// candidates become the parent followed by "*". The parent must be a path
// of the resource's own name with at least one named segment (the type
// prefix alone, "table/", is never a parent: two tables read are two
// dependencies) and no minted-looking token (lifecycle.CommonPrefix would
// cut it). One resource read stays exact, and the caller checks the
// pattern against the current grant like any other (falling back to the
// exact resources). Patterns (already generalised) are left alone.
func siblingParents(cands []candidate) []candidate {
	byParent := map[string][]int{}
	for i, c := range cands {
		if p := siblingParent(c.pattern); p != "" {
			byParent[p] = append(byParent[p], i)
		}
	}
	merged := map[int]string{} // first member index -> parent
	skip := map[int]bool{}
	for p, idx := range byParent {
		if len(idx) < 2 {
			continue
		}
		merged[idx[0]] = p
		for _, i := range idx[1:] {
			skip[i] = true
		}
	}
	if len(merged) == 0 {
		return cands
	}
	out := make([]candidate, 0, len(cands))
	for i, c := range cands {
		if skip[i] {
			continue
		}
		p, ok := merged[i]
		if !ok {
			out = append(out, c)
			continue
		}
		var members []string
		for _, j := range byParent[p] {
			members = append(members, cands[j].members...)
		}
		out = append(out, candidate{pattern: p + "*", members: members})
	}
	return out
}

// siblingParent is the named parent path of an exact ARN's resource name,
// ending in "/" ("arn:aws:logs:r:a:log-group:/aws/lambda/" for the group
// /aws/lambda/f), or "" when it has none that qualifies.
func siblingParent(arn string) string {
	if strings.ContainsAny(arn, "*?") {
		return ""
	}
	k := lifecycle.KindPrefix(arn)
	if k == "" {
		return ""
	}
	name := arn[len(k):]
	i := strings.LastIndexByte(name, '/')
	if i < 0 || strings.Trim(name[:i], "/") == "" {
		return ""
	}
	p := k + name[:i+1]
	if lifecycle.CommonPrefix([]string{p}) != p {
		return "" // a minted-looking token in the parent
	}
	return p
}
