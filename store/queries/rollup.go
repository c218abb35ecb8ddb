package queries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// MoreResources is the resource of a usage rollup row that counts the
// calls beyond the cap of distinct resources stored per principal, day,
// action, invoking service and account (ingest --max-resources): the
// resources those calls named are not known.
const MoreResources = "*"

// MoreNetworks is the network of a context rollup row that counts the
// calls beyond the cap of distinct networks stored per principal and day.
const MoreNetworks = "*"

// RollupBounds are the bounds of the usage rollups (package ingest/rollup
// says why, and gives the defaults and the valid values): the one type of
// them from ingest's flags and the nightly job's keys through ingest's
// options to the rollup and the record of what runs used (RecordBounds,
// Bounds), so that a new bound is added here.
type RollupBounds struct {
	// ObjectPrefixDepth is how many leading key segments S3 object ARNs
	// keep (0: whole keys). As recorded, the shallowest any run used.
	ObjectPrefixDepth int
	// MaxResources caps the distinct resources per principal, day,
	// action, invoking service and account in usage_daily (besides ''
	// and MoreResources).
	MaxResources int
	// MaxNetworks caps the distinct networks per principal and day in
	// usage_context_daily (besides '' and MoreNetworks).
	MaxNetworks int
	// CollapseAt folds the resources of one kind beyond the first
	// CollapseAt-1 into one pattern (0: never). As recorded, the
	// smallest threshold any run used.
	CollapseAt int
}

// Bounds reads how ingest bounded the rollup; zero values when nothing
// was recorded (a database ingested before bounds existed).
func Bounds(ctx context.Context, db *store.DB) (RollupBounds, error) {
	var b RollupBounds
	err := db.Pool.QueryRow(ctx, `SELECT object_prefix_depth, max_resources, max_networks, collapse_at FROM ingest_rollup_bounds`).
		Scan(&b.ObjectPrefixDepth, &b.MaxResources, &b.MaxNetworks, &b.CollapseAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return RollupBounds{}, nil
	}
	if err != nil {
		return b, fmt.Errorf("read rollup bounds: %w", err)
	}
	return b, nil
}

// UsageRow is one principal's use of one action on one resource (through
// one service, or its own call when InvokedBy is empty) over a window.
type UsageRow struct {
	ARN, Action, Resource, InvokedBy string
	// Used counts successful calls, Denied denied ones.
	Used, Denied int64
	// First and Last bound the days' first and last calls, successful or
	// denied; LastDenied is the last denied one (nil: none).
	First, Last time.Time
	LastDenied  *time.Time
}

// Usage calls fn for every usage row of [from, to], of every principal or
// only those of arns when not empty.
func Usage(ctx context.Context, db *store.DB, from, to time.Time, arns []string, fn func(UsageRow) error) error {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.action, u.resource, u.invoked_by,
		       sum(u.calls - u.denied - u.unauthenticated)::bigint,
		       sum(u.denied)::bigint,
		       min(u.first_seen), max(u.last_seen),
		       max(u.last_seen) FILTER (WHERE u.denied > 0)
		  FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.day BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR cardinality($3::text[]) = 0 OR p.arn = ANY($3))
		 GROUP BY 1, 2, 3, 4`, from, to, arns)
	if err != nil {
		return fmt.Errorf("read usage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r UsageRow
		if err := rows.Scan(&r.ARN, &r.Action, &r.Resource, &r.InvokedBy, &r.Used, &r.Denied, &r.First, &r.Last, &r.LastDenied); err != nil {
			return fmt.Errorf("read usage: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read usage: %w", err)
	}
	return nil
}

// AccountService is a service seen in an account's logs: an IAM service
// prefix from a mapped action, or, for events no action maps to, the event
// source (the caller turns it into a prefix: monitoring.amazonaws.com is
// cloudwatch, not monitoring).
type AccountService struct{ Account, Service, EventSource string }

// SeenServices returns the (account, service) pairs with any event in
// [from, to], mapped to an action or not.
func SeenServices(ctx context.Context, db *store.DB, from, to time.Time) ([]AccountService, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT account_id, lower(split_part(action, ':', 1)), '' FROM usage_daily WHERE day BETWEEN $1 AND $2
		UNION
		SELECT DISTINCT account_id, '', event_source FROM usage_unmapped_daily WHERE day BETWEEN $1 AND $2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read services in logs: %w", err)
	}
	defer rows.Close()
	var out []AccountService
	for rows.Next() {
		var s AccountService
		if err := rows.Scan(&s.Account, &s.Service, &s.EventSource); err != nil {
			return nil, fmt.Errorf("read services in logs: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UnmappedRow is one principal's successful calls of one event source and
// name that map to no IAM action, over the window.
type UnmappedRow struct {
	ARN, EventSource, EventName string
	Calls                       int64
	FirstSeen, LastSeen         time.Time
}

// Unmapped returns the successful calls in [from, to] that map to no IAM
// action (kind 'unmapped': permission-less calls need no permission;
// denied and unauthenticated calls are not uses), of every principal or
// of arns, by principal, event source and name.
func Unmapped(ctx context.Context, db *store.DB, from, to time.Time, arns []string) ([]UnmappedRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, x.event_source, x.event_name,
		       sum(x.calls - x.denied - x.unauthenticated)::bigint, min(x.first_seen), max(x.last_seen)
		  FROM usage_unmapped_daily x JOIN usage_principal p ON p.id = x.principal_id
		 WHERE x.day BETWEEN $1 AND $2 AND x.kind = 'unmapped'
		   AND ($3::text[] IS NULL OR cardinality($3::text[]) = 0 OR p.arn = ANY($3))
		 GROUP BY 1, 2, 3
		HAVING sum(x.calls - x.denied - x.unauthenticated) > 0
		 ORDER BY 1, 2, 3`, from, to, arns)
	if err != nil {
		return nil, fmt.Errorf("read unmapped calls: %w", err)
	}
	defer rows.Close()
	var out []UnmappedRow
	for rows.Next() {
		var r UnmappedRow
		if err := rows.Scan(&r.ARN, &r.EventSource, &r.EventName, &r.Calls, &r.FirstSeen, &r.LastSeen); err != nil {
			return nil, fmt.Errorf("read unmapped calls: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CoverageRow lists the days of [from, to] with logs of one account in one
// region.
type CoverageRow struct {
	Account, Region string
	Days            []time.Time
}

// Coverage returns the days with logs per account and region, ordered.
func Coverage(ctx context.Context, db *store.DB, from, to time.Time) ([]CoverageRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT account_id, region, array_agg(day ORDER BY day)
		  FROM log_coverage_daily WHERE day BETWEEN $1 AND $2
		 GROUP BY 1, 2 ORDER BY 1, 2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read log coverage: %w", err)
	}
	defer rows.Close()
	var out []CoverageRow
	for rows.Next() {
		var c CoverageRow
		if err := rows.Scan(&c.Account, &c.Region, &c.Days); err != nil {
			return nil, fmt.Errorf("read log coverage: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// NewestLogDay is the last day with logs, or nil when there are none.
func NewestLogDay(ctx context.Context, db *store.DB) (*time.Time, error) {
	var d *time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT max(day) FROM log_coverage_daily`).Scan(&d); err != nil {
		return nil, fmt.Errorf("find newest log day: %w", err)
	}
	return d, nil
}

// ContextRow is one day's calls of a principal in one call context. The
// rollup keeps one network column: a VPC endpoint id (vpce-...) or a
// source network; Network and VPCEndpoint split it, one of them empty.
type ContextRow struct {
	Day                                          time.Time
	Region, Network, VPCEndpoint, UserAgentClass string
	MFA                                          bool
	Calls                                        int64
}

// CallContext returns the context rollup of principal arn over [from, to].
func CallContext(ctx context.Context, db *store.DB, arn string, from, to time.Time) ([]ContextRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT c.day, c.region,
		       CASE WHEN c.network LIKE 'vpce-%' THEN '' ELSE c.network END,
		       CASE WHEN c.network LIKE 'vpce-%' THEN c.network ELSE '' END,
		       c.mfa, c.user_agent_class, c.calls
		  FROM usage_context_daily c JOIN usage_principal p ON p.id = c.principal_id
		 WHERE p.arn = $1 AND c.day BETWEEN $2 AND $3`, arn, from, to)
	if err != nil {
		return nil, fmt.Errorf("read call context: %w", err)
	}
	defer rows.Close()
	var out []ContextRow
	for rows.Next() {
		var r ContextRow
		if err := rows.Scan(&r.Day, &r.Region, &r.Network, &r.VPCEndpoint, &r.MFA, &r.UserAgentClass, &r.Calls); err != nil {
			return nil, fmt.Errorf("read call context: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
