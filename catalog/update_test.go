package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// refServer serves a catalog directory the way AWS's Service Reference
// endpoint does: the root is the service list, whose urls point at
// /v1/<service>/<service>.json (absolute, as AWS publishes them) or, with
// relative, at the file names as the directory's own list has them.
type refServer struct {
	*httptest.Server
	dir      string
	etag     bool // send ETag (and honour If-None-Match)
	lastMod  bool // send Last-Modified (and honour If-Modified-Since)
	relative bool
	failing  map[string]int // path -> status to answer instead

	mu       sync.Mutex
	requests int
	status   map[int]int    // status -> count
	served   map[string]int // path -> 200s
}

func newRefServer(t *testing.T, dir string, etag, lastMod, relative bool) *refServer {
	t.Helper()
	s := &refServer{dir: dir, etag: etag, lastMod: lastMod, relative: relative,
		failing: map[string]int{}, status: map[int]int{}, served: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *refServer) handle(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests++
		s.status[rec.code]++
		if rec.code == http.StatusOK {
			s.served[r.URL.Path]++
		}
	}()
	s.mu.Lock()
	fail := s.failing[r.URL.Path]
	s.mu.Unlock()
	if fail != 0 {
		http.Error(rec, http.StatusText(fail), fail)
		return
	}
	var file string
	switch {
	case r.URL.Path == "/":
		file = ServiceListFile
	case s.relative:
		file = path.Base(r.URL.Path)
	default:
		// /v1/<svc>/<svc>.json
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) != 3 || parts[0] != "v1" || parts[2] != parts[1]+".json" {
			http.NotFound(rec, r)
			return
		}
		file = parts[2]
	}
	p := filepath.Join(s.dir, file)
	data, err := os.ReadFile(p)
	if err != nil {
		http.NotFound(rec, r)
		return
	}
	fi, err := os.Stat(p)
	if err != nil {
		http.Error(rec, err.Error(), http.StatusInternalServerError)
		return
	}
	if file == ServiceListFile && !s.relative {
		var list []ServiceListEntry
		if err := json.Unmarshal(data, &list); err != nil {
			http.Error(rec, err.Error(), http.StatusInternalServerError)
			return
		}
		for i := range list {
			list[i].URL = fmt.Sprintf("%s/v1/%s/%s.json", s.URL, list[i].Service, list[i].Service)
		}
		data, _ = json.Marshal(list)
	}
	if s.etag {
		sum := sha256.Sum256(data)
		rec.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	}
	var mod time.Time
	if s.lastMod {
		mod = fi.ModTime()
	}
	rec.Header().Set("Content-Type", "application/json")
	http.ServeContent(rec, r, file, mod, bytes.NewReader(data))
}

func (s *refServer) counts() (requests int, status map[int]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status = make(map[int]int, len(s.status))
	for k, v := range s.status {
		status[k] = v
	}
	requests = s.requests
	s.requests = 0
	s.status = map[int]int{}
	s.served = map[string]int{}
	return requests, status
}

func (s *refServer) setFailing(p string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.failing, p)
	} else {
		s.failing[p] = code
	}
}

func TestUpdate(t *testing.T) {
	fixture := loadFixture(t)
	modes := []struct {
		name                    string
		etag, lastMod, relative bool
	}{
		{name: "etag", etag: true},
		{name: "last-modified", lastMod: true},
		{name: "etag and last-modified, relative urls", etag: true, lastMod: true, relative: true},
		{name: "no validators"},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ctx := context.Background()
			src := copyDir(t, fixtureDir)
			srv := newRefServer(t, src, m.etag, m.lastMod, m.relative)
			cache := filepath.Join(t.TempDir(), "cache")
			conditional := m.etag || m.lastMod
			clock := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
			u := Updater{Client: srv.Client(), BaseURL: srv.URL + "/", CacheDir: cache, Now: func() time.Time { return clock }}

			// First run: everything is downloaded.
			c, stats, err := u.Run(ctx)
			if err != nil {
				t.Fatalf("first update: %v", err)
			}
			want := UpdateStats{Services: 3, Requests: 4, Downloaded: 3, Changed: 3, Bytes: stats.Bytes}
			if diff := cmp.Diff(want, stats); diff != "" || stats.Bytes == 0 {
				t.Errorf("first update stats (-want +got):\n%s", diff)
			}
			if reqs, status := srv.counts(); reqs != 4 || status[200] != 4 {
				t.Errorf("first update: server saw %d requests, statuses %v; want 4 × 200", reqs, status)
			}
			v := c.Version()
			if v.Digest != fixture.Version().Digest {
				t.Errorf("updated catalog digest = %s, want the fixture's %s", v.Digest, fixture.Version().Digest)
			}
			if v.Source != srv.URL+"/" || !v.FetchedAt.Equal(clock) {
				t.Errorf("version = %+v, want source %s/ fetched at %v", v, srv.URL, clock)
			}
			// The cache is a catalog directory in its own right.
			if cached, err := LoadDir(cache); err != nil || cached.Version().Digest != v.Digest {
				t.Errorf("LoadDir(cache) = %v, %v; want digest %s", cached.Version(), err, v.Digest)
			}

			// Second run: nothing changed.
			_, stats, err = u.Run(ctx)
			if err != nil {
				t.Fatalf("second update: %v", err)
			}
			if conditional {
				want = UpdateStats{Services: 3, Requests: 4, ListNotModified: true, NotModified: 3}
			} else {
				want = UpdateStats{Services: 3, Requests: 4, Downloaded: 3, Unchanged: 3, Bytes: stats.Bytes}
			}
			if diff := cmp.Diff(want, stats); diff != "" {
				t.Errorf("second update stats (-want +got):\n%s", diff)
			}
			reqs, status := srv.counts()
			if conditional && (reqs != 4 || status[304] != 4) {
				t.Errorf("second update: server saw %d requests, statuses %v; want 4 × 304", reqs, status)
			}

			// A changed document is refreshed, and only it.
			sqs := filepath.Join(src, "sqs.json")
			data, err := os.ReadFile(sqs)
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.Replace(data, []byte(`"Name": "SendMessage",`), []byte(`"Name": "SendMessageBatch",`), 1)
			must(t, os.WriteFile(sqs, data, 0o644))
			later := time.Now().Add(time.Hour)
			must(t, os.Chtimes(sqs, later, later))
			c3, stats, err := u.Run(ctx)
			if err != nil {
				t.Fatalf("third update: %v", err)
			}
			if conditional {
				want = UpdateStats{Services: 3, Requests: 4, ListNotModified: true, NotModified: 2, Downloaded: 1, Changed: 1, Bytes: stats.Bytes}
			} else {
				want = UpdateStats{Services: 3, Requests: 4, Downloaded: 3, Changed: 1, Unchanged: 2, Bytes: stats.Bytes}
			}
			if diff := cmp.Diff(want, stats); diff != "" {
				t.Errorf("third update stats (-want +got):\n%s", diff)
			}
			if _, ok := c3.Action("sqs:SendMessageBatch"); !ok || c3.Version().Digest == v.Digest {
				t.Errorf("after the change: SendMessageBatch known = %v, digest changed = %v; want both", ok, c3.Version().Digest != v.Digest)
			}
			if _, ok := c3.Action("sqs:SendMessage"); ok {
				t.Error("after the change: sqs:SendMessage still known")
			}
			srv.counts()

			// A service dropped from the list is dropped from the cache.
			must(t, os.WriteFile(filepath.Join(src, ServiceListFile),
				[]byte(`[{"service":"iam","url":"iam.json"},{"service":"s3","url":"s3.json"}]`), 0o644))
			must(t, os.Chtimes(filepath.Join(src, ServiceListFile), later, later))
			c4, stats, err := u.Run(ctx)
			if err != nil {
				t.Fatalf("fourth update: %v", err)
			}
			if stats.Removed != 1 || c4.HasService("sqs") || c4.Version().Services != 2 {
				t.Errorf("after dropping sqs: stats %+v, services %v; want sqs removed", stats, c4.Services())
			}
			if _, err := os.Stat(filepath.Join(cache, "sqs.json")); !os.IsNotExist(err) {
				t.Errorf("sqs.json still cached: %v", err)
			}
		})
	}
}

// TestUpdateCancel: once ctx is done, the updater launches no more
// fetches (it stops waiting for a free slot), and says it was interrupted.
func TestUpdateCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := copyDir(t, fixtureDir)
	srv := newRefServer(t, src, true, false, false)
	inner := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			// The first document request cancels the update and hangs
			// until the client gives up.
			cancel()
			<-r.Context().Done()
			return
		}
		inner.ServeHTTP(w, r)
	})
	u := Updater{Client: srv.Client(), BaseURL: srv.URL, CacheDir: t.TempDir(), Concurrency: 1, Retries: -1}
	_, stats, err := u.Run(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want an interruption wrapping context.Canceled", err)
	}
	if stats.Requests != 2 {
		t.Errorf("%d requests, want 2 (the list and the one document in flight when cancelled)", stats.Requests)
	}
}

func TestUpdateFailures(t *testing.T) {
	ctx := context.Background()
	src := copyDir(t, fixtureDir)
	srv := newRefServer(t, src, true, false, false)
	cache := t.TempDir()
	u := Updater{Client: srv.Client(), BaseURL: srv.URL, CacheDir: cache, Retries: 2, RetryWait: time.Millisecond}

	// A document that keeps failing: the others are cached, the error names
	// it, and the retries are counted.
	srv.setFailing("/v1/s3/s3.json", http.StatusServiceUnavailable)
	_, stats, err := u.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "service s3:") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("update with s3 failing: err = %v, want one naming s3 and 503", err)
	}
	if stats.Requests != 1+1+1+3 || stats.Changed != 2 {
		t.Errorf("update with s3 failing: stats %+v, want 6 requests (s3 tried 3 times), 2 changed", stats)
	}
	if _, err := os.Stat(filepath.Join(cache, ServiceListFile)); !os.IsNotExist(err) {
		t.Errorf("service list written despite a failure: %v", err)
	}

	// Next run resumes: only s3 is downloaded.
	srv.setFailing("/v1/s3/s3.json", 0)
	srv.counts()
	c, stats, err := u.Run(ctx)
	if err != nil {
		t.Fatalf("resumed update: %v", err)
	}
	if stats.Changed != 1 || stats.NotModified != 2 || !stats.ListNotModified || !c.HasService("s3") {
		t.Errorf("resumed update: stats %+v, want s3 changed and the list, iam and sqs not modified", stats)
	}

	// Permanent errors are not retried.
	srv.setFailing("/v1/iam/iam.json", http.StatusForbidden)
	must(t, os.Remove(filepath.Join(cache, stateFile)))
	_, stats, err = u.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("update with iam forbidden: err = %v, want 403", err)
	}
	if stats.Requests != 4 || stats.Unchanged != 2 || stats.Changed != 0 {
		t.Errorf("update with iam forbidden and no cache state: stats %+v, want 4 requests (no retry), s3 and sqs unchanged by digest", stats)
	}
	srv.setFailing("/v1/iam/iam.json", 0)

	// A document that does not match the list is refused, and the cache
	// keeps the good copy.
	good, _ := os.ReadFile(filepath.Join(src, "sqs.json"))
	must(t, os.WriteFile(filepath.Join(src, "sqs.json"), []byte(strings.Replace(string(good), `"Name": "sqs"`, `"Name": "sns"`, 1)), 0o644))
	_, _, err = u.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), `list says service "sqs", document says "sns"`) {
		t.Errorf("update with a mislabeled document: err = %v", err)
	}
	if cached, _ := os.ReadFile(filepath.Join(cache, "sqs.json")); !bytes.Equal(cached, good) {
		t.Error("mislabeled document replaced the cached copy")
	}

	// An edited cache file is noticed by its digest and fetched again.
	must(t, os.WriteFile(filepath.Join(src, "sqs.json"), good, 0o644))
	must(t, os.WriteFile(filepath.Join(cache, "iam.json"), []byte(`{"Name":"iam"}`), 0o644))
	srv.counts()
	c, stats, err = u.Run(ctx)
	if err != nil {
		t.Fatalf("update after editing the cache: %v", err)
	}
	if _, ok := c.Action("iam:PassRole"); !ok || stats.Changed < 1 {
		t.Errorf("update after editing the cache: stats %+v, iam:PassRole known %v; want iam refetched", stats, ok)
	}

	// Bad base URLs.
	for _, base := range []string{"ftp://example.com/", "::"} {
		if _, _, err := Update(ctx, srv.Client(), base, cache, nil); err == nil {
			t.Errorf("Update(%q) succeeded, want an error", base)
		}
	}
}

// TestUpdateFullCatalog serves the full catalog from a local server and
// checks that the downloaded copy is the same catalog and that a second run
// downloads nothing.
func TestUpdateFullCatalog(t *testing.T) {
	dir, _ := fullCatalogDir(t)
	want, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := newRefServer(t, dir, true, true, false)
	cache := t.TempDir()
	ctx := context.Background()
	start := time.Now()
	c, stats, err := Update(ctx, srv.Client(), srv.URL+"/", cache, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	t.Logf("first update: %+v in %v", stats, time.Since(start))
	if c.Version().Digest != want.Version().Digest {
		t.Errorf("downloaded catalog digest = %s, want %s", c.Version().Digest, want.Version().Digest)
	}
	n := want.Version().Services
	if stats.Changed != n || stats.Requests != n+1 {
		t.Errorf("first update stats %+v, want %d changed in %d requests", stats, n, n+1)
	}
	start = time.Now()
	_, stats, err = Update(ctx, srv.Client(), srv.URL+"/", cache, nil)
	if err != nil {
		t.Fatalf("second update: %v", err)
	}
	t.Logf("second update: %+v in %v", stats, time.Since(start))
	if stats.NotModified != n || !stats.ListNotModified || stats.Downloaded != 0 || stats.Changed != 0 {
		t.Errorf("second update stats %+v, want all %d not modified", stats, n)
	}
}

// An empty CacheDir is the user cache directory's iamtrim/service-reference.
func TestUpdateDefaultCacheDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home)
	srv := newRefServer(t, copyDir(t, fixtureDir), true, false, false)
	u := Updater{Client: srv.Client(), BaseURL: srv.URL + "/"}
	if _, _, err := u.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want, err := DefaultCacheDir()
	if err != nil || !strings.HasPrefix(want, home) {
		t.Fatalf("DefaultCacheDir: %q, %v; want it under %s", want, err, home)
	}
	if _, err := os.Stat(filepath.Join(want, ServiceListFile)); err != nil {
		t.Errorf("the service list is not in the default cache directory: %v", err)
	}
	if u.CacheDir != "" {
		t.Errorf("Run changed the Updater's CacheDir to %q", u.CacheDir)
	}
}
