package main

import (
	"fmt"

	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/trails"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) ingestTrailsCmd() *cobra.Command {
	var (
		profile, assumeRole, region, endpoint string
	)
	c := &cobra.Command{
		Use:   "trails FILE | aws",
		Short: "Load what the CloudTrail trails log (describe-trails + get-event-selectors), so analyze knows which data events were recorded",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			src := job.TrailsSource{File: args[0], AWS: args[0] == "aws", Profile: profile, AssumeRole: assumeRole, Region: region, EndpointURL: endpoint, Log: a.log}
			cfg, err := src.Read(ctx)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			id, created, err := trails.Save(ctx, db, cfg)
			if err != nil {
				return err
			}
			state := "unchanged"
			if created {
				state = "new"
			}
			a.log.Info("trail configuration loaded", "id", id, "state", state, "trails", len(cfg.Trails))
			fmt.Fprintf(a.stdout, "trail configuration %d (%s): %s\n", id, state, untrusted.Terminal(cfg.Summary()))
			return nil
		},
	}
	c.Flags().StringVar(&profile, "profile", "", "AWS shared-config profile (for 'aws')")
	c.Flags().StringVar(&assumeRole, "assume-role", "", "role ARN to assume first (for 'aws')")
	c.Flags().StringVar(&region, "region", "", "region to call (for 'aws')")
	c.Flags().StringVar(&endpoint, "endpoint-url", "", "CloudTrail and STS endpoint URL (for 'aws')")
	return c
}
