package ingest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestUsageOrderIndependent ingests the same logs, with the default
// rollup bounds, in file order in one run and in reverse order one file a
// run (what a run killed and started again, or late deliveries, amount
// to), and shuffled over concurrent workers: which resources the fold
// keeps exact beside its pattern differs, but what analyze reads
// (analyze.LoadUsage, whence recommend's evidence) must not, or the
// evidence of a recommendation (and its digest) depends on the order the
// files were read.
func TestUsageOrderIndependent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := sample.Generate(ctx, sample.Options{Out: dir, Events: 30000, Seed: 3, Days: 4, Files: 40}, nil); err != nil {
		t.Fatal(err)
	}
	files := logFiles(t, dir)
	forward := storetest.New(t)
	if s, err := ingest.Run(ctx, forward, nil, ingest.Options{Sources: []string{filepath.Join(dir, "AWSLogs")}, Workers: 1}, testLogger(t)); err != nil || s.Rejected() > 0 {
		t.Fatalf("ingest: %v, %+v", err, s)
	}
	reverse := storetest.New(t)
	for _, f := range slices.Backward(files) {
		if s, err := ingest.Run(ctx, reverse, nil, ingest.Options{Sources: []string{f}, Workers: 1}, testLogger(t)); err != nil || s.Rejected() > 0 {
			t.Fatalf("ingest %s: %v, %+v", f, err, s)
		}
	}
	// And shuffled, in three runs of four workers each.
	shuffled := storetest.New(t)
	mixed := slices.Clone(files)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
	for part := range slices.Chunk(mixed, len(mixed)/3+1) {
		if s, err := ingest.Run(ctx, shuffled, nil, ingest.Options{Sources: part, Workers: 4}, testLogger(t)); err != nil || s.Rejected() > 0 {
			t.Fatalf("ingest: %v, %+v", err, s)
		}
	}
	from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	want := usageLines(t, forward, from, to)
	folded := 0
	for _, l := range want {
		if strings.Contains(l, "*") {
			folded++
		}
	}
	if folded == 0 {
		t.Fatal("no pattern in the rollup: the corpus does not exercise the fold")
	}
	for name, db := range map[string]*store.DB{"reverse": reverse, "shuffled": shuffled} {
		got := usageLines(t, db, from, to)
		for _, l := range want {
			if !slices.Contains(got, l) {
				t.Errorf("%s: missing %s", name, l)
			}
		}
		for _, l := range got {
			if !slices.Contains(want, l) {
				t.Errorf("%s: only there: %s", name, l)
			}
		}
	}
}

func usageLines(t *testing.T, db *store.DB, from, to time.Time) []string {
	t.Helper()
	usage, err := analyze.LoadUsage(context.Background(), db, analyze.Window{From: from, To: to}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, pu := range usage {
		for _, au := range pu.Actions {
			out = append(out, fmt.Sprintf("%s %s used=%d denied=%d more=%d own=%d first=%s last=%s lastDenied=%s via=%v",
				pu.ARN, au.Action, au.Used, au.Denied, au.MoreResources, au.Own, au.FirstUsed.UTC().Format(time.RFC3339),
				au.LastUsed.UTC().Format(time.RFC3339), au.LastDenied.UTC().Format(time.RFC3339), au.Via))
			for r, n := range au.Resources {
				out = append(out, fmt.Sprintf("%s %s resource %s %d", pu.ARN, au.Action, r, n))
			}
			for r, n := range au.DeniedResources {
				out = append(out, fmt.Sprintf("%s %s denied resource %s %d", pu.ARN, au.Action, r, n))
			}
		}
		for _, u := range pu.Unmapped {
			out = append(out, fmt.Sprintf("%s unmapped %+v", pu.ARN, u))
		}
	}
	slices.Sort(out)
	return out
}
