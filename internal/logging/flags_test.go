package logging

import (
	"bytes"
	"testing"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/spf13/pflag"
)

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name          string
		env           map[string]string
		args          []string
		format, level string
		wantErr       string
	}{
		{name: "defaults", format: "text", level: "info"},
		{name: "environment", env: map[string]string{"IAMTRIM_LOG_FORMAT": "json", "IAMTRIM_LOG_LEVEL": "debug"}, format: "json", level: "debug"},
		{name: "flags over environment", env: map[string]string{"IAMTRIM_LOG_FORMAT": "json"}, args: []string{"--log-format", "text", "--log-level", "warn"}, format: "text", level: "warn"},
		{name: "bad format", args: []string{"--log-format", "xml"}, wantErr: `--log-format "xml": want text or json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			optiontest.Parse(t, func(fs *pflag.FlagSet) { f.AddFlags(fs, func(k string) string { return tc.env[k] }) }, tc.args...)
			log, err := f.Logger(&bytes.Buffer{})
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if log == nil || f.Format != tc.format || f.Level != tc.level {
				t.Errorf("format %q, level %q (%v); want %q, %q", f.Format, f.Level, err, tc.format, tc.level)
			}
		})
	}
}
