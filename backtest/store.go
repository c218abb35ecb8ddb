package backtest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// LoadTestCalls reads the successful calls of window w from the usage
// rollup, per principal, action and resource, for the principals arns.
func LoadTestCalls(ctx context.Context, db *store.DB, w analyze.Window, arns []string) (map[string][]Call, error) {
	rows, err := queries.SuccessfulCalls(ctx, db, w.From, w.To, arns)
	if err != nil {
		return nil, fmt.Errorf("test calls: %w", err)
	}
	out := map[string][]Call{}
	for _, r := range rows {
		out[r.ARN] = append(out[r.ARN], Call{Action: r.Action, Resource: r.Resource, Calls: r.Calls})
	}
	return out, nil
}

// LoadUnmapped reads the successful calls of window w that no IAM action
// is known for, per principal and event name, most calls first.
func LoadUnmapped(ctx context.Context, db *store.DB, w analyze.Window, arns []string) (map[string][]UnmappedCall, error) {
	rows, err := queries.UnmappedCalls(ctx, db, w.From, w.To, arns)
	if err != nil {
		return nil, fmt.Errorf("test calls: %w", err)
	}
	out := map[string][]UnmappedCall{}
	for _, r := range rows {
		out[r.ARN] = append(out[r.ARN], UnmappedCall{EventSource: r.EventSource, EventName: r.EventName, Calls: r.Calls})
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
	rows := make([]queries.Backtest, 0, len(rep.Principals))
	for _, r := range rep.Principals {
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode backtest of %s: %w", r.PrincipalARN, err)
		}
		rows = append(rows, queries.Backtest{
			BacktestKey: queries.BacktestKey{PrincipalARN: r.PrincipalARN, AsOf: asOf, TrainDays: rep.Train.Days, TestDays: rep.Test.Days},
			BacktestCounts: queries.BacktestCounts{TestCalls: r.TestCalls, Denied: r.Denied, DeniedTrained: r.DeniedTrained,
				DeniedUntrained: r.DeniedUntrained, Unmapped: r.Unmapped},
			Proven: r.Proven, Granted: r.Granted, Removed: r.Removed, Body: body,
		})
	}
	return queries.SaveBacktests(ctx, db, rows)
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
	rows, err := queries.LatestBacktests(ctx, db, asOf)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Summary, len(rows))
	for _, s := range rows {
		out[s.PrincipalARN] = Summary{AsOf: s.AsOf, TrainDays: s.TrainDays, TestDays: s.TestDays, TestCalls: s.TestCalls,
			Denied: s.Denied, DeniedTrained: s.DeniedTrained, DeniedUntrained: s.DeniedUntrained, Unmapped: s.Unmapped}
	}
	return out, nil
}
