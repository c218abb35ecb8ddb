package main

import (
	"errors"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/trim"
	"github.com/spf13/cobra"
)

func (a *app) trimCmd() *cobra.Command {
	var (
		ev   evidenceFlags
		o    trim.Options
		gen  = recommend.DefaultGeneralize
		maxA string
	)
	c := &cobra.Command{
		Use:   "trim ROLE",
		Short: "One role trimmed in one command: its policies, its logs, its proven recommendation",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			opts, err := ev.options(a.now())
			if err != nil {
				return err
			}
			o.Principal = args[0]
			o.Analyze = opts
			o.SCPFiles = ev.scpFiles
			o.TrailsFile = ev.trailsFile
			o.Recommend.Generalize = &gen
			o.Stdout, o.Stderr = a.stdout, a.stderr
			o.Now = a.now
			if o.CatalogMaxAge, err = period.Parse(maxA); err != nil {
				return usageErr("--catalog-max-age %v", err)
			}
			if err := o.Validate(); err != nil {
				return usageErr("--%v", err)
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = trim.Run(ctx, db, o, a.log)
			var rejected *job.RejectedError
			switch {
			case errors.Is(err, recommend.ErrSplitPolicy):
				return usageErr("%v", err)
			case errors.As(err, &rejected):
				return &exitErr{code: exitRejected, err: err}
			}
			return err
		},
	}
	ev.register(c)
	f := c.Flags()
	f.StringVar(&o.AuthzFile, "authz", "", "authorization-details file (aws iam get-account-authorization-details) instead of reading the role live")
	f.StringVar(&o.Logs, "logs", "", "CloudTrail logs: a directory, s3://BUCKET/PREFIX or api (default: the bucket of the account's trail)")
	f.StringVar(&o.Catalog, "catalog", trim.CatalogUpdate, "action catalog: update (AWS's Service Reference, cached) or a directory in its layout")
	f.StringVar(&o.CatalogURL, "catalog-url", "", "Service Reference endpoint for --catalog update (default AWS's)")
	f.StringVar(&o.CatalogCacheDir, "catalog-cache-dir", "", "cache of --catalog update (default: the user cache directory/iamtrim/service-reference)")
	f.StringVar(&maxA, "catalog-max-age", "7d", "refresh the stored catalog when older than this")
	f.StringVar(&o.Format, "format", "diff", "json, policy, terraform or diff")
	f.StringVarP(&o.Output, "output", "o", "", "write the recommendation to FILE (the diff still goes to stdout)")
	f.StringVar(&o.Recommend.Unobservable, "unobservable", recommend.UnobservableKeep, "unobservable actions: keep, list or drop (as recommend)")
	f.StringVar(&o.AWS.Profile, "profile", "", "AWS shared-config profile")
	f.StringVar(&o.AWS.Region, "region", "", "AWS region (the API's region for --logs api)")
	f.StringVar(&o.AWS.Endpoint, "endpoint-url", "", "one endpoint for IAM, STS, S3 and CloudTrail (local stacks, tests)")
	return c
}
