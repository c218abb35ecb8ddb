// Package awstest is one local endpoint that speaks the wire formats of
// every AWS API iamtrim calls, for end-to-end tests that drive the real SDK
// clients through the CLI's --endpoint-url: S3 (gofakes3, path style),
// CloudTrail (LookupEvents through apitest; DescribeTrails and
// GetEventSelectors from a trails file; the Lake queries StartQuery,
// DescribeQuery, GetQueryResults and CancelQuery, as a QueryPlan says),
// Athena (StartQueryExecution, GetQueryExecution, GetQueryResults,
// StopQueryExecution, GetWorkGroup, likewise), STS (AssumeRole,
// GetCallerIdentity through apitest) and IAM
// (GetAccountAuthorizationDetails from an authorization-details file).
// Every request must be SigV4-signed; each is recorded with its key id and
// region, so that a test can tell which credentials and region were used.
package awstest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/apisrc/apitest"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a running local AWS endpoint.
type Server struct {
	URL string

	srv     *httptest.Server
	s3      *s3mem.Backend
	s3h     http.Handler
	api     *apitest.Server
	mu      sync.Mutex
	trails  *trailsFile
	details *authz.Details
	reqs    []Request

	plan      QueryPlan
	throttled map[string]int
	execs     []execution
	latency   atomic.Int64 // time.Duration
}

type trailsFile struct {
	TrailList      []json.RawMessage `json:"trailList"`
	EventSelectors []json.RawMessage `json:"eventSelectors"`
}

// New starts a server; account is the one GetCallerIdentity answers.
func New(account string) *Server {
	s := &Server{s3: s3mem.New(), api: apitest.New(account), throttled: map[string]int{}}
	s.s3h = gofakes3.New(s.s3).Server()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.srv.Close()
	s.api.Close()
}

// PutDir stores every file under dir in bucket (created if needed), keyed
// by prefix joined with its path relative to dir.
func (s *Server) PutDir(bucket, prefix, dir string) error {
	if err := s.s3.CreateBucket(bucket); err != nil && !gofakes3.IsAlreadyExists(err) {
		return fmt.Errorf("awstest: create bucket %s: %w", bucket, err)
	}
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
		key := path.Join(prefix, filepath.ToSlash(rel))
		if _, err := s.s3.PutObject(bucket, key, map[string]string{}, bytes.NewReader(b), int64(len(b)), nil); err != nil {
			return fmt.Errorf("awstest: put %s: %w", key, err)
		}
		return nil
	})
}

// AddEvents serves the records of a CloudTrail log file (S3 delivery
// format, gzipped or not) to LookupEvents in region.
func (s *Server) AddEvents(region string, records []json.RawMessage) error {
	for _, r := range records {
		if err := s.api.Add(region, r); err != nil {
			return err
		}
	}
	return nil
}

// SetTrails serves a trails file ({"trailList": [...], "eventSelectors":
// [...]}, as `iamtrim sample` writes it) to DescribeTrails and
// GetEventSelectors.
func (s *Server) SetTrails(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var t trailsFile
	if err := json.Unmarshal(b, &t); err != nil {
		return fmt.Errorf("awstest: %s: %w", file, err)
	}
	s.mu.Lock()
	s.trails = &t
	s.mu.Unlock()
	return nil
}

// SetAuthorizationDetails serves a get-account-authorization-details file
// to GetAccountAuthorizationDetails, as one page.
func (s *Server) SetAuthorizationDetails(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var d authz.Details
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("awstest: %s: %w", file, err)
	}
	s.mu.Lock()
	s.details = &d
	s.mu.Unlock()
	return nil
}

// SetLatency makes every request wait d before it is answered, as a
// remote endpoint's first byte would (benchmarks); 0 answers at once.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// Request is one API call the server answered: its operation
// ("s3:GetObject" for a GET of an object, "s3:" and the method for the
// other S3 calls, such as "s3:GET" for a listing, "sts:AssumeRole",
// "cloudtrail:LookupEvents", "iam:GetAccountAuthorizationDetails") and
// the access key id and region of its SigV4 signature.
type Request struct {
	Op, AccessKey, Region string
}

// Requests returns the calls answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Reset forgets the calls answered so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

func (s *Server) record(op, auth string) {
	req := Request{Op: op}
	if _, after, ok := strings.Cut(auth, "Credential="); ok {
		// Credential=KEY/DATE/REGION/SERVICE/aws4_request
		parts := strings.Split(after, "/")
		req.AccessKey = parts[0]
		if len(parts) > 2 {
			req.Region = parts[2]
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(s.latency.Load()); d > 0 {
		time.Sleep(d)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message><RequestId>1</RequestId></Error>`)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op := target[strings.LastIndex(target, ".")+1:]
		if strings.HasPrefix(target, "AmazonAthena.") {
			s.record("athena:"+op, auth)
			s.athena(w, r, op)
			return
		}
		s.record("cloudtrail:"+op, auth)
		switch op {
		case "DescribeTrails", "GetEventSelectors":
			s.cloudTrail(w, r, op)
		case "StartQuery", "DescribeQuery", "GetQueryResults", "CancelQuery":
			s.lake(w, r, op)
		default:
			s.api.ServeHTTP(w, r)
		}
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		action := form.Get("Action")
		if action == "GetAccountAuthorizationDetails" {
			s.record("iam:"+action, auth)
			s.authorizationDetails(w)
			return
		}
		s.record("sts:"+action, auth)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.api.ServeHTTP(w, r)
		return
	}
	op := "s3:" + r.Method
	if _, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); r.Method == http.MethodGet && key != "" {
		op = "s3:GetObject" // path style: /bucket/key
	}
	s.record(op, auth)
	s.s3h.ServeHTTP(w, r)
}

func (s *Server) cloudTrail(w http.ResponseWriter, r *http.Request, op string) {
	s.mu.Lock()
	t := s.trails
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if t == nil {
		t = &trailsFile{}
	}
	if op == "DescribeTrails" {
		list := t.TrailList
		if list == nil {
			list = []json.RawMessage{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"trailList": list})
		return
	}
	var in struct{ TrailName string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"InvalidParameterException","message":%q}`, err.Error())
		return
	}
	for _, raw := range t.EventSelectors {
		var sel struct{ TrailARN string }
		if json.Unmarshal(raw, &sel) == nil && (sel.TrailARN == in.TrailName || strings.HasSuffix(sel.TrailARN, "/"+in.TrailName)) {
			_, _ = w.Write(raw)
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"__type":"TrailNotFoundException","message":"Unknown trail: %s"}`, strings.ReplaceAll(in.TrailName, `"`, ""))
}

func (s *Server) authorizationDetails(w http.ResponseWriter) {
	s.mu.Lock()
	d := s.details
	s.mu.Unlock()
	if d == nil {
		d = &authz.Details{}
	}
	w.Header().Set("Content-Type", "text/xml")
	WriteXML(w, AuthorizationDetailsResponse(d, ""))
}

// WriteXML writes v as an XML document.
func WriteXML(w io.Writer, v any) {
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}
