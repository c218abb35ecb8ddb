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
		Args:  minimumNArgs(1),
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
