package job

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	ctrail "github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/ingest/orgsrc"
	"github.com/iamtrim/iamtrim/internal/coreshare"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trails"
)

// AuthzSource is where `ingest authz` and the nightly job read the
// authorization inventory from: files, or live IAM (once per role to
// assume, or with the base credentials).
type AuthzSource struct {
	Files       []string
	AWS         bool
	IAM         iamsrc.Options
	AssumeRoles []string
	ExternalID  string
}

// Read returns the merged inventory and a source label. partial names the
// inputs that were rejected while others were read; err means nothing was.
func (s AuthzSource) Read(ctx context.Context, log *slog.Logger) (inv *authz.Inventory, source string, partial, err error) {
	if s.AWS {
		accounts := []iamsrc.Account{{}}
		if len(s.AssumeRoles) > 0 {
			accounts = accounts[:0]
			for _, r := range s.AssumeRoles {
				accounts = append(accounts, iamsrc.Account{AssumeRole: r, ExternalID: s.ExternalID})
			}
		}
		inv, err = iamsrc.FetchAccounts(ctx, s.IAM, accounts, log)
		if err != nil {
			if inv == nil || len(inv.Accounts) == 0 {
				return nil, "", nil, err
			}
			partial = err
		}
		if len(inv.Rejected) > 0 {
			partial = errors.Join(partial, errors.New(strings.Join(inv.Rejected, "\n")))
		}
		return inv, "iam:GetAccountAuthorizationDetails", partial, nil
	}
	var invs []*authz.Inventory
	var bad []string
	allRejected := true // every failure a rejected input, not an I/O error
	for _, path := range s.Files {
		one, err := authz.ParseFile(path)
		if err != nil {
			var rej *authz.RejectedError
			allRejected = allRejected && errors.As(err, &rej)
			bad = append(bad, err.Error())
			continue
		}
		invs = append(invs, one)
	}
	if len(invs) == 0 {
		if allRejected {
			return nil, "", nil, &authz.RejectedError{Problems: bad}
		}
		return nil, "", nil, errors.New(strings.Join(bad, "\n"))
	}
	inv = authz.Merge(invs...)
	// Values and policy documents rejected beside readable ones.
	bad = append(bad, inv.Rejected...)
	if len(bad) > 0 {
		partial = errors.New(strings.Join(bad, "\n"))
	}
	return inv, strings.Join(s.Files, ","), partial, nil
}

// TrailsSource is where the trail configuration is read from: a saved
// file, or live DescribeTrails and GetEventSelectors.
type TrailsSource struct {
	File                                     string
	AWS                                      bool
	Profile, AssumeRole, Region, EndpointURL string
	Log                                      *slog.Logger // retries at info; nil logs nothing
}

// Read returns the trail configuration.
func (s TrailsSource) Read(ctx context.Context) (*trails.Config, error) {
	if !s.AWS {
		return trails.ParseFile(s.File)
	}
	cfg, err := awsconf.Load(ctx, awsconf.Options{Profile: s.Profile, AssumeRole: s.AssumeRole, Region: s.Region, STSEndpoint: s.EndpointURL, Log: s.Log})
	if err != nil {
		return nil, err
	}
	client := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
		if s.EndpointURL != "" {
			o.BaseEndpoint = aws.String(s.EndpointURL)
		}
	})
	return trails.Fetch(ctx, client)
}

// IngestCloudTrail runs a CloudTrail ingest with the current catalog (if
// any) and the collector tuned for it.
func IngestCloudTrail(ctx context.Context, db *store.DB, opts ingest.Options, log *slog.Logger) (ingest.Summary, error) {
	// Several ingesters on one machine share its cores (see coreshare).
	defer coreshare.Share("", log)()
	mapperCat, err := mapperCatalog(ctx, db, log)
	if err != nil {
		return ingest.Summary{}, err
	}
	defer ingest.TuneGC()()
	return ingest.Run(ctx, db, mapperCat, opts, log)
}

// mapperCatalog is the current catalog for cloudtrail.Mapper: a nil
// *catalog.Catalog (none loaded) must become a nil interface.
func mapperCatalog(ctx context.Context, db *store.DB, log *slog.Logger) (ctrail.Catalog, error) {
	cat, err := catalog.LoadCurrentOrNil(ctx, db, log)
	if err != nil || cat == nil {
		return nil, err
	}
	return cat, nil
}

// OrgSource is where `ingest org` and the nightly job read the
// organisation from: a file (layout org.File), or live AWS Organizations.
type OrgSource struct {
	File string
	AWS  bool
	API  orgsrc.Options
}

// Read returns the organisation; its Problems name the entries that were
// rejected while the rest was read. A *org.RejectedError means nothing
// usable was read.
func (s OrgSource) Read(ctx context.Context, log *slog.Logger) (*org.Org, error) {
	if !s.AWS {
		return org.ParseFile(s.File)
	}
	client, err := orgsrc.New(ctx, s.API, log)
	if err != nil {
		return nil, err
	}
	f, err := orgsrc.Fetch(ctx, client, log)
	if err != nil {
		return nil, err
	}
	return org.Build(*f, "organizations:ListRoots"), nil
}

// LoadOrg reads the organisation from src and stores it (nothing new when
// it is already stored). It returns the snapshot id, whether it was new,
// and the organisation.
func LoadOrg(ctx context.Context, db *store.DB, src OrgSource, log *slog.Logger) (*org.Org, int64, bool, error) {
	o, err := src.Read(ctx, log)
	if err != nil {
		return nil, 0, false, err
	}
	id, created, err := org.Save(ctx, db, o)
	if err != nil {
		return nil, 0, false, err
	}
	return o, id, created, nil
}
