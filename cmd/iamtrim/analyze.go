package main

import (
	"context"
	"errors"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/cobra"
)

// evidenceFlags are the inputs analyze and recommend share.
type evidenceFlags struct {
	analyze.Settings
	scpFiles   []string
	trailsFile string
}

func (f *evidenceFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.Window, "window", "90d", "analysis window ending on --as-of, in whole days: e.g. 90d, 12w or 2160h")
	f.registerSources(c)
}

// registerSources registers every evidence flag but --window.
func (f *evidenceFlags) registerSources(c *cobra.Command) {
	c.Flags().StringVar(&f.AsOf, "as-of", "", "last day of the window, YYYY-MM-DD (default: the newest day with logs, else today)")
	c.Flags().StringArrayVar(&f.scpFiles, "scp", nil, "service control policy JSON file that applies to every principal (repeatable)")
	c.Flags().StringVar(&f.trailsFile, "trails", "", "trail configuration file (default: the one loaded with 'ingest trails'; none means data events are assumed not logged)")
	c.Flags().Float64Var(&f.MinCoverage, "min-coverage", analyze.DefaultThresholds.MinCoverage, "least share (0 to 1) of the window's days with logs before anything is called unused")
	c.Flags().IntVar(&f.MinDays, "min-days", analyze.DefaultThresholds.MinDays, "least number of days with logs before anything is called unused")
}

// options checks the flags and builds the analysis options; as-of is left
// zero when not given (the newest log day, known only from the database).
func (f *evidenceFlags) options(now time.Time) (analyze.Options, error) {
	opts, err := f.Settings.Options(now)
	if err != nil {
		return opts, usageErr("--%v", err)
	}
	return opts, nil
}

// load checks the flags and reads the evidence and options an analysis
// needs.
func (f *evidenceFlags) load(ctx context.Context, a *app, db *store.DB) (analyze.Evidence, analyze.Options, error) {
	opts, err := f.options(a.now())
	if err != nil {
		return analyze.Evidence{}, opts, err
	}
	evidence, err := f.evidence(ctx, a, db, &opts)
	return evidence, opts, err
}

// evidence reads the evidence, and the newest log day into opts when
// --as-of was not given.
func (f *evidenceFlags) evidence(ctx context.Context, a *app, db *store.DB, opts *analyze.Options) (analyze.Evidence, error) {
	return analyze.Prepare(ctx, db, analyze.EvidenceOptions{SCPFiles: f.scpFiles, TrailsFile: f.trailsFile}, opts, a.log)
}

// analyze loads the evidence and analyzes every principal, or the one
// named (an unknown one is a usage error); noStore skips the snapshot.
func (f *evidenceFlags) analyze(ctx context.Context, a *app, db *store.DB, opts analyze.Options, principal string, noStore bool) (analyze.Evidence, analyze.Options, *analyze.Snapshot, error) {
	evidence, err := f.evidence(ctx, a, db, &opts)
	if err != nil {
		return evidence, opts, nil, err
	}
	opts.Principal, opts.NoStore = principal, noStore
	snap, err := analyze.Run(ctx, db, evidence, opts, a.log)
	return evidence, opts, snap, err
}

func (a *app) analyzeCmd() *cobra.Command {
	var (
		ev        evidenceFlags
		principal string
		format    string
		output    string
		excFile   string
	)
	c := &cobra.Command{
		Use:   "analyze",
		Short: "Compare what each principal is granted with what it used in a window",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if format != "table" && format != "json" {
				return usageErr("--format %q: want table or json", format)
			}
			opts, err := ev.options(a.now())
			if err != nil {
				return err
			}
			excs, err := readExceptions(excFile)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			_, _, snap, err := ev.analyze(ctx, a, db, opts, principal, false)
			if err != nil {
				return err
			}
			_, probs := exception.Apply(snap, excs, a.now())
			if principal != "" {
				probs = nil // the other principals were not analysed
			}
			w, commit, err := a.output(output)
			if err != nil {
				return err
			}
			if format == "json" {
				err = analyze.WriteJSON(w, snap)
			} else {
				err = analyze.WriteTableFit(w, snap, termwidth.Of(w, a.getenv))
			}
			if err != nil {
				return err
			}
			if err := commit(); err != nil {
				return err
			}
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.String())
			}
			if err := snap.RefusedErr(); err != nil {
				if exc := a.exceptionProblems(msgs); exc != nil {
					err = errors.Join(err, exc)
				}
				return &exitErr{code: exitRejected, err: err}
			}
			return a.exceptionProblems(msgs)
		},
	}
	ev.register(c)
	c.Flags().StringVar(&excFile, "exceptions", "", "exceptions register (YAML, `exceptions:` list): mark the findings it accepts (see README: Exceptions)")
	c.Flags().StringVar(&principal, "principal", "", "only this principal (ARN or name)")
	c.Flags().StringVar(&format, "format", "table", "table or json")
	c.Flags().StringVarP(&output, "output", "o", "", "write results to FILE instead of stdout")
	return c
}
