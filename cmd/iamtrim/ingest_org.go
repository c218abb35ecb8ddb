package main

import (
	"context"
	"fmt"

	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) ingestOrgCmd() *cobra.Command {
	var src job.OrgSource
	return command("org FILE | aws", "Load the AWS Organizations organisation (accounts, OUs, SCPs and RCPs), so analyze applies each account's SCP chain", cobra.ExactArgs(1), func(ctx context.Context, args []string) error {
		if err := src.From(args[0]); err != nil {
			return err
		}
		o, err := src.Read(ctx, a.log)
		if reject.Is(err) {
			return fmt.Errorf("no organisation was read, nothing was stored:\n%w", err)
		}
		if err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			id, created, err := org.Save(ctx, db, o)
			if err != nil {
				return err
			}
			n := o.Counts()
			a.log.Info("organisation loaded", "org", id, "state", state(created), "accounts", n.Accounts)
			fmt.Fprintf(a.stdout, "organisation %d (%s): %s, management account %s, %d accounts, %d OUs, %d SCPs, %d RCPs, %d attachments, %d rejected\n",
				id, state(created), untrusted.Terminal(o.File.Organization.ID), untrusted.Terminal(o.Management()), n.Accounts, n.Units, n.SCPs, n.RCPs, n.Attachments, len(o.Problems))
			return rejected(o.ProblemsErr())
		})
	}, src.AddFlags)
}
