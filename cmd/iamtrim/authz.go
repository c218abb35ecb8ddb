package main

import (
	"errors"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
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
SCP limits.`,
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
			inv, _, err := authz.LoadLatestPerAccount(ctx, db)
			if err != nil {
				return err
			}
			cat, err := catalog.LoadCurrentOrNil(ctx, db.Pool, a.log)
			if err != nil {
				return err
			}
			policies, err := authz.ParseSCPFiles(scpFiles)
			if err != nil {
				return err
			}
			exp := authz.NewExpander(cat, policies)
			principals := inv.Principals()
			if len(args) > 0 {
				var named []authz.Principal
				var errs []error
				seen := map[string]bool{}
				for _, name := range args {
					p, err := authz.ResolvePrincipal(principals, name)
					if err != nil {
						errs = append(errs, err)
					} else if !seen[p.ARN] {
						seen[p.ARN] = true
						named = append(named, p)
					}
				}
				if len(errs) > 0 {
					return usageErr("%v", errors.Join(errs...))
				}
				principals = named
			}
			var effs []*authz.Effective
			for _, p := range principals {
				eff, err := exp.Expand(ctx, p)
				if le := (*authz.LimitError)(nil); errors.As(err, &le) {
					a.log.Error("principal refused: its policies exceed the limits", "principal", p.ARN, "err", err)
					continue
				}
				if err != nil {
					return err
				}
				effs = append(effs, eff)
			}
			// Policy text (condition values, Sids) is untrusted.
			return authz.WriteListing(untrusted.TerminalWriter{W: a.stdout}, effs)
		},
	}
	list.Flags().StringArrayVar(&scpFiles, "scp", nil, "service control policy file (repeatable)")
	c.AddCommand(list)
	return c
}
