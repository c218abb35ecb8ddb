package ingest_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/apisrc/apitest"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func setAWSEnv(t testing.TB) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
}

// s3Server is gofakes3 answering 503 SlowDown to every n-th request.
func s3Server(t *testing.T, throttleEvery int64) (url string, throttled *atomic.Int64) {
	t.Helper()
	h := gofakes3.New(s3mem.New()).Server()
	var n atomic.Int64
	throttled = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if throttleEvery > 0 && n.Add(1)%throttleEvery == 0 && r.Method == http.MethodGet {
			throttled.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, throttled
}

// filepathWalk calls fn with every file under dir, by slash-separated
// relative path.
func filepathWalk(dir string, fn func(rel string, b []byte)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel), b)
		return nil
	})
}

func s3Put(t *testing.T, endpoint, bucket string, objects map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for k, b := range objects {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(string(b))}); err != nil {
			t.Fatalf("put %s: %v", k, err)
		}
	}
}

// TestS3 ingests a trail bucket through the real S3 client against an
// in-process S3 server that throttles, and checks it against the same
// files ingested from disk.
func TestS3(t *testing.T) {
	setAWSEnv(t)
	endpoint, throttled := s3Server(t, 4)
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "trail"), 16, 30, 4)
	objects := map[string][]byte{}
	err := filepathWalk(filepath.Join(dir, "trail"), func(rel string, b []byte) { objects["trail/"+rel] = b })
	if err != nil {
		t.Fatal(err)
	}
	// An empty log file still proves its day has logs.
	emptyKey := "trail/AWSLogs/" + acctA + "/CloudTrail/ap-south-1/" + day0.Format("2006/01/02") + "/empty.json.gz"
	objects[emptyKey] = gz(t, []byte(`{"Records":[]}`))
	// A digest is skipped: not listed (not under CloudTrail/).
	objects["trail/AWSLogs/"+acctA+"/CloudTrail-Digest/us-east-1/"+day0.Format("2006/01/02")+"/d.json.gz"] = gz(t, []byte(`{}`))
	s3Put(t, endpoint, "logs", objects)

	db := storetest.New(t)
	opts := ingest.Options{Sources: []string{"s3://logs/trail"}, S3Endpoint: endpoint, AWSMaxBackoff: 5 * time.Millisecond, Workers: 3}
	s := runCat(t, db, opts)
	if s.FilesOK != 17 || s.FilesFailed != 0 || s.Events != 16*30 {
		t.Errorf("S3: %d ok, %d failed, %d events; want 17, 0, %d (errors %q)", s.FilesOK, s.FilesFailed, s.Events, 16*30, s.Errors)
	}
	if throttled.Load() == 0 {
		t.Errorf("no S3 request was throttled; retries not exercised")
	}
	var etags int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ingest_object WHERE source = 's3' AND key LIKE 's3://logs/trail/AWSLogs/%' AND version LIKE 'etag:%' AND status = 'done'`).Scan(&etags); err != nil {
		t.Fatal(err)
	}
	if etags != 17 {
		t.Errorf("%d S3 objects in the ledger with their ETag, want 17", etags)
	}
	var emptyDay int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM log_coverage_daily WHERE region = 'ap-south-1' AND events = 0 AND day = $1`, day0).Scan(&emptyDay); err != nil {
		t.Fatal(err)
	}
	if emptyDay != 1 {
		t.Errorf("the empty object's day is not in log_coverage_daily")
	}
	// Same rollups as from the files.
	fromFiles := storetest.New(t)
	runCat(t, fromFiles, ingest.Options{Sources: []string{dir}})
	got, want := totals(t, db), totals(t, fromFiles)
	got.Coverage, want.Coverage = nil, nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("S3 rollups differ from the files' (-files +s3):\n%s", diff)
	}
	// A second run lists again and finds everything done.
	again := runCat(t, db, opts)
	if again.FilesAlreadyDone != 17 || again.Events != 0 {
		t.Errorf("second S3 run: %d already done, %d events; want 17, 0", again.FilesAlreadyDone, again.Events)
	}
	// A window lists only its days (here: day 2 of 0..3; account B has
	// logs on days 2 and 3) and, with --account, one account.
	db2 := storetest.New(t)
	w := runCat(t, db2, ingest.Options{Sources: []string{"s3://logs/trail"}, S3Endpoint: endpoint, AWSMaxBackoff: 5 * time.Millisecond,
		Since: day0.AddDate(0, 0, 2), Until: day0.AddDate(0, 0, 3), Accounts: []string{acctB}})
	var accounts, days int
	if err := db2.Pool.QueryRow(context.Background(), `SELECT count(DISTINCT account_id), count(DISTINCT day) FROM log_coverage_daily`).Scan(&accounts, &days); err != nil {
		t.Fatal(err)
	}
	if w.Events == 0 || accounts != 1 || days != 1 {
		t.Errorf("windowed S3 run: %d events over %d accounts and %d days, want > 0, 1, 1", w.Events, accounts, days)
	}
}

// TestS3SkipsObjectsDoneElsewhere: an S3 object another ingester
// finished after this one listed it is not downloaded. Concurrent
// ingesters set aside the days others hold and come back to them at the
// end of their listing, when they are mostly done: each would otherwise
// GET nearly every object of the bucket only to find it done.
func TestS3SkipsObjectsDoneElsewhere(t *testing.T) {
	setAWSEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "trail"), 8, 10, 2) // day 1: 4 objects, accounts A and B
	objects := map[string][]byte{}
	if err := filepathWalk(filepath.Join(dir, "trail"), func(rel string, b []byte) { objects["trail/"+rel] = b }); err != nil {
		t.Fatal(err)
	}
	day1 := day0.AddDate(0, 0, 1)
	db := storetest.New(t)
	other, err := store.Open(ctx, store.Options{URL: storetest.URL(), Schema: db.Schema, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// The other ingester holds day 1 (as the test's claims) while this one
	// lists: this one sets day 1's objects aside.
	claims, err := other.OpenClaims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer claims.Close()
	for _, acct := range []string{acctA, acctB} {
		if got, err := claims.TryLock(ctx, ingest.DayClaim(acct, day1)); err != nil || !got {
			t.Fatalf("claim day 1 of %s: %v %v", acct, got, err)
		}
	}

	h := gofakes3.New(s3mem.New()).Server()
	var (
		once              sync.Once
		otherSum          ingest.Summary
		otherErr          error
		otherDone         atomic.Bool
		lateGets, allGets atomic.Int64
	)
	dayPath := "/" + day1.Format("2006/01/02") + "/"
	s3Opts := ingest.Options{Sources: []string{"s3://logs/trail"}, AWSMaxBackoff: 5 * time.Millisecond, Workers: 1}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, ".json.gz") {
			allGets.Add(1)
			if !strings.Contains(r.URL.Path, dayPath) {
				// This ingester's first download (of day 0): first the
				// other ingests day 1, which this one has listed.
				once.Do(func() {
					otherErr = waitRegistered(ctx, db, 8)
					if otherErr == nil {
						o := s3Opts
						o.Since, o.Until = day1, day1.AddDate(0, 0, 1)
						otherSum, otherErr = ingest.Run(ctx, other, testCatalog{}, o, testLogger(t))
					}
					otherDone.Store(true)
				})
			} else if otherDone.Load() {
				lateGets.Add(1)
			}
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s3Put(t, srv.URL, "logs", objects)
	s3Opts.S3Endpoint = srv.URL

	s := runCat(t, db, s3Opts)
	if otherErr != nil || otherSum.FilesOK != 4 {
		t.Fatalf("the other ingester: %d objects ingested, error %v; want 4 (day 1)", otherSum.FilesOK, otherErr)
	}
	if s.FilesOK != 4 || s.FilesAlreadyDone != 4 || s.Events != 4*10 {
		t.Errorf("this ingester: %d ok, %d already done, %d events; want 4, 4, 40", s.FilesOK, s.FilesAlreadyDone, s.Events)
	}
	if n := lateGets.Load(); n > 0 {
		t.Errorf("%d objects downloaded after another ingester had finished them (%d GETs in all, for 8 objects)", n, allGets.Load())
	}
}

// waitRegistered waits (up to 10 s) until the ledger holds n objects.
func waitRegistered(ctx context.Context, db *store.DB, n int) error {
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var got int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ingest_object`).Scan(&got); err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d objects registered after 10 s, want %d", got, n)
		}
	}
}

// TestAPI reads the CloudTrail API through the real SDK client against a
// local endpoint speaking its JSON protocol: pagination, throttling with
// retries, several regions, resumption, and dedup against files.
func TestAPI(t *testing.T) {
	setAWSEnv(t)
	srv := apitest.New(acctA)
	defer srv.Close()
	srv.ThrottleEvery.Store(4)
	type added struct {
		region string
		at     time.Time
	}
	var all []added
	add := func(from, n, day int, region string) {
		for _, r := range events(from, n, day, acctA, region) {
			if err := srv.Add(region, mustJSON(t, r)); err != nil {
				t.Fatal(err)
			}
			at, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
			all = append(all, added{region, at})
		}
	}
	// count returns how many added events fall in [from, to), and the
	// newest of them in region.
	count := func(from, to time.Time, region string) (n int64, newest time.Time) {
		for _, a := range all {
			if !a.at.Before(from) && a.at.Before(to) {
				n++
				if a.region == region && a.at.After(newest) {
					newest = a.at
				}
			}
		}
		return n, newest
	}
	// Days 0-2, two regions; 120 events a day in us-east-1 (3 pages of 50).
	for d := range 3 {
		add(d*1000, 120, d, "us-east-1")
		add(d*1000+500, 20, d, "eu-west-1")
	}
	now := day0.AddDate(0, 0, 2).Add(12 * time.Hour) // noon on day 2
	clock := func() time.Time { return now }
	db := storetest.New(t)
	opts := ingest.Options{Sources: []string{"api"}, APIEndpoint: srv.URL, APIRatePerSecond: 200, AWSMaxBackoff: 5 * time.Millisecond,
		Regions: []string{"us-east-1", "eu-west-1"}, Since: day0, Now: clock}
	s := runCat(t, db, opts)
	want, newest := count(day0, now, "us-east-1")
	if s.Events != want || s.FilesFailed != 0 || s.FilesOK != 6 {
		t.Errorf("API run: %d events, %d windows ok, %d failed; want %d, 6, 0 (errors %q)", s.Events, s.FilesOK, s.FilesFailed, want, s.Errors)
	}
	if srv.Throttled.Load() == 0 {
		t.Errorf("no LookupEvents call was throttled; retries not exercised")
	}
	ctx := context.Background()
	var complete, partial int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE version = 'complete'), count(*) FILTER (WHERE version LIKE 'partial:%') FROM ingest_object WHERE source = 'api'`).Scan(&complete, &partial); err != nil {
		t.Fatal(err)
	}
	if complete != 4 || partial != 2 {
		t.Errorf("%d complete and %d partial API days, want 4 and 2", complete, partial)
	}
	var cursor time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT last_event_time FROM ingest_api_cursor WHERE account_id = $1 AND region = 'us-east-1'`, acctA).Scan(&cursor); err != nil {
		t.Fatal(err)
	}
	if !cursor.Equal(newest) {
		t.Errorf("cursor %s, want the newest event read, %s", cursor, newest)
	}

	// Later: more events on day 2 (evening) and day 3. The next run skips
	// the complete days and resumes day 2 shortly before where it stopped.
	add(2*1000+720, 30, 2, "us-east-1")
	add(3*1000, 10, 3, "us-east-1")
	regions := []string{"us-east-1", "eu-west-1"}
	before := map[string]int{}
	for _, r := range regions {
		before[r] = len(srv.Starts(r))
	}
	prev := now
	now = day0.AddDate(0, 0, 4).Add(time.Hour)
	s2 := runCat(t, db, opts)
	want2, _ := count(prev, now, "")
	if s2.Events != want2 || s2.FilesAlreadyDone != 4 || s2.FilesOK != 6 {
		t.Errorf("resumed run: %d events, %d days already done, %d days read; want %d, 4, 6", s2.Events, s2.FilesAlreadyDone, s2.FilesOK, want2)
	}
	// Only the unfinished days are asked for: days 2, 3 and 4 in two
	// regions, never the complete days 0 and 1. (A day's window may be
	// asked for again when its transaction is retried, after a deadlock
	// or to create a month's partition, so calls are not counted.)
	for _, r := range regions {
		days := map[string]bool{}
		for _, st := range srv.Starts(r)[before[r]:] {
			if st.Before(day0.AddDate(0, 0, 2)) {
				t.Errorf("resumed run asked %s for %s, a complete day", r, st.Format(time.RFC3339))
			}
			days[st.UTC().Format(time.DateOnly)] = true
		}
		if len(days) != 3 {
			t.Errorf("resumed run asked %s for days %v, want days 2, 3 and 4", r, slices.Sorted(maps.Keys(days)))
		}
	}
	// The same events from a file are duplicates.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "export.json"), asLookupEvents(t, events(0, 120, 0, acctA, "us-east-1")))
	s3 := runCat(t, db, ingest.Options{Sources: []string{dir}})
	if s3.Events != 0 || s3.Duplicates != 120 {
		t.Errorf("file holding API events: %d events, %d duplicates; want 0, 120", s3.Events, s3.Duplicates)
	}
}
