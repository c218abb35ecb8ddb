package main

import (
	"errors"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/org"
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
			inv, _, err := authz.LoadLatestPerAccount(ctx, db)
			if err != nil {
				return err
			}
			cat, err := catalog.LoadCurrentOrNil(ctx, db, a.log)
			if err != nil {
				return err
			}
			policies, err := authz.ParseSCPFiles(scpFiles)
			if err != nil {
				return err
			}
			exp := authz.NewExpander(cat, policies)
			o, orgID, err := org.LoadLatest(ctx, db.Pool)
			if err == nil {
				a.log.Info("organisation: SCP chains applied per account", "org", orgID)
				exp.WithChains(o)
			} else if !errors.Is(err, org.ErrNone) {
				return err
			}
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
				if rcps := o.RCPs(eff.AccountID); len(rcps) > 0 {
					eff.Notes = append(eff.Notes, "resource control policies on this account's resources (not applied): "+strings.Join(rcps, ", "))
				}
				effs = append(effs, eff)
			}
			// Policy text (condition values, Sids) is untrusted.
			return authz.WriteListing(untrusted.TerminalWriter{W: a.stdout}, effs)
		},
	}
	list.Flags().StringArrayVar(&scpFiles, "scp", nil, "service control policy file applied to every principal, on top of the stored organisation's (repeatable)")
	c.AddCommand(list)
	return c
}
