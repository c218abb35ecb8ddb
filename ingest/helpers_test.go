package ingest_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/sharedtest"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// sharedDir returns ../shared/data/cloudtrail beside the repository (or
// under IAMTRIM_SHARED), skipping the test when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return sharedtest.Dir(t, "data", "cloudtrail")
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// Totals is everything ingest wrote that must not depend on how the work
// was split, interrupted or repeated.
type Totals struct {
	Seen       int64
	Principals []string
	Usage      []string
	Unmapped   []string
	Context    []string
	Coverage   []string
	Raw        int64
}

// totals reads the rollups in a canonical text form.
func totals(t testing.TB, db *store.DB) Totals {
	t.Helper()
	ctx := context.Background()
	var tot Totals
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ingest_event_seen`).Scan(&tot.Seen); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cloudtrail_event_raw`).Scan(&tot.Raw); err != nil {
		t.Fatal(err)
	}
	lines := func(sql string) []string {
		rows, err := db.Pool.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
			vals, err := row.Values()
			if err != nil {
				return "", err
			}
			s := ""
			for i, v := range vals {
				if i > 0 {
					s += " | "
				}
				switch x := v.(type) {
				case time.Time:
					s += x.UTC().Format(time.RFC3339Nano)
				default:
					s += fmt.Sprint(x)
				}
			}
			return s, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tot.Principals = lines(`SELECT arn, account_id, type, name FROM usage_principal ORDER BY arn`)
	tot.Usage = lines(`SELECT p.arn, u.day, u.action, u.resource, u.invoked_by, u.account_id, u.calls, u.denied, u.unauthenticated, u.first_seen, u.last_seen
		FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4, 5, 6`)
	tot.Unmapped = lines(`SELECT p.arn, u.day, u.kind, u.event_source, u.event_name, u.invoked_by, u.account_id, u.calls, u.denied, u.unauthenticated, u.first_seen, u.last_seen
		FROM usage_unmapped_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4, 5, 6, 7`)
	tot.Context = lines(`SELECT p.arn, u.day, u.region, u.network, u.mfa, u.user_agent_class, u.calls
		FROM usage_context_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4, 5, 6, 7`)
	tot.Coverage = lines(`SELECT account_id, region, day, events, first_seen, last_seen FROM log_coverage_daily ORDER BY 1, 2, 3`)
	return tot
}

// coverageEvents is the number of events log_coverage_daily counts: each
// new event once.
func coverageEvents(t testing.TB, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(events), 0) FROM log_coverage_daily`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// logFiles lists the CloudTrail log files (*.json.gz) under dir, sorted.
func logFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	if err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") {
			files = append(files, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}
