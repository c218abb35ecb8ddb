package policy

import (
	"testing"

	"github.com/iamtrim/iamtrim/internal/sharedtest"
)

// sharedDir returns sub of the read-only reference data, skipping the test
// when it is absent (package sharedtest).
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	return sharedtest.Dir(t, sub)
}
