package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iamtrim/iamtrim/ingest/orgsrc"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) ingestOrgCmd() *cobra.Command {
	var opts orgsrc.Options
	c := &cobra.Command{
		Use:   "org FILE | aws",
		Short: "Load the AWS Organizations organisation (accounts, OUs, SCPs and RCPs), so analyze applies each account's SCP chain",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			src := job.OrgSource{File: args[0], AWS: args[0] == "aws", API: opts}
			o, err := src.Read(ctx, a.log)
			var rej *org.RejectedError
			if errors.As(err, &rej) {
				return &exitErr{code: exitRejected, err: fmt.Errorf("no organisation was read, nothing was stored:\n%w", err)}
			}
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			id, created, err := org.Save(ctx, db, o)
			if err != nil {
				return err
			}
			state := "unchanged"
			if created {
				state = "new"
			}
			n := o.Counts()
			a.log.Info("organisation loaded", "org", id, "state", state, "accounts", n.Accounts)
			fmt.Fprintf(a.stdout, "organisation %d (%s): %s, management account %s, %d accounts, %d OUs, %d SCPs, %d RCPs, %d attachments, %d rejected\n",
				id, state, untrusted.Terminal(o.File.Organization.ID), untrusted.Terminal(o.Management()), n.Accounts, n.Units, n.SCPs, n.RCPs, n.Attachments, len(o.Problems))
			if len(o.Problems) > 0 {
				lines := make([]string, len(o.Problems))
				for i, p := range o.Problems {
					lines[i] = untrusted.Terminal(p)
				}
				return &exitErr{code: exitRejected, err: fmt.Errorf("some entries were rejected, the rest is stored:\n%s", strings.Join(lines, "\n"))}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Profile, "profile", "", "AWS shared-config profile (for 'aws')")
	f.StringVar(&opts.AssumeRole, "assume-role", "", "role ARN to assume first, in the management or delegated administrator account (for 'aws')")
	f.StringVar(&opts.Region, "region", "", "region for signing (for 'aws'; Organizations answers in us-east-1)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "Organizations and STS endpoint URL (for 'aws')")
	return c
}
