package analyze_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/iamtrim/iamtrim/internal/reject"
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
		{name: "missing SCP file", args: []string{"--scp", filepath.Join(dir, "none.json")}, wantErr: "--scp stat " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		{name: "SCP directory", args: []string{"--scp", dir}, wantErr: "--scp " + dir + ": not a regular file"},
		{name: "missing trails file", args: []string{"--trails", filepath.Join(dir, "none.json")}, wantErr: "--trails stat " + filepath.Join(dir, "none.json") + ": no such file or directory"},
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

// A file that opens but holds no trail configuration or no SCP is a
// rejected input (exit 3), not a usage error: its flag named, before any
// work.
func TestFlagsRejectedFiles(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	scp := filepath.Join(dir, "scp.json")
	if err := os.WriteFile(scp, []byte(`{"Version": "2012-10-17", "Statement": "allow everything"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"trails file holding an SCP", []string{"--trails", scp}, "--trails " + scp + ": no trails found"},
		{"malformed SCP", []string{"--scp", "../testdata/sample/trails.json", "--scp", scp}, "--scp "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f analyze.Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			_, err := f.Options(now)
			if !reject.Is(err) || option.IsInvalid(err) || !strings.HasPrefix(fmt.Sprint(err), tc.want) {
				t.Errorf("Options() = %v, want a rejected input (not an option error) starting %q", err, tc.want)
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
