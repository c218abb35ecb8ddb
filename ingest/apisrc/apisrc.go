// Package apisrc reads CloudTrail events through the CloudTrail API
// (LookupEvents) for package ingest: the last 90 days of management events,
// per region, without a trail or an S3 bucket.
//
// LookupEvents allows 2 requests per second per account and region; a
// token bucket per region (golang.org/x/time/rate) is waited on before every
// attempt, retries included, and throttling answers are retried with
// exponential backoff by the SDK's standard retryer (see ingest/awsconf).
package apisrc

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Retention is how far back LookupEvents reaches.
const Retention = 90 * 24 * time.Hour

// Options configure a Client.
type Options struct {
	// Endpoint overrides the CloudTrail and STS endpoints (tests).
	Endpoint string
	// RatePerSecond is the request rate per region; 0 means 2, the
	// LookupEvents quota.
	RatePerSecond float64
	// PageSize is MaxResults; 0 means 50, the maximum.
	PageSize int32
	Logger   *slog.Logger
}

// Client looks up events in any number of regions of one account.
type Client struct {
	cfg  aws.Config
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	regional map[string]*cloudtrail.Client
}

// New returns a Client using cfg's credentials.
func New(cfg aws.Config, opts Options) *Client {
	if opts.RatePerSecond <= 0 {
		opts.RatePerSecond = 2
	}
	if opts.PageSize <= 0 || opts.PageSize > 50 {
		opts.PageSize = 50
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, opts: opts, log: log, regional: map[string]*cloudtrail.Client{}}
}

// Region is the configured default region.
func (c *Client) Region() string { return c.cfg.Region }

// AccountID asks STS which account the credentials belong to.
func (c *Client) AccountID(ctx context.Context) (string, error) {
	client := sts.NewFromConfig(c.cfg, func(o *sts.Options) {
		if c.opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.opts.Endpoint)
		}
	})
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("get caller identity: %w", err)
	}
	return aws.ToString(out.Account), nil
}

// client returns the region's CloudTrail client, with its rate limiter.
func (c *Client) client(region string) *cloudtrail.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.regional[region]; ok {
		return cl
	}
	lim := rate.NewLimiter(rate.Limit(c.opts.RatePerSecond), 1)
	wait := middleware.FinalizeMiddlewareFunc("iamtrimRegionRateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if err := lim.Wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleFinalize(ctx, in)
		})
	cl := cloudtrail.NewFromConfig(c.cfg, func(o *cloudtrail.Options) {
		o.Region = region
		if c.opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.opts.Endpoint)
		}
		// After the retry middleware, so that every attempt waits its turn.
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Insert(wait, "Retry", middleware.After)
		})
	})
	c.regional[region] = cl
	return cl
}

// Lookup calls fn with the raw JSON of every event in region with an event
// time in [start, end), page by page, newest first as the API returns them.
// It returns the number of events passed to fn.
func (c *Client) Lookup(ctx context.Context, region string, start, end time.Time, fn func(raw []byte) error) (int, error) {
	pg := cloudtrail.NewLookupEventsPaginator(c.client(region), &cloudtrail.LookupEventsInput{
		StartTime:  aws.Time(start),
		EndTime:    aws.Time(end),
		MaxResults: aws.Int32(c.opts.PageSize),
	})
	n, pages := 0, 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("lookup events in %s from %s to %s: %w", region, start.Format(time.RFC3339), end.Format(time.RFC3339), err)
		}
		pages++
		for _, ev := range out.Events {
			raw := aws.ToString(ev.CloudTrailEvent)
			if raw == "" {
				continue
			}
			// LookupEvents' EndTime is inclusive; keep the window half-open.
			if ev.EventTime != nil && !ev.EventTime.Before(end) {
				continue
			}
			n++
			if err := fn([]byte(raw)); err != nil {
				return n, err
			}
		}
	}
	c.log.Debug("looked up events", "region", region, "start", start, "end", end, "events", n, "pages", pages)
	return n, nil
}
