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
	"github.com/iamtrim/iamtrim/policy"
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

	// What Check read, so that each file is parsed once.
	checked bool
	scps    []policy.NamedPolicy
	trails  *trails.Config
}

// CheckPaths checks that every file o names can be opened: one that
// cannot is a usage error naming its flag (--scp, --trails) or, through
// option.Keyed, its configuration key (scps).
func (o *EvidenceOptions) CheckPaths() error {
	if o.TrailsFile != "" {
		if err := option.InputFile("trails", "", o.TrailsFile); err != nil {
			return err
		}
	}
	for _, p := range o.SCPFiles {
		if err := option.InputFile("scp", "scps", p); err != nil {
			return err
		}
	}
	return nil
}

// Check reads the files o names before anything runs, and keeps what it
// read for LoadEvidence: a file that cannot be opened is a usage error
// (CheckPaths); one that opens but does not hold a trail configuration or
// service control policies is a rejected input (reject.Input, exit 3)
// naming its flag or key.
func (o *EvidenceOptions) Check() error {
	o.checked = false
	if err := o.CheckPaths(); err != nil {
		return err
	}
	o.trails = nil
	if o.TrailsFile != "" {
		t, err := trails.ParseFile(o.TrailsFile)
		if err != nil {
			return &option.Named{Flag: "trails", Err: err}
		}
		o.trails = t
	}
	scps, err := authz.ParseSCPFiles(o.SCPFiles)
	if err != nil {
		return &option.Named{Flag: "scp", Key: "scps", Err: err}
	}
	o.scps, o.checked = scps, true
	return nil
}

// TrailsConfig is the trail configuration of TrailsFile (nil when it is
// empty), as Check read it.
func (o *EvidenceOptions) TrailsConfig() (*trails.Config, error) {
	if o.TrailsFile == "" {
		return nil, nil
	}
	if o.checked {
		return o.trails, nil
	}
	return trails.ParseFile(o.TrailsFile)
}

// SCPs are the policies of SCPFiles, as Check read them.
func (o *EvidenceOptions) SCPs() ([]policy.NamedPolicy, error) {
	if o.checked {
		return o.scps, nil
	}
	return authz.ParseSCPFiles(o.SCPFiles)
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
		if ev.Trails, err = o.TrailsConfig(); err != nil {
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
	if ev.SCPs, err = o.SCPs(); err != nil {
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
