// Package lakesrc runs the query of ingest/pushdown on a CloudTrail Lake
// event data store for `iamtrim ingest lake`: StartQuery, DescribeQuery
// polled with backoff until the status leaves QUEUED and RUNNING (FINISHED,
// or FAILED, CANCELLED and TIMED_OUT with the engine's message), and
// GetQueryResults paged. It implements ingest.Engine.
package lakesrc

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
)

// Options configure a Client.
type Options struct {
	// EventDataStore is the event data store's ARN or ID.
	EventDataStore string
	// Endpoint overrides the CloudTrail endpoint (tests, local stacks).
	Endpoint string
	// Poll sets the wait between DescribeQuery calls and the results page size.
	Poll   pushdown.Poll
	Logger *slog.Logger
}

// Client runs queries on one event data store.
type Client struct {
	api  *cloudtrail.Client
	opts Options
	log  *slog.Logger
}

var _ ingest.Engine = (*Client)(nil)

// New returns a Client using cfg's credentials and region (the event data
// store's region).
func New(cfg aws.Config, opts Options) *Client {
	opts.Poll = opts.Poll.WithDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	api := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	return &Client{api: api, opts: opts, log: log}
}

// Start starts the query.
func (c *Client) Start(ctx context.Context, sql string) (string, error) {
	out, err := c.api.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
	if err != nil {
		return "", fmt.Errorf("start query: %w", err)
	}
	return aws.ToString(out.QueryId), nil
}

// Wait polls the query's status until it ends; it returns at once when
// ctx ends (the query goes on and a later run resumes it).
func (c *Client) Wait(ctx context.Context, id string) (ingest.QueryStats, error) {
	sleep := c.opts.Poll.Backoff()
	var st ingest.QueryStats
	for {
		out, err := c.api.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{EventDataStore: aws.String(c.opts.EventDataStore), QueryId: aws.String(id)})
		if err != nil {
			return st, fmt.Errorf("describe query %s: %w", id, err)
		}
		if out.QueryStatistics != nil {
			st.BytesScanned = aws.ToInt64(out.QueryStatistics.BytesScanned)
		}
		switch out.QueryStatus {
		case types.QueryStatusFinished:
			return st, nil
		case types.QueryStatusFailed, types.QueryStatusCancelled, types.QueryStatusTimedOut:
			return st, &pushdown.QueryError{Engine: "lake", ID: id, State: string(out.QueryStatus), Reason: aws.ToString(out.ErrorMessage)}
		case types.QueryStatusQueued, types.QueryStatusRunning:
		default:
			return st, fmt.Errorf("query %s: unknown status %q", id, out.QueryStatus)
		}
		c.log.Debug("query running", "query_id", id, "status", string(out.QueryStatus), "bytes_scanned", st.BytesScanned)
		if err := sleep(ctx); err != nil {
			return st, err
		}
	}
}

// Results pages through the result. CloudTrail Lake gives each row as
// one {column: value} map per column; the header is the model's columns
// and each row's values are matched to them by name (a column missing
// from a row is NULL).
func (c *Client) Results(ctx context.Context, id string, fn func(header []string, row []*string) error) error {
	header := pushdown.Columns()
	pos := map[string]int{}
	for i, h := range header {
		pos[h] = i
	}
	p := cloudtrail.NewGetQueryResultsPaginator(c.api, &cloudtrail.GetQueryResultsInput{
		QueryId: aws.String(id), MaxQueryResults: aws.Int32(c.opts.Poll.PageSize),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("get query results %s: %w", id, err)
		}
		if page.QueryStatus != "" && page.QueryStatus != types.QueryStatusFinished {
			return &pushdown.QueryError{Engine: "lake", ID: id, State: string(page.QueryStatus), Reason: aws.ToString(page.ErrorMessage)}
		}
		for _, r := range page.QueryResultRows {
			row := make([]*string, len(header))
			for _, cell := range r {
				for k, v := range cell {
					if i, ok := pos[strings.ToLower(k)]; ok {
						v := v
						row[i] = &v
					}
				}
			}
			if err := fn(header, row); err != nil {
				return err
			}
		}
	}
	return nil
}
