package main

import (
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trim"
	"github.com/spf13/cobra"
)

func (a *app) trimCmd() *cobra.Command {
	var fl trim.Flags
	c := &cobra.Command{
		Use:   "trim ROLE",
		Short: "One role trimmed in one command: its policies, its logs, its proven recommendation",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, err := fl.Complete(args[0], a.now)
			if err != nil {
				return err
			}
			o.Stdout, o.Stderr = a.stdout, a.stderr
			return a.withDB(ctx, func(db *store.DB) error {
				_, err := trim.Run(ctx, db, o, a.log)
				return err
			})
		},
	}
	fl.AddFlags(c.Flags())
	return c
}
