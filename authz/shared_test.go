package authz

import (
	"testing"

	"github.com/iamtrim/iamtrim/internal/sharedtest"
)

// findShared returns the shared reference data directory, or why it is
// absent (package sharedtest).
func findShared() (dir, reason string) { return sharedtest.Find() }

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
