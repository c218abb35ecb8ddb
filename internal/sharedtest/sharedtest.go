// Package sharedtest finds, for tests, the repository root and the
// read-only reference data that sits beside the checkout (../shared: the
// full AWS catalog, real CloudTrail samples, authorization-details files,
// AWS managed policies). The project's tests must pass without that data,
// so Dir skips the test, saying why, when it is absent; under CI=true,
// where a green run must mean the tests ran, it fails instead (Missing).
package sharedtest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root: the nearest directory above the
// working directory that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Find returns the shared data directory: IAMTRIM_SHARED when set, else
// ../shared beside the repository root; or "" and why it is absent.
func Find() (dir, reason string) {
	if d := os.Getenv("IAMTRIM_SHARED"); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", "IAMTRIM_SHARED: " + err.Error()
		}
		return d, ""
	}
	root, err := Root()
	if err != nil {
		return "", err.Error()
	}
	d := filepath.Join(filepath.Dir(root), "shared")
	if _, err := os.Stat(d); err != nil {
		return "", "shared reference data absent (" + d + "); set IAMTRIM_SHARED to use it"
	}
	return d, ""
}

// Dir returns the shared data directory joined with elem, skipping the test
// when it is absent.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	d, reason := Find()
	if d == "" {
		Missing(t, "%s", reason)
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "shared reference data lacks %s: %v", p, err)
	}
	return p
}

// Missing stops a test whose prerequisite (shared data, a browser) is
// absent: it skips, saying why, or fails under CI=true, where a skipped
// test would make a green run lie.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and a prerequisite is missing: "+format, args...)
	}
	t.Skipf(format, args...)
}
