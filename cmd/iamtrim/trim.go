package main

import (
	"context"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trim"
	"github.com/spf13/cobra"
)

func (a *app) trimCmd() *cobra.Command {
	var fl trim.Flags
	return command("trim ROLE", "One role trimmed in one command: its policies, its logs, its proven recommendation", cobra.ExactArgs(1), func(ctx context.Context, args []string) error {
		o, err := fl.Complete(args[0], a.now)
		if err != nil {
			return err
		}
		o.Stdout, o.Stderr = a.stdout, a.stderr
		return a.withDB(ctx, func(db *store.DB) error {
			_, err := trim.Run(ctx, db, o, a.log)
			return err
		})
	}, fl.AddFlags)
}
