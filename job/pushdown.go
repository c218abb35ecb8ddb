package job

import (
	"context"
	"log/slog"
	"strings"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/athenasrc"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/lakesrc"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/store"
)

// PushdownSource is what `ingest athena` and `ingest lake` query: the
// query (its Dialect says which engine), the engine's options, and the
// AWS credentials (AWS.STSEndpoint serves --assume-role).
type PushdownSource struct {
	Query  pushdown.Query
	Athena athenasrc.Options
	Lake   lakesrc.Options
	AWS    awsconf.Options
	// ObjectPrefixDepth and MaxResources bound the rollup as in
	// ingest.Options.
	ObjectPrefixDepth, MaxResources int
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
	opts := ingest.PushdownOptions{Query: src.Query, ObjectPrefixDepth: src.ObjectPrefixDepth, MaxResources: src.MaxResources}
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
