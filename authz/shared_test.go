package authz

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the shared reference data directory (env IAMTRIM_SHARED,
// else ../shared beside the repository root), skipping the test when it is
// absent: the project's tests must pass without it.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("IAMTRIM_SHARED"); d != "" {
		if _, err := os.Stat(d); err != nil {
			t.Skipf("IAMTRIM_SHARED=%s: %v", d, err)
		}
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared data absent: no go.mod above the package directory")
		}
		dir = parent
	}
	d := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("shared data absent (%s); set IAMTRIM_SHARED to use it", d)
	}
	return d
}
