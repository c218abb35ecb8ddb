package main

import (
	"context"
	"errors"
	"io"

	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/outfile"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/report"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) reportCmd() *cobra.Command {
	var fl report.Flags
	return command("report", "The quarterly permission audit report", cobra.NoArgs, func(ctx context.Context, args []string) error {
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
			if err := outfile.Write(a.stdout, fl.Output, func(w io.Writer) error {
				return report.RenderFit(w, d, opts.Format, termwidth.Of(w, a.getenv))
			}); err != nil {
				return err
			}
			return rejected(exception.UnmatchedErr(d.ExceptionProblems))
		})
	}, fl.AddFlags)
}
