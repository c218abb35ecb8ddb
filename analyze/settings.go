package analyze

import (
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
)

// Settings are an analysis's options as a person writes them: the
// --window, --as-of, --min-coverage and --min-days flags analyze,
// recommend, backtest and trim share.
type Settings struct {
	// Window is the analysis window in whole days: 90d, 12w, 2160h.
	Window string
	// AsOf is the window's last day, YYYY-MM-DD; empty means the newest
	// day with logs, known only from the database (Prepare sets it).
	AsOf        string
	MinCoverage float64
	MinDays     int
}

// SettingError is a bad value of one setting, named as its flag names it
// (window, as-of, min-coverage, min-days): the nightly job's configuration
// names the same setting by its key.
type SettingError = option.Named

// Options checks s and returns the analysis options, with Now as the
// clock AsOf must not be after. An error names the bad setting by its
// flag (window, min-coverage, min-days, as-of) first.
func (s Settings) Options(now time.Time) (Options, error) {
	opts := Options{Now: now.UTC()}
	days, err := period.Days(s.Window)
	if err != nil {
		return opts, &SettingError{Flag: "window", Err: err}
	}
	opts.WindowDays = days
	opts.Thresholds = &Thresholds{MinCoverage: s.MinCoverage, MinDays: s.MinDays}
	if !(s.MinCoverage >= 0 && s.MinCoverage <= 1) { // NaN too
		return opts, &SettingError{Flag: "min-coverage", Err: fmt.Errorf("%v: want a share from 0 to 1", s.MinCoverage)}
	}
	if s.MinDays < 0 || s.MinDays > days {
		return opts, &SettingError{Flag: "min-days", Err: fmt.Errorf("%d: want 0 to %d (the window)", s.MinDays, days)}
	}
	if s.AsOf != "" {
		t, err := period.Date(s.AsOf)
		if err != nil {
			return opts, &SettingError{Flag: "as-of", Err: err}
		}
		opts.AsOf = t
		if err := opts.checkAsOf(); err != nil {
			return opts, &SettingError{Flag: "as-of", Err: err}
		}
	}
	return opts, nil
}
