// Package awsconf loads the AWS configuration the CloudTrail sources share
// (ingest/s3src, ingest/apisrc): the SDK's standard credential chain
// (environment, shared config and credentials files, SSO, container and
// instance roles), optionally a named profile, optionally a role assumed on
// top of it, and a retryer that backs off on throttling.
package awsconf

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultRegion is used when neither the options, the environment nor the
// profile name a region.
const DefaultRegion = "us-east-1"

// Options say which credentials to use.
type Options struct {
	// Profile is a shared-config profile (--profile); empty uses the
	// default chain (AWS_PROFILE included).
	Profile string
	// AssumeRole is a role ARN (--assume-role) assumed with the base
	// credentials through STS.
	AssumeRole string
	// Region overrides the configured region.
	Region string
	// STSEndpoint overrides the STS endpoint (tests, local stacks).
	STSEndpoint string
	// MaxAttempts bounds attempts per request, retries included; 0 means 10.
	MaxAttempts int
	// MaxBackoff caps the delay between attempts; 0 means 20s.
	MaxBackoff time.Duration
	// HTTPClient replaces the SDK's default client when set.
	HTTPClient *http.Client
	// Log receives a line at info for each retry; nil logs nothing.
	Log *slog.Logger
}

// Load returns the configuration for opts.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	attempts := opts.MaxAttempts
	if attempts <= 0 {
		attempts = 10
	}
	maxBackoff := opts.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	lo := RetryOptions(attempts, maxBackoff, opts.Log)
	if opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	if opts.HTTPClient != nil {
		lo = append(lo, config.WithHTTPClient(opts.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration (check --profile and AWS_PROFILE): %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if opts.AssumeRole != "" {
		client := sts.NewFromConfig(cfg, func(o *sts.Options) {
			if opts.STSEndpoint != "" {
				o.BaseEndpoint = aws.String(opts.STSEndpoint)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, opts.AssumeRole,
			func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "iamtrim-ingest" }))
	}
	return cfg, nil
}
