package authz

import (
	"os"
	"path/filepath"
	"testing"
)

// findShared returns the shared reference data directory: env
// IAMTRIM_SHARED, else ../shared beside the repository root (the directory
// holding go.mod). The reason says why it is absent.
func findShared() (dir, reason string) {
	if d := os.Getenv("IAMTRIM_SHARED"); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", "IAMTRIM_SHARED: " + err.Error()
		}
		return d, ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err.Error()
	}
	for {
		if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(wd)
		if parent == wd {
			return "", "no go.mod above the package directory"
		}
		wd = parent
	}
	d := filepath.Join(filepath.Dir(wd), "shared")
	if _, err := os.Stat(d); err != nil {
		return "", "shared data absent (" + d + "); set IAMTRIM_SHARED to use it"
	}
	return d, ""
}

// sharedDir is findShared for tests, skipping the test when the shared
// data is absent: the project's tests must pass without it.
func sharedDir(t testing.TB) string {
	t.Helper()
	d, reason := findShared()
	if d == "" {
		t.Skip(reason)
	}
	return d
}
