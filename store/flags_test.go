package store_test

import (
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/iamtrim/iamtrim/store"
)

func TestOptionsFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		timeout time.Duration
		wantErr string
	}{
		{name: "defaults", timeout: 10 * time.Minute},
		{name: "url", args: []string{"--db", "postgres://u@h/db", "--statement-timeout", "30s"}, timeout: 30 * time.Second},
		{name: "conninfo", args: []string{"--db", "host=h dbname=db"}, timeout: 10 * time.Minute},
		{name: "bad url", args: []string{"--db", "postgres://h:port/db"}, wantErr: "--db: not a PostgreSQL URL or connection string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o store.Options
			optiontest.Parse(t, o.AddFlags, tc.args...)
			if optiontest.Err(t, o.ValidateURL(), tc.wantErr) {
				return
			}
			if o.StatementTimeout != tc.timeout {
				t.Errorf("timeout %v, want %v", o.StatementTimeout, tc.timeout)
			}
		})
	}
}
