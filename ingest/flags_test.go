package ingest

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestCloudTrailFlags(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o Options)
	}{
		{name: "defaults", check: func(t *testing.T, o Options) {
			if o.Bounds == nil || *o.Bounds != rollup.DefaultBounds() || !o.Since.IsZero() || !o.Until.IsZero() {
				t.Errorf("bounds %+v, since %v, until %v; want the default bounds and no window", o.Bounds, o.Since, o.Until)
			}
		}},
		{name: "window and endpoint", args: []string{"--since", "30d", "--until", "2026-12-01", "--endpoint-url", "http://x", "--object-prefix-depth", "0"}, check: func(t *testing.T, o Options) {
			if want := now.AddDate(0, 0, -30); !o.Since.Equal(want) {
				t.Errorf("since %v, want %v", o.Since, want)
			}
			if want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); !o.Until.Equal(want) {
				t.Errorf("until %v, want %v", o.Until, want)
			}
			if o.S3Endpoint != "http://x" || o.APIEndpoint != "http://x" || o.Bounds == nil || o.Bounds.ObjectPrefixDepth != 0 {
				t.Errorf("endpoints %q %q, bounds %+v; want both http://x and whole keys (depth 0)", o.S3Endpoint, o.APIEndpoint, o.Bounds)
			}
		}},
		{name: "bad since", args: []string{"--since", "-5d"}, wantErr: `--since "-5d": not a date, time or length (want YYYY-MM-DD, an RFC 3339 time, or a length such as 90d, 12w or 36h back from now)`},
		{name: "bad format", args: []string{"--format", "yaml"}, wantErr: `--format "yaml": want text or json`},
		{name: "negative depth", args: []string{"--object-prefix-depth", "-1"}, wantErr: "--object-prefix-depth -1: want 0 (whole keys) to 64"},
		{name: "deep depth", args: []string{"--object-prefix-depth", "65"}, wantErr: "--object-prefix-depth 65: want 0 (whole keys) to 64"},
		{name: "no resources", args: []string{"--max-resources", "0"}, wantErr: "--max-resources 0: want 1 to 100000"},
		{name: "negative collapse", args: []string{"--collapse-at", "-1"}, wantErr: "--collapse-at -1: want 0 (never fold) to 100000"},
		{name: "huge collapse", args: []string{"--collapse-at", "100001"}, wantErr: "--collapse-at 100001: want 0 (never fold) to 100000"},
		{name: "options", args: []string{"--account", "12"}, wantErr: `--account "12": not a 12-digit AWS account id`},
		{name: "until before since", args: []string{"--since", "2026-11-02", "--until", "2026-11-01"}, wantErr: "--until 2026-11-01T00:00:00Z: not after --since 2026-11-02T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fl CloudTrailFlags
			optiontest.Parse(t, fl.AddFlags, tc.args...)
			o, err := fl.Complete([]string{dir}, func() time.Time { return now })
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if len(o.Sources) != 1 || o.Sources[0] != dir || o.Now == nil {
				t.Errorf("sources %v (clock set: %v), want [%s] and the clock", o.Sources, o.Now != nil, dir)
			}
			tc.check(t, o)
		})
	}
}

func TestFlagsWindowRequired(t *testing.T) {
	f := Flags{Window: true}
	fs := optiontest.Parse(t, f.AddFlags, []string{"--since", "7d"}...)
	_, _, err := f.Parse(time.Now())
	if want := "--since and --until are both required: the window bounds what the engine scans"; err == nil || err.Error() != want || !option.IsInvalid(err) {
		t.Errorf("Parse error %v, want the option error %q", err, want)
	}
	if u := fs.Lookup("since").Usage; u != "first event time of the window "+timeForms+"; required" {
		t.Errorf("--since usage %q names no requirement", u)
	}
}

func TestCloudTrailFlagsProgress(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fl CloudTrailFlags
	for _, w := range []io.Writer{f, &bytes.Buffer{}} {
		if got := fl.Progress(w); got != nil {
			t.Errorf("Progress(%T) = %v, want none: not a terminal", w, got)
		}
	}
}
