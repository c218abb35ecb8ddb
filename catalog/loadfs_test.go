package catalog_test

import (
	"os"
	"testing"

	"github.com/iamtrim/iamtrim"
	"github.com/iamtrim/iamtrim/catalog"
)

// The catalog bundled in the binary is the test catalog's documents: the
// same actions and digest as loading the directory, and never fresh.
func TestLoadFSBundled(t *testing.T) {
	fromDir, err := catalog.LoadDir("../testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func() (*catalog.Catalog, error){
		"bundled": func() (*catalog.Catalog, error) {
			return catalog.LoadFS(iamtrim.BundledCatalog, "testdata/catalog", "bundled")
		},
		"dirfs": func() (*catalog.Catalog, error) { return catalog.LoadFS(os.DirFS("../testdata/catalog"), ".", "dirfs") },
	} {
		c, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := len(c.Actions()), len(fromDir.Actions()); got != want || got == 0 {
			t.Errorf("%s: %d actions, want %d", name, got, want)
		}
		if c.Version().Digest != fromDir.Version().Digest {
			t.Errorf("%s: digest %s, want %s", name, c.Version().Digest, fromDir.Version().Digest)
		}
		if c.Version().FetchedAt.Year() != 1970 {
			t.Errorf("%s: fetched %v, want the epoch", name, c.Version().FetchedAt)
		}
	}
	if _, err := catalog.LoadFS(os.DirFS(t.TempDir()), ".", "empty"); err == nil {
		t.Errorf("an empty directory loaded")
	}
}
