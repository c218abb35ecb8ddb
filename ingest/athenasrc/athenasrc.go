// Package athenasrc runs the query of ingest/pushdown on Amazon Athena for
// `iamtrim ingest athena`: StartQueryExecution in a workgroup,
// GetQueryExecution polled with backoff until the query ends, and
// GetQueryResults paged. It implements ingest.Engine.
//
// Cost control (MaxScanBytes): Athena gives no estimate before a query
// runs. When the workgroup enforces a per-query cutoff
// (BytesScannedCutoffPerQuery) at or below MaxScanBytes, Athena itself
// cancels a query that reaches it; otherwise each poll reads the bytes
// scanned so far and the query is stopped (StopQueryExecution) as soon as
// they exceed MaxScanBytes. A query stopped either way ends the run with
// an error wrapping pushdown.ErrScanLimit; Athena bills the bytes scanned
// until then.
package athenasrc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
)

// Options configure a Client.
type Options struct {
	Workgroup string
	// Database is the query's default database.
	Database string
	// OutputLocation is where Athena writes the result (s3://...); empty
	// uses the workgroup's.
	OutputLocation string
	// MaxScanBytes stops a query that scans more; 0 for no limit.
	MaxScanBytes int64
	// Endpoint overrides the Athena endpoint (tests, local stacks).
	Endpoint string
	// Poll sets the wait between GetQueryExecution calls and the results page size.
	Poll   pushdown.Poll
	Logger *slog.Logger
}

// Client runs queries in one workgroup.
type Client struct {
	api  *athena.Client
	opts Options
	log  *slog.Logger
}

var _ ingest.Engine = (*Client)(nil)

// New returns a Client using cfg's credentials and region.
func New(cfg aws.Config, opts Options) *Client {
	opts.Poll = opts.Poll.WithDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	api := athena.NewFromConfig(cfg, func(o *athena.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	return &Client{api: api, opts: opts, log: log}
}

// Start checks the workgroup's scan cutoff against MaxScanBytes and
// starts the query.
func (c *Client) Start(ctx context.Context, sql string) (string, error) {
	if c.opts.MaxScanBytes > 0 {
		wg, err := c.api.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(c.opts.Workgroup)})
		if err != nil {
			return "", fmt.Errorf("get workgroup %s: %w", c.opts.Workgroup, err)
		}
		var cutoff int64
		if wg.WorkGroup != nil && wg.WorkGroup.Configuration != nil {
			cutoff = aws.ToInt64(wg.WorkGroup.Configuration.BytesScannedCutoffPerQuery)
		}
		if cutoff > 0 && cutoff <= c.opts.MaxScanBytes {
			c.log.Info("the workgroup's per-query scan cutoff enforces --max-scan-bytes", "workgroup", c.opts.Workgroup, "cutoff_bytes", cutoff)
		} else {
			c.log.Info("no workgroup scan cutoff at or below --max-scan-bytes: the query is stopped when its scanned bytes exceed it",
				"workgroup", c.opts.Workgroup, "cutoff_bytes", cutoff, "max_scan_bytes", c.opts.MaxScanBytes)
		}
	}
	in := &athena.StartQueryExecutionInput{
		QueryString: aws.String(sql),
		WorkGroup:   aws.String(c.opts.Workgroup),
	}
	if c.opts.Database != "" {
		in.QueryExecutionContext = &types.QueryExecutionContext{Database: aws.String(c.opts.Database)}
	}
	if c.opts.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(c.opts.OutputLocation)}
	}
	out, err := c.api.StartQueryExecution(ctx, in)
	if err != nil {
		return "", fmt.Errorf("start query execution: %w", err)
	}
	return aws.ToString(out.QueryExecutionId), nil
}

// Wait polls the query until it ends, backing off from PollMin to
// PollMax; it returns at once when ctx ends (the query goes on running and
// a later run resumes it).
func (c *Client) Wait(ctx context.Context, id string) (ingest.QueryStats, error) {
	sleep := c.opts.Poll.Backoff()
	var st ingest.QueryStats
	for {
		out, err := c.api.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return st, fmt.Errorf("get query execution %s: %w", id, err)
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return st, fmt.Errorf("get query execution %s: no status in the answer", id)
		}
		if qe.Statistics != nil {
			st.BytesScanned = aws.ToInt64(qe.Statistics.DataScannedInBytes)
		}
		reason := aws.ToString(qe.Status.StateChangeReason)
		if qe.Status.AthenaError != nil && reason == "" {
			reason = aws.ToString(qe.Status.AthenaError.ErrorMessage)
		}
		switch state := qe.Status.State; state {
		case types.QueryExecutionStateSucceeded:
			return st, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			err := error(&pushdown.QueryError{Engine: "athena", ID: id, State: string(state), Reason: reason})
			if strings.Contains(strings.ToLower(reason), "bytes scanned limit") || strings.Contains(strings.ToLower(reason), "cutoff") {
				err = fmt.Errorf("%w: %w", pushdown.ErrScanLimit, err)
			}
			return st, err
		case types.QueryExecutionStateQueued, types.QueryExecutionStateRunning:
		default:
			return st, fmt.Errorf("query %s: unknown state %q", id, state)
		}
		if c.opts.MaxScanBytes > 0 && st.BytesScanned > c.opts.MaxScanBytes {
			_, stopErr := c.api.StopQueryExecution(context.WithoutCancel(ctx), &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)})
			err := fmt.Errorf("%w: query %s stopped after scanning %d bytes (--max-scan-bytes %d)", pushdown.ErrScanLimit, id, st.BytesScanned, c.opts.MaxScanBytes)
			if stopErr != nil {
				err = errors.Join(err, fmt.Errorf("stop query execution %s: %w", id, stopErr))
			}
			return st, err
		}
		c.log.Debug("query running", "execution_id", id, "state", string(qe.Status.State), "bytes_scanned", st.BytesScanned)
		if err := sleep(ctx); err != nil {
			return st, err
		}
	}
}

// Results pages through the result. Athena gives the column names as the
// first row of the first page of a SELECT's result; it is not passed on.
func (c *Client) Results(ctx context.Context, id string, fn func(header []string, row []*string) error) error {
	p := athena.NewGetQueryResultsPaginator(c.api, &athena.GetQueryResultsInput{
		QueryExecutionId: aws.String(id), MaxResults: aws.Int32(c.opts.Poll.PageSize),
	})
	var header []string
	first := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("get query results %s: %w", id, err)
		}
		if page.ResultSet == nil {
			continue
		}
		if header == nil && page.ResultSet.ResultSetMetadata != nil {
			for _, ci := range page.ResultSet.ResultSetMetadata.ColumnInfo {
				header = append(header, aws.ToString(ci.Name))
			}
		}
		for _, r := range page.ResultSet.Rows {
			row := make([]*string, len(r.Data))
			for i, d := range r.Data {
				row[i] = d.VarCharValue
			}
			if first {
				first = false
				if isHeader(row, header) {
					continue
				}
			}
			if err := fn(header, row); err != nil {
				return err
			}
		}
	}
	return nil
}

func isHeader(row []*string, header []string) bool {
	if len(row) != len(header) {
		return false
	}
	for i, v := range row {
		if v == nil || *v != header[i] {
			return false
		}
	}
	return true
}
