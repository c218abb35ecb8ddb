package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"
	"github.com/iamtrim/iamtrim/internal/option"
)

// DefaultBaseURL is AWS's published Service Reference endpoint. Its root
// returns the service list, [{"service":…,"url":…}], and each url a service
// document.
const DefaultBaseURL = "https://servicereference.us-east-1.amazonaws.com/"

// DefaultCacheDir is where `iamtrim catalog update` keeps the downloaded
// documents: <user cache dir>/iamtrim/service-reference.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find cache directory: %w", err)
	}
	return filepath.Join(dir, "iamtrim", "service-reference"), nil
}

// stateFile records, in the cache directory, the validators and digests of
// what was downloaded. Its leading dot keeps LoadDir from reading it.
const stateFile = ".iamtrim-cache.json"

// maxDocBytes bounds one downloaded document (ec2, the largest, is ~0.6 MB).
const maxDocBytes = 64 << 20

// UpdateStats says what an update did.
type UpdateStats struct {
	// Services is how many services the list names.
	Services int
	// Requests counts HTTP requests, retries included.
	Requests int
	// ListNotModified says the service list was answered 304.
	ListNotModified bool
	// NotModified counts service documents answered 304 to a conditional
	// request.
	NotModified int
	// Downloaded counts documents whose body was read (200).
	Downloaded int
	// Changed counts service documents new to the cache or different from
	// the cached copy; Unchanged those downloaded with an identical digest.
	Changed, Unchanged int
	// Removed counts cached documents of services no longer listed.
	Removed int
	// Bytes is the body bytes read.
	Bytes int64
}

// Update refreshes a local cache of the Service Reference from baseURL and
// returns the catalog it now holds. See Updater.
func Update(ctx context.Context, client *http.Client, baseURL, cacheDir string, log *slog.Logger) (*Catalog, UpdateStats, error) {
	u := Updater{Client: client, BaseURL: baseURL, CacheDir: cacheDir, Log: log}
	return u.Run(ctx)
}

// Updater downloads the Service Reference into a cache directory in the
// layout LoadDir reads, fetching only what changed: requests are conditional
// (If-None-Match with the cached ETag, If-Modified-Since with the cached
// Last-Modified), and a document downloaded again is compared with the
// cached copy by SHA-256 before it is counted as changed. The catalog's
// version has Source = BaseURL and FetchedAt = the time of the run.
//
// When some documents cannot be fetched, the ones that were are kept (and
// recorded, so the next run resumes), the cache's service-list.json is left
// as it was, and Run returns an error naming each failure.
type Updater struct {
	// Client makes the requests; nil means a client with a 1 minute
	// timeout.
	Client *http.Client
	// BaseURL is the list's URL; empty means DefaultBaseURL.
	BaseURL string
	// CacheDir holds the documents; it is created if missing. Empty means
	// DefaultCacheDir.
	CacheDir string
	Log      *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Concurrency bounds parallel downloads; 0 means 8.
	Concurrency int
	// Retries is how often a failed request (network error, 429, 5xx) is
	// retried; 0 means 3, negative none.
	Retries int
	// RetryWait is the first back-off, doubled each retry; 0 means 500ms.
	RetryWait time.Duration
}

// cacheState is the stateFile's content.
type cacheState struct {
	ListURL   string               `json:"list_url"`
	ListETag  string               `json:"list_etag,omitempty"`
	ListMod   string               `json:"list_last_modified,omitempty"`
	List      []ServiceListEntry   `json:"list"`
	Documents map[string]cachedDoc `json:"documents"` // by service
}

type cachedDoc struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	SHA256       string `json:"sha256"`
}

// Run performs the update.
func (u *Updater) Run(ctx context.Context) (*Catalog, UpdateStats, error) {
	var stats UpdateStats
	log := u.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	client := u.Client
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	if err := u.Validate(); err != nil {
		return nil, stats, option.Invalid(err) // before any request
	}
	base := u.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	baseURL, err := url.Parse(base)
	if err != nil {
		return nil, stats, fmt.Errorf("update catalog: %w", err)
	}
	if u.CacheDir == "" {
		dir, err := DefaultCacheDir()
		if err != nil {
			return nil, stats, fmt.Errorf("update catalog: %w", err)
		}
		withDir := *u
		withDir.CacheDir = dir
		return withDir.Run(ctx)
	}
	if err := os.MkdirAll(u.CacheDir, 0o755); err != nil {
		return nil, stats, fmt.Errorf("update catalog: %w", err)
	}
	started := now()
	f := &fetcher{client: client, log: log, retries: u.Retries, wait: u.RetryWait}
	if f.retries == 0 {
		f.retries = 3
	}
	if f.wait == 0 {
		f.wait = 500 * time.Millisecond
	}

	st := u.readState(log)

	// The list.
	var list []ServiceListEntry
	listValidators := cachedDoc{}
	if st.ListURL == baseURL.String() && st.List != nil {
		listValidators = cachedDoc{ETag: st.ListETag, LastModified: st.ListMod}
	}
	res, err := f.get(ctx, baseURL.String(), listValidators)
	stats.add(f.take())
	if err != nil {
		return nil, stats, fmt.Errorf("update catalog: fetch service list: %w", err)
	}
	if res.notModified {
		list = st.List
		stats.ListNotModified = true
	} else {
		if list, err = decodeServiceList(res.body); err != nil {
			return nil, stats, fmt.Errorf("update catalog: %s: %w", baseURL, err)
		}
		st.List, st.ListURL, st.ListETag, st.ListMod = list, baseURL.String(), res.etag, res.lastModified
	}
	stats.Services = len(list)
	if len(list) == 0 {
		return nil, stats, fmt.Errorf("update catalog: %s lists no services", baseURL)
	}

	// The documents.
	type job struct {
		entry ServiceListEntry
		url   string
		prev  cachedDoc // validators from the last run, when its copy is intact
		disk  string    // digest of the cached copy, "" when there is none
	}
	jobs := make([]job, 0, len(list))
	for _, e := range list {
		ref, err := url.Parse(e.URL)
		if err != nil {
			return nil, stats, fmt.Errorf("update catalog: service %s: url %q: %w", e.Service, e.URL, err)
		}
		abs := baseURL.ResolveReference(ref)
		if abs.Scheme != "http" && abs.Scheme != "https" {
			return nil, stats, fmt.Errorf("update catalog: service %s: url %q is not http(s)", e.Service, e.URL)
		}
		j := job{entry: e, url: abs.String(), disk: fileDigest(filepath.Join(u.CacheDir, e.Service+".json"))}
		if prev, ok := st.Documents[e.Service]; ok && prev.URL == j.url && j.disk != "" && j.disk == prev.SHA256 {
			j.prev = prev
		}
		jobs = append(jobs, j)
	}

	conc := u.Concurrency
	if conc <= 0 {
		conc = 8
	}
	var (
		mu     sync.Mutex
		failed []error
		wg     sync.WaitGroup
		sem    = make(chan struct{}, conc)
	)
launch:
	for _, j := range jobs {
		// Wait for a free slot, or stop launching when ctx is done.
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			jf := &fetcher{client: f.client, log: log, retries: f.retries, wait: f.wait}
			doc, changed, err := u.fetchDoc(ctx, jf, j.entry, j.url, j.prev, j.disk)
			mu.Lock()
			defer mu.Unlock()
			stats.add(jf.take())
			if err != nil {
				failed = append(failed, fmt.Errorf("service %s: %w", j.entry.Service, err))
				return
			}
			switch {
			case doc.notModified:
				stats.NotModified++
			case changed:
				stats.Changed++
				log.Debug("catalog document changed", "service", j.entry.Service, "bytes", len(doc.body))
			default:
				stats.Unchanged++
			}
			if !doc.notModified {
				stats.Downloaded++
			}
			if st.Documents == nil {
				st.Documents = make(map[string]cachedDoc)
			}
			st.Documents[j.entry.Service] = cachedDoc{URL: j.url, ETag: doc.etag, LastModified: doc.lastModified, SHA256: doc.sha256}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		// Keep what was fetched so that the next run resumes from it.
		if werr := u.writeState(st); werr != nil {
			log.Warn("catalog update interrupted; cache state not saved", "err", werr)
		}
		done := stats.Changed + stats.Unchanged + stats.NotModified
		return nil, stats, fmt.Errorf("update catalog from %s: interrupted after %d of %d documents (the rest are cached; run again to resume): %w", baseURL, done, len(list), err)
	}

	// Services no longer listed.
	listed := make(map[string]bool, len(list))
	for _, e := range list {
		listed[e.Service] = true
	}
	for svc := range st.Documents {
		if listed[svc] {
			continue
		}
		if err := os.Remove(filepath.Join(u.CacheDir, svc+".json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			failed = append(failed, fmt.Errorf("remove %s: %w", svc, err))
			continue
		}
		delete(st.Documents, svc)
		stats.Removed++
	}

	if err := u.writeState(st); err != nil {
		failed = append(failed, err)
	}
	if len(failed) > 0 {
		slices.SortFunc(failed, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, stats, fmt.Errorf("update catalog from %s: %d of %d documents failed (the rest are cached; run again to resume):\n%w", baseURL, len(failed), len(list), errors.Join(failed...))
	}

	// The list LoadDir reads: relative file names.
	local := make([]ServiceListEntry, len(list))
	for i, e := range list {
		local[i] = ServiceListEntry{Service: e.Service, URL: e.Service + ".json"}
	}
	data, err := json.MarshalIndent(local, "", "  ")
	if err != nil {
		return nil, stats, fmt.Errorf("update catalog: encode service list: %w", err)
	}
	if err := writeAtomic(filepath.Join(u.CacheDir, ServiceListFile), append(data, '\n')); err != nil {
		return nil, stats, fmt.Errorf("update catalog: %w", err)
	}

	c, err := loadDir(u.CacheDir, &Version{Source: baseURL.String(), FetchedAt: started.UTC()})
	if err != nil {
		return nil, stats, fmt.Errorf("update catalog: %w", err)
	}
	log.Info("catalog updated", "source", baseURL.String(), "services", stats.Services,
		"changed", stats.Changed, "unchanged", stats.Unchanged, "not_modified", stats.NotModified,
		"removed", stats.Removed, "requests", stats.Requests, "bytes", stats.Bytes, "digest", c.version.Digest)
	return c, stats, nil
}

// fetchDoc downloads one service document (conditionally when validators
// are set), checks it and, when its digest differs from the cached copy's
// (disk), writes it into the cache.
func (u *Updater) fetchDoc(ctx context.Context, f *fetcher, e ServiceListEntry, docURL string, validators cachedDoc, disk string) (response, bool, error) {
	res, err := f.get(ctx, docURL, validators)
	if err != nil {
		return res, false, err
	}
	if res.notModified {
		res.etag, res.lastModified, res.sha256 = orDefault(res.etag, validators.ETag), orDefault(res.lastModified, validators.LastModified), validators.SHA256
		return res, false, nil
	}
	s, err := decodeService(res.body)
	if err != nil {
		return res, false, fmt.Errorf("%s: %w", docURL, err)
	}
	if s.name != e.Service {
		return res, false, fmt.Errorf("%s: list says service %q, document says %q", docURL, e.Service, s.name)
	}
	if res.sha256 == disk {
		return res, false, nil
	}
	if err := writeAtomic(filepath.Join(u.CacheDir, e.Service+".json"), res.body); err != nil {
		return res, false, err
	}
	return res, true, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (u *Updater) readState(log *slog.Logger) cacheState {
	p := filepath.Join(u.CacheDir, stateFile)
	data, err := os.ReadFile(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			log.Warn("catalog cache state unreadable; downloading everything", "file", p, "err", err)
		}
		return cacheState{}
	}
	var st cacheState
	if err := json.Unmarshal(data, &st); err != nil {
		log.Warn("catalog cache state corrupt; downloading everything", "file", p, "err", err)
		return cacheState{}
	}
	return st
}

func (u *Updater) writeState(st cacheState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode cache state: %w", err)
	}
	return writeAtomic(filepath.Join(u.CacheDir, stateFile), append(data, '\n'))
}

// fileDigest is the hex SHA-256 of a file, or "" when it cannot be read.
func fileDigest(p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeAtomic replaces a file so readers see the old or the new content,
// never a part.
func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// response is one fetched URL.
type response struct {
	notModified        bool
	body               []byte
	sha256             string
	etag, lastModified string
}

// fetcher makes conditional GETs with retries and counts what it did.
type fetcher struct {
	client  *http.Client
	log     *slog.Logger
	retries int
	wait    time.Duration
	counts  UpdateStats // Requests and Bytes only
}

func (f *fetcher) take() UpdateStats {
	c := f.counts
	f.counts = UpdateStats{}
	return c
}

func (s *UpdateStats) add(o UpdateStats) {
	s.Requests += o.Requests
	s.Bytes += o.Bytes
}

func (f *fetcher) get(ctx context.Context, u string, v cachedDoc) (response, error) {
	wait := f.wait
	for attempt := 0; ; attempt++ {
		res, retryAfter, err := f.once(ctx, u, v)
		if err == nil {
			return res, nil
		}
		if retryAfter < 0 || attempt >= f.retries || ctx.Err() != nil {
			return response{}, err
		}
		d := wait
		if retryAfter > 0 {
			d = min(retryAfter, 30*time.Second)
		}
		f.log.Warn("catalog fetch failed; retrying", "url", u, "attempt", attempt+1, "wait", d, "err", err)
		select {
		case <-ctx.Done():
			return response{}, ctx.Err()
		case <-time.After(d):
		}
		wait *= 2
	}
}

// once makes one request. retryAfter < 0 means the error is permanent; > 0
// is the server's Retry-After.
func (f *fetcher) once(ctx context.Context, u string, v cachedDoc) (res response, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, -1, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	f.counts.Requests++
	resp, err := f.client.Do(req)
	if err != nil {
		return res, 0, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	res.etag = resp.Header.Get("ETag")
	res.lastModified = resp.Header.Get("Last-Modified")
	switch {
	case resp.StatusCode == http.StatusNotModified:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck // draining for reuse
		if v.ETag == "" && v.LastModified == "" {
			return res, -1, fmt.Errorf("GET %s: 304 Not Modified to an unconditional request", u)
		}
		res.notModified = true
		return res, 0, nil
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck // draining for reuse
		ra := time.Duration(0)
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			ra = time.Duration(secs) * time.Second
		}
		return res, ra, fmt.Errorf("GET %s: %s", u, resp.Status)
	default:
		return res, -1, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, maxDocBytes+1))
	f.counts.Bytes += n
	if err != nil {
		return res, 0, fmt.Errorf("GET %s: read body: %w", u, err)
	}
	if n > maxDocBytes {
		return res, -1, fmt.Errorf("GET %s: body larger than %d bytes", u, maxDocBytes)
	}
	res.body = buf.Bytes()
	sum := sha256.Sum256(res.body)
	res.sha256 = hex.EncodeToString(sum[:])
	return res, 0, nil
}
