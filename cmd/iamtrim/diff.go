package main

import (
	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) diffCmd() *cobra.Command {
	var fl snapdiff.Flags
	c := &cobra.Command{
		Use:   "diff",
		Short: "What changed between two analysis snapshots",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
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
		},
	}
	fl.AddFlags(c.Flags())
	return c
}
