// Package apitest is an in-process stand-in for the CloudTrail and STS APIs
// that speaks their wire protocols (CloudTrail: AWS JSON 1.1; STS: AWS
// query with XML answers), for tests that drive the real SDK clients: it
// paginates LookupEvents, can answer ThrottlingException to every n-th
// call, and records when each region was called so tests can check the
// request rate.
package apitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake CloudTrail + STS endpoint: LookupEvents, and
// DescribeTrails and GetEventSelectors from SetTrails.
type Server struct {
	URL     string
	Account string
	// ThrottleEvery makes every n-th LookupEvents call fail with
	// ThrottlingException (0: never).
	ThrottleEvery atomic.Int64
	// Lookups counts LookupEvents calls, throttled ones included.
	Lookups   atomic.Int64
	Throttled atomic.Int64

	srv    *httptest.Server
	mu     sync.Mutex
	events map[string][]event // by region
	calls  map[string][]time.Time
	starts map[string][]time.Time // StartTime of each answered LookupEvents call, by region
	keyIDs map[string]bool
	trails trailsFile
}

// trailsFile is `aws cloudtrail describe-trails` output with each trail's
// get-event-selectors output beside it, as testdata/sample/trails.json.
type trailsFile struct {
	TrailList      []json.RawMessage `json:"trailList"`
	EventSelectors []json.RawMessage `json:"eventSelectors"`
}

// SetTrails makes DescribeTrails and GetEventSelectors answer from raw, a
// trails file ({"trailList": [...], "eventSelectors": [...]}).
func (s *Server) SetTrails(raw []byte) error {
	var f trailsFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("apitest: trails: %w", err)
	}
	s.mu.Lock()
	s.trails = f
	s.mu.Unlock()
	return nil
}

func (s *Server) describeTrails(w http.ResponseWriter) {
	s.mu.Lock()
	list := s.trails.TrailList
	s.mu.Unlock()
	if list == nil {
		list = []json.RawMessage{}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"trailList": list})
}

func (s *Server) getEventSelectors(w http.ResponseWriter, body []byte) {
	var in struct{ TrailName string }
	_ = json.Unmarshal(body, &in)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range s.trails.EventSelectors {
		var sel struct{ TrailARN string }
		if json.Unmarshal(raw, &sel) == nil && sel.TrailARN == in.TrailName {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write(raw)
			return
		}
	}
	jsonError(w, http.StatusBadRequest, "TrailNotFoundException", "unknown trail "+in.TrailName)
}

type event struct {
	id, name, source string
	time             time.Time
	raw              string
}

// New starts a server for account.
func New(account string) *Server {
	s := &Server{Account: account, events: map[string][]event{}, calls: map[string][]time.Time{}, starts: map[string][]time.Time{}, keyIDs: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Add stores one CloudTrail record (its JSON) in region.
func (s *Server) Add(region string, raw []byte) error {
	var r struct {
		EventID, EventName, EventSource string
		EventTime                       time.Time
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("apitest: add event: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[region] = append(s.events[region], event{id: r.EventID, name: r.EventName, source: r.EventSource, time: r.EventTime, raw: string(raw)})
	return nil
}

// Calls returns when LookupEvents was called in region.
// Starts returns the StartTime of every LookupEvents call in region that
// was answered (not throttled), in the order they came.
func (s *Server) Starts(region string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.starts[region]...)
}

func (s *Server) Calls(region string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.calls[region]...)
}

// ServeHTTP answers one CloudTrail or STS request, so that the server can
// be mounted behind another endpoint (internal/awstest).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "CloudTrail_20131101.LookupEvents":
		s.lookupEvents(w, r, body)
	case target == "CloudTrail_20131101.DescribeTrails":
		s.describeTrails(w)
	case target == "CloudTrail_20131101.GetEventSelectors":
		s.getEventSelectors(w, body)
	case target != "":
		jsonError(w, http.StatusBadRequest, "UnknownOperationException", target)
	default:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.sts(w, form)
	}
}

func jsonError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// KeyIDs returns the access key ids LookupEvents calls were signed with.
func (s *Server) KeyIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.keyIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// regionOf reads the region from the SigV4 credential scope.
func regionOf(r *http.Request) string {
	_, after, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(after, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func epoch(v json.Number) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	f, err := v.Float64()
	if err != nil {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

func (s *Server) lookupEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	region := regionOf(r)
	n := s.Lookups.Add(1)
	s.mu.Lock()
	s.calls[region] = append(s.calls[region], time.Now())
	if _, after, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		id, _, _ := strings.Cut(after, "/")
		s.keyIDs[id] = true
	}
	s.mu.Unlock()
	if every := s.ThrottleEvery.Load(); every > 0 && n%every == 0 {
		s.Throttled.Add(1)
		jsonError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		return
	}
	var in struct {
		StartTime, EndTime json.Number
		MaxResults         int
		NextToken          string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		jsonError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
		return
	}
	start, hasStart := epoch(in.StartTime)
	end, hasEnd := epoch(in.EndTime)
	if hasStart {
		s.mu.Lock()
		s.starts[region] = append(s.starts[region], start)
		s.mu.Unlock()
	}
	if in.MaxResults <= 0 || in.MaxResults > 50 {
		in.MaxResults = 50
	}
	offset := 0
	if in.NextToken != "" {
		b, err := base64.StdEncoding.DecodeString(in.NextToken)
		if err == nil {
			offset, err = strconv.Atoi(string(b))
		}
		if err != nil {
			jsonError(w, http.StatusBadRequest, "InvalidNextTokenException", "bad token")
			return
		}
	}
	s.mu.Lock()
	var match []event
	for _, e := range s.events[region] {
		// Both bounds are inclusive, as in CloudTrail.
		if hasStart && e.time.Before(start) || hasEnd && e.time.After(end) {
			continue
		}
		match = append(match, e)
	}
	s.mu.Unlock()
	sort.SliceStable(match, func(i, j int) bool { return match[i].time.After(match[j].time) })
	type outEvent struct {
		EventId, EventName, EventSource, CloudTrailEvent string
		EventTime                                        float64
	}
	out := struct {
		Events    []outEvent
		NextToken string `json:",omitempty"`
	}{Events: []outEvent{}}
	for i := offset; i < len(match) && i < offset+in.MaxResults; i++ {
		e := match[i]
		out.Events = append(out.Events, outEvent{EventId: e.id, EventName: e.name, EventSource: e.source, CloudTrailEvent: e.raw,
			EventTime: float64(e.time.UnixNano()) / 1e9})
	}
	if offset+in.MaxResults < len(match) {
		out.NextToken = base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(offset + in.MaxResults)))
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) sts(w http.ResponseWriter, form url.Values) {
	w.Header().Set("Content-Type", "text/xml")
	switch form.Get("Action") {
	case "GetCallerIdentity":
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%[1]s:user/tester</Arn><UserId>AIDATESTER</UserId><Account>%[1]s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, s.Account)
	case "AssumeRole":
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><Arn>%[1]s/%[2]s</Arn><AssumedRoleId>AROATEST:%[2]s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>token</SessionToken><Expiration>%[3]s</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			xmlEscape(form.Get("RoleArn")), xmlEscape(form.Get("RoleSessionName")), exp)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unknown action</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
