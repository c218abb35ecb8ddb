package analyze_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
)

func TestSettingsOptions(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		s       analyze.Settings
		days    int
		asOf    string
		wantErr string
	}{
		{name: "defaults", s: analyze.Settings{Window: "90d", MinCoverage: 0.5, MinDays: 7}, days: 90},
		{name: "zero thresholds kept", s: analyze.Settings{Window: "2w"}, days: 14},
		{name: "as-of", s: analyze.Settings{Window: "30d", AsOf: "2026-10-31"}, days: 30, asOf: "2026-10-31"},
		{name: "bad window", s: analyze.Settings{Window: "soon"}, wantErr: "--window "},
		{name: "coverage above 1", s: analyze.Settings{Window: "30d", MinCoverage: 1.5}, wantErr: "--min-coverage 1.5: want a share from 0 to 1"},
		{name: "coverage not a number", s: analyze.Settings{Window: "30d", MinCoverage: math.NaN()}, wantErr: "--min-coverage NaN: want a share from 0 to 1"},
		{name: "min-days beyond the window", s: analyze.Settings{Window: "30d", MinDays: 31}, wantErr: "--min-days 31: want 0 to 30 (the window)"},
		{name: "as-of not a date", s: analyze.Settings{Window: "30d", AsOf: "31/10/2026"}, wantErr: `--as-of "31/10/2026": not a date (want YYYY-MM-DD)`},
		{name: "as-of in the future", s: analyze.Settings{Window: "30d", AsOf: "2026-11-02"}, wantErr: "--as-of 2026-11-02 is after today (2026-11-01)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := tc.s.Options(now)
			if tc.wantErr != "" {
				if err == nil || len(err.Error()) < len(tc.wantErr) || err.Error()[:len(tc.wantErr)] != tc.wantErr {
					t.Fatalf("err = %v, want it to start with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.WindowDays != tc.days || o.Thresholds == nil || *o.Thresholds != (analyze.Thresholds{MinCoverage: tc.s.MinCoverage, MinDays: tc.s.MinDays}) {
				t.Errorf("options %+v (thresholds %+v), want %d days and the thresholds given", o, o.Thresholds, tc.days)
			}
			if got := ""; !o.AsOf.IsZero() {
				got = o.AsOf.Format(time.DateOnly)
				if got != tc.asOf {
					t.Errorf("as-of %s, want %q", got, tc.asOf)
				}
			} else if tc.asOf != "" {
				t.Errorf("as-of unset, want %s", tc.asOf)
			}
		})
	}
}

// A bad setting's error names it, so that the CLI (--min-days) and the
// job's configuration (analyze.min_days) each say it their way.
func TestSettingError(t *testing.T) {
	_, err := analyze.Settings{Window: "30d", MinDays: 31}.Options(time.Now())
	var se *analyze.SettingError
	if !errors.As(err, &se) || se.Flag != "min-days" || se.Err.Error() != "31: want 0 to 30 (the window)" {
		t.Errorf("Options error %#v, want a SettingError for min-days", err)
	}
}
