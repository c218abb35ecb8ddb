package main

import (
	"context"
	"io"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/backtest"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) backtestCmd() *cobra.Command {
	var fl backtest.Flags
	return command("backtest ROLE... | --all", "Replay a later month's calls against the policy recommended before it", nil, func(ctx context.Context, args []string) error {
		opts, aopts, err := fl.Complete(args, a.now())
		if err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			evidence, err := analyze.Prepare(ctx, db, fl.Evidence.Evidence, &aopts, a.log)
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
			if err := fl.Output.Write(a.stdout, func(w io.Writer) error {
				if fl.Output.Format == "json" {
					return backtest.WriteJSON(w, rep)
				}
				return backtest.WriteTable(w, rep)
			}); err != nil {
				return err
			}
			if err := rep.BreakageErr(); err != nil && fl.FailOn == "breakage" {
				return &exitErr{code: exitFindings, err: err}
			}
			return nil
		})
	}, fl.AddFlags)
}
