package main

import (
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) authzCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "authz",
		Short: "Inspect the stored authorization inventory",
		Example: `  iamtrim authz list
  iamtrim authz list arn:aws:iam::111122223333:role/app/billing-api --scp scp.json`,
	}
	var scpFiles []string
	list := &cobra.Command{
		Use:   "list [PRINCIPAL...]",
		Short: "List each principal's effective permissions with their provenance",
		Long: `For each role and user (each account as its newest snapshot shows it), or those named
by ARN or name): every granted action (expanded against the current catalog)
with its resource scope, the statements that grant it, its conditions, and
caveats such as conditional Deny statements, partial Denies and boundary or
SCP limits. The SCP chain of each principal's account (root, each OU, the
account) applies when an organisation is stored ('iamtrim ingest org'), and
each action it takes away is listed with the SCP statement or level that
does; --scp files apply on top, to every principal.`,
		Example: `  iamtrim authz list
  iamtrim authz list billing-api alice`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			effs, err := analyze.Effective(ctx, db, scpFiles, args, a.log)
			if err != nil {
				return err
			}
			// Policy text (condition values, Sids) is untrusted.
			return authz.WriteListing(untrusted.TerminalWriter{W: a.stdout}, effs)
		},
	}
	list.Flags().StringArrayVar(&scpFiles, "scp", nil, "service control policy file applied to every principal, on top of the stored organisation's (repeatable)")
	c.AddCommand(list)
	return c
}
