package sample

import (
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		start   time.Time
		wantErr string
	}{
		{name: "defaults", args: []string{"--out", "o"}},
		{name: "start", args: []string{"--out", "o", "--start", "2026-01-02"}, start: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{name: "no out", wantErr: "--out is required"},
		{name: "bad start", args: []string{"--out", "o", "--start", "Jan 2"}, wantErr: `--start "Jan 2": not a date (want YYYY-MM-DD)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			o, err := f.Complete()
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if o.Out != "o" || o.Events != DefaultEvents || o.Days != DefaultDays || o.Seed != 1 || !o.Start.Equal(tc.start) {
				t.Errorf("options %+v, want out o with the defaults and start %v", o, tc.start)
			}
		})
	}
}
