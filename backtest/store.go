package backtest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// LoadTestCalls reads the successful calls of window w from the usage
// rollup, per principal, action and resource, for the principals arns,
// each action's resources folded into the widest fold pattern among its
// resources that covers them (analyze.Subsume, over the resources of its
// successful and denied calls), as analyze reads the rollup: which
// resources ingest kept exact beside a pattern depends on the order it
// read the logs in, and the calls replayed must not. Calls are in
// principal, action and resource order.
func LoadTestCalls(ctx context.Context, db *store.DB, w analyze.Window, arns []string) (map[string][]Call, error) {
	rows, err := queries.SuccessfulCalls(ctx, db, w.From, w.To, arns)
	if err != nil {
		return nil, fmt.Errorf("test calls: %w", err)
	}
	out := map[string][]Call{}
	// Rows come by principal and action: one group at a time.
	for i := 0; i < len(rows); {
		arn, action := rows[i].ARN, rows[i].Action
		ok, denied := map[string]int64{}, map[string]int64{}
		for ; i < len(rows) && rows[i].ARN == arn && rows[i].Action == action; i++ {
			r := rows[i]
			if r.Calls > 0 {
				ok[r.Resource] = r.Calls
			}
			if r.Denied > 0 {
				denied[r.Resource] = r.Denied
			}
		}
		analyze.Subsume(ok, denied)
		for _, res := range slices.Sorted(maps.Keys(ok)) {
			out[arn] = append(out[arn], Call{Action: action, Resource: res, Calls: ok[res]})
		}
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
