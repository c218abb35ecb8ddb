package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trails"
	"github.com/spf13/cobra"
)

// evidenceFlags are the inputs analyze and recommend share.
type evidenceFlags struct {
	window      string
	asOf        string
	scpFiles    []string
	trailsFile  string
	minCoverage float64
	minDays     int
}

func (f *evidenceFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.window, "window", "90d", "analysis window ending on --as-of, e.g. 90d or 12w")
	f.registerSources(c)
}

// registerSources registers every evidence flag but --window.
func (f *evidenceFlags) registerSources(c *cobra.Command) {
	c.Flags().StringVar(&f.asOf, "as-of", "", "last day of the window, YYYY-MM-DD (default: the newest day with logs, else today)")
	c.Flags().StringArrayVar(&f.scpFiles, "scp", nil, "service control policy JSON file that applies to every principal (repeatable)")
	c.Flags().StringVar(&f.trailsFile, "trails", "", "trail configuration file (default: the one loaded with 'ingest trails'; none means data events are assumed not logged)")
	c.Flags().Float64Var(&f.minCoverage, "min-coverage", analyze.DefaultThresholds.MinCoverage, "least share of the window's days with logs before anything is called unused")
	c.Flags().IntVar(&f.minDays, "min-days", analyze.DefaultThresholds.MinDays, "least number of days with logs before anything is called unused")
}

// load reads the evidence and options an analysis needs.
func (f *evidenceFlags) load(ctx context.Context, a *app, db *store.DB) (analyze.Evidence, analyze.Options, error) {
	var ev analyze.Evidence
	var opts analyze.Options
	days, err := analyze.ParseWindow(f.window)
	if err != nil {
		return ev, opts, usageErr("--window: %v", err)
	}
	opts.WindowDays = days
	opts.Thresholds = analyze.Thresholds{MinCoverage: f.minCoverage, MinDays: f.minDays}
	if f.asOf != "" {
		t, err := time.Parse(time.DateOnly, f.asOf)
		if err != nil {
			return ev, opts, usageErr("--as-of %q: want YYYY-MM-DD", f.asOf)
		}
		opts.AsOf, opts.Now = t, time.Now().UTC()
		if err := opts.Validate(); err != nil {
			return ev, opts, usageErr("--%v", err)
		}
	} else {
		opts.AsOf, err = newestLogDay(ctx, db)
		if err != nil {
			return ev, opts, err
		}
	}
	inv, used, err := authz.LoadLatestPerAccount(ctx, db)
	if err != nil {
		return ev, opts, err
	}
	ev.Inventory = inv
	if len(used) > 0 {
		ev.AuthzSnapshot = used[0].ID
	}
	if ev.Catalog, err = catalog.LoadCurrentOrNil(ctx, db.Pool, a.log); err != nil {
		return ev, opts, err
	}
	if f.trailsFile != "" {
		if ev.Trails, err = trails.ParseFile(f.trailsFile); err != nil {
			return ev, opts, err
		}
	} else if ev.Trails, ev.TrailsID, err = trails.LoadLatestPerAccount(ctx, db.Pool); err != nil {
		return ev, opts, err
	}
	if !ev.Trails.Known {
		a.log.Warn("trail configuration unknown: data events are assumed not logged; load it with 'iamtrim ingest trails'")
	}
	for _, path := range f.scpFiles {
		scps, err := authz.ParseSCPFile(path)
		if err != nil {
			return ev, opts, err
		}
		ev.SCPs = append(ev.SCPs, scps...)
	}
	return ev, opts, nil
}

// analyze loads the evidence and analyzes every principal, or the one
// named (an unknown one is a usage error); noStore skips the snapshot.
func (f *evidenceFlags) analyze(ctx context.Context, a *app, db *store.DB, principal string, noStore bool) (analyze.Evidence, analyze.Options, *analyze.Snapshot, error) {
	evidence, opts, err := f.load(ctx, a, db)
	if err != nil {
		return evidence, opts, nil, err
	}
	opts.Principal, opts.NoStore = principal, noStore
	snap, err := analyze.Run(ctx, db, evidence, opts, a.log)
	if errors.Is(err, analyze.ErrNoPrincipal) {
		return evidence, opts, nil, usageErr("%v", err)
	}
	return evidence, opts, snap, err
}

// newestLogDay is the last day with ingested logs, or today.
func newestLogDay(ctx context.Context, db *store.DB) (time.Time, error) {
	var d *time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT max(day) FROM log_coverage_daily`).Scan(&d); err != nil {
		return time.Time{}, fmt.Errorf("find newest log day: %w", err)
	}
	if d == nil {
		return time.Now().UTC(), nil
	}
	return *d, nil
}

func (a *app) analyzeCmd() *cobra.Command {
	var (
		ev        evidenceFlags
		principal string
		format    string
		output    string
	)
	c := &cobra.Command{
		Use:   "analyze",
		Short: "Compare what each principal is granted with what it used in a window",
		Long: `For each role and user (each account as its newest authorization snapshot
shows it): the granted
actions (expanded against the catalog), those used in the window, those
unused, and those unobservable (CloudTrail could not have shown them: data
events the trails did not log, permission-only actions like iam:PassRole,
services absent from the logs), denied attempts, last use, log coverage and
risk. A principal whose logs cover too little of the window is marked
insufficient-evidence and nothing of it is called unused.

Each run is stored as an analysis snapshot for the quarterly report;
re-running on the same evidence stores nothing new.

--format json writes one object with the window and the evidence used, and
"principals": one object per principal (principal_arn, type, granted, used,
unused, unobservable, denied, last_used, coverage, risk, flags; see
analyze/result.go).`,
		Example: `  iamtrim analyze --window 90d
  iamtrim analyze --principal arn:aws:iam::111122223333:role/app/billing-api --format json
  iamtrim analyze --as-of 2026-09-30 --window 90d --format json -o analysis.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if format != "table" && format != "json" {
				return usageErr("--format %q: want table or json", format)
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			_, _, snap, err := ev.analyze(ctx, a, db, principal, false)
			if err != nil {
				return err
			}
			w, commit, err := a.output(output)
			if err != nil {
				return err
			}
			if format == "json" {
				err = analyze.WriteJSON(w, snap)
			} else {
				err = analyze.WriteTable(w, snap)
			}
			if err != nil {
				return err
			}
			return commit()
		},
	}
	ev.register(c)
	c.Flags().StringVar(&principal, "principal", "", "only this principal (ARN or name)")
	c.Flags().StringVar(&format, "format", "table", "table or json")
	c.Flags().StringVarP(&output, "output", "o", "", "write results to FILE instead of stdout")
	return c
}
