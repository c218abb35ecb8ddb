package main

import (
	"context"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func (a *app) authzCmd() *cobra.Command {
	c := &cobra.Command{Use: "authz", Short: "Inspect the stored authorization inventory"}
	var scpFiles []string
	c.AddCommand(command("list [PRINCIPAL...]", "List each principal's effective permissions with their provenance", cobra.ArbitraryArgs, func(ctx context.Context, args []string) error {
		return a.withDB(ctx, func(db *store.DB) error {
			effs, err := analyze.Effective(ctx, db, scpFiles, args, a.log)
			if err != nil {
				return err
			}
			// Policy text (condition values, Sids) is untrusted.
			return authz.WriteListing(untrusted.TerminalWriter{W: a.stdout}, effs)
		})
	}, func(fs *pflag.FlagSet) {
		fs.StringArrayVar(&scpFiles, "scp", nil, "service control policy file applied to every principal, on top of the stored organisation's (repeatable)")
	}))
	return c
}
