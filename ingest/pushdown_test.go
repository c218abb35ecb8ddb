package ingest_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/ingest/pushdown/pushdowntest"
	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/sample/churn"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// rollup is what both paths must agree on: every rollup table, not the
// dedup table (the pushdown path has no event ids to keep) nor raw events.
func rollup(t *testing.T, db *store.DB) Totals {
	tot := totals(t, db)
	tot.Seen, tot.Raw = 0, 0
	return tot
}

// TestPushdownEquivalence runs the grouping query, in its PostgreSQL
// dialect, over a corpus's raw events loaded as jsonb, feeds the rows
// through RunPushdown, and checks that the rollups equal file ingest's of
// the same files row for row: the sample corpus (duplicate deliveries,
// denied and unauthenticated calls, every identity type it has) and a
// churn corpus (fresh instance ids, unique S3 keys, addresses across a
// /8). The caps and the fold are lifted in both runs: which resources a
// cap admits, or stay exact before a kind is folded, depends on the order
// events come in, which no two runs share (TestBoundedRollup checks that
// the fold keeps every action's counts).
func TestPushdownEquivalence(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		gen  func(dir string) error
	}{
		{"sample", func(dir string) error {
			_, err := sample.Generate(ctx, sample.Options{Out: dir, Events: 3000, Seed: 7, Days: 5}, nil)
			return err
		}},
		{"churn", func(dir string) error {
			_, err := churn.Generate(ctx, churn.Options{Out: dir, Events: 3000, Files: 3, Days: 3, Roles: 4, Seed: 3})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			if err := tc.gen(out); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(out, "AWSLogs")
			files := storetest.New(t)
			uncapped := queries.RollupBounds{ObjectPrefixDepth: ingest.DefaultObjectPrefixDepth, MaxResources: 100_000, MaxNetworks: 100_000}
			s, err := ingest.Run(ctx, files, nil, ingest.Options{Sources: []string{dir}, Bounds: &uncapped}, testLogger(t))
			if err != nil || s.Rejected() > 0 {
				t.Fatalf("file ingest: %v, %+v", err, s)
			}

			db := storetest.New(t)
			n, err := pushdowntest.LoadRaw(ctx, db, "raw_events", dir)
			if err != nil {
				t.Fatal(err)
			}
			if n < int(s.Events) {
				t.Fatalf("loaded %d raw records, file ingest counted %d events", n, s.Events)
			}
			eng := &pushdowntest.Engine{DB: db}
			opts := ingest.PushdownOptions{
				Source: "athena", Target: "test.raw_events", Engine: eng,
				Query: pushdown.Query{Dialect: pushdown.Postgres, Table: "raw_events",
					Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)},
				Bounds: &uncapped, ChunkRows: 100,
			}
			// The first run dies part-way through the result.
			failing := &failAfter{Engine: eng, rows: 250}
			first := opts
			first.Engine = failing
			if _, err := ingest.RunPushdown(ctx, db, nil, first, testLogger(t)); !errors.Is(err, errPaging) {
				t.Fatalf("first run: %v, want the paging error", err)
			}
			got, err := ingest.RunPushdown(ctx, db, nil, opts, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Resumed || eng.Started != 1 || got.RowsSkipped != 200 || got.BadRows != 0 {
				t.Errorf("second run: resumed %v, %d queries started, %d rows skipped, %d bad; want the first query resumed, 200 rows skipped (two chunks of 100 committed), none bad",
					got.Resumed, eng.Started, got.RowsSkipped, got.BadRows)
			}
			want := rollup(t, files)
			if diff := cmp.Diff(want, rollup(t, db)); diff != "" {
				t.Errorf("rollup after pushdown differs from file ingest (-files +pushdown):\n%s", diff)
			}
			if got.RowsFetched >= s.Events {
				t.Errorf("%d rows for %d events: the engine grouped nothing", got.RowsFetched, s.Events)
			}
			t.Logf("%d events in %d rows", s.Events, got.RowsFetched)

			again, err := ingest.RunPushdown(ctx, db, nil, opts, testLogger(t))
			if err != nil || !again.AlreadyDone || again.Events != 0 || eng.Started != 1 {
				t.Errorf("re-run: %v, %+v; want nothing done", err, again)
			}
			if diff := cmp.Diff(want, rollup(t, db)); diff != "" {
				t.Errorf("re-run changed the rollup:\n%s", diff)
			}
			overlap := opts
			overlap.Query.Until = overlap.Query.Until.Add(time.Hour)
			if _, err := ingest.RunPushdown(ctx, db, nil, overlap, testLogger(t)); !errors.Is(err, ingest.ErrWindowOverlap) {
				t.Errorf("overlapping window: %v, want ErrWindowOverlap", err)
			}
		})
	}
}

var errPaging = errors.New("connection lost while paging")

// failAfter is an engine whose result paging fails after rows rows.
type failAfter struct {
	ingest.Engine
	rows int
}

func (f *failAfter) Results(ctx context.Context, id string, fn func([]string, []*string) error) error {
	n := 0
	err := f.Engine.Results(ctx, id, func(h []string, row []*string) error {
		if n == f.rows {
			return errPaging
		}
		n++
		return fn(h, row)
	})
	return err
}
