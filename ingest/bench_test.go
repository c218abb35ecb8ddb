package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/internal/awstest"
	"github.com/iamtrim/iamtrim/internal/coreshare"
	"github.com/iamtrim/iamtrim/internal/coreshare/coresharetest"
	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/sample/churn"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// BenchmarkIngest measures end-to-end ingest into PostgreSQL of two
// corpora of 30 days, about 1,000 events a file:
//
//   - friendly: made by the sample generator, whose resources repeat;
//   - churn: made by package sample/churn, where instances, S3 keys,
//     DynamoDB items and log streams are new in nearly every event, half
//     the events are data events, and callers come from across 10.0.0.0/8.
//
// IAMTRIM_BENCH_EVENTS sets the corpus size (default 50,000; `make bench`
// uses 1,000,000); IAMTRIM_BENCH_DIR keeps generated corpora between runs;
// IAMTRIM_BENCH_WORKERS sets Options.Workers. Each iteration ingests into
// a fresh schema. Reported per corpus: events/s; peak-RSS-MB, the
// process's peak resident set during the ingests (VmHWM, reset after the
// corpus is generated); rows/event, the rollup rows left (usage, context,
// unmapped, coverage) per event; usage-rows/event alone; and the CPU
// seconds per million events of this process (go-cpu-s/Mev) and of the
// PostgreSQL backends serving it (pg-cpu-s/Mev), which stay meaningful on
// a loaded machine when wall time does not.
func BenchmarkIngest(b *testing.B) {
	for _, kind := range []string{"friendly", "churn"} {
		b.Run(kind, func(b *testing.B) {
			dir := benchCorpus(b, kind)
			cat := benchCatalog(b)
			defer ingest.TuneGC()()
			resetPeakRSS()
			var m benchMetrics
			for b.Loop() {
				b.StopTimer()
				db := benchDB(b)
				b.StartTimer()
				m.add(b, runBench(b, db, cat, dir))
			}
			m.report(b)
		})
	}
}

// BenchmarkIngestConcurrent ingests the churn corpus with 1 and with 4
// concurrent ingest processes (this test binary run again as a child,
// see TestMain: its own catalog, connection pool and garbage collector,
// as `iamtrim ingest files` run four times would have) sharing one
// database and claiming objects with SKIP LOCKED; events/s is for the
// whole corpus, CPU the children's and their backends', peak-RSS-MB the
// largest child's.
func BenchmarkIngestConcurrent(b *testing.B) {
	dir := benchCorpus(b, "churn")
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("ingesters-%d", n), func(b *testing.B) {
			var m benchMetrics
			for b.Loop() {
				b.StopTimer()
				db := benchDB(b)
				b.StartTimer()
				m.add(b, runBenchProcesses(b, db, dir, n))
			}
			m.report(b)
		})
	}
}

// BenchmarkIngestConcurrentS3 is BenchmarkIngestConcurrent reading the
// churn corpus from S3, as the nightly job and `iamtrim ingest s3` read a
// trail bucket: the children list and get its objects through the real
// SDK client (s3src, the code path of `ingest cloudtrail s3://...`) from a
// local endpoint speaking S3's wire format (internal/awstest: gofakes3,
// SigV4 required) that answers every request only after
// IAMTRIM_BENCH_S3_LATENCY (default 20ms). That stands for S3's
// first-byte latency in-region: AWS gives median latencies "often in the
// range of tens of milliseconds" for requests under 512 KB (S3 performance
// whitepaper, timeouts and retries), and the corpus's objects are about
// 170 KB (gzipped, 1,000 events), whose transfer at S3's tens of MB/s
// per connection would add a few ms more, not modelled. Runs: 1 and 4 ingesters with the default workers,
// and one with 16 workers, once with the pool the command line gets
// (pgx's default, max(4, CPUs) connections, which caps the workers) and
// once with a pool of 17 (pool_max_conns in the database URL). The
// endpoint runs in this process: its CPU is left out of the children's
// (go-cpu-s/Mev) and reported apart as parent-cpu-s/Mev. gets/object is
// the GetObject requests the endpoint answered per object ingested.
func BenchmarkIngestConcurrentS3(b *testing.B) {
	dir := benchCorpus(b, "churn")
	latency := 20 * time.Millisecond
	if v := os.Getenv("IAMTRIM_BENCH_S3_LATENCY"); v != "" {
		var err error
		if latency, err = time.ParseDuration(v); err != nil || latency < 0 {
			b.Fatalf("IAMTRIM_BENCH_S3_LATENCY=%q: want a duration such as 20ms", v)
		}
	}
	srv := awstest.New("111122223333")
	defer srv.Close()
	if err := srv.PutDir("trail-bucket", "AWSLogs", dir); err != nil {
		b.Fatal(err)
	}
	srv.SetLatency(latency)
	setAWSEnv(b) // the children inherit it
	url := storetest.URL()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	for _, c := range []struct {
		name string
		n    int
		env  []string
	}{
		{"ingesters-1", 1, nil},
		{"ingesters-4", 4, nil},
		{"ingesters-1-workers-16", 1, []string{"IAMTRIM_BENCH_WORKERS=16"}},
		{"ingesters-1-workers-16-pool-17", 1, []string{"IAMTRIM_BENCH_WORKERS=16", "IAMTRIM_TEST_DATABASE_URL=" + url + sep + "pool_max_conns=17"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var m benchMetrics
			for b.Loop() {
				b.StopTimer()
				db := benchDB(b)
				b.StartTimer()
				srv.Reset()
				r := runBenchProcesses(b, db, "s3://trail-bucket", c.n, append(c.env, "IAMTRIM_BENCH_CHILD_S3_ENDPOINT="+srv.URL)...)
				for _, req := range srv.Requests() {
					if req.Op == "s3:GetObject" {
						r.gets++
					}
				}
				b.Logf("%d GetObject requests for %d objects", r.gets, r.objects)
				m.add(b, r)
			}
			m.report(b)
		})
	}
}

// benchChildEnv, when set, makes the test binary a child ingester of
// BenchmarkIngestConcurrent: its value is the schema to ingest into.
const benchChildEnv = "IAMTRIM_BENCH_CHILD_SCHEMA"

func TestMain(m *testing.M) {
	if schema := os.Getenv(benchChildEnv); schema != "" {
		os.Exit(benchChild(schema))
	}
	coresharetest.RunPeerIfAsked()
	os.Exit(m.Run())
}

// benchChild ingests IAMTRIM_BENCH_CHILD_SOURCE (a directory, or an
// s3:// URI served at IAMTRIM_BENCH_CHILD_S3_ENDPOINT) into schema as the
// command line would (full catalog, tuned collector) and writes its
// summary as JSON on stdout.
func benchChild(schema string) int {
	ctx := context.Background()
	defer ingest.TuneGC()()
	// As job.IngestCloudTrail does for `iamtrim ingest` and the job.
	defer coreshare.Share("", slog.New(slog.DiscardHandler))()
	if dir := os.Getenv("IAMTRIM_BENCH_CHILD_PROFILE"); dir != "" {
		// CPU profiles of the children, one file each, for go tool pprof.
		f, err := os.Create(filepath.Join(dir, "cpu-"+strconv.Itoa(os.Getpid())+".prof"))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	cat, err := loadBenchCatalog()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db, err := store.Open(ctx, store.Options{URL: storetest.URL(), Schema: schema, AppName: os.Getenv("IAMTRIM_BENCH_CHILD_APP"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	sum, err := ingest.Run(ctx, db, cat, ingest.Options{Sources: []string{os.Getenv("IAMTRIM_BENCH_CHILD_SOURCE")},
		S3Endpoint: os.Getenv("IAMTRIM_BENCH_CHILD_S3_ENDPOINT"), Workers: benchWorkers()}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(sum); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// runBenchProcesses ingests src (see benchChild) into db with n concurrent
// child processes, env added to their environment.
func runBenchProcesses(b *testing.B, db *store.DB, src string, n int, env ...string) benchRun {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	childApp := "iamtrim-bench-child-" + strconv.Itoa(os.Getpid())
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	errOuts := make([]bytes.Buffer, n)
	pg0, parent0 := serverCPU(), processCPU()
	start := time.Now()
	for i := range cmds {
		c := exec.Command(exe)
		c.Env = append(os.Environ(), benchChildEnv+"="+db.Schema, "IAMTRIM_BENCH_CHILD_SOURCE="+src, "IAMTRIM_BENCH_CHILD_APP="+childApp)
		c.Env = append(c.Env, env...)
		c.Stdout, c.Stderr = &outs[i], &errOuts[i]
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
		cmds[i] = c
	}
	var r benchRun
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			b.Fatalf("ingester %d: %v: %s", i, err, errOuts[i].String())
		}
		r.goCPU += c.ProcessState.UserTime() + c.ProcessState.SystemTime()
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.peakRSSMB = max(r.peakRSSMB, float64(ru.Maxrss)/1024)
		}
	}
	r.elapsed = time.Since(start)
	r.parentCPU = processCPU() - parent0
	// The children's backends end a moment after the children: the
	// postmaster counts their CPU once it has collected them.
	waitBackendsGone(b, db, childApp)
	r.pgCPU = serverCPU() - pg0
	sums := make([]ingest.Summary, n)
	for i := range sums {
		if err := json.Unmarshal(outs[i].Bytes(), &sums[i]); err != nil {
			b.Fatalf("ingester %d: summary: %v: %q", i, err, outs[i].String())
		}
	}
	r.finish(b, db, sums)
	return r
}

func benchEvents(b *testing.B) int {
	n := 50_000
	if v := os.Getenv("IAMTRIM_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("IAMTRIM_BENCH_EVENTS=%q: want a positive number", v)
		}
	}
	return n
}

// benchCorpus generates (once, when IAMTRIM_BENCH_DIR is set) the corpus
// of the given kind and returns its AWSLogs directory.
func benchCorpus(b *testing.B, kind string) string {
	n := benchEvents(b)
	dir := os.Getenv("IAMTRIM_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else if kind == "friendly" {
		dir = filepath.Join(dir, strconv.Itoa(n)) // where earlier runs kept it
	} else {
		dir = filepath.Join(dir, kind+"-"+strconv.Itoa(n))
	}
	done := filepath.Join(dir, ".complete")
	if kind == "friendly" {
		done = filepath.Join(dir, "truth.json")
	}
	if _, err := os.Stat(done); err != nil {
		start := time.Now()
		var events, files int
		var size int64
		switch kind {
		case "friendly":
			st, err := sample.Generate(context.Background(), sample.Options{Out: dir, Events: n, Seed: 1, Days: 30, Files: max(n/1000, 1)}, nil)
			if err != nil {
				b.Fatalf("generate corpus: %v", err)
			}
			events, files, size = st.Events, st.Files, st.Bytes
		case "churn":
			st, err := churn.Generate(context.Background(), churn.Options{Out: dir, Events: n, Seed: 1, Days: 30, Files: max(n/1000, 1)})
			if err != nil {
				b.Fatalf("generate corpus: %v", err)
			}
			if err := os.WriteFile(done, nil, 0o644); err != nil {
				b.Fatal(err)
			}
			events, files, size = st.Events, st.Files, st.Bytes
		}
		b.Logf("generated the %s corpus: %d events in %d files (%d bytes) in %s", kind, events, files, size, time.Since(start).Round(time.Millisecond))
	}
	return filepath.Join(dir, "AWSLogs")
}

// benchCatalog is the full catalog when IAMTRIM_CATALOG names one, as the
// command line would load it.
func benchCatalog(b *testing.B) cloudtrail.Catalog {
	cat, err := loadBenchCatalog()
	if err != nil {
		b.Fatal(err)
	}
	return cat
}

// loadBenchCatalog loads IAMTRIM_CATALOG (relative to the repository),
// nil when unset.
func loadBenchCatalog() (cloudtrail.Catalog, error) {
	c := os.Getenv("IAMTRIM_CATALOG")
	if c == "" {
		return nil, nil
	}
	if !filepath.IsAbs(c) {
		c = filepath.Join("..", c)
	}
	full, err := catalog.LoadDir(c)
	if err != nil {
		return nil, err
	}
	return full, nil
}

// benchDB is a fresh schema whose connections carry an application_name
// of their own, so that their backends can be found for CPU accounting.
func benchDB(b *testing.B) *store.DB {
	return storetest.NewWithOptions(b, store.Options{AppName: "iamtrim-bench-" + strconv.Itoa(os.Getpid())})
}

type benchRun struct {
	events, rows, usageRows int64
	objects, gets           int64 // objects ingested; S3 GetObject requests
	elapsed                 time.Duration
	goCPU, pgCPU            time.Duration
	peakRSSMB               float64 // children's largest; 0: this process's
	// parentCPU is this process's while child ingesters run: the S3
	// endpoint it serves them, if any.
	parentCPU time.Duration
}

func benchWorkers() int {
	workers := 0
	if v := os.Getenv("IAMTRIM_BENCH_WORKERS"); v != "" {
		workers, _ = strconv.Atoi(v)
	}
	return workers
}

// runBench ingests dir into db in this process.
func runBench(b *testing.B, db *store.DB, cat cloudtrail.Catalog, dir string) benchRun {
	cpu0 := processCPU()
	start := time.Now()
	sum, err := ingest.Run(context.Background(), db, cat, ingest.Options{Sources: []string{dir}, Workers: benchWorkers()}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var r benchRun
	r.elapsed = time.Since(start)
	r.goCPU = processCPU() - cpu0
	r.pgCPU = backendCPU(b, db)
	r.finish(b, db, []ingest.Summary{sum})
	return r
}

// finish checks the ingesters' summaries and counts the events and the
// rows they left.
func (r *benchRun) finish(b *testing.B, db *store.DB, sums []ingest.Summary) {
	for _, s := range sums {
		if s.FilesFailed > 0 {
			b.Fatalf("%d files failed: %q", s.FilesFailed, s.Errors[:min(len(s.Errors), 5)])
		}
		r.events += s.Events + s.Duplicates
		r.objects += int64(s.FilesOK + s.FilesFailed + s.FilesSkipped)
	}
	if err := db.Pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM usage_daily),
		(SELECT count(*) FROM usage_daily) + (SELECT count(*) FROM usage_context_daily)
		+ (SELECT count(*) FROM usage_unmapped_daily) + (SELECT count(*) FROM log_coverage_daily)`).Scan(&r.usageRows, &r.rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events, %d ingesters, %s: %.0f events/s; %d rollup rows (%d usage); CPU %s Go, %s PostgreSQL",
		r.events, len(sums), r.elapsed.Round(time.Millisecond), float64(r.events)/r.elapsed.Seconds(), r.rows, r.usageRows,
		r.goCPU.Round(10*time.Millisecond), r.pgCPU.Round(10*time.Millisecond))
}

type benchMetrics struct{ sum benchRun }

func (m *benchMetrics) add(b *testing.B, r benchRun) {
	m.sum.events += r.events
	m.sum.rows += r.rows
	m.sum.usageRows += r.usageRows
	m.sum.elapsed += r.elapsed
	m.sum.goCPU += r.goCPU
	m.sum.pgCPU += r.pgCPU
	m.sum.parentCPU += r.parentCPU
	m.sum.objects += r.objects
	m.sum.gets += r.gets
	m.sum.peakRSSMB = max(m.sum.peakRSSMB, r.peakRSSMB)
}

func (m *benchMetrics) report(b *testing.B) {
	s := m.sum
	if s.events == 0 {
		return
	}
	b.ReportMetric(float64(s.events)/s.elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(s.rows)/float64(s.events), "rows/event")
	b.ReportMetric(float64(s.usageRows)/float64(s.events), "usage-rows/event")
	b.ReportMetric(s.goCPU.Seconds()*1e6/float64(s.events), "go-cpu-s/Mev")
	b.ReportMetric(s.pgCPU.Seconds()*1e6/float64(s.events), "pg-cpu-s/Mev")
	if s.gets > 0 {
		b.ReportMetric(float64(s.gets)/float64(s.objects), "gets/object")
	}
	if s.parentCPU > 0 {
		b.ReportMetric(s.parentCPU.Seconds()*1e6/float64(s.events), "parent-cpu-s/Mev")
	}
	if s.peakRSSMB > 0 {
		b.ReportMetric(s.peakRSSMB, "peak-RSS-MB")
	} else {
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
	}
}

// processCPU is this process's user + system time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the user + system time of the PostgreSQL backends with
// db's application_name (every pool of the run), read from /proc (the server runs on this machine in
// development; elsewhere it is 0).
func backendCPU(b *testing.B, db *store.DB) time.Duration {
	rows, err := db.Pool.Query(context.Background(),
		`SELECT pid FROM pg_stat_activity WHERE application_name = current_setting('application_name') AND datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		if _, cpu, ok := procCPU(fmt.Sprintf("/proc/%d", pid)); ok {
			total += cpu.own
		}
	}
	return total
}

// procTimes are a process's CPU times: its own (user + system) and its
// collected children's.
type procTimes struct{ own, children time.Duration }

// procCPU reads the command name and CPU times of the process whose /proc
// directory is dir; ok is false when it is gone.
func procCPU(dir string) (comm string, t procTimes, ok bool) {
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return "", t, false
	}
	s := string(stat)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", t, false
	}
	// After the command (in parentheses): state, ppid, ..., utime (12th),
	// stime, cutime, cstime, in clock ticks (100 a second on Linux).
	f := strings.Fields(s[closing+1:])
	if len(f) < 15 {
		return "", t, false
	}
	var ticks [4]int64
	for i := range ticks {
		ticks[i], _ = strconv.ParseInt(f[11+i], 10, 64)
	}
	const tick = 10 * time.Millisecond
	return s[open+1 : closing], procTimes{own: time.Duration(ticks[0]+ticks[1]) * tick, children: time.Duration(ticks[2]+ticks[3]) * tick}, true
}

// waitBackendsGone waits (up to 10 s) until no backend with application
// name app is left, and a little more for the postmaster to collect them.
func waitBackendsGone(b *testing.B, db *store.DB, app string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var n int
		if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
}

// serverCPU is the user + system time the PostgreSQL server's processes
// have used, read from /proc (the server runs on this machine in
// development; elsewhere it is 0): the live processes' own and what the
// postmaster collected from the backends that exited, as those of child
// ingesters do before they can be looked at. It counts the whole server
// (background writers, autovacuum, other clients' backends).
func serverCPU() time.Duration {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var total time.Duration
	for _, d := range dirs {
		if comm, cpu, ok := procCPU(d); ok && strings.HasPrefix(comm, "postgres") {
			total += cpu.own + cpu.children
		}
	}
	return total
}

// resetPeakRSS resets the process's peak resident set (Linux: writing 5 to
// clear_refs), so that the peak measured is the ingest's, not that of
// generating the corpus or of an earlier sub-benchmark.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMB is VmHWM, the peak resident set since the last reset, in MB.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
