package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/iamtrim/iamtrim/internal/sharedtest"

	"github.com/iamtrim/iamtrim/catalog"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// sharedDir returns the shared reference data directory (IAMTRIM_SHARED,
// else ../shared beside the repository root), or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	return sharedtest.Dir(t)
}

var (
	catOnce sync.Once
	catVal  *catalog.Catalog
	catErr  error
	catDir  string
)

// testCatalog loads the action catalog from IAMTRIM_CATALOG or
// ../shared/catalog, or skips the test.
func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	dir := os.Getenv("IAMTRIM_CATALOG")
	if dir == "" {
		dir = filepath.Join(sharedDir(t), "catalog")
	}
	catOnce.Do(func() {
		catDir = dir
		catVal, catErr = catalog.LoadDir(dir)
	})
	if catErr != nil {
		if os.Getenv("IAMTRIM_CATALOG") != "" {
			t.Fatalf("IAMTRIM_CATALOG=%s cannot be loaded: %v", catDir, catErr)
		}
		sharedtest.Missing(t, "no catalog at %s: %v", catDir, catErr)
	}
	return catVal
}

// readAll reads one object and returns its records' raw JSON (copied).
func readAll(t testing.TB, path string) (Shape, [][]byte, []RecordError, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var raws [][]byte
	shape, errs, err := ReadObject(f, path, DefaultLimits(), func(i int, raw []byte) error {
		raws = append(raws, bytes.Clone(raw))
		return nil
	})
	return shape, raws, errs, err
}

// readBytes runs ReadObject over data and returns indices and records.
func readBytes(t testing.TB, data []byte, lim Limits) (Shape, []int, [][]byte, []RecordError, error) {
	t.Helper()
	var idx []int
	var raws [][]byte
	shape, errs, err := ReadObject(bytes.NewReader(data), "obj", lim, func(i int, raw []byte) error {
		idx = append(idx, i)
		raws = append(raws, bytes.Clone(raw))
		return nil
	})
	return shape, idx, raws, errs, err
}

// testRecords returns testdata/records.json keyed by eventID, and in order.
func testRecords(t testing.TB) (map[string][]byte, []string) {
	t.Helper()
	data, err := os.ReadFile("testdata/records.json")
	if err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	byID := map[string][]byte{}
	var order []string
	for _, r := range list {
		var head struct{ EventID string }
		if err := json.Unmarshal(r, &head); err != nil {
			t.Fatal(err)
		}
		byID[head.EventID] = r
		order = append(order, head.EventID)
	}
	return byID, order
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func asRecordError(err error, target **RecordError) bool { return errors.As(err, target) }
