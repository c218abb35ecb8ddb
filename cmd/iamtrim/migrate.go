package main

import (
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create the database if needed and apply pending schema migrations",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withDB(ctx, func(db *store.DB) error {
				cur, latest, err := db.MigrationStatus(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "schema at version %d (latest %d) on %s\n", cur, latest, db.Target.Display)
				return nil
			})
		},
	}
}
