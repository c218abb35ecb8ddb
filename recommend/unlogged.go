package recommend

import (
	"slices"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
)

// unobservableParts are the ways to keep an unobservable action: every way
// it is granted now, or, when the analysis names the part of the grant the
// trail does not log (data events logged for some resources only), the
// ways restricted to those resource patterns. Should the restriction leave
// nothing (the grant came through a pattern the statements do not show),
// the whole grant is kept: never less than could have been used unseen.
func unobservableParts(gi *grantIndex, g *authz.Grant, u analyze.Unobservable) []part {
	parts := grantParts(gi, g, u.Action)
	if len(u.Resources) == 0 {
		return parts
	}
	var out []part
	for _, pt := range parts {
		var res []string
		for _, r := range pt.resources {
			if slices.Contains(u.Resources, r) {
				res = append(res, r)
			}
		}
		if len(res) > 0 {
			out = append(out, part{resources: res, conds: pt.conds, ckey: pt.ckey})
		}
	}
	if len(out) == 0 {
		return parts
	}
	return out
}
