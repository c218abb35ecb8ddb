package main

import (
	"fmt"

	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/ingest/lastaccessaws"
	"github.com/iamtrim/iamtrim/job"
	"github.com/spf13/cobra"
)

func (a *app) ingestLastAccessedCmd() *cobra.Command {
	var (
		src                       job.LastAccessedSource
		profile, region, endpoint string
	)
	c := &cobra.Command{
		Use:   "lastaccessed FILE... | aws",
		Short: "Ingest IAM last-accessed data (get-service-last-accessed-details), or read it live with 'aws'",
		Long: `Stores, per role and user of the newest authorization snapshot, which
services and (for the services IAM tracks action by action) which actions
it last used over IAM's 400-day tracking period, as a dated snapshot.
Loading the same data again stores nothing new.

FILE is the JSON 'aws iam get-service-last-accessed-details --job-id ID'
prints, one principal per file, named after the principal (NAME.json, or
ACCOUNT.NAME.json when the name is in several accounts), or carrying a
top-level "PrincipalArn" key. A file for a principal not in the inventory,
of a job that FAILED, or with entries of another account is reported as
FILE: entry ...: why, the others are stored, and the exit code is 3.

'aws' runs iam:GenerateServiceLastAccessedDetails (ACTION_LEVEL) for each
principal (or each --principal), polls the job, pages through the result,
and stores it; job ids are recorded so a killed run resumes them.`,
		Example: `  iamtrim ingest lastaccessed lastaccessed/*.json
  iamtrim ingest lastaccessed aws --principal billing-api
  iamtrim ingest lastaccessed aws --assume-role arn:aws:iam::111122223333:role/audit --assume-role arn:aws:iam::444455556666:role/audit`,
		Args: minimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if src.AWSOptions.Workers < 0 {
				return usageErr("--workers %d: want 1 or more", src.AWSOptions.Workers)
			}
			src.Files = args
			if len(args) == 1 && args[0] == "aws" {
				src.AWS, src.Files = true, nil
			}
			src.AWSOptions.IAM = iamsrc.Options{Profile: profile, Region: region, BaseEndpoint: endpoint}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			sum, err := job.IngestLastAccessed(ctx, db, src, a.log)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "last-accessed data: %d principals stored, %d unchanged, %d resumed jobs, %d skipped, %d rejected\n",
				sum.Stored, sum.Unchanged, sum.Resumed, sum.Skipped, len(sum.Rejected))
			if err := sum.Error(); err != nil {
				return &exitErr{code: exitRejected, err: err}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringArrayVar(&src.Principals, "principal", nil, "only this role or user, by ARN or name (repeatable)")
	f.StringVar(&profile, "profile", "", "AWS shared-config profile (for 'aws')")
	f.StringVar(&region, "region", "", "region for signing (for 'aws'; IAM is global)")
	f.StringVar(&endpoint, "endpoint-url", "", "IAM/STS endpoint URL (for 'aws')")
	f.StringArrayVar(&src.AWSOptions.AssumeRoles, "assume-role", nil, "role ARN to assume, once per account (for 'aws'; repeatable)")
	f.StringVar(&src.AWSOptions.ExternalID, "external-id", "", "external ID for --assume-role")
	f.IntVar(&src.AWSOptions.Workers, "workers", lastaccessaws.DefaultWorkers, "principals whose jobs run at once (for 'aws')")
	return c
}
