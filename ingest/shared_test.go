package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/cloudtrail"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestSharedSamples ingests every real CloudTrail file under
// ../shared/data/cloudtrail: no crash, no failure, and every event either
// mapped (usage_daily) or listed as unmapped/permissionless.
func TestSharedSamples(t *testing.T) {
	dir := sharedDir(t)
	t.Run("no catalog", func(t *testing.T) { testShared(t, dir, nil) })
	t.Run("shared catalog", func(t *testing.T) {
		catDir := filepath.Join(dir, "..", "..", "catalog")
		if _, err := os.Stat(filepath.Join(catDir, "service-list.json")); err != nil {
			t.Skipf("shared catalog not present: %v", err)
		}
		cat, err := catalog.LoadDir(catDir)
		if err != nil {
			t.Fatal(err)
		}
		testShared(t, dir, cat)
	})
}

func testShared(t *testing.T, dir string, cat cloudtrail.Catalog) {
	db := storetest.New(t)
	s, err := ingest.Run(context.Background(), db, cat, ingest.Options{Sources: []string{dir}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.FilesFailed != 0 || len(s.Errors) != 0 {
		t.Errorf("FilesFailed = %d, errors %q; want none", s.FilesFailed, s.Errors)
	}
	if s.FilesOK != 43 {
		t.Errorf("FilesOK = %d, want 43 (8 flaws2 + 35 stratus-red-team)", s.FilesOK)
	}
	if s.Events+s.Duplicates != 347 {
		t.Errorf("events %d + duplicates %d, want 347 records", s.Events, s.Duplicates)
	}
	if got := coverageEvents(t, db); got != s.Events {
		t.Errorf("coverage counts %d events, summary %d", got, s.Events)
	}
	// Every new event is mapped or unmapped: events with no usage row must
	// all be in the unmapped rollup.
	var mappedEvents, unmapped int64
	ctx := context.Background()
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(calls), 0) FROM usage_unmapped_daily`).Scan(&unmapped); err != nil {
		t.Fatal(err)
	}
	if unmapped != s.Unmapped+s.Permissionless {
		t.Errorf("unmapped rollup holds %d events, summary says %d unmapped + %d permissionless", unmapped, s.Unmapped, s.Permissionless)
	}
	mappedEvents = s.Events - s.Unmapped - s.Permissionless
	var usageRows int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM usage_daily`).Scan(&usageRows); err != nil {
		t.Fatal(err)
	}
	if mappedEvents > 0 && usageRows == 0 {
		t.Errorf("%d mapped events but no usage rows", mappedEvents)
	}
	t.Logf("shared samples: %d events, %d duplicates, %d unmapped (%.1f%%), %d permissionless, %d denied, %d principals; top unmapped %v",
		s.Events, s.Duplicates, s.Unmapped, 100*float64(s.Unmapped)/float64(max(s.Events, 1)), s.Permissionless, s.Denied, s.Principals, s.TopUnmapped)
}
