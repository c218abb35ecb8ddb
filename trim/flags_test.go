package trim_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/iamtrim/iamtrim/trim"
)

func TestFlags(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }
	logs := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults", args: []string{"--logs", logs}},
		{name: "max age", args: []string{"--logs", logs, "--catalog-max-age", "soon"}, wantErr: `--catalog-max-age "soon": want a length such as 90d, 12w or 36h`},
		{name: "format", args: []string{"--logs", logs, "--format", "yaml"}, wantErr: `--format "yaml": want json, policy, terraform, cloudformation, cli or diff`},
		{name: "window", args: []string{"--logs", logs, "--window", "0d"}, wantErr: `--window "0d": must be positive`},
		{name: "catalog url scheme", args: []string{"--logs", logs, "--catalog-url", "ftp://x"}, wantErr: `--catalog-url "ftp://x": not an http or https URL`},
		{name: "catalog url malformed", args: []string{"--logs", logs, "--catalog-url", "http://[::1"}, wantErr: `--catalog-url "http://[::1": not an http or https URL`},
		{name: "catalog url", args: []string{"--logs", logs, "--catalog-url", "http://127.0.0.1:1/"}},
		{name: "missing authz", args: []string{"--logs", logs, "--authz", filepath.Join(logs, "none.json")}, wantErr: "--authz stat " + filepath.Join(logs, "none.json") + ": no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f trim.Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			o, err := f.Complete("billing-api", now)
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if o.Principal != "billing-api" || o.Format != "diff" || o.Catalog != trim.CatalogUpdate || o.CatalogMaxAge != 7*24*time.Hour || o.Analyze.WindowDays != 90 || o.Recommend.Generalize == nil || o.Now == nil {
				t.Errorf("options %+v, want billing-api with the defaults", o)
			}
		})
	}
}
