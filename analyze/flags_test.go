package analyze_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/spf13/pflag"
)

func TestFlags(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	scp := filepath.Join(dir, "scp.json")
	if err := os.WriteFile(scp, []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	trailsFile := "../testdata/sample/trails.json"
	for _, tc := range []struct {
		name    string
		args    []string
		days    int
		th      analyze.Thresholds
		wantErr string
	}{
		{name: "defaults", days: 90, th: analyze.DefaultThresholds},
		{name: "given", args: []string{"--window", "2w", "--min-coverage", "0", "--min-days", "0", "--scp", scp, "--scp", scp, "--trails", trailsFile}, days: 14},
		{name: "missing SCP file", args: []string{"--scp", filepath.Join(dir, "none.json")}, wantErr: "--scp: read " + filepath.Join(dir, "none.json") + ": open " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		{name: "bad trails file", args: []string{"--trails", scp}, wantErr: "--trails: " + scp + ": no trails found (want describe-trails and get-event-selectors output)"},
		{name: "bad coverage", args: []string{"--min-coverage", "1.5"}, wantErr: "--min-coverage 1.5: want a share from 0 to 1"},
		{name: "bad window", args: []string{"--window", "3x"}, wantErr: `--window "3x": want a length such as 90d, 12w or 36h`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f analyze.Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			opts, err := f.Options(now)
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if opts.WindowDays != tc.days || *opts.Thresholds != tc.th {
				t.Errorf("window %d days, thresholds %+v; want %d, %+v", opts.WindowDays, *opts.Thresholds, tc.days, tc.th)
			}
			if tc.args != nil && (len(f.Evidence.SCPFiles) != 2 || f.Evidence.TrailsFile != trailsFile) {
				t.Errorf("evidence %+v, want two SCP files and %s", f.Evidence, trailsFile)
			}
		})
	}
}

func TestFlagsSourcesHaveNoWindow(t *testing.T) {
	var f analyze.Flags
	fs := pflag.NewFlagSet("backtest", pflag.ContinueOnError)
	f.AddSourceFlags(fs)
	if fs.Lookup("window") != nil || fs.Lookup("as-of") == nil {
		t.Errorf("AddSourceFlags: --window registered %v, --as-of %v; want only --as-of", fs.Lookup("window") != nil, fs.Lookup("as-of") != nil)
	}
}
