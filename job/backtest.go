package job

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/backtest"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store"
)

// Backtest is the backtest: section of the configuration.
type Backtest struct {
	Enabled bool   `yaml:"enabled"`
	Train   string `yaml:"train"`
	Test    string `yaml:"test"`
}

func (b *Backtest) defaults() {
	if b.Train == "" {
		b.Train = fmt.Sprintf("%dd", backtest.DefaultTrainDays)
	}
	if b.Test == "" {
		b.Test = fmt.Sprintf("%dd", backtest.DefaultTestDays)
	}
}

// validate checks the windows, and that fail_on: breakage has a backtest
// to look at.
func (b *Backtest) validate(failOn []string) error {
	if _, err := analyze.ParseWindow(b.Train); err != nil {
		return fmt.Errorf("train: %v", err)
	}
	if _, err := analyze.ParseWindow(b.Test); err != nil {
		return fmt.Errorf("test: %v", err)
	}
	if !b.Enabled && slices.Contains(failOn, "breakage") {
		return errors.New("fail_on breakage needs backtest: enabled: true")
	}
	return nil
}

// backtest backtests every role with the job's recommendation options,
// ending on the analysis's as-of day, stores the results for the report
// and counts breakage for fail_on.
func (r *Runner) backtest(ctx context.Context, db *store.DB, cfg Backtest, ev analyze.Evidence, aopts analyze.Options, ropts recommend.Options, failOn []string, sum *Summary) error {
	opts := backtest.Options{AsOf: aopts.AsOf, Thresholds: aopts.Thresholds, Recommend: ropts}
	opts.TrainDays, _ = analyze.ParseWindow(cfg.Train)
	opts.TestDays, _ = analyze.ParseWindow(cfg.Test)
	rep, err := backtest.Run(ctx, db, ev, opts, r.Log)
	if err != nil {
		return err
	}
	if err := backtest.Save(ctx, db, rep); err != nil {
		return err
	}
	sum.Breakage = rep.Broken()
	if n := rep.Broken(); n > 0 {
		r.Log.Warn("backtest: recommendations would deny test calls of actions used in training", "principals", n, "calls", rep.Totals.DeniedTrained)
		if slices.Contains(failOn, "breakage") {
			sum.Findings["breakage"] = n
		}
	}
	return nil
}
