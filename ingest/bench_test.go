package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// BenchmarkIngest measures end-to-end ingest into PostgreSQL of a corpus
// made by the sample generator: 30 days, about 1,000 events a file.
// IAMTRIM_BENCH_EVENTS sets the corpus size (default 50,000; `make bench`
// uses 1,000,000); IAMTRIM_BENCH_DIR reuses a generated corpus between
// runs. Each iteration ingests into a fresh schema. Reported: events/s and
// the process's peak RSS (ru_maxrss, which includes generating the corpus
// when it is made in the same process).
func BenchmarkIngest(b *testing.B) {
	n := 50_000
	if v := os.Getenv("IAMTRIM_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("IAMTRIM_BENCH_EVENTS=%q: want a positive number", v)
		}
	}
	workers := 0
	if v := os.Getenv("IAMTRIM_BENCH_WORKERS"); v != "" {
		workers, _ = strconv.Atoi(v)
	}
	dir := os.Getenv("IAMTRIM_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		dir = filepath.Join(dir, strconv.Itoa(n))
	}
	if _, err := os.Stat(filepath.Join(dir, "truth.json")); err != nil {
		start := time.Now()
		st, err := sample.Generate(context.Background(), sample.Options{Out: dir, Events: n, Seed: 1, Days: 30, Files: max(n/1000, 1)}, nil)
		if err != nil {
			b.Fatalf("generate corpus: %v", err)
		}
		b.Logf("generated %d events in %d files (%d bytes) in %s", st.Events, st.Files, st.Bytes, time.Since(start).Round(time.Millisecond))
	}
	// As the command line runs it: the collector tuned for bulk ingest,
	// and the full catalog when IAMTRIM_CATALOG names one.
	defer ingest.TuneGC()()
	var cat cloudtrail.Catalog
	if c := os.Getenv("IAMTRIM_CATALOG"); c != "" {
		if !filepath.IsAbs(c) {
			c = filepath.Join("..", c)
		}
		full, err := catalog.LoadDir(c)
		if err != nil {
			b.Fatal(err)
		}
		cat = full
	}
	b.ResetTimer()
	var events int64
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		db := storetest.New(b)
		b.StartTimer()
		s, err := ingest.Run(context.Background(), db, cat, ingest.Options{Sources: []string{filepath.Join(dir, "AWSLogs")}, Workers: workers}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if s.FilesFailed > 0 {
			b.Fatalf("%d files failed: %q", s.FilesFailed, s.Errors[:min(len(s.Errors), 5)])
		}
		events += s.Events + s.Duplicates
		elapsed += s.Elapsed
		b.Logf("%d events (%d duplicates, %d unmapped) in %d files, %s: %.0f events/s",
			s.Events+s.Duplicates, s.Duplicates, s.Unmapped, s.FilesOK, s.Elapsed.Round(time.Millisecond), float64(s.Events+s.Duplicates)/s.Elapsed.Seconds())
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}
