package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/trails"
)

// authzSource is where `ingest authz` and the nightly job read the
// authorization inventory from: files, or live IAM (once per role to
// assume, or with the base credentials).
type authzSource struct {
	files       []string
	aws         bool
	iam         iamsrc.Options
	assumeRoles []string
	externalID  string
}

// read returns the merged inventory and a source label. partial names the
// inputs that were rejected while others were read; err means nothing was.
func (s authzSource) read(ctx context.Context, log *slog.Logger) (inv *authz.Inventory, source string, partial, err error) {
	if s.aws {
		accounts := []iamsrc.Account{{}}
		if len(s.assumeRoles) > 0 {
			accounts = accounts[:0]
			for _, r := range s.assumeRoles {
				accounts = append(accounts, iamsrc.Account{AssumeRole: r, ExternalID: s.externalID})
			}
		}
		inv, err = iamsrc.FetchAccounts(ctx, s.iam, accounts, log)
		if err != nil {
			if inv == nil || len(inv.Accounts) == 0 {
				return nil, "", nil, err
			}
			partial = err
		}
		return inv, "iam:GetAccountAuthorizationDetails", partial, nil
	}
	var invs []*authz.Inventory
	var bad []string
	for _, path := range s.files {
		one, err := authz.ParseFile(path)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		invs = append(invs, one)
	}
	if len(invs) == 0 {
		return nil, "", nil, errors.New(strings.Join(bad, "\n"))
	}
	if len(bad) > 0 {
		partial = errors.New(strings.Join(bad, "\n"))
	}
	return authz.Merge(invs...), strings.Join(s.files, ","), partial, nil
}

// trailsSource is where the trail configuration is read from: a saved
// file, or live DescribeTrails and GetEventSelectors.
type trailsSource struct {
	file                                  string
	aws                                   bool
	profile, assumeRole, region, endpoint string
}

func (s trailsSource) read(ctx context.Context) (*trails.Config, error) {
	if !s.aws {
		return trails.ParseFile(s.file)
	}
	cfg, err := awsconf.Load(ctx, awsconf.Options{Profile: s.profile, AssumeRole: s.assumeRole, Region: s.region})
	if err != nil {
		return nil, err
	}
	client := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
		if s.endpoint != "" {
			o.BaseEndpoint = aws.String(s.endpoint)
		}
	})
	return trails.Fetch(ctx, client)
}
