package recommend

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// ContextEvidence is where and how a principal called from in the window
// (the ingest context rollup).
type ContextEvidence struct {
	Calls int64
	Days  int
	// Regions, SourceNets (IPv4 /24 or IPv6 /48; "" when the caller was an
	// AWS service), VPCEndpoints ("" for none) and UserAgents count calls.
	Regions      map[string]int64
	SourceNets   map[string]int64
	VPCEndpoints map[string]int64
	UserAgents   map[string]int64
	MFACalls     int64
}

// Suggestion is a condition the evidence supports, not applied to the
// policy: adding it is the reader's decision.
type Suggestion struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
	Evidence string   `json:"evidence"`
}

// LoadContext reads the context rollup of one principal over a window.
func LoadContext(ctx context.Context, db *store.DB, w analyze.Window, arn string) (*ContextEvidence, error) {
	rows, err := queries.CallContext(ctx, db, arn, w.From, w.To)
	if err != nil {
		return nil, err
	}
	ev := &ContextEvidence{Regions: map[string]int64{}, SourceNets: map[string]int64{}, VPCEndpoints: map[string]int64{}, UserAgents: map[string]int64{}}
	days := map[time.Time]bool{}
	for _, r := range rows {
		days[r.Day] = true
		ev.Calls += r.Calls
		ev.Regions[r.Region] += r.Calls
		ev.SourceNets[r.Network] += r.Calls
		ev.VPCEndpoints[r.VPCEndpoint] += r.Calls
		ev.UserAgents[r.UserAgentClass] += r.Calls
		if r.MFA {
			ev.MFACalls += r.Calls
		}
	}
	ev.Days = len(days)
	return ev, nil
}

// MaxSuggestedNetworks is the most networks (IPv4 /24s, IPv6 /48s) or VPC
// endpoints a suggested aws:SourceIp or aws:SourceVpce condition lists:
// a role seen calling from more is not pinned to a few places, and a
// condition naming many of them breaks as soon as one is replaced. It is
// also why ingest needs to keep no more networks per principal and day
// (rollup.DefaultMaxNetworks).
const MaxSuggestedNetworks = 4

// Suggest proposes conditions from observed context, each with its
// evidence: aws:RequestedRegion from the regions used; aws:SourceVpce when
// every call came through a few VPC endpoints; aws:SourceIp when every
// call came from a few networks (MaxSuggestedNetworks); aws:MultiFactorAuthPresent for people who always
// used MFA.
func Suggest(ev ContextEvidence, p authz.Principal) []Suggestion {
	if ev.Calls == 0 {
		return nil
	}
	var out []Suggestion
	span := fmt.Sprintf("%d calls over %d days", ev.Calls, ev.Days)
	if regions := keys(ev.Regions); len(regions) > 0 && len(regions) <= 6 {
		out = append(out, Suggestion{Operator: "StringEquals", Key: "aws:RequestedRegion", Values: regions,
			Evidence: span + " were made in " + counts(ev.Regions) + " (global services such as IAM report us-east-1)"})
	}
	if _, none := ev.VPCEndpoints[""]; !none && len(ev.VPCEndpoints) > 0 && len(ev.VPCEndpoints) <= MaxSuggestedNetworks {
		out = append(out, Suggestion{Operator: "StringEquals", Key: "aws:SourceVpce", Values: keys(ev.VPCEndpoints),
			Evidence: "all " + span + " came through VPC endpoints " + counts(ev.VPCEndpoints)})
	}
	if _, svc := ev.SourceNets[""]; !svc && len(ev.SourceNets) > 0 && len(ev.SourceNets) <= MaxSuggestedNetworks {
		var cidrs []string
		public := true
		for n := range ev.SourceNets {
			cidrs = append(cidrs, n)
			if pfx, err := netip.ParsePrefix(n); err != nil || pfx.Addr().IsPrivate() {
				public = false
			}
		}
		sort.Strings(cidrs)
		if public {
			out = append(out, Suggestion{Operator: "IpAddress", Key: "aws:SourceIp", Values: cidrs,
				Evidence: "all " + span + " came from " + counts(ev.SourceNets)})
		}
	}
	human := p.Type == authz.TypeUser || strings.Contains(p.Name, "AWSReservedSSO_") || ev.UserAgents["console"] > 0
	if human && ev.MFACalls == ev.Calls {
		out = append(out, Suggestion{Operator: "Bool", Key: "aws:MultiFactorAuthPresent", Values: []string{"true"},
			Evidence: "a person's sessions: all " + span + " were made with MFA"})
	}
	return out
}

func keys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func counts(m map[string]int64) string {
	var parts []string
	for _, k := range keys(m) {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
