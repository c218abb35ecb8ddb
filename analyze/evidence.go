package analyze

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/trails"
)

// EvidenceOptions say where the evidence besides the stored rollup comes
// from.
type EvidenceOptions struct {
	// SCPFiles are service control policy files that apply to every
	// principal, on top of the stored organisation's SCP chain.
	SCPFiles []string
	// TrailsFile is a trail configuration file; empty means the newest
	// stored per account.
	TrailsFile string
}

// Check reads the files o names, so that one that cannot be read or
// parsed is a usage error (option.Error) naming its flag before anything
// runs, not a failure once the database is read.
func (o EvidenceOptions) Check() error {
	if o.TrailsFile != "" {
		if _, err := trails.ParseFile(o.TrailsFile); err != nil {
			return option.Errorf("--trails: %w", err)
		}
	}
	if _, err := authz.ParseSCPFiles(o.SCPFiles); err != nil {
		return option.Errorf("--scp: %w", err)
	}
	return nil
}

// LoadEvidence reads the newest authorization snapshot per account, the
// current catalog (nil when none is loaded), the trail configuration and the
// SCPs.
func LoadEvidence(ctx context.Context, db *store.DB, o EvidenceOptions, log *slog.Logger) (Evidence, error) {
	var ev Evidence
	inv, used, err := authz.LoadLatestPerAccount(ctx, db)
	if err != nil {
		return ev, err
	}
	ev.Inventory = inv
	if len(used) > 0 {
		ev.AuthzSnapshot = used[0].ID
	}
	if ev.Catalog, err = catalog.LoadCurrentOrNil(ctx, db, log); err != nil {
		return ev, err
	}
	if o.TrailsFile != "" {
		if ev.Trails, err = trails.ParseFile(o.TrailsFile); err != nil {
			return ev, err
		}
	} else if ev.Trails, ev.TrailsID, err = trails.LoadLatestPerAccount(ctx, db); err != nil {
		return ev, err
	}
	if !ev.Trails.Known {
		log.Warn("trail configuration unknown: data events are assumed not logged; load it with 'iamtrim ingest trails'")
	}
	switch ev.Org, ev.OrgID, err = org.LoadLatest(ctx, db); {
	case errors.Is(err, org.ErrNone):
		err = nil
	case err != nil:
		return ev, err
	default:
		for _, p := range ev.Org.Problems {
			log.Warn("stored organisation: "+p, "org", ev.OrgID)
		}
		c := ev.Org.Counts()
		log.Info("organisation: SCP chains applied per account", "org", ev.OrgID, "accounts", c.Accounts, "scps", c.SCPs, "rcps", c.RCPs)
	}
	if ev.SCPs, err = authz.ParseSCPFiles(o.SCPFiles); err != nil {
		return ev, err
	}
	return ev, nil
}

// Prepare loads the evidence, and sets opts.AsOf to the newest day with
// logs (opts.Now when there are none) unless it is set.
func Prepare(ctx context.Context, db *store.DB, o EvidenceOptions, opts *Options, log *slog.Logger) (Evidence, error) {
	ev, err := LoadEvidence(ctx, db, o, log)
	if err != nil {
		return ev, err
	}
	if opts.AsOf.IsZero() {
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		if opts.AsOf, err = NewestLogDay(ctx, db, now); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// NewExpander returns an authz.Expander for ev: its catalog, the stored
// organisation's SCP chain of each principal's account, and the SCP files
// on top for every principal.
func (ev Evidence) NewExpander() *authz.Expander {
	x := authz.NewExpander(ev.Catalog, ev.SCPs)
	if ev.Org != nil {
		x.WithChains(ev.Org)
	}
	return x
}

// NewestLogDay is the last day with ingested logs, or now when there are
// none.
func NewestLogDay(ctx context.Context, db *store.DB, now time.Time) (time.Time, error) {
	d, err := queries.NewestLogDay(ctx, db)
	if err != nil {
		return time.Time{}, err
	}
	if d == nil {
		return now.UTC(), nil
	}
	return *d, nil
}
