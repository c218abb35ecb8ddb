package main

import (
	"fmt"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/backtest"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/spf13/cobra"
)

func (a *app) backtestCmd() *cobra.Command {
	var (
		ev           evidenceFlags
		all          bool
		train, test  string
		format       string
		output       string
		failOn       string
		unobservable string
		gen          = recommend.DefaultGeneralize
		maxChars     int
	)
	c := &cobra.Command{
		Use:   "backtest ROLE... | --all",
		Short: "Replay a later month's calls against the policy recommended before it",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if all == (len(args) > 0) {
				return usageErr("name one or more ROLEs, or use --all")
			}
			if format != "table" && format != "json" {
				return usageErr("--format %q: want table or json", format)
			}
			if failOn != "" && failOn != "none" && failOn != "breakage" {
				return usageErr("--fail-on %q: want breakage or none", failOn)
			}
			opts := backtest.Options{Principals: args,
				Recommend: recommend.Options{Unobservable: unobservable, Generalize: &gen, MaxChars: maxChars}}
			var err error
			if opts.TrainDays, err = analyze.ParseWindow(train); err != nil {
				return usageErr("--train: %v", err)
			}
			if opts.TestDays, err = analyze.ParseWindow(test); err != nil {
				return usageErr("--test: %v", err)
			}
			if err := opts.Recommend.Validate(); err != nil {
				return usageErr("%v", err)
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			ev.Window = train
			evidence, aopts, err := ev.load(ctx, a, db)
			if err != nil {
				return err
			}
			opts.AsOf, opts.Thresholds = aopts.AsOf, aopts.Thresholds
			rep, err := backtest.Run(ctx, db, evidence, opts, a.log)
			if err != nil {
				return err
			}
			if err := backtest.Save(ctx, db, rep); err != nil {
				return err
			}
			w, commit, err := a.output(output)
			if err != nil {
				return err
			}
			if format == "json" {
				err = backtest.WriteJSON(w, rep)
			} else {
				err = backtest.WriteTable(w, rep)
			}
			if err != nil {
				return err
			}
			if err := commit(); err != nil {
				return err
			}
			if n := rep.Broken(); n > 0 && failOn == "breakage" {
				return &exitErr{code: exitFindings, err: fmt.Errorf("breakage: %d principal(s) would be denied %d test call(s) of actions used in training", n, rep.Totals.DeniedTrained)}
			}
			return nil
		},
	}
	ev.registerSources(c)
	f := c.Flags()
	f.BoolVar(&all, "all", false, "every role")
	f.StringVar(&train, "train", fmt.Sprintf("%dd", backtest.DefaultTrainDays), "training window: the days before the test window, e.g. 60d")
	f.StringVar(&test, "test", fmt.Sprintf("%dd", backtest.DefaultTestDays), "test window ending on --as-of, e.g. 30d")
	f.StringVar(&format, "format", "table", "table or json")
	f.StringVarP(&output, "output", "o", "", "write the report to FILE instead of stdout")
	f.StringVar(&failOn, "fail-on", "", "breakage: exit 4 when a test call of an action used in training is denied")
	f.StringVar(&unobservable, "unobservable", recommend.UnobservableKeep, "as for recommend: keep, list or drop")
	f.IntVar(&gen.ObjectPrefixDepth, "object-prefix-depth", recommend.DefaultGeneralize.ObjectPrefixDepth, "as for recommend")
	f.IntVar(&gen.CollapseAt, "collapse-at", recommend.DefaultGeneralize.CollapseAt, "as for recommend")
	f.IntVar(&maxChars, "max-chars", recommend.ManagedPolicyLimit, "as for recommend")
	return c
}
