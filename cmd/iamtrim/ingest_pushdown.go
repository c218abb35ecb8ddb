package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/job"
	"github.com/spf13/cobra"
)

// pushdownFlags are the flags `ingest athena` and `ingest lake` share.
type pushdownFlags struct {
	since, until, format, output string
	objectDepth                  int
	printQuery                   bool
	src                          job.PushdownSource
	endpoint                     string
}

func (p *pushdownFlags) add(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&p.since, "since", "", "first event time of the window (YYYY-MM-DD, RFC 3339, or an age such as 30d); required")
	f.StringVar(&p.until, "until", "", "end of the window (exclusive); required")
	f.StringSliceVar(&p.src.Query.Regions, "event-region", nil, "only events of these regions (awsRegion)")
	f.StringSliceVar(&p.src.Query.Accounts, "account", nil, "only events logged for these accounts (recipientAccountId)")
	f.StringVar(&p.src.AWS.Profile, "profile", "", "AWS shared-config profile")
	f.StringVar(&p.src.AWS.Region, "region", "", "AWS region of the engine (default: the profile's or AWS_REGION)")
	f.StringVar(&p.src.AWS.AssumeRole, "assume-role", "", "role ARN to assume")
	f.StringVar(&p.endpoint, "endpoint-url", "", "endpoint URL for the engine and STS (local stacks, tests)")
	f.StringVar(&p.format, "format", "text", "summary format: text or json")
	f.StringVarP(&p.output, "output", "o", "", "write the summary to FILE instead of stdout")
	f.IntVar(&p.objectDepth, "object-prefix-depth", ingest.DefaultObjectPrefixDepth, "S3 object keys are stored with this many leading segments, then /* (0: whole keys)")
	f.BoolVar(&p.printQuery, "print-query", false, "print the query and exit, without running it (to review it or estimate its cost)")
	f.IntVar(&p.src.MaxResources, "max-resources", ingest.DefaultMaxResources, "distinct resources stored per principal, action and day; calls on more are counted in one overflow row")
}

// run validates the flags, runs the query and prints the summary.
func (p *pushdownFlags) run(a *app, cmd *cobra.Command) error {
	ctx := cmd.Context()
	now := a.now()
	var err error
	if p.since == "" || p.until == "" {
		return usageErr("--since and --until are both required: the window bounds what the engine scans")
	}
	if p.src.Query.Since, err = parseSince("since", p.since, now); err != nil {
		return err
	}
	if p.src.Query.Until, err = parseSince("until", p.until, now); err != nil {
		return err
	}
	if p.format != "text" && p.format != "json" {
		return usageErr("--format %q: want text or json", p.format)
	}
	switch {
	case p.objectDepth < 0:
		return usageErr("--object-prefix-depth %d: want 0 (whole keys) or more", p.objectDepth)
	case p.objectDepth == 0:
		p.src.ObjectPrefixDepth = -1
	default:
		p.src.ObjectPrefixDepth = p.objectDepth
	}
	if p.src.MaxResources <= 0 {
		return usageErr("--max-resources %d: want 1 or more", p.src.MaxResources)
	}
	if err := p.src.Query.Validate(); err != nil {
		return usageErr("%v", err)
	}
	if p.printQuery {
		sql, err := p.src.Query.SQL()
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(a.stdout, sql)
		return err
	}
	p.src.AWS.STSEndpoint = p.endpoint
	p.src.Athena.Endpoint, p.src.Lake.Endpoint = p.endpoint, p.endpoint
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, runErr := job.IngestPushdown(ctx, db, p.src, a.log)
	if errors.Is(runErr, ingest.ErrWindowOverlap) {
		return &exitErr{code: exitUsage, err: runErr}
	}
	if sum.ExecutionID != "" || runErr == nil {
		if err := a.writeOutput(p.output, func(w io.Writer) error { return ingest.WritePushdownSummary(w, sum, p.format) }); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if sum.Rejected() > 0 {
		return &exitErr{code: exitRejected, err: fmt.Errorf("%d result rows were rejected; the other rows are ingested", sum.BadRows)}
	}
	return nil
}

func (a *app) ingestAthenaCmd() *cobra.Command {
	p := &pushdownFlags{}
	p.src.Query.Dialect = pushdown.Athena
	var partitioning string
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
			p.src.Query.Partitioning = pushdown.Partitioning(partitioning)
			if p.src.Athena.MaxScanBytes < 0 {
				return usageErr("--max-scan-bytes %d: want 0 (no limit) or more", p.src.Athena.MaxScanBytes)
			}
			return p.run(a, cmd)
		},
	}
	f := c.Flags()
	f.StringVar(&p.src.Query.Database, "database", "", "Athena database of the CloudTrail table")
	f.StringVar(&p.src.Query.Table, "table", "", "the CloudTrail table (as AWS documents it)")
	f.StringVar(&p.src.Athena.Workgroup, "workgroup", "primary", "Athena workgroup")
	f.StringVar(&p.src.Athena.OutputLocation, "output-location", "", "s3:// location for the query result (default: the workgroup's)")
	f.StringVar(&partitioning, "partitioning", string(pushdown.Projection), "how the table is partitioned: projection (timestamp), region-ymd (region, year, month, day) or none")
	f.Int64Var(&p.src.Athena.MaxScanBytes, "max-scan-bytes", 0, "stop the query once it has scanned more than this many bytes (0: no limit)")
	p.add(c)
	return c
}

func (a *app) ingestLakeCmd() *cobra.Command {
	p := &pushdownFlags{}
	p.src.Query.Dialect = pushdown.Lake
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
			return p.run(a, cmd)
		},
	}
	c.Flags().StringVar(&p.src.Query.EventDataStore, "event-data-store", "", "the event data store's ARN or ID")
	p.add(c)
	return c
}
