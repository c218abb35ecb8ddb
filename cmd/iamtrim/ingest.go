package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

func (a *app) ingestCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "ingest",
		Short: "Load CloudTrail events (files, S3, the API, Athena, CloudTrail Lake), authorization details, trail configuration or the organisation into the database",
		Example: `  iamtrim ingest cloudtrail ./AWSLogs s3://trail-bucket/prefix --since 2026-09-01
  iamtrim ingest athena --database security --table cloudtrail_logs_pp --since 2026-11-01 --until 2026-12-01
  iamtrim ingest lake --event-data-store EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE --since 2026-11-01 --until 2026-12-01
  iamtrim ingest authz authz.json
  iamtrim ingest trails trails.json
  iamtrim ingest lastaccessed lastaccessed/*.json
  iamtrim ingest org org.json`,
	}
	c.AddCommand(a.ingestCloudTrailCmd(), a.ingestAthenaCmd(), a.ingestLakeCmd(), a.ingestAuthzCmd(), a.ingestTrailsCmd(), a.ingestLastAccessedCmd(), a.ingestOrgCmd())
	return c
}

// parseSince reads a --since/--until value: a date, an RFC 3339 time, or a
// length back from now ("30d", "36h").
func parseSince(flag, s string, now time.Time) (time.Time, error) {
	t, err := period.Since(s, now)
	if err != nil {
		return t, usageErr("--%s %v", flag, err)
	}
	return t, nil
}

func (a *app) ingestCloudTrailCmd() *cobra.Command {
	var (
		opts         ingest.Options
		since, until string
		format       string
		output       string
		endpointURL  string
		noProgress   bool
		objectDepth  int
	)
	c := &cobra.Command{
		Use:   "cloudtrail SOURCE...",
		Short: "Ingest CloudTrail from files, directories, s3://bucket/prefix or the CloudTrail API (api)",
		Long: `Reads CloudTrail log objects (.json, .jsonl or .ndjson, each also gzipped,
in S3 delivery format, bare arrays, JSON Lines such as Athena and CloudTrail
Lake exports, or lookup-events output; eventTime in RFC 3339 or Athena's
"2025-01-21 17:49:47.000", read as UTC), maps every event to its
principal, IAM action(s) and resources, and adds it to the daily usage
rollup. Every source object is recorded in a ledger in the same transaction
as its rows, and events are de-duplicated by eventID, so re-running, running
after a crash, or running several ingesters at once never counts an event
twice. Bad input is reported as path:record N: reason, recorded as failed,
retried by the next run, and makes the exit code 3.`,
		Example: `  iamtrim ingest cloudtrail ./AWSLogs --workers 4
  iamtrim ingest cloudtrail s3://org-trail/AWSLogs --since 2026-09-01 --account 111122223333 --region us-east-1
  iamtrim ingest cloudtrail api --region us-east-1 --since 7d`,
		Args: minimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			now := a.now()
			opts.Now = a.now // the API's day windows end now
			var err error
			if opts.Since, err = parseSince("since", since, now); err != nil {
				return err
			}
			if opts.Until, err = parseSince("until", until, now); err != nil {
				return err
			}
			if format != "text" && format != "json" {
				return usageErr("--format %q: want text or json", format)
			}
			opts.Sources = args
			opts.S3Endpoint, opts.APIEndpoint = endpointURL, endpointURL
			switch {
			case objectDepth < 0:
				return usageErr("--object-prefix-depth %d: want 0 (whole keys) or more", objectDepth)
			case objectDepth == 0:
				opts.ObjectPrefixDepth = -1 // whole keys
			default:
				opts.ObjectPrefixDepth = objectDepth
			}
			if opts.MaxResources <= 0 {
				return usageErr("--max-resources %d: want 1 or more", opts.MaxResources)
			}
			if err := opts.Validate(); err != nil {
				return usageErr("%v", err)
			}
			if !noProgress && a.logFormat == "text" {
				if f, ok := a.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
					opts.Progress = a.stderr
				}
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			sum, runErr := job.IngestCloudTrail(ctx, db, opts, a.log)
			if err := a.writeOutput(output, func(w io.Writer) error { return ingest.WriteSummary(w, sum, format) }); err != nil {
				return err
			}
			if runErr != nil {
				return runErr
			}
			if sum.Rejected() > 0 {
				return &exitErr{code: exitRejected, err: fmt.Errorf("%d objects failed, %d records were rejected and %d sources held no log files; they are recorded and will be retried by the next run", sum.FilesFailed, sum.BadRecords, len(sum.EmptySources))}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&since, "since", "", "ignore events before this time (YYYY-MM-DD, RFC 3339, or an age such as 30d)")
	f.StringVar(&until, "until", "", "ignore events from this time on")
	f.IntVar(&opts.Workers, "workers", 0, "objects processed at once (default 4)")
	f.BoolVar(&opts.KeepRaw, "keep-raw", false, "also store every event's JSON, partitioned by month")
	f.StringSliceVar(&opts.Accounts, "account", nil, "only these accounts (S3 prefixes, API, and records)")
	f.StringSliceVar(&opts.Regions, "region", nil, "only these regions")
	f.StringVar(&opts.Profile, "profile", "", "AWS shared-config profile for S3 and the API")
	f.StringVar(&opts.AssumeRole, "assume-role", "", "role ARN to assume for S3 and the API")
	f.StringVar(&endpointURL, "endpoint-url", "", "endpoint URL for S3, the CloudTrail API and STS (S3-compatible stores, local stacks, tests)")
	f.StringVar(&format, "format", "text", "summary format: text or json")
	f.StringVarP(&output, "output", "o", "", "write the summary to FILE instead of stdout")
	f.BoolVar(&noProgress, "no-progress", false, "no progress bar even on a terminal")
	f.IntVar(&objectDepth, "object-prefix-depth", ingest.DefaultObjectPrefixDepth, "S3 object keys are stored with this many leading segments, then /* (0: whole keys); recommend cannot scope objects deeper")
	f.IntVar(&opts.MaxResources, "max-resources", ingest.DefaultMaxResources, "distinct resources stored per principal, action and day; calls on more are counted in one overflow row")
	return c
}

func (a *app) ingestAuthzCmd() *cobra.Command {
	var (
		profile, region, endpoint string
		assumeRoles               []string
		externalID                string
	)
	c := &cobra.Command{
		Use:   "authz FILE... | aws",
		Short: "Ingest get-account-authorization-details output, or read it live with 'aws'",
		Long: `Stores the authorization inventory (roles with their trust policies, tags,
last use and boundaries; users; groups and memberships; inline and managed
policies at their default version) as a dated snapshot. Several files (pages
or accounts) are merged. Loading the same content again stores nothing new.

'aws' calls iam:GetAccountAuthorizationDetails with the standard credential
chain (or --profile), once per --assume-role when given, to read several
accounts.`,
		Example: `  iamtrim ingest authz authz.json
  aws iam get-account-authorization-details > authz.json && iamtrim ingest authz authz.json
  iamtrim ingest authz aws --assume-role arn:aws:iam::111122223333:role/audit --assume-role arn:aws:iam::444455556666:role/audit`,
		Args: minimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			src := job.AuthzSource{Files: args, IAM: iamsrc.Options{Profile: profile, Region: region, BaseEndpoint: endpoint}, AssumeRoles: assumeRoles, ExternalID: externalID}
			if len(args) == 1 && args[0] == "aws" {
				src.AWS, src.Files = true, nil
			}
			inv, source, partial, err := src.Read(ctx, a.log)
			var rej *authz.RejectedError
			if errors.As(err, &rej) {
				return &exitErr{code: exitRejected, err: fmt.Errorf("no authorization details were read, nothing was stored:\n%w", err)}
			}
			if err != nil {
				return err
			}
			for _, w := range inv.Warnings {
				a.log.Warn("authorization details", "warning", w)
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			id, created, err := authz.SaveSnapshot(ctx, db, inv, source, a.now().UTC())
			if err != nil {
				return err
			}
			state := "unchanged"
			if created {
				state = "new"
			}
			fmt.Fprintf(a.stdout, "authorization snapshot %d (%s): accounts %s, %d roles, %d users, %d groups, %d managed policies, %d warnings\n",
				id, state, untrusted.Terminal(strings.Join(inv.Accounts, ",")), len(inv.Roles), len(inv.Users), len(inv.Groups), len(inv.Policies), len(inv.Warnings))
			if partial != nil {
				return &exitErr{code: exitRejected, err: fmt.Errorf("some inputs were rejected:\n%w", partial)}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&profile, "profile", "", "AWS shared-config profile (for 'aws')")
	f.StringVar(&region, "region", "", "region for signing (for 'aws'; IAM is global)")
	f.StringVar(&endpoint, "endpoint-url", "", "IAM/STS endpoint URL (for 'aws')")
	f.StringArrayVar(&assumeRoles, "assume-role", nil, "role ARN to assume, once per account (for 'aws'; repeatable)")
	f.StringVar(&externalID, "external-id", "", "external ID for --assume-role")
	return c
}
