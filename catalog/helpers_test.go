package catalog

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iamtrim/iamtrim/internal/sharedtest"
)

// fixtureDir is the package's own hand-written catalog: iam, s3 and sqs
// with a handful of actions each, in the real layout.
const fixtureDir = "testdata/catalog"

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := sharedtest.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// sharedCatalogDir is the reference catalog in ../shared, found through
// IAMTRIM_SHARED or beside the repository; "" when absent.
func sharedCatalogDir(t testing.TB) string {
	t.Helper()
	shared, _ := sharedtest.Find()
	if shared == "" {
		return ""
	}
	dir := filepath.Join(shared, "catalog")
	if _, err := os.Stat(filepath.Join(dir, ServiceListFile)); err != nil {
		return ""
	}
	return dir
}

// fullCatalogDir returns the full catalog to test against and whether it
// is the shared reference copy (whose counts are known). IAMTRIM_CATALOG
// names one explicitly (relative to the repository root when relative);
// otherwise the shared copy is used when present. The test is skipped when
// there is none.
func fullCatalogDir(t testing.TB) (dir string, isShared bool) {
	t.Helper()
	shared := sharedCatalogDir(t)
	if env := os.Getenv("IAMTRIM_CATALOG"); env != "" {
		dir = env
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(repoRoot(t), dir)
		}
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("IAMTRIM_CATALOG=%s: %v", env, err)
		}
	} else if shared != "" {
		dir = shared
	} else {
		t.Skip("no full catalog: set IAMTRIM_CATALOG or provide ../shared/catalog")
	}
	return dir, shared != "" && sameDir(dir, shared)
}

func sameDir(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func loadFixture(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadDir(fixtureDir)
	if err != nil {
		t.Fatalf("LoadDir(%s): %v", fixtureDir, err)
	}
	return c
}

func loadFull(t testing.TB) (*Catalog, bool) {
	t.Helper()
	dir, isShared := fullCatalogDir(t)
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir(%s): %v", dir, err)
	}
	return c, isShared
}

// readFixtureDocs returns the fixture's files by name.
func readFixtureDocs(t testing.TB) map[string][]byte {
	t.Helper()
	docs := make(map[string][]byte)
	for _, f := range []string{"iam.json", "s3.json", "sqs.json"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, f))
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = data
	}
	return docs
}

// copyDir copies the regular files of src into a new temporary directory.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
