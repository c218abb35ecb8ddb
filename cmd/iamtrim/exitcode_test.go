package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/trails"
)

// The exit code follows the error's type, wrapped or not, never its text.
func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"plain", errors.New("invalid argument received "), exitError},
		{"option", fmt.Errorf("trim: %w", option.Errorf("--window: bad")), exitUsage},
		{"principal", fmt.Errorf("x: %w", analyze.ErrNoPrincipal), exitUsage},
		{"snapshot", fmt.Errorf("%w: 9", snapdiff.ErrNoSnapshot), exitUsage},
		{"split", fmt.Errorf("%w: 2 policies", recommend.ErrSplitPolicy), exitUsage},
		{"overlap", fmt.Errorf("%w: athena", ingest.ErrWindowOverlap), exitUsage},
		{"rejected", fmt.Errorf("run: %w", &job.RejectedError{N: 2}), exitRejected},
		{"authorization details rejected", fmt.Errorf("stage authz: %w", &authz.RejectedError{Problems: []string{"a.json: value 1: unexpected EOF"}}), exitRejected},
		{"trail configuration rejected", fmt.Errorf("stage trails: %w", &trails.RejectedError{Path: "t.json", Err: errors.New("unexpected EOF")}), exitRejected},
		{"catalog documents rejected", fmt.Errorf("stage catalog: %w", &catalog.RejectedError{Dir: "/c", Err: errors.New("s3.json: decode: unexpected EOF")}), exitRejected},
		{"organisation rejected", fmt.Errorf("stage org: %w", &org.RejectedError{Problems: []string{"o.json: unexpected EOF"}}), exitRejected},
		{"findings", &job.FindingsError{}, exitFindings},
		{"command's own", &exitErr{code: exitRejected, err: option.Errorf("x")}, exitRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := exitCode(tc.err); got != tc.want {
				t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
