package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) ingestCmd() *cobra.Command {
	c := &cobra.Command{Use: "ingest", Short: "Load CloudTrail events (files, S3, the API, Athena, CloudTrail Lake), authorization details, trail configuration or the organisation into the database"}
	c.AddCommand(a.ingestCloudTrailCmd(), a.ingestAthenaCmd(), a.ingestLakeCmd(), a.ingestAuthzCmd(), a.ingestTrailsCmd(), a.ingestLastAccessedCmd(), a.ingestOrgCmd())
	return c
}

func (a *app) ingestCloudTrailCmd() *cobra.Command {
	var fl ingest.CloudTrailFlags
	return command("cloudtrail SOURCE...", "Ingest CloudTrail from files, directories, s3://bucket/prefix or the CloudTrail API (api)", cobra.MinimumNArgs(1), func(ctx context.Context, args []string) error {
		opts, err := fl.Complete(args, a.now)
		if err != nil {
			return err
		}
		if a.logging.Format == "text" {
			opts.Progress = fl.Progress(a.stderr)
		}
		return a.withDB(ctx, func(db *store.DB) error {
			sum, runErr := job.IngestCloudTrail(ctx, db, opts, a.log)
			if err := fl.Output.Write(a.stdout, func(w io.Writer) error { return ingest.WriteSummary(w, sum, fl.Output.Format) }); err != nil {
				return err
			}
			if runErr != nil {
				return runErr
			}
			return rejected(sum.RejectedErr())
		})
	}, fl.AddFlags)
}

func (a *app) ingestAuthzCmd() *cobra.Command {
	var src job.AuthzSource
	return command("authz FILE... | aws", "Ingest get-account-authorization-details output, or read it live with 'aws'", cobra.MinimumNArgs(1), func(ctx context.Context, args []string) error {
		if err := src.From(args); err != nil {
			return err
		}
		inv, source, partial, err := src.Read(ctx, a.log)
		if reject.Is(err) {
			return fmt.Errorf("no authorization details were read, nothing was stored:\n%w", err)
		}
		if err != nil {
			return err
		}
		for _, w := range inv.Warnings {
			a.log.Warn("authorization details", "warning", w)
		}
		return a.withDB(ctx, func(db *store.DB) error {
			id, created, err := authz.SaveSnapshot(ctx, db, inv, source, a.now().UTC())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "authorization snapshot %d (%s): accounts %s, %d roles, %d users, %d groups, %d managed policies, %d warnings\n",
				id, state(created), untrusted.Terminal(strings.Join(inv.Accounts, ",")), len(inv.Roles), len(inv.Users), len(inv.Groups), len(inv.Policies), len(inv.Warnings))
			if partial != nil {
				return &exitErr{code: exitRejected, err: fmt.Errorf("some inputs were rejected:\n%w", partial)}
			}
			return nil
		})
	}, src.AddFlags)
}

// state says whether a snapshot was stored now or was there already.
func state(created bool) string {
	if created {
		return "new"
	}
	return "unchanged"
}
