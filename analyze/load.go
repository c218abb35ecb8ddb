package analyze

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/store"
)

// LoadUsage reads the usage rollup for the window: every principal's
// actions, or only those of arns when it is not empty.
//
// The rollup keeps one first_seen/last_seen per row (per day), shared by
// the row's successful and denied calls, so first and last use are exact to
// the day and approximate within it when a day mixes both.
func LoadUsage(ctx context.Context, db *store.DB, w Window, arns []string) (map[string]*PrincipalUsage, error) {
	q := `
		SELECT p.arn, u.action, u.resource, u.invoked_by,
		       sum(u.calls - u.denied - u.unauthenticated)::bigint,
		       sum(u.denied)::bigint,
		       min(u.first_seen), max(u.last_seen),
		       max(u.last_seen) FILTER (WHERE u.denied > 0)
		  FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.day BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR cardinality($3::text[]) = 0 OR p.arn = ANY($3))
		 GROUP BY 1, 2, 3, 4`
	rows, err := db.Pool.Query(ctx, q, w.From, w.To, arns)
	if err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	defer rows.Close()
	out := map[string]*PrincipalUsage{}
	for rows.Next() {
		var (
			arn, action, resource, via string
			used, denied               int64
			first, last                time.Time
			lastDenied                 *time.Time
		)
		if err := rows.Scan(&arn, &action, &resource, &via, &used, &denied, &first, &last, &lastDenied); err != nil {
			return nil, fmt.Errorf("read usage: %w", err)
		}
		pu := out[arn]
		if pu == nil {
			pu = &PrincipalUsage{ARN: arn, Actions: map[string]*ActionUsage{}}
			out[arn] = pu
		}
		au := pu.Actions[action]
		if au == nil {
			au = &ActionUsage{Action: action, Resources: map[string]int64{}, DeniedResources: map[string]int64{}, Via: map[string]int64{}}
			pu.Actions[action] = au
		}
		if used > 0 {
			au.Used += used
			if au.FirstUsed.IsZero() || first.Before(au.FirstUsed) {
				au.FirstUsed = first
			}
			if last.After(au.LastUsed) {
				au.LastUsed = last
			}
			if resource != "" {
				au.Resources[resource] += used
			}
			if via != "" {
				au.Via[via] += used
			} else {
				au.Own += used
			}
		}
		if denied > 0 {
			au.Denied += denied
			if lastDenied != nil && lastDenied.After(au.LastDenied) {
				au.LastDenied = *lastDenied
			}
			if resource != "" {
				au.DeniedResources[resource] += denied
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	return out, nil
}

// LoadSeenServices returns, per account (as the logs' recipient), the
// service prefixes with any event in the window, mapped or not.
func LoadSeenServices(ctx context.Context, db *store.DB, w Window) (map[string]map[string]bool, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT account_id, lower(split_part(action, ':', 1)) FROM usage_daily WHERE day BETWEEN $1 AND $2
		UNION
		SELECT DISTINCT account_id, lower(split_part(event_source, '.', 1)) FROM usage_unmapped_daily WHERE day BETWEEN $1 AND $2`, w.From, w.To)
	if err != nil {
		return nil, fmt.Errorf("read services in logs: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var acct, svc string
		if err := rows.Scan(&acct, &svc); err != nil {
			return nil, fmt.Errorf("read services in logs: %w", err)
		}
		if out[acct] == nil {
			out[acct] = map[string]bool{}
		}
		out[acct][svc] = true
	}
	return out, rows.Err()
}

// LoadCoverage returns each account's log coverage of the window.
func LoadCoverage(ctx context.Context, db *store.DB, w Window) (map[string]Coverage, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT account_id, region, array_agg(day ORDER BY day)
		  FROM log_coverage_daily WHERE day BETWEEN $1 AND $2
		 GROUP BY 1, 2 ORDER BY 1, 2`, w.From, w.To)
	if err != nil {
		return nil, fmt.Errorf("read log coverage: %w", err)
	}
	defer rows.Close()
	days := map[string]map[time.Time]bool{}
	out := map[string]Coverage{}
	for rows.Next() {
		var acct, region string
		var ds []time.Time
		if err := rows.Scan(&acct, &region, &ds); err != nil {
			return nil, fmt.Errorf("read log coverage: %w", err)
		}
		c, ok := out[acct]
		if !ok {
			c = Coverage{WindowDays: w.Days, Regions: map[string]int{}}
			days[acct] = map[time.Time]bool{}
		}
		c.Regions[region] = len(ds)
		for _, d := range ds {
			days[acct][d.UTC()] = true
		}
		out[acct] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read log coverage: %w", err)
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
