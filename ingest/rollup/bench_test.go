package rollup_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/sample/churn"
	"github.com/iamtrim/iamtrim/store/queries"
)

// The churn benchmarks measure, without PostgreSQL, the Go work ingest
// does per event of churning logs (package sample/churn: resources new in
// nearly every event) before the write: with 64 files of 1,000 events over
// two days, about as many files a day as BenchmarkIngest/churn's corpus,
// read in groups of 32 objects as ingest groups them. The full catalog is
// used when IAMTRIM_CATALOG names one (as in BenchmarkIngest).
const (
	churnFiles = 64
	churnGroup = 32
)

type churnCorpus struct {
	mapper *cloudtrail.Mapper
	objs   [][]byte              // the gzipped objects, in listing order
	recs   [][]cloudtrail.Record // each object's normalized records
	events int
}

var (
	churnOnce sync.Once
	churnData churnCorpus
	churnErr  error
)

func loadChurn(b *testing.B) *churnCorpus {
	churnOnce.Do(func() { churnErr = churnData.load(b.TempDir()) })
	if churnErr != nil {
		b.Fatal(churnErr)
	}
	return &churnData
}

func (c *churnCorpus) load(dir string) error {
	var cat cloudtrail.Catalog
	if d := os.Getenv("IAMTRIM_CATALOG"); d != "" {
		if !filepath.IsAbs(d) {
			d = filepath.Join("..", "..", d)
		}
		full, err := catalog.LoadDir(d)
		if err != nil {
			return err
		}
		cat = full
	}
	c.mapper = cloudtrail.NewMapper(cat)
	if _, err := churn.Generate(context.Background(), churn.Options{Out: dir, Events: churnFiles * 1000, Files: churnFiles, Days: 2, Seed: 1}); err != nil {
		return err
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json.gz") {
			return err
		}
		data, err := os.ReadFile(path)
		c.objs = append(c.objs, data)
		return err
	})
	if err != nil {
		return err
	}
	rd := cloudtrail.NewObjectReader()
	for _, obj := range c.objs {
		var recs []cloudtrail.Record
		_, _, err := rd.ReadNormalized(bytes.NewReader(obj), "bench", cloudtrail.DefaultLimits(), c.mapper, func(_ int, _ []byte, rec *cloudtrail.Record, err error) error {
			if err == nil {
				recs = append(recs, *rec)
				*rec = cloudtrail.Record{}
			}
			return err
		})
		if err != nil {
			return err
		}
		c.recs = append(c.recs, recs)
		c.events += len(recs)
	}
	return nil
}

// BenchmarkChurnRead is reading the objects: gunzip, the scanner and the
// mapper (cloudtrail.ObjectReader.ReadNormalized).
func BenchmarkChurnRead(b *testing.B) {
	c := loadChurn(b)
	rd := cloudtrail.NewObjectReader()
	b.ReportAllocs()
	defer reportPerEvent(b, c.events)()
	for b.Loop() {
		for _, obj := range c.objs {
			if _, _, err := rd.ReadNormalized(bytes.NewReader(obj), "bench", cloudtrail.DefaultLimits(), c.mapper, func(_ int, _ []byte, _ *cloudtrail.Record, err error) error {
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkChurnAdd is adding the normalized records to the rollup
// (bounds, fold, caps, aggregation), a new run each time.
func BenchmarkChurnAdd(b *testing.B) {
	c := loadChurn(b)
	b.ReportAllocs()
	defer reportPerEvent(b, c.events)()
	for b.Loop() {
		run := rollup.NewRun(queries.RollupBounds{ObjectPrefixDepth: rollup.DefaultObjectPrefixDepth,
			MaxResources: rollup.DefaultMaxResources, CollapseAt: rollup.DefaultCollapseAt, MaxNetworks: rollup.DefaultMaxNetworks})
		batch := run.NewBatch()
		for i, recs := range c.recs {
			if i%churnGroup == 0 {
				batch.Reset()
			}
			for j := range recs {
				rec := &recs[j]
				batch.Add(rollup.PrincipalKey(&rec.Principal, rec.InvokedBy), rollup.Day(rec.EventTime), rec, rollup.Count{N: 1})
			}
		}
	}
}

// reportPerEvent, deferred, reports the wall time and the CPU time of the
// process (which counts the collector's work and stays meaningful on a
// loaded machine when wall time does not) per event read.
func reportPerEvent(b *testing.B, events int) func() {
	cpu0 := processCPU()
	return func() {
		n := float64(b.N * events)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/event")
		b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/n, "cpu-ns/event")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
