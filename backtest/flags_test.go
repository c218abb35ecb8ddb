package backtest

import (
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestFlags(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults", args: []string{"--all"}},
		{name: "roles", args: []string{"a", "b", "--train", "30d", "--test", "2w", "--fail-on", "breakage"}},
		{name: "neither", wantErr: "name one or more ROLEs, or use --all"},
		{name: "format", args: []string{"--all", "--format", "csv"}, wantErr: `--format "csv": want table or json`},
		{name: "fail on", args: []string{"--all", "--fail-on", "admin"}, wantErr: `--fail-on "admin": want breakage or none`},
		{name: "train", args: []string{"--all", "--train", "x"}, wantErr: `--train "x": want a length such as 90d, 12w or 36h`},
		{name: "recommend", args: []string{"--all", "--unobservable", "x"}, wantErr: `--unobservable "x": want keep, drop or list`},
		{name: "evidence", args: []string{"--all", "--min-days", "61"}, wantErr: "--min-days 61: want 0 to 60 (the window)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			fs := optiontest.Parse(t, f.AddFlags, tc.args...)
			o, aopts, err := f.Complete(fs.Args(), now)
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if aopts.WindowDays != o.TrainDays || len(o.Principals) != len(fs.Args()) || o.Recommend.Generalize == nil {
				t.Errorf("analysis window %d days, train %d, principals %v; want the training window and %v", aopts.WindowDays, o.TrainDays, o.Principals, fs.Args())
			}
			if tc.name == "defaults" && (o.TrainDays != DefaultTrainDays || o.TestDays != DefaultTestDays) {
				t.Errorf("train %d, test %d; want the defaults", o.TrainDays, o.TestDays)
			}
			if tc.name == "roles" && (o.TrainDays != 30 || o.TestDays != 14) {
				t.Errorf("train %d, test %d; want 30 and 14", o.TrainDays, o.TestDays)
			}
		})
	}
}

func TestBreakageErr(t *testing.T) {
	r := &Report{Principals: []Result{{DeniedUntrained: 3}}}
	if err := r.BreakageErr(); err != nil {
		t.Errorf("BreakageErr of a report without breakage = %v", err)
	}
	r = &Report{Principals: []Result{{DeniedTrained: 2}, {}, {DeniedTrained: 1}}, Totals: Totals{DeniedTrained: 3}}
	want := "breakage: 2 principal(s) would be denied 3 test call(s) of actions used in training"
	if err := r.BreakageErr(); err == nil || err.Error() != want {
		t.Errorf("BreakageErr = %v, want %q", err, want)
	}
}
