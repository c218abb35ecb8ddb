package main

import (
	"context"

	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) diffCmd() *cobra.Command {
	var fl snapdiff.Flags
	return command("diff", "What changed between two analysis snapshots", cobra.NoArgs, func(ctx context.Context, args []string) error {
		if err := fl.Validate(); err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			res, err := snapdiff.Compare(ctx, db, fl.From, fl.To)
			if err != nil {
				return err
			}
			return fl.Write(a.stdout, res)
		})
	}, fl.AddFlags)
}
