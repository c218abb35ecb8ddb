package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// CallRow is a principal's successful (Calls) and denied calls of one
// action on one resource over a window.
type CallRow struct {
	ARN, Action, Resource string
	Calls, Denied         int64
}

// SuccessfulCalls returns the successful calls of [from, to] of the
// principals arns, by principal, action and resource, ordered so, with
// the denied calls of each: the rows with either. A fold pattern may hold
// denied calls only, and the successful calls it covers are read with it
// all the same (analyze.Subsume).
func SuccessfulCalls(ctx context.Context, db *store.DB, from, to time.Time, arns []string) ([]CallRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.action, u.resource, sum(u.calls - u.denied - u.unauthenticated)::bigint, sum(u.denied)::bigint
		  FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.day BETWEEN $1 AND $2 AND p.arn = ANY($3)
		 GROUP BY 1, 2, 3
		HAVING sum(u.calls - u.denied - u.unauthenticated) > 0 OR sum(u.denied) > 0
		 ORDER BY 1, 2, 3`, from, to, arns)
	if err != nil {
		return nil, fmt.Errorf("read successful calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CallRow])
	if err != nil {
		return nil, fmt.Errorf("read successful calls: %w", err)
	}
	return out, nil
}

// UnmappedCallRow is a principal's successful calls of one event that no
// IAM action is known for, over a window.
type UnmappedCallRow struct {
	ARN, EventSource, EventName string
	Calls                       int64
}

// UnmappedCalls returns the successful calls of [from, to] of the
// principals arns that map to no IAM action, per principal and event, most
// calls first.
func UnmappedCalls(ctx context.Context, db *store.DB, from, to time.Time, arns []string) ([]UnmappedCallRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.event_source, u.event_name, sum(u.calls - u.denied - u.unauthenticated)::bigint AS n
		  FROM usage_unmapped_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.kind = 'unmapped' AND u.day BETWEEN $1 AND $2 AND p.arn = ANY($3)
		 GROUP BY 1, 2, 3
		HAVING sum(u.calls - u.denied - u.unauthenticated) > 0
		 ORDER BY 1, n DESC, 2, 3`, from, to, arns)
	if err != nil {
		return nil, fmt.Errorf("read unmapped calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[UnmappedCallRow])
	if err != nil {
		return nil, fmt.Errorf("read unmapped calls: %w", err)
	}
	return out, nil
}

// BacktestKey names a backtest: a principal and its windows (the test
// window ends on AsOf and lasts TestDays; training is the TrainDays
// before it).
type BacktestKey struct {
	PrincipalARN        string
	AsOf                time.Time
	TrainDays, TestDays int
}

// BacktestCounts are the figures of a backtest the report shows.
type BacktestCounts struct {
	TestCalls, Denied, DeniedTrained, DeniedUntrained, Unmapped int64
}

// Backtest is one row of backtest_result.
type Backtest struct {
	BacktestKey
	BacktestCounts
	Proven           bool
	Granted, Removed int
	Body             []byte
}

// SaveBacktests inserts each backtest, replacing a stored one with the same
// key when its body differs, in one round trip.
func SaveBacktests(ctx context.Context, db *store.DB, bts []Backtest) error {
	// A batch without BEGIN runs as one implicit transaction: all or
	// nothing, so a retry sends it whole again.
	err := store.Retry(ctx, func() error {
		return db.Pool.SendBatch(ctx, backtestBatch(bts)).Close()
	})
	if err != nil {
		return fmt.Errorf("save backtest: %w", err)
	}
	return nil
}

func backtestBatch(bts []Backtest) *pgx.Batch {
	b := &pgx.Batch{}
	for _, r := range bts {
		b.Queue(`
			INSERT INTO backtest_result (principal_arn, as_of, train_days, test_days, proven, test_calls, denied,
			                             denied_trained, denied_untrained, unmapped, granted, removed, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (principal_arn, as_of, train_days, test_days) DO UPDATE
			   SET proven = EXCLUDED.proven, test_calls = EXCLUDED.test_calls, denied = EXCLUDED.denied,
			       denied_trained = EXCLUDED.denied_trained, denied_untrained = EXCLUDED.denied_untrained,
			       unmapped = EXCLUDED.unmapped, granted = EXCLUDED.granted, removed = EXCLUDED.removed,
			       body = EXCLUDED.body, created_at = now()
			 WHERE backtest_result.body <> EXCLUDED.body`,
			r.PrincipalARN, r.AsOf, r.TrainDays, r.TestDays, r.Proven, r.TestCalls, r.Denied,
			r.DeniedTrained, r.DeniedUntrained, r.Unmapped, r.Granted, r.Removed, r.Body)
	}
	return b
}

// BacktestSummary is the newest stored backtest of a principal, without
// its body.
type BacktestSummary struct {
	BacktestKey
	BacktestCounts
}

// LatestBacktests returns each principal's newest backtest ending on or
// before asOf, ordered by principal.
func LatestBacktests(ctx context.Context, db *store.DB, asOf time.Time) ([]BacktestSummary, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (principal_arn) principal_arn, as_of, train_days, test_days, test_calls, denied,
		       denied_trained, denied_untrained, unmapped
		  FROM backtest_result WHERE as_of <= $1
		 ORDER BY principal_arn, as_of DESC, created_at DESC`, asOf)
	if err != nil {
		return nil, fmt.Errorf("read backtests: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (BacktestSummary, error) {
		var s BacktestSummary
		err := row.Scan(&s.PrincipalARN, &s.AsOf, &s.TrainDays, &s.TestDays, &s.TestCalls, &s.Denied, &s.DeniedTrained, &s.DeniedUntrained, &s.Unmapped)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("read backtests: %w", err)
	}
	return out, nil
}
