package main

import (
	"context"
	"fmt"

	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trails"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/spf13/cobra"
)

func (a *app) ingestTrailsCmd() *cobra.Command {
	var src job.TrailsSource
	return command("trails FILE | aws", "Load what the CloudTrail trails log (describe-trails + get-event-selectors), so analyze knows which data events were recorded", cobra.ExactArgs(1), func(ctx context.Context, args []string) error {
		if err := src.From(args[0]); err != nil {
			return err
		}
		src.Log = a.log
		cfg, err := src.Read(ctx)
		if err != nil {
			return err
		}
		return a.withDB(ctx, func(db *store.DB) error {
			id, created, err := trails.Save(ctx, db, cfg)
			if err != nil {
				return err
			}
			a.log.Info("trail configuration loaded", "id", id, "state", state(created), "trails", len(cfg.Trails))
			fmt.Fprintf(a.stdout, "trail configuration %d (%s): %s\n", id, state(created), untrusted.Terminal(cfg.Summary()))
			return nil
		})
	}, src.AddFlags)
}
