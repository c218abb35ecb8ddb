package main

import (
	"context"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) migrateCmd() *cobra.Command {
	return command("migrate", "Create the database if needed and apply pending schema migrations", cobra.NoArgs, func(ctx context.Context, args []string) error {
		return a.withDB(ctx, func(db *store.DB) error {
			cur, latest, err := db.MigrationStatus(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "schema at version %d (latest %d) on %s\n", cur, latest, db.Target.Display)
			return nil
		})
	})
}
