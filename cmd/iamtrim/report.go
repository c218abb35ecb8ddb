package main

import (
	"errors"
	"io"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/report"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) reportCmd() *cobra.Command {
	var fl report.Flags
	c := &cobra.Command{
		Use:   "report",
		Short: "The quarterly permission audit report",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			opts, err := fl.Complete(a.now())
			if err != nil {
				return err
			}
			return a.withDB(ctx, func(db *store.DB) error {
				d, err := report.Build(ctx, db, opts)
				if errors.Is(err, report.ErrNoSnapshot) {
					return errors.New("nothing to report: no analysis is stored for the period (run 'iamtrim analyze' first)")
				}
				if err != nil {
					return err
				}
				if err := option.WriteFile(a.stdout, fl.Output, func(w io.Writer) error {
					return report.RenderFit(w, d, opts.Format, termwidth.Of(w, a.getenv))
				}); err != nil {
					return err
				}
				return a.exceptionProblems(d.ExceptionProblems)
			})
		},
	}
	fl.AddFlags(c.Flags())
	return c
}
