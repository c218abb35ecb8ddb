package main

import (
	"context"
	"fmt"

	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

func (a *app) ingestLastAccessedCmd() *cobra.Command {
	var src job.LastAccessedSource
	return command("lastaccessed FILE... | aws", "Ingest IAM last-accessed data (get-service-last-accessed-details), or read it live with 'aws'", cobra.MinimumNArgs(1), func(ctx context.Context, args []string) error {
		if err := src.From(args); err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			sum, err := job.IngestLastAccessed(ctx, db, src, a.log)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "last-accessed data: %d principals stored, %d unchanged, %d resumed jobs, %d skipped, %d rejected\n",
				sum.Stored, sum.Unchanged, sum.Resumed, sum.Skipped, len(sum.Rejected))
			return rejected(sum.Error())
		})
	}, src.AddFlags)
}
