package ingest_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// getLog is an S3 endpoint that records the objects it is asked for.
type getLog struct {
	mu   sync.Mutex
	keys []string // ledger keys (s3://bucket/key) of the GetObjects, as they arrive
	// hang makes every GetObject wait until its request is cancelled;
	// inFlight counts those waiting.
	hang     atomic.Bool
	inFlight atomic.Int64
}

func (g *getLog) gets() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.keys)
}

// readAheadBucket puts n objects of 5 events (days 0 and 1) in bucket
// logs of a recording endpoint; it returns the endpoint and each object's
// size by ledger key.
func readAheadBucket(t *testing.T, n int) (*getLog, string, map[string]int64) {
	t.Helper()
	setAWSEnv(t)
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "trail"), n, 5, 2)
	objects := map[string][]byte{}
	sizes := map[string]int64{}
	if err := filepathWalk(filepath.Join(dir, "trail"), func(rel string, b []byte) {
		objects["trail/"+rel] = b
		sizes["s3://logs/trail/"+rel] = int64(len(b))
	}); err != nil {
		t.Fatal(err)
	}
	g := &getLog{}
	h := gofakes3.New(s3mem.New()).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, ".json.gz") {
			g.mu.Lock()
			g.keys = append(g.keys, "s3:/"+r.URL.Path)
			g.mu.Unlock()
			if g.hang.Load() {
				g.inFlight.Add(1)
				<-r.Context().Done()
				g.inFlight.Add(-1)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s3Put(t, srv.URL, "logs", objects)
	return g, srv.URL, sizes
}

// startRun starts a run (of at most 5 minutes) and returns a function
// that waits for its end.
func startRun(t *testing.T, db *store.DB, opts ingest.Options) (wait func() (ingest.Summary, error)) {
	type result struct {
		s   ingest.Summary
		err error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	go func() {
		s, err := ingest.Run(ctx, db, testCatalog{}, opts, testLogger(t))
		done <- result{s, err}
	}()
	return func() (ingest.Summary, error) {
		res := <-done
		cancel()
		return res.s, res.err
	}
}

// heldOpen starts a run with one worker whose first group's transaction
// cannot commit (usage_daily is locked) and returns once it waits, with
// the ledger keys that transaction claimed, and a function that lets it
// commit and returns the run's summary and error.
func heldOpen(t *testing.T, db *store.DB, opts ingest.Options) (claimed map[string]bool, finish func() (ingest.Summary, error)) {
	t.Helper()
	ctx := context.Background()
	other, err := store.Open(ctx, store.Options{URL: storetest.URL(), Schema: db.Schema, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	lock, err := other.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if finish == nil {
			_ = lock.Rollback(ctx)
		}
	}()
	if _, err := lock.Exec(ctx, `LOCK TABLE usage_daily IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	wait := startRun(t, db, opts)
	finishRun := func() (ingest.Summary, error) {
		_ = lock.Rollback(ctx)
		return wait()
	}
	// Wait for the run to wait on a lock of this schema's.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := other.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation IN
			(SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			finishRun()
			t.Fatal("the run's first transaction did not reach the locked usage_daily in 30 s")
		}
	}
	// The keys it claimed are those locked.
	rows, err := other.Pool.Query(ctx, `WITH free AS (SELECT key FROM ingest_object FOR UPDATE SKIP LOCKED)
		SELECT key FROM ingest_object WHERE key NOT IN (SELECT key FROM free)`)
	if err != nil {
		t.Fatal(err)
	}
	claimed = map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		claimed[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(claimed) == 0 {
		finishRun()
		t.Fatal("the waiting transaction holds no ledger rows")
	}
	return claimed, finishRun
}

// aheadOf returns the objects of gets not in claimed, with their bytes.
func aheadOf(gets []string, claimed map[string]bool, sizes map[string]int64) (keys []string, bytes int64) {
	for _, k := range gets {
		if !claimed[k] {
			keys = append(keys, k)
			bytes += sizes[k]
		}
	}
	return keys, bytes
}

// ingestedOnce checks that a run of n objects (readAheadBucket) ended
// well, each downloaded once.
func ingestedOnce(t *testing.T, s ingest.Summary, err error, g *getLog, n int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if s.FilesOK != n || s.Events != int64(n)*5 {
		t.Errorf("%d objects ok, %d events; want %d, %d (errors %q)", s.FilesOK, s.Events, n, n*5, s.Errors)
	}
	if gets := g.gets(); len(gets) != n {
		t.Errorf("%d GetObject requests for %d objects, want one each", len(gets), n)
	}
}

// TestS3ReadAhead: while a worker's group is in its transaction, the
// objects of its next group are already downloading, instead of after the
// commit (one ingester over S3 used to stall round trips between groups).
// Each object is still downloaded once.
func TestS3ReadAhead(t *testing.T) {
	const n = 80 // more than a group holds (32)
	g, endpoint, sizes := readAheadBucket(t, n)
	db := storetest.New(t)
	opts := ingest.Options{Sources: []string{"s3://logs/trail"}, S3Endpoint: endpoint, AWSMaxBackoff: 5 * time.Millisecond, Workers: 1}
	claimed, finish := heldOpen(t, db, opts)
	var ahead []string
	for deadline := time.Now().Add(20 * time.Second); len(ahead) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ahead, _ = aheadOf(g.gets(), claimed, sizes)
	}
	if len(ahead) == 0 {
		t.Errorf("no object downloaded beyond the %d of the group in its transaction after 20 s: the next group waits for the commit", len(claimed))
	}
	s, err := finish()
	ingestedOnce(t, s, err, g, n)
}

// TestS3ReadAheadBound: what is read ahead of the groups being processed
// never exceeds the bound; the objects beyond it are downloaded when their
// group comes.
func TestS3ReadAheadBound(t *testing.T) {
	const n = 80
	g, endpoint, sizes := readAheadBucket(t, n)
	var largest int64
	for _, s := range sizes {
		largest = max(largest, s)
	}
	bound := 3 * largest // a few objects of the next group's up to 32
	defer ingest.SetReadAheadMax(bound)()
	db := storetest.New(t)
	opts := ingest.Options{Sources: []string{"s3://logs/trail"}, S3Endpoint: endpoint, AWSMaxBackoff: 5 * time.Millisecond, Workers: 1}
	claimed, finish := heldOpen(t, db, opts)
	var ahead []string
	var bytes int64
	// Until the read-ahead stops, and a while more to see that it does.
	for deadline, last := time.Now().Add(20*time.Second), time.Now(); time.Now().Before(deadline) && time.Since(last) < time.Second; time.Sleep(10 * time.Millisecond) {
		var got []string
		got, bytes = aheadOf(g.gets(), claimed, sizes)
		if len(got) != len(ahead) {
			ahead, last = got, time.Now()
		}
		if bytes > bound {
			break
		}
	}
	if bytes > bound || len(ahead) == 0 {
		t.Errorf("%d bytes read ahead (%d objects) while the first group's transaction waited; want some, at most the bound of %d", bytes, len(ahead), bound)
	}
	s, err := finish()
	ingestedOnce(t, s, err, g, n)
}

// TestS3ReadAheadCancel: a cancelled run (SIGTERM) stops its downloads,
// read ahead or not, at once, and starts none after.
func TestS3ReadAheadCancel(t *testing.T) {
	g, endpoint, _ := readAheadBucket(t, 40)
	g.hang.Store(true) // every download hangs until cancelled
	db := storetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := ingest.Run(ctx, db, testCatalog{}, ingest.Options{Sources: []string{"s3://logs/trail"}, S3Endpoint: endpoint,
			AWSMaxBackoff: 5 * time.Millisecond, Workers: 2}, testLogger(t))
		done <- err
	}()
	for deadline := time.Now().Add(30 * time.Second); g.inFlight.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no download started in 30 s")
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled run: %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("a cancelled run still waits on its downloads after 30 s (%d in flight)", g.inFlight.Load())
	}
	after := len(g.gets())
	for deadline := time.Now().Add(10 * time.Second); g.inFlight.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d downloads still open 10 s after the cancelled run returned", g.inFlight.Load())
		}
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(g.gets()); n != after {
		t.Errorf("%d downloads started after the cancelled run returned", n-after)
	}
}

// TestS3ReadAheadBusy: an object read ahead that another ingester holds
// when its group's transaction claims it is taken again, alone, once that
// ingester lets go, and ingested.
func TestS3ReadAheadBusy(t *testing.T) {
	const n = 8
	g, endpoint, sizes := readAheadBucket(t, n)
	keys := slices.Sorted(maps.Keys(sizes))
	db := storetest.New(t)
	ctx := context.Background()
	other, err := store.Open(ctx, store.Options{URL: storetest.URL(), Schema: db.Schema, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// The other ingester holds the first object's ledger row.
	holder, err := other.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, `INSERT INTO ingest_object (source, key, size) VALUES ('s3', $1, $2)`, keys[0], sizes[keys[0]]); err != nil {
		t.Fatal(err)
	}
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	holder, err = other.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(ctx, `SELECT 1 FROM ingest_object WHERE key = $1 FOR UPDATE`, keys[0]); err != nil {
		t.Fatal(err)
	}
	wait := startRun(t, db, ingest.Options{Sources: []string{"s3://logs/trail"}, S3Endpoint: endpoint, AWSMaxBackoff: 5 * time.Millisecond, Workers: 1})
	// Once the others are done, the run has set the held object aside
	// (downloaded with its group): then the holder lets go.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var ok int
		if err := other.Pool.QueryRow(ctx, `SELECT count(*) FROM ingest_object WHERE status = 'done'`).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		if ok == n-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d objects done after 30 s, want %d", ok, n-1)
		}
	}
	if !slices.Contains(g.gets(), keys[0]) {
		t.Error("the held object was not read ahead with its group")
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	sum, err := wait()
	ingestedOnce(t, sum, err, g, n)
}
