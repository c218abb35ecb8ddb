package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir finds the read-only reference data: $IAMTRIM_SHARED, else
// ../shared beside the repository root (the directory holding go.mod).
// It skips the test when the data is absent.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := os.Getenv("IAMTRIM_SHARED")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatalf("getwd: %v", err)
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "..", "shared")
				break
			}
			if filepath.Dir(d) == d {
				t.Skip("shared data not found: no go.mod above the package directory")
			}
		}
	}
	path := filepath.Join(dir, sub)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data not present (%v); set IAMTRIM_SHARED to use it", err)
	}
	return path
}
