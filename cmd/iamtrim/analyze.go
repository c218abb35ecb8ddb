package main

import (
	"context"
	"errors"
	"io"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func (a *app) analyzeCmd() *cobra.Command {
	var (
		ev        analyze.Flags
		principal string
		excFlag   exception.Flag
	)
	out := option.Output{Formats: []string{"table", "json"}}
	return command("analyze", "Compare what each principal is granted with what it used in a window", cobra.NoArgs, func(ctx context.Context, args []string) error {
		if err := out.Validate(); err != nil {
			return err
		}
		opts, err := ev.Options(a.now())
		if err != nil {
			return err
		}
		excs, err := excFlag.Read()
		if err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			opts.Principal = principal
			_, _, snap, err := ev.Analyze(ctx, db, opts, a.log)
			if err != nil {
				return err
			}
			_, probs := exception.Apply(snap, excs, a.now())
			if principal != "" {
				probs = nil // the other principals were not analysed
			}
			if err := out.Write(a.stdout, func(w io.Writer) error {
				if out.Format == "json" {
					return analyze.WriteJSON(w, snap)
				}
				return analyze.WriteTableFit(w, snap, termwidth.Of(w, a.getenv))
			}); err != nil {
				return err
			}
			return errors.Join(rejected(snap.RefusedErr()), rejected(exception.UnmatchedErr(exception.Strings(probs))))
		})
	}, ev.AddFlags, func(fs *pflag.FlagSet) {
		excFlag.AddFlag(fs, "mark the findings it accepts (see README: Exceptions)")
		fs.StringVar(&principal, "principal", "", "only this principal (ARN or name)")
		out.AddFlags(fs, "table or json", "write results to FILE instead of stdout")
	})
}
