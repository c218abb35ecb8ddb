package awsconf

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
)

// RetryOptions are the SDK load options every AWS client of iamtrim uses
// for retries (S3, the CloudTrail API, CloudTrail trails, IAM, STS): the
// standard retryer with attempts tries per request and backoff capped at
// maxBackoff, without the client-side retry quota (which would turn a long
// run of throttling into hard failures), and, when log is not nil, a line
// at info for each retry naming the service, the operation, the attempt
// and why, before the back-off wait.
func RetryOptions(attempts int, maxBackoff time.Duration, log *slog.Logger) []func(*config.LoadOptions) error {
	newRetryer := func() aws.RetryerV2 {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			if maxBackoff > 0 {
				o.MaxBackoff = maxBackoff
			}
			o.RateLimiter = ratelimit.None
		})
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer() }),
	}
	if log != nil {
		classify := newRetryer() // stateless: IsErrorRetryable and MaxAttempts only
		opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{
			func(st *middleware.Stack) error { return addRetryLog(st, classify, log) },
		}))
	}
	return opts
}

type attemptKey struct{}

// addRetryLog counts a request's attempts (a counter put in the context
// before the SDK's Retry step, incremented in each attempt after it) and
// logs an attempt's failure when the retryer will try again.
func addRetryLog(st *middleware.Stack, r aws.RetryerV2, log *slog.Logger) error {
	count := middleware.FinalizeMiddlewareFunc("iamtrimAttemptCount", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		return next.HandleFinalize(context.WithValue(ctx, attemptKey{}, new(int)), in)
	})
	if err := st.Finalize.Insert(count, "Retry", middleware.Before); err != nil {
		return err
	}
	logRetry := middleware.FinalizeMiddlewareFunc("iamtrimRetryLog", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		n, ok := ctx.Value(attemptKey{}).(*int)
		if !ok {
			return out, md, err
		}
		*n++
		if err != nil && *n < r.MaxAttempts() && r.IsErrorRetryable(err) && ctx.Err() == nil {
			log.Info("AWS call failed, retrying", "service", awsmiddleware.GetServiceID(ctx), "operation", awsmiddleware.GetOperationName(ctx),
				"attempt", *n, "of", r.MaxAttempts(), "err", err)
		}
		return out, md, err
	})
	return st.Finalize.Insert(logRetry, "Retry", middleware.After)
}
