package backtest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// LoadTestCalls reads the successful calls of window w from the usage
// rollup, per principal, action and resource, for the principals arns.
func LoadTestCalls(ctx context.Context, db *store.DB, w analyze.Window, arns []string) (map[string][]Call, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.action, u.resource, sum(u.calls - u.denied - u.unauthenticated)::bigint
		  FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.day BETWEEN $1 AND $2 AND p.arn = ANY($3)
		 GROUP BY 1, 2, 3
		HAVING sum(u.calls - u.denied - u.unauthenticated) > 0
		 ORDER BY 1, 2, 3`, w.From, w.To, arns)
	if err != nil {
		return nil, fmt.Errorf("read test calls: %w", err)
	}
	defer rows.Close()
	out := map[string][]Call{}
	for rows.Next() {
		var arn string
		var c Call
		if err := rows.Scan(&arn, &c.Action, &c.Resource, &c.Calls); err != nil {
			return nil, fmt.Errorf("read test calls: %w", err)
		}
		out[arn] = append(out[arn], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read test calls: %w", err)
	}
	return out, nil
}

// LoadUnmapped reads the successful calls of window w that no IAM action
// is known for, per principal and event name, most calls first.
func LoadUnmapped(ctx context.Context, db *store.DB, w analyze.Window, arns []string) (map[string][]UnmappedCall, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.event_source, u.event_name, sum(u.calls - u.denied - u.unauthenticated)::bigint AS n
		  FROM usage_unmapped_daily u JOIN usage_principal p ON p.id = u.principal_id
		 WHERE u.kind = 'unmapped' AND u.day BETWEEN $1 AND $2 AND p.arn = ANY($3)
		 GROUP BY 1, 2, 3
		HAVING sum(u.calls - u.denied - u.unauthenticated) > 0
		 ORDER BY 1, n DESC, 2, 3`, w.From, w.To, arns)
	if err != nil {
		return nil, fmt.Errorf("read unmapped test calls: %w", err)
	}
	defer rows.Close()
	out := map[string][]UnmappedCall{}
	for rows.Next() {
		var arn string
		var u UnmappedCall
		if err := rows.Scan(&arn, &u.EventSource, &u.EventName, &u.Calls); err != nil {
			return nil, fmt.Errorf("read unmapped test calls: %w", err)
		}
		out[arn] = append(out[arn], u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unmapped test calls: %w", err)
	}
	return out, nil
}

// Save records every result of rep in backtest_result, replacing earlier
// results for the same principal and windows.
func Save(ctx context.Context, db *store.DB, rep *Report) error {
	asOf, err := time.Parse(time.DateOnly, rep.AsOf)
	if err != nil {
		return fmt.Errorf("save backtest: as_of %q: %w", rep.AsOf, err)
	}
	b := &pgx.Batch{}
	for _, r := range rep.Principals {
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode backtest of %s: %w", r.PrincipalARN, err)
		}
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
			r.PrincipalARN, asOf, rep.Train.Days, rep.Test.Days, r.Proven, r.TestCalls, r.Denied,
			r.DeniedTrained, r.DeniedUntrained, r.Unmapped, r.Granted, r.Removed, body)
	}
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("save backtest: %w", err)
	}
	return nil
}

// Summary is the latest stored backtest of one principal, as the report
// shows it.
type Summary struct {
	AsOf            time.Time
	TrainDays       int
	TestDays        int
	TestCalls       int64
	Denied          int64
	DeniedTrained   int64
	DeniedUntrained int64
	Unmapped        int64
}

// Latest returns each principal's newest backtest ending on or before
// asOf, by principal ARN.
func Latest(ctx context.Context, db *store.DB, asOf time.Time) (map[string]Summary, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (principal_arn) principal_arn, as_of, train_days, test_days, test_calls, denied,
		       denied_trained, denied_untrained, unmapped
		  FROM backtest_result WHERE as_of <= $1
		 ORDER BY principal_arn, as_of DESC, created_at DESC`, asOf)
	if err != nil {
		return nil, fmt.Errorf("read backtests: %w", err)
	}
	defer rows.Close()
	out := map[string]Summary{}
	for rows.Next() {
		var arn string
		var s Summary
		if err := rows.Scan(&arn, &s.AsOf, &s.TrainDays, &s.TestDays, &s.TestCalls, &s.Denied, &s.DeniedTrained, &s.DeniedUntrained, &s.Unmapped); err != nil {
			return nil, fmt.Errorf("read backtests: %w", err)
		}
		out[arn] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read backtests: %w", err)
	}
	return out, nil
}
