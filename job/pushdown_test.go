package job

import (
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestPushdownFlags(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	window := []string{"--since", "2026-11-01", "--until", "2026-12-01"}
	for _, tc := range []struct {
		name    string
		dialect pushdown.Dialect
		args    []string
		wantErr string
		check   func(t *testing.T, s PushdownSource)
	}{
		{name: "athena defaults", dialect: pushdown.Athena, args: append([]string{"--database", "d", "--table", "t", "--endpoint-url", "http://e"}, window...), check: func(t *testing.T, s PushdownSource) {
			if s.Query.Partitioning != pushdown.Projection || s.Athena.Workgroup != "primary" || s.Bounds != rollup.DefaultBounds() {
				t.Errorf("partitioning %q, workgroup %q, bounds %+v; want the defaults", s.Query.Partitioning, s.Athena.Workgroup, s.Bounds)
			}
			if s.AWS.STSEndpoint != "http://e" || s.Athena.Endpoint != "http://e" || s.Lake.Endpoint != "http://e" {
				t.Errorf("endpoints %q %q %q, want http://e each", s.AWS.STSEndpoint, s.Athena.Endpoint, s.Lake.Endpoint)
			}
			if !s.Query.Since.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !s.Query.Until.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("window %v to %v, want November", s.Query.Since, s.Query.Until)
			}
		}},
		{name: "lake", dialect: pushdown.Lake, args: append([]string{"--event-data-store", "eds", "--object-prefix-depth", "0"}, window...), check: func(t *testing.T, s PushdownSource) {
			if s.Query.EventDataStore != "eds" || s.Bounds.ObjectPrefixDepth != 0 {
				t.Errorf("store %q, depth %d; want eds and whole keys (0)", s.Query.EventDataStore, s.Bounds.ObjectPrefixDepth)
			}
		}},
		{name: "resources beyond the cap", dialect: pushdown.Athena, args: append([]string{"--database", "d", "--table", "t", "--max-resources", "100001"}, window...), wantErr: "--max-resources 100001: want 1 to 100000"},
		{name: "scan bytes", dialect: pushdown.Athena, args: []string{"--max-scan-bytes", "-1"}, wantErr: "--max-scan-bytes -1: want 0 (no limit) or more"},
		{name: "no window", dialect: pushdown.Lake, args: []string{"--event-data-store", "eds"}, wantErr: "--since and --until are both required: the window bounds what the engine scans"},
		{name: "partitioning", dialect: pushdown.Athena, args: append([]string{"--database", "d", "--table", "t", "--partitioning", "daily"}, window...), wantErr: `invalid query: partitioning "daily": want projection, region-ymd or none`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPushdownFlags(tc.dialect)
			optiontest.Parse(t, p.AddFlags, tc.args...)
			s, err := p.Complete(now)
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			tc.check(t, s)
			var sql strings.Builder
			if err := s.WriteQuery(&sql); err != nil || !strings.Contains(sql.String(), "GROUP BY") {
				t.Errorf("WriteQuery wrote %q (%v), want the grouping query", sql.String(), err)
			}
		})
	}
}
