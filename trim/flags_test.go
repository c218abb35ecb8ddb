package trim_test

import (
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/trim"
	"github.com/spf13/pflag"
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
		{name: "format", args: []string{"--logs", logs, "--format", "yaml"}, wantErr: `--format: "yaml" is not one of json, policy, terraform, cloudformation, cli, diff`},
		{name: "window", args: []string{"--logs", logs, "--window", "0d"}, wantErr: `--window "0d": must be positive`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f trim.Flags
			fs := pflag.NewFlagSet("trim", pflag.ContinueOnError)
			f.AddFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			o, err := f.Complete("billing-api", now)
			if tc.wantErr != "" {
				if err == nil || !option.IsInvalid(err) || err.Error() != tc.wantErr {
					t.Fatalf("Complete error %v, want the option error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Principal != "billing-api" || o.Format != "diff" || o.Catalog != trim.CatalogUpdate || o.CatalogMaxAge != 7*24*time.Hour || o.Analyze.WindowDays != 90 || o.Recommend.Generalize == nil || o.Now == nil {
				t.Errorf("options %+v, want billing-api with the defaults", o)
			}
		})
	}
}
