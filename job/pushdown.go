package job

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/athenasrc"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/lakesrc"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/spf13/pflag"
)

// PushdownSource is what `ingest athena` and `ingest lake` query: the
// query (its Dialect says which engine), the engine's options, and the
// AWS credentials (AWS.STSEndpoint serves --assume-role).
type PushdownSource struct {
	Query  pushdown.Query
	Athena athenasrc.Options
	Lake   lakesrc.Options
	AWS    awsconf.Options
	// Bounds bound the rollup as ingest.Options.Bounds does.
	Bounds queries.RollupBounds
}

// IngestPushdown runs (or resumes) the query on Athena or CloudTrail Lake
// and adds its groups to the rollups with the current catalog's Mapper.
func IngestPushdown(ctx context.Context, db *store.DB, src PushdownSource, log *slog.Logger) (ingest.PushdownSummary, error) {
	if err := src.Query.Validate(); err != nil {
		return ingest.PushdownSummary{}, err
	}
	mapperCat, err := mapperCatalog(ctx, db, log)
	if err != nil {
		return ingest.PushdownSummary{}, err
	}
	src.AWS.Log = log
	cfg, err := awsconf.Load(ctx, src.AWS)
	if err != nil {
		return ingest.PushdownSummary{}, err
	}
	opts := ingest.PushdownOptions{Query: src.Query, Bounds: &src.Bounds}
	switch src.Query.Dialect {
	case pushdown.Lake:
		src.Lake.Logger = log
		src.Lake.EventDataStore = src.Query.EventDataStore
		// The ledger knows the store by its ID, whether it was named by
		// ARN or ID, so that windows of one store are compared.
		id := src.Query.EventDataStore[strings.LastIndexByte(src.Query.EventDataStore, '/')+1:]
		opts.Source, opts.Target, opts.Engine = "lake", id, lakesrc.New(cfg, src.Lake)
	default:
		src.Athena.Logger = log
		src.Athena.Database = src.Query.Database
		opts.Source, opts.Target, opts.Engine = "athena", src.Query.Database+"."+src.Query.Table, athenasrc.New(cfg, src.Athena)
	}
	return ingest.RunPushdown(ctx, db, mapperCat, opts, log)
}

// WriteQuery writes the query's SQL to w, for a person to review it or
// estimate its cost.
func (s PushdownSource) WriteQuery(w io.Writer) error {
	sql, err := s.Query.SQL()
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, sql)
	return err
}

// PushdownFlags are the flags of `ingest athena` and `ingest lake`.
type PushdownFlags struct {
	ingest.Flags
	Source PushdownSource
	// PrintQuery prints the query instead of running it.
	PrintQuery   bool
	partitioning string
}

// NewPushdownFlags returns the flags of the engine d queries.
func NewPushdownFlags(d pushdown.Dialect) *PushdownFlags {
	p := &PushdownFlags{Flags: ingest.Flags{Window: true}}
	p.Source.Query.Dialect = d
	return p
}

// AddFlags registers the flags with their defaults.
func (p *PushdownFlags) AddFlags(fs *pflag.FlagSet) {
	s := &p.Source
	if s.Query.Dialect == pushdown.Lake {
		fs.StringVar(&s.Query.EventDataStore, "event-data-store", "", "the event data store's ARN or ID")
	} else {
		fs.StringVar(&s.Query.Database, "database", "", "Athena database of the CloudTrail table")
		fs.StringVar(&s.Query.Table, "table", "", "the CloudTrail table (as AWS documents it)")
		fs.StringVar(&s.Athena.Workgroup, "workgroup", "primary", "Athena workgroup")
		fs.StringVar(&s.Athena.OutputLocation, "output-location", "", "s3:// location for the query result (default: the workgroup's)")
		fs.StringVar(&p.partitioning, "partitioning", string(pushdown.Projection), "how the table is partitioned: projection (timestamp), region-ymd (region, year, month, day) or none")
		fs.Int64Var(&s.Athena.MaxScanBytes, "max-scan-bytes", 0, "stop the query once it has scanned more than this many bytes (0: no limit)")
	}
	fs.StringSliceVar(&s.Query.Regions, "event-region", nil, "only events of these regions (awsRegion)")
	fs.StringSliceVar(&s.Query.Accounts, "account", nil, "only events logged for these accounts (recipientAccountId)")
	fs.StringVar(&s.AWS.Profile, "profile", "", "AWS shared-config profile")
	fs.StringVar(&s.AWS.Region, "region", "", "AWS region of the engine (default: the profile's or AWS_REGION)")
	fs.StringVar(&s.AWS.AssumeRole, "assume-role", "", "role ARN to assume")
	fs.BoolVar(&p.PrintQuery, "print-query", false, "print the query and exit, without running it (to review it or estimate its cost)")
	p.Flags.AddFlags(fs)
}

// Complete checks the flags and returns the source to query, the window
// counted back from now.
func (p *PushdownFlags) Complete(now time.Time) (PushdownSource, error) {
	s := p.Source
	if s.Query.Dialect == pushdown.Athena {
		s.Query.Partitioning = pushdown.Partitioning(p.partitioning)
		if s.Athena.MaxScanBytes < 0 {
			return s, option.Errorf("--max-scan-bytes %d: want 0 (no limit) or more", s.Athena.MaxScanBytes)
		}
	}
	if err := awsconf.CheckAssumeRole(s.AWS.AssumeRole); err != nil {
		return s, option.Invalid(err)
	}
	var err error
	if s.Query.Since, s.Query.Until, err = p.Parse(now); err != nil {
		return s, err
	}
	s.Bounds = p.Bounds
	s.Query.ObjectPrefixDepth = p.Bounds.ObjectPrefixDepth // as RunPushdown runs it
	s.AWS.STSEndpoint = p.EndpointURL
	s.Athena.Endpoint, s.Lake.Endpoint = p.EndpointURL, p.EndpointURL
	return s, option.Invalid(s.Query.Validate())
}
