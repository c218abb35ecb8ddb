package recommend

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/policy"
)

// How successful calls that map to no IAM action are treated.
const (
	// UnmappedKeep keeps the current grant of their services, in
	// KeptUnmapped statements (default).
	UnmappedKeep = "keep"
	// UnmappedFail fails the proof of any recommendation with such calls.
	UnmappedFail = "fail"
)

// keep is one action to keep, with the statement group it goes in.
type keep struct {
	g      *group
	action string
}

// unmappedKeeps lists, for each service the principal made unmapped
// successful calls to, every action of that service the identity policies
// grant now, on every way they grant it: the call needed one of them, and
// which is unknown. Nothing is kept with UnmappedFail.
func unmappedKeeps(in Input, gi *grantIndex, mode string) []keep {
	if mode == UnmappedFail {
		return nil
	}
	var out []keep
	for _, svc := range unmappedServices(in.Result.Unmapped) {
		evidence := "successful calls that map to no IAM action: " + strings.Join(unmappedNames(in.Result.Unmapped, svc), ", ") +
			"; the current " + svc + " grant is kept because which action they need is unknown (review)"
		for _, a := range serviceGrants(in.Effective, svc) {
			for _, pt := range grantParts(gi, in.Effective.Grants[a.grant], a.action) {
				out = append(out, keep{g: &group{kind: "unmapped", service: svc, resources: pt.resources, conds: pt.conds, evidence: evidence}, action: a.action})
			}
		}
	}
	return out
}

// unmappedServices are the known services of unmapped calls, sorted.
func unmappedServices(calls []analyze.UnmappedCall) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range calls {
		if s := strings.ToLower(c.Service); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// unmappedNames names the unmapped calls of svc ("" for all).
func unmappedNames(calls []analyze.UnmappedCall, svc string) []string {
	var out []string
	for _, c := range calls {
		if svc == "" || strings.EqualFold(c.Service, svc) {
			out = append(out, fmt.Sprintf("%s %s ×%d", c.EventSource, c.EventName, c.Calls))
		}
	}
	return out
}

// serviceGrant is an action of a service and the key of its grant.
type serviceGrant struct{ action, grant string }

// serviceGrants lists the actions of svc the effective policies grant:
// catalog actions when expanded, else the patterns that name the service
// ("*" standing for "svc:*").
func serviceGrants(eff *authz.Effective, svc string) []serviceGrant {
	var out []serviceGrant
	for _, a := range eff.Actions() {
		switch {
		case strings.EqualFold(service(a), svc) && a != "*":
			out = append(out, serviceGrant{a, a})
		case !eff.Expanded && a == "*":
			out = append(out, serviceGrant{svc + ":*", a})
		}
	}
	return out
}

// proveUnmapped checks that the recommendation keeps, for every unmapped
// successful call, the current grant of its service: a call whose action
// is unknown is allowed tomorrow only if nothing of its service was taken
// away. It fails for UnmappedFail and for calls whose service is unknown.
func proveUnmapped(ctx context.Context, in Input, rec *Recommendation, p *Proof) error {
	calls := in.Result.Unmapped
	p.UnmappedKept = true
	if len(calls) == 0 {
		return nil
	}
	p.Unmapped = unmappedNames(calls, "")
	fail := func(s string) {
		p.UnmappedKept = false
		if len(p.UnmappedFailures) < maxFailures {
			p.UnmappedFailures = append(p.UnmappedFailures, s)
		}
	}
	if rec.UnmappedPolicy == UnmappedFail {
		fail(fmt.Sprintf("%d unmapped successful call name(s) and --unmapped fail", len(calls)))
		return nil
	}
	for _, c := range calls {
		if c.Service == "" {
			fail(fmt.Sprintf("%s %s: the IAM service of the event source is unknown, so its grant cannot be kept", c.EventSource, c.EventName))
		}
	}
	// Allow statements only: the Deny statements the recommendation
	// carries bind the current grant the same way.
	newSet := policy.PolicySet{}
	for _, d := range rec.Policies {
		newSet.Identity = append(newSet.Identity, policy.NamedPolicy{Name: "recommended", Kind: policy.KindManaged, Doc: d})
	}
	newSet = allowOnlySet(newSet)
	gi := newGrantIndex(allowOnlySet(in.Principal.Policies))
	for _, svc := range unmappedServices(calls) {
		for _, a := range serviceGrants(in.Effective, svc) {
			if err := ctx.Err(); err != nil {
				return err
			}
			for _, pt := range grantParts(gi, in.Effective.Grants[a.grant], a.action) {
				for _, res := range pt.resources {
					if ok, _ := policy.AllowsAllWhen(newSet, a.action, res, pt.conds); !ok {
						fail(fmt.Sprintf("%s on %s (granted now, service of unmapped calls) is not kept", a.action, res))
					}
				}
			}
		}
	}
	return nil
}
