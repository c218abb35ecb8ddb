package analyze

import (
	"context"
	"log/slog"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/store"
	"github.com/spf13/pflag"
)

// Flags are the evidence flags analyze, recommend, backtest and trim
// share: the analysis Settings and the evidence files.
type Flags struct {
	Settings
	Evidence EvidenceOptions
}

// AddFlags registers every evidence flag with its default.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Window, "window", "90d", "analysis window ending on --as-of, in whole days: e.g. 90d, 12w or 2160h")
	f.AddSourceFlags(fs)
}

// AddSourceFlags registers every evidence flag but --window (backtest
// sets the window from --train).
func (f *Flags) AddSourceFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.AsOf, "as-of", "", "last day of the window, YYYY-MM-DD (default: the newest day with logs, else today)")
	fs.StringArrayVar(&f.Evidence.SCPFiles, "scp", nil, "service control policy JSON file that applies to every principal (repeatable)")
	fs.StringVar(&f.Evidence.TrailsFile, "trails", "", "trail configuration file (default: the one loaded with 'ingest trails'; none means data events are assumed not logged)")
	fs.Float64Var(&f.MinCoverage, "min-coverage", DefaultThresholds.MinCoverage, "least share (0 to 1) of the window's days with logs before anything is called unused")
	fs.IntVar(&f.MinDays, "min-days", DefaultThresholds.MinDays, "least number of days with logs before anything is called unused")
}

// Options checks the flags and returns the analysis options (see
// Settings.Options); an error names the flag.
func (f *Flags) Options(now time.Time) (Options, error) {
	opts, err := f.Settings.Options(now)
	if err != nil {
		return opts, option.Invalid(err)
	}
	return opts, f.Evidence.Check()
}

// Analyze reads the evidence the flags name (and the newest log day into
// opts when AsOf is zero), then analyses opts.Principal, or every
// principal when it is empty.
func (f *Flags) Analyze(ctx context.Context, db *store.DB, opts Options, log *slog.Logger) (Evidence, Options, *Snapshot, error) {
	ev, err := Prepare(ctx, db, f.Evidence, &opts, log)
	if err != nil {
		return ev, opts, nil, err
	}
	snap, err := Run(ctx, db, ev, opts, log)
	return ev, opts, snap, err
}
