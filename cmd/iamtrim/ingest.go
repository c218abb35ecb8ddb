package main

import (
	"github.com/spf13/cobra"
)

func (a *app) ingestCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "ingest",
		Short: "Load CloudTrail events or authorization details into the database",
		Example: `  iamtrim ingest cloudtrail ./AWSLogs s3://trail-bucket/prefix --since 2026-09-01
  iamtrim ingest authz authz.json`,
	}
	c.AddCommand(&cobra.Command{
		Use:     "cloudtrail SOURCE...",
		Short:   "Ingest CloudTrail from files, directories, s3://bucket/prefix or the CloudTrail API (api)",
		Example: "  iamtrim ingest cloudtrail ./AWSLogs --workers 4",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("ingest cloudtrail", "ingest (issue 3)")
		},
	})
	c.AddCommand(&cobra.Command{
		Use:     "authz FILE... | aws",
		Short:   "Ingest get-account-authorization-details output, or fetch it live with 'aws'",
		Example: "  iamtrim ingest authz authz.json",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("ingest authz", "authorization inventory (issue 4)")
		},
	})
	c.AddCommand(a.ingestTrailsCmd())
	return c
}
