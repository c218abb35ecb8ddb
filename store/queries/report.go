package queries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// AnalysisRun is a stored analysis snapshot as the report finds it.
type AnalysisRun struct {
	ID         int64
	CreatedAt  time.Time
	AsOf       time.Time
	WindowDays int
	Scope      string
}

// LatestAnalysis returns the newest organisation-wide analysis snapshot
// (of every principal, not one) as of through or earlier, ordered by
// (as_of, id) and before (beforeAsOf, beforeID) when beforeID is not 0,
// with principals of account when it is not empty; nil when there is none.
func LatestAnalysis(ctx context.Context, db *store.DB, through time.Time, beforeAsOf time.Time, beforeID int64, account string) (*AnalysisRun, error) {
	var s AnalysisRun
	err := db.Pool.QueryRow(ctx, `
		SELECT s.id, s.created_at, s.as_of, s.window_days, s.scope
		  FROM analysis_snapshot s
		 WHERE s.scope = '' AND s.as_of <= $1
		   AND ($3::bigint = 0 OR (s.as_of, s.id) < ($2::date, $3::bigint))
		   AND ($4 = '' OR EXISTS (SELECT 1 FROM analysis_principal p WHERE p.snapshot_id = s.id AND p.account_id = $4))
		 ORDER BY s.as_of DESC, s.id DESC LIMIT 1`, through, beforeAsOf, beforeID, account).Scan(&s.ID, &s.CreatedAt, &s.AsOf, &s.WindowDays, &s.Scope)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find analysis snapshot: %w", err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	return &s, nil
}

// CatalogVersionRow is a stored catalog version's identity and size.
type CatalogVersionRow struct {
	ID                int64
	Source            string
	FetchedAt         time.Time
	Digest            string
	Services, Actions int
}

// AnalysisCatalog returns the catalog version analysis snapshot id used;
// nil when it used none.
func AnalysisCatalog(ctx context.Context, db *store.DB, snapshot int64) (*CatalogVersionRow, error) {
	var c CatalogVersionRow
	err := db.Pool.QueryRow(ctx, `
		SELECT v.id, v.source, v.fetched_at, v.digest, v.services, v.actions
		  FROM analysis_snapshot s JOIN catalog_version v ON v.id = s.catalog_version
		 WHERE s.id = $1`, snapshot).Scan(&c.ID, &c.Source, &c.FetchedAt, &c.Digest, &c.Services, &c.Actions)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read catalog version: %w", err)
	}
	c.FetchedAt = c.FetchedAt.UTC()
	return &c, nil
}

// DeniedRow is a principal's denied calls of one action over a window.
type DeniedRow struct {
	ARN, Action string
	Denied      int64
}

// DeniedCalls totals the denied calls of [from, to] by principal and
// action, of account's principals when it is not empty; calls that map to
// no action count under unmappedLabel + "event-source event-name".
func DeniedCalls(ctx context.Context, db *store.DB, from, to time.Time, account, unmappedLabel string) ([]DeniedRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.action, sum(u.denied)::bigint
		  FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.day BETWEEN $1 AND $2 AND u.denied > 0 AND ($3 = '' OR p.account_id = $3)
		 GROUP BY p.arn, u.action
		UNION ALL
		SELECT p.arn, $4 || x.event_source || ' ' || x.event_name, sum(x.denied)::bigint
		  FROM usage_unmapped_daily x JOIN usage_principal p ON p.id = x.principal_id
		 WHERE x.day BETWEEN $1 AND $2 AND x.denied > 0 AND ($3 = '' OR p.account_id = $3)
		 GROUP BY p.arn, x.event_source, x.event_name`, from, to, account, unmappedLabel)
	if err != nil {
		return nil, fmt.Errorf("read denied attempts: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DeniedRow])
	if err != nil {
		return nil, fmt.Errorf("read denied attempts: %w", err)
	}
	return out, nil
}

// FirstLogDayBefore returns the first day with logs before day, of
// account when it is not empty; nil when there is none.
func FirstLogDayBefore(ctx context.Context, db *store.DB, day time.Time, account string) (*time.Time, error) {
	var first *time.Time
	if err := db.Pool.QueryRow(ctx, `
		SELECT min(day) FROM log_coverage_daily WHERE day < $1 AND ($2 = '' OR account_id = $2)`, day, account).Scan(&first); err != nil {
		return nil, fmt.Errorf("read log coverage before %s: %w", day.Format(time.DateOnly), err)
	}
	return first, nil
}

// FirstUseRow is an action a principal first called in a window.
type FirstUseRow struct {
	ARN, Action string
	FirstDay    time.Time
	Calls       int64
}

// FirstUses lists the principal and action pairs with a successful call
// of the principal's own (not a service's on its behalf) in [from, to]
// and none before from, of account when it is not empty, ordered.
func FirstUses(ctx context.Context, db *store.DB, from, to time.Time, account string) ([]FirstUseRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.action, min(u.day), sum(u.calls - u.denied - u.unauthenticated)::bigint
		  FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.day BETWEEN $1 AND $2 AND u.invoked_by = '' AND u.calls > u.denied + u.unauthenticated
		   AND ($3 = '' OR p.account_id = $3) AND p.type <> 'AWSService'
		   AND NOT EXISTS (
			SELECT 1 FROM usage_daily e
			 WHERE e.principal_id = u.principal_id AND e.day < $1 AND e.action = u.action
			   AND e.invoked_by = '' AND e.calls > e.denied + e.unauthenticated)
		 GROUP BY p.arn, u.action
		 ORDER BY p.arn, u.action`, from, to, account)
	if err != nil {
		return nil, fmt.Errorf("read first use: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[FirstUseRow])
	if err != nil {
		return nil, fmt.Errorf("read first use: %w", err)
	}
	return out, nil
}

// UsedActionRow is an action an analysis found a principal used: when
// first (the epoch when not recorded), how often, and whether its policies
// granted it.
type UsedActionRow struct {
	ARN, Action string
	FirstUsed   time.Time
	Calls       int64
	Granted     bool
}

// UsedActions returns the used actions analysis snapshot recorded, of
// account's principals when it is not empty and of arns when not nil,
// ordered by principal and action.
func UsedActions(ctx context.Context, db *store.DB, snapshot int64, account string, arns []string) ([]UsedActionRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT a.principal_arn, u->>'action', coalesce((u->>'first_used')::timestamptz, 'epoch'),
		       coalesce((u->>'calls')::bigint, 0), coalesce(u->>'granted' = 'true', false)
		  FROM analysis_principal a,
		       jsonb_array_elements(CASE jsonb_typeof(a.result->'used') WHEN 'array' THEN a.result->'used' ELSE '[]' END) u
		 WHERE a.snapshot_id = $1 AND ($2 = '' OR a.account_id = $2) AND ($3::text[] IS NULL OR a.principal_arn = ANY($3))
		 ORDER BY 1, 2`, snapshot, account, arns)
	if err != nil {
		return nil, fmt.Errorf("read used actions of analysis %d: %w", snapshot, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[UsedActionRow])
	if err != nil {
		return nil, fmt.Errorf("read used actions of analysis %d: %w", snapshot, err)
	}
	return out, nil
}

// usedGrantedSQL counts the granted actions among an analysis_principal
// row's used actions (the used column counts all of them).
const usedGrantedSQL = `(SELECT count(*) FROM jsonb_array_elements(CASE jsonb_typeof(result->'used') WHEN 'array' THEN result->'used' ELSE '[]' END) u WHERE u->>'granted' = 'true')`

// ReportPrincipal is a principal of an analysis snapshot as the report
// reads it: the stored counts, and parts of the stored result as raw JSON
// (nil when absent).
type ReportPrincipal struct {
	ARN, Kind, Account, Name      string
	Granted, Unused, Unobservable int
	Denied                        int64
	Risk                          float64
	HighRiskUnused                int
	Flags                         []string
	LastUsed                      *time.Time
	// UsedGranted counts the used actions a policy grants (the used
	// column counts them all); UsedNotGranted the others.
	UsedGranted    int64
	UsedNotGranted int
	// BlockedBySCP counts the result's blocked_by_scp actions.
	BlockedBySCP int
	// Result's workload (false when absent), recommendation_proven, risk,
	// denied, coverage, caveats, unmapped and unused.
	Workload, RecommendationProven, RiskDetail, DeniedDetail, Coverage, Caveats, Unmapped, UnusedDetail []byte
	// Result's seasonal, evidence_conflicts and last_accessed (IAM
	// last-accessed data).
	Seasonal, Conflicts, LastAccessed []byte
}

// ReportPrincipals returns the principals of analysis snapshot, of
// account when it is not empty, by ARN.
func ReportPrincipals(ctx context.Context, db *store.DB, snapshot int64, account string) ([]ReportPrincipal, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT principal_arn, kind, account_id, name, granted, unused, unobservable, denied, risk, high_risk_unused, flags, last_used,
		       `+usedGrantedSQL+`,
		       CASE jsonb_typeof(result->'used_not_granted') WHEN 'array' THEN jsonb_array_length(result->'used_not_granted') ELSE 0 END,
		       CASE jsonb_typeof(result->'blocked_by_scp') WHEN 'array' THEN jsonb_array_length(result->'blocked_by_scp') ELSE 0 END,
		       coalesce(result->'workload', 'false'), result->'recommendation_proven',
		       result->'risk', result->'denied', result->'coverage', result->'caveats', result->'unmapped', result->'unused',
		       result->'seasonal', result->'evidence_conflicts', result->'last_accessed'
		  FROM analysis_principal
		 WHERE snapshot_id = $1 AND ($2 = '' OR account_id = $2)
		 ORDER BY principal_arn`, snapshot, account)
	if err != nil {
		return nil, fmt.Errorf("read analysis %d: %w", snapshot, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ReportPrincipal])
	if err != nil {
		return nil, fmt.Errorf("read analysis %d: %w", snapshot, err)
	}
	for i := range out {
		if out[i].LastUsed != nil {
			t := out[i].LastUsed.UTC()
			out[i].LastUsed = &t
		}
	}
	return out, nil
}

// TrendRow totals one analysis snapshot.
type TrendRow struct {
	SnapshotID int64
	AsOf       time.Time
	WindowDays int32
	// InPeriod is true for a snapshot of the period; false for a
	// quarter's latest before it (context).
	InPeriod                          bool
	Principals, Granted, Used, Unused int64
}

// TrendQuery says which snapshots a trend shows.
type TrendQuery struct {
	// From is the period's first day; AsOf and ID the reported snapshot,
	// the last point.
	From, AsOf time.Time
	ID         int64
	// Account limits the totals (and the snapshots) to one account's
	// principals when not empty.
	Account string
	// MaxInPeriod bounds the points of the period (at least 2): beyond it,
	// that many evenly spaced snapshots are kept, the first and the last
	// always. MaxQuarters bounds the context points.
	MaxInPeriod, MaxQuarters int
}

// AnalysisTrend totals every organisation-wide snapshot of the period up
// to the reported one (thinned to MaxInPeriod) and, for context, each
// earlier quarter's latest (at most MaxQuarters quarters), oldest first.
// Used counts granted used actions. It also returns how many snapshots the
// period holds before thinning.
func AnalysisTrend(ctx context.Context, db *store.DB, q TrendQuery) ([]TrendRow, int, error) {
	if q.MaxInPeriod < 2 {
		return nil, 0, fmt.Errorf("read trend: MaxInPeriod %d: want 2 or more", q.MaxInPeriod)
	}
	rows, err := db.Pool.Query(ctx, `
		WITH cand AS (
			SELECT s.id, s.as_of, s.window_days
			  FROM analysis_snapshot s
			 WHERE s.scope = '' AND (s.as_of, s.id) <= ($2::date, $3::bigint)
			   AND ($4 = '' OR EXISTS (SELECT 1 FROM analysis_principal p WHERE p.snapshot_id = s.id AND p.account_id = $4))
		), period AS (
			SELECT id, as_of, window_days, row_number() OVER (ORDER BY as_of, id) - 1 AS i, count(*) OVER () AS n
			  FROM cand WHERE as_of >= $1::date
		), points AS (
			SELECT id, as_of, window_days, true AS in_period
			  FROM period
			 WHERE n <= $5::int
			    OR i IN (SELECT round(g * (n - 1)::numeric / ($5::int - 1)) FROM generate_series(0, $5::int - 1) g)
			UNION ALL
			SELECT id, as_of, window_days, false FROM (
				SELECT DISTINCT ON (date_trunc('quarter', as_of)) id, as_of, window_days
				  FROM cand WHERE as_of < $1::date
				 ORDER BY date_trunc('quarter', as_of) DESC, as_of DESC, id DESC
				 LIMIT $6) q
		)
		SELECT s.id, s.as_of, s.window_days, s.in_period, count(p.principal_arn), coalesce(sum(p.granted), 0)::bigint,
		       coalesce(sum(`+usedGrantedSQL+`), 0)::bigint, coalesce(sum(p.unused), 0)::bigint,
		       (SELECT count(*) FROM period)
		  FROM points s LEFT JOIN analysis_principal p ON p.snapshot_id = s.id AND ($4 = '' OR p.account_id = $4)
		 GROUP BY s.id, s.as_of, s.window_days, s.in_period
		 ORDER BY s.as_of, s.id`, q.From, q.AsOf, q.ID, q.Account, q.MaxInPeriod, q.MaxQuarters)
	if err != nil {
		return nil, 0, fmt.Errorf("read trend: %w", err)
	}
	var out []TrendRow
	var total int64
	for rows.Next() {
		var r TrendRow
		if err := rows.Scan(&r.SnapshotID, &r.AsOf, &r.WindowDays, &r.InPeriod, &r.Principals, &r.Granted, &r.Used, &r.Unused, &total); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("read trend: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read trend: %w", err)
	}
	return out, int(total), nil
}
