package trim

import (
	"errors"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/spf13/pflag"
)

// Flags are the flags of `iamtrim trim`: Options, with the evidence and
// the catalog's age as written.
type Flags struct {
	Evidence      analyze.Flags
	Options       Options
	CatalogMaxAge string
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	o := &f.Options
	f.Evidence.AddFlags(fs)
	fs.StringVar(&o.AuthzFile, "authz", "", "authorization-details file (aws iam get-account-authorization-details) instead of reading the role live")
	fs.StringVar(&o.Logs, "logs", "", "CloudTrail logs: a directory, s3://BUCKET/PREFIX or api (default: the bucket of the account's trail)")
	fs.StringVar(&o.Catalog, "catalog", CatalogUpdate, "action catalog: update (AWS's Service Reference, cached) or a directory in its layout")
	fs.StringVar(&o.CatalogURL, "catalog-url", "", "Service Reference endpoint for --catalog update (default AWS's)")
	fs.StringVar(&o.CatalogCacheDir, "catalog-cache-dir", "", "cache of --catalog update (default: the user cache directory/iamtrim/service-reference)")
	fs.StringVar(&f.CatalogMaxAge, "catalog-max-age", "7d", "refresh the stored catalog when older than this")
	fs.StringVar(&o.Format, "format", "diff", "json, policy, terraform or diff")
	fs.StringVarP(&o.Output, "output", "o", "", "write the recommendation to FILE (the diff still goes to stdout)")
	fs.StringVar(&o.Recommend.Unobservable, "unobservable", recommend.UnobservableKeep, "unobservable actions: keep, list or drop (as recommend)")
	fs.StringVar(&o.AWS.Profile, "profile", "", "AWS shared-config profile")
	fs.StringVar(&o.AWS.Region, "region", "", "AWS region (the API's region for --logs api)")
	fs.StringVar(&o.AWS.Endpoint, "endpoint-url", "", "one endpoint for IAM, STS, S3 and CloudTrail (local stacks, tests)")
}

// Complete checks the flags and returns the options that trim principal,
// with now as the clock.
func (f *Flags) Complete(principal string, now func() time.Time) (Options, error) {
	o := f.Options
	var err error
	if o.Analyze, err = f.Evidence.Options(now()); err != nil {
		return o, err
	}
	o.Principal, o.Now = principal, now
	o.SCPFiles, o.TrailsFile = f.Evidence.Evidence.SCPFiles, f.Evidence.Evidence.TrailsFile
	ev := f.Evidence.Evidence // as Options read the files, each parsed once
	o.evidence = &ev
	gen := recommend.DefaultGeneralize
	o.Recommend.Generalize = &gen
	if o.CatalogMaxAge, err = period.Parse(f.CatalogMaxAge); err != nil {
		return o, option.Errorf("--catalog-max-age %v", err)
	}
	if err := o.Validate(); errors.As(err, new(*option.Named)) {
		return o, err // named by its flag
	} else if err != nil {
		return o, option.Errorf("--%v", err)
	}
	if err := option.OutputPath(o.Output, false); err != nil {
		return o, err
	}
	return o, nil
}
