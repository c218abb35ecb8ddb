package main

import (
	"errors"

	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/recommend"
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
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = trim.Run(ctx, db, o, a.log)
			var rejectedErr *job.RejectedError
			switch {
			case errors.Is(err, recommend.ErrSplitPolicy):
				return usageErr("%v", err)
			case errors.As(err, &rejectedErr):
				return rejected(err)
			}
			return err
		},
	}
	fl.AddFlags(c.Flags())
	return c
}
