package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestFlags(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	bad := filepath.Join(t.TempDir(), "exceptions.yaml")
	if err := os.WriteFile(bad, []byte("exceptions:\n  - principal: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults"},
		{name: "days", args: []string{"--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv", "--signoff-date", "2026-11-01"}},
		{name: "bad from", args: []string{"--from", "October"}, wantErr: `--from "October": not a date (want YYYY-MM-DD)`},
		{name: "options", args: []string{"--quarter", "2026Q4", "--from", "2026-10-01"}, wantErr: "--quarter: give either a quarter or from/to, not both"},
		{name: "signoff", args: []string{"--signoff-date", "soon"}, wantErr: `--signoff-date "soon": not a date (want YYYY-MM-DD)`},
		{name: "exceptions", args: []string{"--exceptions", bad}, wantErr: "--exceptions: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			o, err := f.Complete(now)
			if tc.wantErr != "" {
				if err == nil || !option.IsInvalid(err) || len(err.Error()) < len(tc.wantErr) || err.Error()[:len(tc.wantErr)] != tc.wantErr {
					t.Fatalf("Complete error %v, want the option error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !o.Now.Equal(now) || !o.ExceptionsDay.Equal(now) || o.PoliciesFormat != "policy" {
				t.Errorf("now %v, exceptions day %v, policies format %q; want %v twice and policy", o.Now, o.ExceptionsDay, o.PoliciesFormat, now)
			}
			if tc.name == "days" && (o.From != time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) || o.To != time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC) || o.Format != "csv") {
				t.Errorf("from %v, to %v, format %q; want October in csv", o.From, o.To, o.Format)
			}
			if tc.name == "defaults" && o.Format != "table" {
				t.Errorf("format %q, want table", o.Format)
			}
		})
	}
}
