package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/ingest/pushdown/pushdowntest"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// BenchmarkIngestPushdown measures iamtrim's side of `ingest athena` and
// `ingest lake` on the corpora of BenchmarkIngest: the grouped rows the
// engine would return (computed once, by the query's PostgreSQL dialect
// over the corpus loaded as jsonb, outside the timing) are replayed into
// RunPushdown, which maps each and writes the rollups. Reported:
// events/s, result rows per event (how much the engine grouped), CPU
// seconds per million events of this process and of PostgreSQL, and
// peak RSS. The engine's own time and cost are not measured (they are
// AWS's); engine-s is how long PostgreSQL took to group the corpus here,
// for scale only.
func BenchmarkIngestPushdown(b *testing.B) {
	ctx := context.Background()
	for _, kind := range []string{"friendly", "churn"} {
		b.Run(kind, func(b *testing.B) {
			dir := benchCorpus(b, kind)
			cat := benchCatalog(b)
			src := storetest.New(b)
			if _, err := pushdowntest.LoadRaw(ctx, src, "raw_events", dir); err != nil {
				b.Fatal(err)
			}
			// Keys cut at the depth RunPushdown runs the query with.
			q := pushdown.Query{Dialect: pushdown.Postgres, Table: "raw_events", ObjectPrefixDepth: ingest.DefaultObjectPrefixDepth,
				Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
			sql, err := q.SQL()
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			header, rows, err := pushdowntest.Rows(ctx, src, sql)
			if err != nil {
				b.Fatal(err)
			}
			engine := time.Since(start)
			eng := pushdowntest.NewReplay(header, rows)
			rows = nil
			defer ingest.TuneGC()()
			resetPeakRSS()
			var m benchMetrics
			var fetched int64
			for b.Loop() {
				b.StopTimer()
				db := benchDB(b)
				b.StartTimer()
				cpu0 := processCPU()
				t0 := time.Now()
				s, err := ingest.RunPushdown(ctx, db, cat, ingest.PushdownOptions{Source: "athena", Target: "bench", Query: q, Engine: eng}, nil)
				if err != nil {
					b.Fatal(err)
				}
				if s.BadRows > 0 {
					b.Fatalf("%d bad rows: %q", s.BadRows, s.Errors[:min(len(s.Errors), 5)])
				}
				r := benchRun{events: s.Events, elapsed: time.Since(t0), goCPU: processCPU() - cpu0, pgCPU: backendCPU(b, db)}
				if err := db.Pool.QueryRow(ctx, `SELECT
					(SELECT count(*) FROM usage_daily),
					(SELECT count(*) FROM usage_daily) + (SELECT count(*) FROM usage_context_daily)
					+ (SELECT count(*) FROM usage_unmapped_daily) + (SELECT count(*) FROM log_coverage_daily)`).Scan(&r.usageRows, &r.rows); err != nil {
					b.Fatal(err)
				}
				fetched += s.RowsFetched
				b.Logf("%d events in %d result rows: %s, %.0f events/s; CPU %s Go, %s PostgreSQL; grouping by PostgreSQL took %s",
					s.Events, s.RowsFetched, r.elapsed.Round(time.Millisecond), float64(s.Events)/r.elapsed.Seconds(),
					r.goCPU.Round(10*time.Millisecond), r.pgCPU.Round(10*time.Millisecond), engine.Round(time.Millisecond))
				m.add(b, r)
			}
			m.report(b)
			if m.sum.events > 0 {
				b.ReportMetric(float64(fetched)/float64(m.sum.events), "result-rows/event")
				b.ReportMetric(engine.Seconds(), "engine-s")
			}
		})
	}
}
