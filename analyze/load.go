package analyze

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// LoadUsage reads the usage rollup for the window: every principal's
// actions, or only those of arns when it is not empty.
//
// The rollup keeps one first_seen/last_seen per row (per day), shared by
// the row's successful and denied calls, so first and last use are exact to
// the day and approximate within it when a day mixes both.
func LoadUsage(ctx context.Context, db *store.DB, w Window, arns []string) (map[string]*PrincipalUsage, error) {
	out := map[string]*PrincipalUsage{}
	err := queries.Usage(ctx, db, w.From, w.To, arns, func(r queries.UsageRow) error {
		pu := out[r.ARN]
		if pu == nil {
			pu = &PrincipalUsage{ARN: r.ARN, Actions: map[string]*ActionUsage{}}
			out[r.ARN] = pu
		}
		au := pu.Actions[r.Action]
		if au == nil {
			au = &ActionUsage{Action: r.Action, Resources: map[string]int64{}, DeniedResources: map[string]int64{}, Via: map[string]int64{}}
			pu.Actions[r.Action] = au
		}
		if r.Used > 0 {
			au.Used += r.Used
			if au.FirstUsed.IsZero() || r.First.Before(au.FirstUsed) {
				au.FirstUsed = r.First
			}
			if r.Last.After(au.LastUsed) {
				au.LastUsed = r.Last
			}
			switch r.Resource {
			case "":
			case queries.MoreResources:
				au.MoreResources += r.Used
			default:
				au.Resources[r.Resource] += r.Used
			}
			if r.InvokedBy != "" {
				au.Via[r.InvokedBy] += r.Used
			} else {
				au.Own += r.Used
			}
		}
		if r.Denied > 0 {
			au.Denied += r.Denied
			if r.LastDenied != nil && r.LastDenied.After(au.LastDenied) {
				au.LastDenied = *r.LastDenied
			}
			if r.Resource != "" && r.Resource != queries.MoreResources {
				au.DeniedResources[r.Resource] += r.Denied
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, pu := range out {
		for _, au := range pu.Actions {
			au.subsume()
		}
	}
	if err := loadUnmapped(ctx, db, w, arns, out); err != nil {
		return nil, err
	}
	return out, nil
}

// subsume folds au's resources, successful and denied, into the widest
// resource patterns among them (see Subsume); the action's totals are
// unchanged.
func (au *ActionUsage) subsume() { Subsume(au.Resources, au.DeniedResources) }

// Subsume folds each resource of every map of ms (resource -> calls) into
// the widest resource pattern among the resources of all of them that
// covers it (a prefix of at least the resource's kind, then "*", as the
// ingest fold stores), with its calls, so that what is read does not
// depend on which resources the fold happened to keep exact beside its
// pattern, which is the order the logs were read in: a day's fold pattern
// covers every resource of its group that day, so each folded day comes
// to its widest pattern and each unfolded day to all its resources,
// whatever the order. The patterns are those of all the maps (a pattern
// row may hold successful or denied calls only, and which depends on the
// order too), so pass the successful and the denied calls of one
// principal and action together, even when only one is wanted. The sum
// of each map is unchanged. analyze reads the rollup through it, and
// package backtest the test window's calls.
func Subsume(ms ...map[string]int64) {
	var pats []string
	for _, m := range ms {
		for r := range m {
			if IsResourcePattern(r) && !slices.Contains(pats, r) {
				pats = append(pats, r)
			}
		}
	}
	if len(pats) == 0 {
		return
	}
	for _, m := range ms {
		for r, n := range m {
			if p := widestPattern(pats, r); p != "" {
				delete(m, r)
				m[p] += n
			}
		}
	}
}

// widestPattern is the shortest of pats other than res that covers res,
// "" when none does. Patterns covering one resource are prefixes of each
// other, so the shortest covers the others too.
func widestPattern(pats []string, res string) string {
	best := ""
	for _, p := range pats {
		if p != res && strings.HasPrefix(res, p[:len(p)-1]) && (best == "" || len(p) < len(best)) {
			best = p
		}
	}
	return best
}

// IsResourcePattern reports whether res is a resource pattern other
// resources fold into: it ends in its only "*", after at least its kind
// (lifecycle.KindPrefix: "arn:aws:iam::1:role/*", not the overflow row
// "*" nor "arn:aws:iam::1:*").
func IsResourcePattern(res string) bool {
	p, ok := strings.CutSuffix(res, "*")
	if !ok || strings.ContainsAny(p, "*?") {
		return false
	}
	k := lifecycle.KindPrefix(res)
	return k != "" && strings.HasPrefix(p, k)
}

// loadUnmapped adds each principal's successful calls that map to no IAM
// action, with the IAM service of their event source.
func loadUnmapped(ctx context.Context, db *store.DB, w Window, arns []string, out map[string]*PrincipalUsage) error {
	rows, err := queries.Unmapped(ctx, db, w.From, w.To, arns)
	if err != nil {
		return err
	}
	for _, r := range rows {
		pu := out[r.ARN]
		if pu == nil {
			pu = &PrincipalUsage{ARN: r.ARN, Actions: map[string]*ActionUsage{}}
			out[r.ARN] = pu
		}
		pu.Unmapped = append(pu.Unmapped, UnmappedCall{EventSource: r.EventSource, EventName: r.EventName,
			Service: cloudtrail.ServicePrefix(r.EventSource), Calls: r.Calls, FirstSeen: r.FirstSeen, LastSeen: r.LastSeen})
	}
	return nil
}

// LoadSeenServices returns, per account (as the logs' recipient), the
// service prefixes with any event in the window, mapped or not.
func LoadSeenServices(ctx context.Context, db *store.DB, w Window) (map[string]map[string]bool, error) {
	rows, err := queries.SeenServices(ctx, db, w.From, w.To)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for _, r := range rows {
		svc := r.Service
		if r.EventSource != "" {
			// Unmapped events name their service by event source.
			if svc = strings.ToLower(cloudtrail.ServicePrefix(r.EventSource)); svc == "" {
				continue
			}
		}
		if out[r.Account] == nil {
			out[r.Account] = map[string]bool{}
		}
		out[r.Account][svc] = true
	}
	return out, nil
}

// LoadCoverage returns each account's log coverage of the window.
func LoadCoverage(ctx context.Context, db *store.DB, w Window) (map[string]Coverage, error) {
	rows, err := queries.Coverage(ctx, db, w.From, w.To)
	if err != nil {
		return nil, err
	}
	days := map[string]map[time.Time]bool{}
	out := map[string]Coverage{}
	for _, r := range rows {
		c, ok := out[r.Account]
		if !ok {
			c = Coverage{WindowDays: w.Days, Regions: map[string]int{}}
			days[r.Account] = map[time.Time]bool{}
		}
		c.Regions[r.Region] = len(r.Days)
		for _, d := range r.Days {
			days[r.Account][d.UTC()] = true
		}
		out[r.Account] = c
	}
	for acct, c := range out {
		c.DaysWithLogs = len(days[acct])
		c.Ratio = float64(c.DaysWithLogs) / float64(w.Days)
		c.Gaps = gaps(w, days[acct])
		out[acct] = c
	}
	return out, nil
}

// EmptyCoverage is the coverage of an account with no logs in the window.
func EmptyCoverage(w Window) Coverage {
	return Coverage{WindowDays: w.Days, Regions: map[string]int{}, Gaps: []DateRange{{From: w.From.Format(time.DateOnly), To: w.To.Format(time.DateOnly)}}}
}

func gaps(w Window, have map[time.Time]bool) []DateRange {
	var out []DateRange
	var start time.Time
	open := false
	for d := w.From; !d.After(w.To); d = d.AddDate(0, 0, 1) {
		if !have[d] {
			if !open {
				start, open = d, true
			}
			continue
		}
		if open {
			out = append(out, DateRange{From: start.Format(time.DateOnly), To: d.AddDate(0, 0, -1).Format(time.DateOnly)})
			open = false
		}
	}
	if open {
		out = append(out, DateRange{From: start.Format(time.DateOnly), To: w.To.Format(time.DateOnly)})
	}
	return out
}

// SortByRisk orders results by risk score, then name.
func SortByRisk(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Risk.Score != rs[j].Risk.Score {
			return rs[i].Risk.Score > rs[j].Risk.Score
		}
		return strings.Compare(rs[i].PrincipalARN, rs[j].PrincipalARN) < 0
	})
}
