package main

import (
	"context"
	"errors"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) recommendCmd() *cobra.Command {
	var ev analyze.Flags
	var fl recommend.Flags
	return command("recommend ROLE", "Write a proven least-privilege policy for a role (or user)", cobra.MaximumNArgs(1), func(ctx context.Context, args []string) error {
		principal, err := fl.Principal(args)
		if err != nil {
			return err
		}
		opts, err := ev.Options(a.now())
		if err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			opts.Principal, opts.NoStore = principal, true
			evidence, opts, snap, err := ev.Analyze(ctx, db, opts, a.log)
			if err != nil {
				return err
			}
			tg := fl.Target
			tg.Stdout, tg.Stderr = a.stdout, a.stderr
			res, err := recommend.ForSnapshot(ctx, db, evidence, opts, snap, fl.Options, tg, a.log)
			if errors.Is(err, recommend.ErrOverBudget) {
				return rejected(err) // the one principal named, refused
			}
			if err != nil {
				return err
			}
			if err := res.Err(); err != nil {
				return err
			}
			// Refused principals, the others done: exit 3, each named.
			return rejected(errors.Join(snap.RefusedErr(), res.RefusedErr()))
		})
	}, ev.AddFlags, fl.AddFlags)
}
