package main

import (
	"context"
	"io"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

// ingestPushdown runs the query `ingest athena` or `ingest lake` was given
// and prints the summary.
func (a *app) ingestPushdown(ctx context.Context, p *job.PushdownFlags) error {
	src, err := p.Complete(a.now())
	if err != nil {
		return err
	}
	if p.PrintQuery {
		return src.WriteQuery(a.stdout)
	}
	return a.withDB(ctx, func(db *store.DB) error {
		sum, runErr := job.IngestPushdown(ctx, db, src, a.log)
		if sum.ExecutionID != "" || runErr == nil {
			if err := p.Output.Write(a.stdout, func(w io.Writer) error { return ingest.WritePushdownSummary(w, sum, p.Output.Format) }); err != nil {
				return err
			}
		}
		if runErr != nil {
			return runErr
		}
		return rejected(sum.RejectedErr())
	})
}

func (a *app) ingestAthenaCmd() *cobra.Command {
	p := job.NewPushdownFlags(pushdown.Athena)
	return command("athena --database D --table T --since TIME --until TIME", "Ingest CloudTrail by having Athena group a window of the trail's table", cobra.NoArgs, func(ctx context.Context, args []string) error {
		return a.ingestPushdown(ctx, p)
	}, p.AddFlags)
}

func (a *app) ingestLakeCmd() *cobra.Command {
	p := job.NewPushdownFlags(pushdown.Lake)
	return command("lake --event-data-store ARN --since TIME --until TIME", "Ingest CloudTrail by having a CloudTrail Lake event data store group a window", cobra.NoArgs, func(ctx context.Context, args []string) error {
		return a.ingestPushdown(ctx, p)
	}, p.AddFlags)
}
