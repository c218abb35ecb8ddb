package trim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest/apisrc/apitest"
	"github.com/iamtrim/iamtrim/ingest/iamsrc/iamtest"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/iamtrim/iamtrim/trim"
)

const (
	sampleDir  = "../testdata/sample"
	catalogDir = "../testdata/catalog"
	bucket     = "acme-cloudtrail-111122223333"
	role       = "orders-api-lambda"
)

var asOf = time.Date(2026, 10, 29, 0, 0, 0, 0, time.UTC)

func setAWSEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTRIMTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
}

// s3Server is gofakes3 holding the sample's log files in the trail's
// bucket, counting GET requests (object reads and listings).
func s3Server(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	h := gofakes3.New(s3mem.New()).Server()
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(sampleDir, "AWSLogs")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sampleDir, p)
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(filepath.ToSlash(rel)), Body: bytes.NewReader(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	gets.Store(0)
	return srv.URL, &gets
}

// catalogServer serves the test catalog in the Service Reference layout:
// the list at the root, one document per service.
func catalogServer(t *testing.T) *httptest.Server {
	t.Helper()
	entries, err := os.ReadDir(catalogDir)
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			var list []map[string]string
			for _, e := range entries {
				name := strings.TrimSuffix(e.Name(), ".json")
				list = append(list, map[string]string{"service": name, "url": srv.URL + "/" + e.Name()})
			}
			_ = json.NewEncoder(w).Encode(list)
			return
		}
		http.ServeFile(w, r, filepath.Join(catalogDir, filepath.Base(r.URL.Path)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

type fakes struct {
	iam  *iamtest.Server
	ct   *apitest.Server
	s3   string
	gets *atomic.Int64
	cat  *httptest.Server
}

func newFakes(t *testing.T) fakes {
	t.Helper()
	setAWSEnv(t)
	iam, err := iamtest.NewFromFile(filepath.Join(sampleDir, "authz.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iam.Close)
	ct := apitest.New("111122223333")
	t.Cleanup(ct.Close)
	raw, err := os.ReadFile(filepath.Join(sampleDir, "trails.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ct.SetTrails(raw); err != nil {
		t.Fatal(err)
	}
	s3url, gets := s3Server(t)
	return fakes{iam: iam, ct: ct, s3: s3url, gets: gets, cat: catalogServer(t)}
}

func (f fakes) options(t *testing.T, cacheDir string, stdout *bytes.Buffer) trim.Options {
	return trim.Options{
		Principal:       role,
		CatalogURL:      f.cat.URL + "/",
		CatalogCacheDir: cacheDir,
		AWS: trim.AWS{Region: "us-east-1", IAMEndpoint: f.iam.URL, S3Endpoint: f.s3, CloudTrailEndpoint: f.ct.URL,
			Endpoint: f.ct.URL, MaxBackoff: 5 * time.Millisecond},
		Analyze: analyze.Options{WindowDays: 30, AsOf: asOf},
		Stdout:  stdout,
		Now:     func() time.Time { return asOf.Add(36 * time.Hour) },
	}
}

// The whole live path through the real SDK: the catalog from a Service
// Reference endpoint, the role's policies by the per-role IAM reads, the
// trail and its bucket from DescribeTrails, only the window's days of logs
// from S3, and a proven recommendation; a second run reads nothing again.
func TestLive(t *testing.T) {
	f := newFakes(t)
	db := storetest.New(t)
	ctx := context.Background()
	var out bytes.Buffer
	o := f.options(t, t.TempDir(), &out)
	res, err := trim.Run(ctx, db, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Proven || res.Principal != "arn:aws:iam::111122223333:role/service-role/orders-api-lambda" {
		t.Fatalf("result %+v, want a proven recommendation for the role", res)
	}
	if !strings.Contains(out.String(), "+++ recommended:") {
		t.Errorf("stdout is not the diff:\n%s", out.String())
	}
	var names []string
	for _, s := range res.Stages {
		names = append(names, s.Name)
	}
	if want := []string{"catalog", "authz", "trails", "logs", "analyze+recommend"}; !slices.Equal(names, want) {
		t.Errorf("stages %v, want %v", names, want)
	}
	for _, a := range f.iam.Actions() {
		if a == "GetAccountAuthorizationDetails" || a == "ListRoles" {
			t.Errorf("a one-role run called iam:%s (the whole account)", a)
		}
	}
	if !slices.Contains(f.iam.Actions(), "GetPolicyVersion") {
		t.Errorf("the role's managed policies were not read: %v", f.iam.Actions())
	}
	// Only the window's 30 days (3 regions) of the sample's 90 are read.
	var days int
	if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT day) FROM log_coverage_daily`).Scan(&days); err != nil {
		t.Fatal(err)
	}
	if days == 0 || days > 30 {
		t.Errorf("%d days of logs ingested, want the window's (at most 30)", days)
	}
	if res.Ingest.FilesOK == 0 || res.Ingest.FilesOK >= 270 {
		t.Errorf("%d files ingested, want the window's only (the sample has 270)", res.Ingest.FilesOK)
	}
	if v, err := catalog.CurrentVersion(ctx, db); err != nil || v.Actions == 0 {
		t.Fatalf("catalog: %+v %v", v, err)
	}

	// A re-run: the catalog is fresh, every object is already done.
	out.Reset()
	f.gets.Store(0)
	res2, err := trim.Run(ctx, db, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if res2.Ingest.FilesOK != 0 || res2.Ingest.Events != 0 || res2.Ingest.FilesAlreadyDone != res.Ingest.FilesOK {
		t.Errorf("re-run ingested %d files (%d events), %d already done; want 0, 0, %d", res2.Ingest.FilesOK, res2.Ingest.Events, res2.Ingest.FilesAlreadyDone, res.Ingest.FilesOK)
	}
	if !res2.Proven {
		t.Errorf("re-run not proven")
	}
}

// Offline, the catalog comes from the last cached copy, with a warning;
// with nothing cached or stored, from the copy bundled in the binary.
func TestCatalogOffline(t *testing.T) {
	f := newFakes(t)
	ctx := context.Background()
	cache := t.TempDir()
	var out bytes.Buffer
	o := f.options(t, cache, &out)
	o.Logs, o.AuthzFile = filepath.Join(sampleDir, "AWSLogs"), filepath.Join(sampleDir, "authz.json")
	if _, err := trim.Run(ctx, storetest.New(t), o, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	f.cat.Close() // offline from here on

	var logs bytes.Buffer
	db := storetest.New(t)
	if _, err := trim.Run(ctx, db, o, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatalf("offline with a cached catalog: %v", err)
	}
	if !strings.Contains(logs.String(), "using the last cached copy") {
		t.Errorf("no warning about the cached catalog:\n%s", logs.String())
	}
	if v, err := catalog.CurrentVersion(ctx, db); err != nil || v.Actions == 0 {
		t.Fatalf("catalog from the cache: %+v %v", v, err)
	}

	// Nothing cached or stored: the bundled catalog, with a warning.
	o.CatalogCacheDir = t.TempDir()
	logs.Reset()
	db = storetest.New(t)
	res, err := trim.Run(ctx, db, o, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || !res.Proven {
		t.Fatalf("offline with nothing cached: %+v %v, want a proven recommendation from the bundled catalog", res, err)
	}
	if !strings.Contains(logs.String(), "using the catalog bundled with iamtrim") {
		t.Errorf("no warning about the bundled catalog:\n%s", logs.String())
	}
	if v, err := catalog.CurrentVersion(ctx, db); err != nil || v.Source != trim.BundledCatalogSource || !v.FetchedAt.Before(asOf) {
		t.Fatalf("stored catalog %+v %v, want the bundled one, never fresh", v, err)
	}
}

// An unknown role name read live gets the closest names IAM lists.
func TestLiveUnknownRole(t *testing.T) {
	f := newFakes(t)
	var out bytes.Buffer
	o := f.options(t, t.TempDir(), &out)
	o.Catalog = catalogDir
	o.Principal = "orders-api-lamda"
	_, err := trim.Run(context.Background(), storetest.New(t), o, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "did you mean orders-api-lambda") {
		t.Fatalf("got %v, want a suggestion of orders-api-lambda", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		o    trim.Options
		want string
	}{
		{"no role", trim.Options{Analyze: analyze.Options{WindowDays: 90}}, "role"},
		{"bad format", trim.Options{Principal: "r", Format: "yaml", Analyze: analyze.Options{WindowDays: 90}}, "format"},
		{"no window", trim.Options{Principal: "r"}, "window"},
		{"bad logs", trim.Options{Principal: "r", Logs: "/nonexistent", Analyze: analyze.Options{WindowDays: 90}}, "logs"},
		{"bad s3", trim.Options{Principal: "r", Logs: "s3:///x", Analyze: analyze.Options{WindowDays: 90}}, "logs"},
		{"bad catalog", trim.Options{Principal: "r", Catalog: "/nonexistent", Analyze: analyze.Options{WindowDays: 90}}, "catalog"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			// "field: what is wrong", or "field "value": what is wrong".
			if err == nil || !strings.HasPrefix(err.Error(), tc.want+":") && !strings.HasPrefix(err.Error(), tc.want+` "`) {
				t.Fatalf("got %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// -o FILE gets the format asked for; the diff still goes to stdout.
func TestOutputFileAndDiff(t *testing.T) {
	f := newFakes(t)
	var out bytes.Buffer
	o := f.options(t, t.TempDir(), &out)
	o.Catalog, o.Logs, o.AuthzFile = catalogDir, filepath.Join(sampleDir, "AWSLogs"), filepath.Join(sampleDir, "authz.json")
	o.Format, o.Output = "policy", filepath.Join(t.TempDir(), "policy.json")
	if _, err := trim.Run(context.Background(), storetest.New(t), o, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(o.Output)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Version string }
	if err := json.Unmarshal(b, &doc); err != nil || doc.Version != "2012-10-17" {
		t.Errorf("%s is not a policy document: %v\n%s", o.Output, err, b)
	}
	if !strings.Contains(out.String(), "+++ recommended:") {
		t.Errorf("stdout lacks the diff:\n%s", out.String())
	}
}
