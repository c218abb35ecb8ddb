package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/lastaccessaws"
	"github.com/iamtrim/iamtrim/lastaccess"
	"github.com/iamtrim/iamtrim/store"
)

// LastAccessedSource is where `ingest lastaccessed` and the nightly job read
// IAM last-accessed data from: files (one principal each) or live IAM.
type LastAccessedSource struct {
	Files []string
	AWS   bool
	// Principals limits the AWS source to these principals (ARN or name);
	// files whose principal is not among them are skipped.
	Principals []string
	AWSOptions lastaccessaws.Options
}

// LastAccessedSummary is what an ingest of last-accessed data did.
type LastAccessedSummary struct {
	Stored, Unchanged, Resumed, Skipped int
	// Rejected are the files or principals whose data was not stored,
	// each naming the file (or principal) and entry.
	Rejected []error
}

// IngestLastAccessed reads last-accessed data for the principals of the
// newest authorization snapshot per account and stores each principal's as
// a snapshot. A file or principal that fails is in Rejected; the rest is
// stored. err is returned only when nothing could be attempted (no
// inventory, a --principal that names nothing, a database error).
func IngestLastAccessed(ctx context.Context, db *store.DB, src LastAccessedSource, log *slog.Logger) (LastAccessedSummary, error) {
	var sum LastAccessedSummary
	inv, _, err := authz.LoadLatestPerAccount(ctx, db)
	if err != nil {
		return sum, err
	}
	principals := inv.Principals()
	if len(principals) == 0 {
		return sum, authz.ErrNoSnapshot
	}
	var only map[string]bool
	if len(src.Principals) > 0 {
		only = map[string]bool{}
		var named []authz.Principal
		for _, name := range src.Principals {
			p, err := authz.ResolvePrincipal(principals, name)
			if err != nil {
				return sum, err
			}
			if !only[p.ARN] {
				only[p.ARN] = true
				named = append(named, p)
			}
		}
		if src.AWS {
			principals = named
		}
	}
	if src.AWS {
		res, err := lastaccessaws.Fetch(ctx, db, principals, src.AWSOptions, log)
		sum.Stored, sum.Unchanged, sum.Resumed, sum.Rejected = res.Stored, res.Unchanged, res.Resumed, res.Failed
		return sum, err
	}
	reports, errs := lastaccess.ReadFiles(src.Files, principals)
	sum.Rejected = errs
	for _, r := range reports {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if only != nil && !only[r.PrincipalARN] {
			sum.Skipped++
			continue
		}
		_, created, err := lastaccess.Save(ctx, db, r)
		if err != nil {
			return sum, err
		}
		if created {
			sum.Stored++
		} else {
			sum.Unchanged++
		}
		log.Debug("last-accessed data", "file", r.Source, "principal", r.PrincipalARN, "new", created)
	}
	return sum, nil
}

// Error joins the rejected inputs, or nil.
func (s LastAccessedSummary) Error() error {
	if len(s.Rejected) == 0 {
		return nil
	}
	return fmt.Errorf("%d last-accessed inputs were rejected, the rest was stored:\n%w", len(s.Rejected), errors.Join(s.Rejected...))
}
