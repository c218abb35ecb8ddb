package s3src_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/s3src"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 is gofakes3 behind a handler that can answer 503 SlowDown to
// every n-th request, as S3 does under load.
type fakeS3 struct {
	URL           string
	throttleEvery atomic.Int64
	requests      atomic.Int64
	throttled     atomic.Int64
	lists         atomic.Int64
	mu            sync.Mutex
	keyIDs        map[string]bool // access key ids seen in Authorization
	listPrefixes  []string
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{keyIDs: map[string]bool{}}
	h := gofakes3.New(s3mem.New()).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.requests.Add(1)
		if auth := r.Header.Get("Authorization"); auth != "" {
			if _, after, ok := strings.Cut(auth, "Credential="); ok {
				id, _, _ := strings.Cut(after, "/")
				f.mu.Lock()
				f.keyIDs[id] = true
				f.mu.Unlock()
			}
		}
		if every := f.throttleEvery.Load(); every > 0 && n%every == 0 {
			f.throttled.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>`)
			return
		}
		if r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2" {
			f.lists.Add(1)
			f.mu.Lock()
			f.listPrefixes = append(f.listPrefixes, r.URL.Query().Get("prefix"))
			f.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func setAWSEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
}

func loadCfg(t *testing.T, opts awsconf.Options) aws.Config {
	t.Helper()
	opts.MaxBackoff = 5 * time.Millisecond
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func put(t *testing.T, cfg aws.Config, endpoint, bucket string, keys []string) {
	t.Helper()
	ctx := context.Background()
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader("body of " + k)}); err != nil {
			t.Fatalf("put %s: %v", k, err)
		}
	}
}

// layoutKeys builds a bucket in the trail delivery layout: two accounts
// (one under an organization), two regions, days 2024-07-28 .. 2024-08-02,
// two files a day, plus digests, insights and a non-log object.
func layoutKeys() []string {
	var keys []string
	roots := []string{"trail/AWSLogs/111111111111/", "trail/AWSLogs/o-abcdef1234/222222222222/"}
	for _, root := range roots {
		acct := strings.Split(strings.TrimSuffix(root, "/"), "/")
		a := acct[len(acct)-1]
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			for d := time.Date(2024, 7, 28, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2024, 8, 3, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
				for i := range 2 {
					keys = append(keys, fmt.Sprintf("%sCloudTrail/%s/%s/%s_CloudTrail_%s_%sT00%d0Z_x.json.gz", root, region, d.Format("2006/01/02"), a, region, d.Format("20060102"), i))
				}
				keys = append(keys, fmt.Sprintf("%sCloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s.json.gz", root, region, d.Format("2006/01/02"), a, d.Format("20060102")))
			}
		}
		keys = append(keys, root+"CloudTrail/us-east-1/2024/07/30/notes.txt")
	}
	return keys
}

func TestList(t *testing.T) {
	setAWSEnv(t)
	fake := newFakeS3(t)
	cfg := loadCfg(t, awsconf.Options{})
	put(t, cfg, fake.URL, "logs", layoutKeys())
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

	tests := []struct {
		name      string
		uri       string
		filter    s3src.Filter
		throttle  int64
		wantCount int
		// want, when set, are the keys' date/account/region triples expected.
		check func(o s3src.Object) bool
		// notListed are substrings no LIST prefix may contain.
		notListed []string
	}{
		{name: "everything", uri: "s3://logs/trail", wantCount: 2 * 2 * 6 * 2},
		{name: "everything, AWSLogs given", uri: "s3://logs/trail/AWSLogs/", wantCount: 2 * 2 * 6 * 2},
		{name: "window", uri: "s3://logs/trail", filter: s3src.Filter{Since: d("2024-07-31"), Until: d("2024-08-02")},
			wantCount: 2 * 2 * 2 * 2, check: func(o s3src.Object) bool { return !o.Day.Before(d("2024-07-31")) && o.Day.Before(d("2024-08-02")) },
			notListed: []string{"/2024/07/28", "/2024/07/29", "/2024/07/30", "/2024/08/02", "CloudTrail-Digest"}},
		{name: "window with throttling", uri: "s3://logs/trail", filter: s3src.Filter{Since: d("2024-07-31"), Until: d("2024-08-02")}, throttle: 3,
			wantCount: 2 * 2 * 2 * 2},
		{name: "until only", uri: "s3://logs/trail", filter: s3src.Filter{Until: d("2024-07-29")}, wantCount: 2 * 2 * 1 * 2,
			check: func(o s3src.Object) bool { return o.Day.Equal(d("2024-07-28")) }},
		{name: "account", uri: "s3://logs/trail", filter: s3src.Filter{Accounts: []string{"222222222222"}}, wantCount: 2 * 6 * 2,
			check: func(o s3src.Object) bool { return o.Account == "222222222222" }},
		{name: "region", uri: "s3://logs/trail", filter: s3src.Filter{Regions: []string{"eu-west-1"}, Since: d("2024-08-01")}, wantCount: 2 * 2 * 2,
			check: func(o s3src.Object) bool { return o.Region == "eu-west-1" }},
		{name: "day prefix given", uri: "s3://logs/trail/AWSLogs/111111111111/CloudTrail/us-east-1/2024/07/30/", wantCount: 2,
			check: func(o s3src.Object) bool { return o.Day.Equal(d("2024-07-30")) && o.Account == "111111111111" }},
		{name: "month prefix given with window", uri: "s3://logs/trail/AWSLogs/111111111111/CloudTrail/eu-west-1/2024/08", filter: s3src.Filter{Until: d("2024-08-02")}, wantCount: 2,
			check: func(o s3src.Object) bool { return o.Day.Equal(d("2024-08-01")) }},
		{name: "no layout", uri: "s3://logs/trail/AWSLogs/111111111111/CloudTrail-Digest", wantCount: 2 * 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := s3src.New(cfg, tc.uri, s3src.Options{Endpoint: fake.URL, PageSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			fake.throttleEvery.Store(tc.throttle)
			fake.throttled.Store(0)
			fake.mu.Lock()
			fake.listPrefixes = nil
			fake.mu.Unlock()
			defer fake.throttleEvery.Store(0)
			var got []s3src.Object
			err = src.List(context.Background(), tc.filter, func(o s3src.Object) error { got = append(got, o); return nil })
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(got) != tc.wantCount {
				t.Errorf("got %d objects, want %d", len(got), tc.wantCount)
			}
			keys := map[string]bool{}
			for _, o := range got {
				if keys[o.Key] {
					t.Errorf("key %s listed twice", o.Key)
				}
				keys[o.Key] = true
				if !s3src.IsLogName(o.Key) || strings.Contains(o.Key, "Digest") != strings.Contains(tc.uri, "Digest") {
					t.Errorf("listed %s", o.Key)
				}
				if tc.check != nil && !tc.check(o) {
					t.Errorf("listed %s (account %q region %q day %v) outside the filter", o.Key, o.Account, o.Region, o.Day)
				}
				if o.Size == 0 || o.ETag == "" {
					t.Errorf("%s: size %d etag %q, want both set", o.Key, o.Size, o.ETag)
				}
			}
			if tc.throttle > 0 && fake.throttled.Load() == 0 {
				t.Errorf("no request was throttled; the test did not exercise retries")
			}
			fake.mu.Lock()
			for _, p := range fake.listPrefixes {
				for _, bad := range tc.notListed {
					if strings.Contains(p, bad) {
						t.Errorf("listed prefix %q, outside the window", p)
					}
				}
			}
			fake.mu.Unlock()
		})
	}
}

func TestOpenRetriesAndReads(t *testing.T) {
	setAWSEnv(t)
	fake := newFakeS3(t)
	cfg := loadCfg(t, awsconf.Options{})
	keys := []string{"a/AWSLogs/111111111111/CloudTrail/us-east-1/2024/07/30/f1.json", "a/AWSLogs/111111111111/CloudTrail/us-east-1/2024/07/30/f2.json"}
	put(t, cfg, fake.URL, "logs", keys)
	src, err := s3src.New(cfg, "s3://logs/a/", s3src.Options{Endpoint: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	fake.throttleEvery.Store(2)
	for _, k := range keys {
		rc, err := src.Open(context.Background(), k)
		if err != nil {
			t.Fatalf("Open(%s): %v", k, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), "body of "+k; got != want {
			t.Errorf("Open(%s) read %q, want %q", k, got, want)
		}
	}
	if fake.throttled.Load() == 0 {
		t.Errorf("no GET was throttled; retries not exercised")
	}
}

func TestProfileCredentials(t *testing.T) {
	setAWSEnv(t)
	dir := t.TempDir()
	writeFile(t, dir+"/config", "[profile audit]\nregion = eu-west-1\n")
	writeFile(t, dir+"/credentials", "[audit]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_REGION", "")
	fake := newFakeS3(t)
	cfg := loadCfg(t, awsconf.Options{Profile: "audit"})
	if cfg.Region != "eu-west-1" {
		t.Errorf("region %q, want the profile's eu-west-1", cfg.Region)
	}
	put(t, cfg, fake.URL, "logs", []string{"x/y.json"})
	src, err := s3src.New(cfg, "s3://logs/x", s3src.Options{Endpoint: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := src.List(context.Background(), s3src.Filter{}, func(o s3src.Object) error { got = append(got, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"x/y.json"}, got); diff != "" {
		t.Errorf("listing (-want +got):\n%s", diff)
	}
	fake.mu.Lock()
	ids := slices.Sorted(func(yield func(string) bool) {
		for k := range fake.keyIDs {
			if !yield(k) {
				return
			}
		}
	})
	fake.mu.Unlock()
	if diff := cmp.Diff([]string{"AKIDPROFILE"}, ids); diff != "" {
		t.Errorf("access keys used (-want +got):\n%s", diff)
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri, bucket, prefix string
		wantErr             bool
	}{
		{uri: "s3://b", bucket: "b"},
		{uri: "s3://b/", bucket: "b"},
		{uri: "s3://b/p/AWSLogs/", bucket: "b", prefix: "p/AWSLogs/"},
		{uri: "s3:///p", wantErr: true},
		{uri: "/tmp/x", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			b, p, err := s3src.ParseURI(tc.uri)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if b != tc.bucket || p != tc.prefix {
				t.Errorf("got (%q, %q), want (%q, %q)", b, p, tc.bucket, tc.prefix)
			}
		})
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBucketInAnotherRegion: S3 answers requests signed for the wrong
// region with 301 and the bucket's region; the source follows it.
func TestBucketInAnotherRegion(t *testing.T) {
	setAWSEnv(t)
	h := gofakes3.New(s3mem.New()).Server()
	var wrong atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, after, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		parts := strings.Split(after, "/")
		if len(parts) > 2 && parts[2] != "eu-central-1" {
			wrong.Add(1)
			w.Header().Set("X-Amz-Bucket-Region", "eu-central-1")
			w.WriteHeader(http.StatusMovedPermanently)
			if r.Method != http.MethodHead {
				fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>wrong region</Message></Error>`)
			}
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := loadCfg(t, awsconf.Options{Region: "eu-central-1"})
	put(t, cfg, srv.URL, "logs", []string{"AWSLogs/111111111111/CloudTrail/eu-central-1/2024/07/30/a.json.gz"})
	cfg = loadCfg(t, awsconf.Options{Region: "us-east-1"})
	src, err := s3src.New(cfg, "s3://logs/", s3src.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := src.List(context.Background(), s3src.Filter{}, func(o s3src.Object) error { got = append(got, o.Key); return nil }); err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(got) != 1 {
		t.Errorf("listed %q, want the one object", got)
	}
	if wrong.Load() != 1 {
		t.Errorf("%d requests went to the wrong region, want 1 (the HeadBucket that finds it)", wrong.Load())
	}
}
