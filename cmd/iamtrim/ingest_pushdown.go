package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/job"
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
		sql, err := src.Query.SQL()
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(a.stdout, sql)
		return err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, runErr := job.IngestPushdown(ctx, db, src, a.log)
	if errors.Is(runErr, ingest.ErrWindowOverlap) {
		return &exitErr{code: exitUsage, err: runErr}
	}
	if sum.ExecutionID != "" || runErr == nil {
		if err := p.Output.Write(a.stdout, func(w io.Writer) error { return ingest.WritePushdownSummary(w, sum, p.Output.Format) }); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	return rejected(sum.RejectedErr())
}

func (a *app) ingestAthenaCmd() *cobra.Command {
	p := job.NewPushdownFlags(pushdown.Athena)
	c := &cobra.Command{
		Use:   "athena --database D --table T --since TIME --until TIME",
		Short: "Ingest CloudTrail by having Athena group a window of the trail's table",
		Long: `Sends Athena one query that groups the window's events by everything
iamtrim's mapping reads (account, principal with assumed-role sessions
folded to their role, event source and name, outcome, invoking service,
day, the request fields resources come from, and the context), pages the
grouped rows back and adds each to the usage rollup as many times as it
has events. Only the window's partitions are scanned ('timestamp' with
partition projection, or region/year/month/day).

The query is recorded with its execution id before iamtrim waits for it:
a run killed while it runs or while its result is paged takes the same
execution up again, and a finished window is never counted twice. A
window overlapping one another query already counted is refused (exit 2).

--max-scan-bytes: Athena gives no estimate before running a query. When
the workgroup's per-query data usage control (BytesScannedCutoffPerQuery)
is at or below the limit, Athena cancels the query at it; otherwise iamtrim
stops the query (StopQueryExecution) as soon as its scanned bytes exceed
the limit. Either way the run ends with exit code 1, and Athena bills what
was scanned until then.`,
		Example: `  iamtrim ingest athena --database security --table cloudtrail_logs_pp --since 2026-11-01 --until 2026-12-01
  iamtrim ingest athena --database security --table cloudtrail_logs --partitioning region-ymd --event-region us-east-1 --since 7d --until 0d --max-scan-bytes 50000000000`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.ingestPushdown(cmd.Context(), p)
		},
	}
	p.AddFlags(c.Flags())
	return c
}

func (a *app) ingestLakeCmd() *cobra.Command {
	p := job.NewPushdownFlags(pushdown.Lake)
	c := &cobra.Command{
		Use:   "lake --event-data-store ARN --since TIME --until TIME",
		Short: "Ingest CloudTrail by having a CloudTrail Lake event data store group a window",
		Long: `Sends CloudTrail Lake one query (StartQuery) that groups the window's
events by everything iamtrim's mapping reads, as 'ingest athena' does,
restricted to the window by eventTime; pages the grouped rows back
(GetQueryResults) and adds each to the usage rollup as many times as it
has events. The query id is recorded before iamtrim waits for it, so a
killed run resumes it and a finished window is never counted twice.`,
		Example: `  iamtrim ingest lake --event-data-store arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE --since 2026-11-01 --until 2026-12-01`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.ingestPushdown(cmd.Context(), p)
		},
	}
	p.AddFlags(c.Flags())
	return c
}
