package main

import (
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) authzCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "authz",
		Short: "Inspect the stored authorization inventory",
	}
	var scpFiles []string
	list := &cobra.Command{
		Use:   "list [PRINCIPAL...]",
		Short: "List each principal's effective permissions with their provenance",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withDB(ctx, func(db *store.DB) error {
				effs, err := analyze.Effective(ctx, db, scpFiles, args, a.log)
				if err != nil {
					return err
				}
				// Policy text (condition values, Sids) is untrusted.
				return authz.WriteListing(untrusted.TerminalWriter{W: a.stdout}, effs)
			})
		},
	}
	list.Flags().StringArrayVar(&scpFiles, "scp", nil, "service control policy file applied to every principal, on top of the stored organisation's (repeatable)")
	c.AddCommand(list)
	return c
}
