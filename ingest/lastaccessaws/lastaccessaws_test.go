package lastaccessaws

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/lastaccess"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// fakeIAM speaks IAM's query protocol for the two last-accessed calls (and
// STS AssumeRole): form-encoded POSTs answered with XML.
type fakeIAM struct {
	t *testing.T
	// services per principal ARN; a principal in failed gets a FAILED job.
	services map[string][]svc
	failed   map[string]bool
	// inProgress is how many polls of each job answer IN_PROGRESS.
	inProgress int
	// throttle is how many requests get 400 Throttling "Rate exceeded"
	// before any is served.
	throttle int
	// pageSize is how many services one page holds.
	pageSize int
	// onPoll, when set, is called on every GetServiceLastAccessedDetails.
	onPoll func()

	mu        sync.Mutex
	jobs      map[string]string // job id -> principal ARN
	polls     map[string]int
	generated []string // principal ARNs, in order
	throttled int
	pages     int
	callers   map[string]string // job id -> account of the credentials
}

type svc struct {
	ns, last string
	actions  map[string]string // name -> time ("" never)
}

func newFake(t *testing.T) *fakeIAM {
	return &fakeIAM{t: t, services: map[string][]svc{}, failed: map[string]bool{}, pageSize: 100,
		jobs: map[string]string{}, polls: map[string]int{}, callers: map[string]string{}}
}

func (f *fakeIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || err != nil {
		f.t.Errorf("request %s %s: not a form POST (%v)", r.Method, r.URL, err)
	}
	w.Header().Set("Content-Type", "text/xml")
	f.mu.Lock()
	defer f.mu.Unlock()
	if form.Get("Action") == "AssumeRole" {
		assumeRole(w, form)
		return
	}
	if f.throttle > 0 {
		f.throttle--
		f.throttled++
		writeError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
		return
	}
	account := "111122223333"
	if key := accessKey(r.Header.Get("Authorization")); strings.HasPrefix(key, "ASIA") {
		account = strings.TrimPrefix(key, "ASIA")
	}
	switch form.Get("Action") {
	case "GenerateServiceLastAccessedDetails":
		arn := form.Get("Arn")
		if form.Get("Granularity") != "ACTION_LEVEL" {
			f.t.Errorf("Granularity %q, want ACTION_LEVEL", form.Get("Granularity"))
		}
		if authz.AccountOf(arn) != account {
			writeError(w, http.StatusBadRequest, "InvalidInput", "entity of another account")
			return
		}
		id := fmt.Sprintf("job-%d", len(f.jobs)+1)
		f.jobs[id] = arn
		f.callers[id] = account
		f.generated = append(f.generated, arn)
		writeXML(w, struct {
			XMLName xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ GenerateServiceLastAccessedDetailsResponse"`
			JobID   string   `xml:"GenerateServiceLastAccessedDetailsResult>JobId"`
			Req     string   `xml:"ResponseMetadata>RequestId"`
		}{JobID: id, Req: "req"})
	case "GetServiceLastAccessedDetails":
		if f.onPoll != nil {
			f.onPoll()
		}
		id := form.Get("JobId")
		arn, ok := f.jobs[id]
		if !ok {
			writeError(w, http.StatusNotFound, "NoSuchEntity", "no job "+id)
			return
		}
		res := xmlResult{JobType: "ACTION_LEVEL", JobCreationDate: "2026-10-30T02:00:00Z"}
		f.polls[id]++
		switch {
		case f.polls[id] <= f.inProgress:
			res.JobStatus = "IN_PROGRESS"
		case f.failed[arn]:
			res.JobStatus, res.JobCompletionDate = "FAILED", "2026-10-30T02:00:09Z"
			res.Error = &xmlErr{Message: "internal error", Code: "ServiceFailure"}
		default:
			res.JobStatus, res.JobCompletionDate = "COMPLETED", "2026-10-30T02:00:09Z"
			start := 0
			if m := form.Get("Marker"); m != "" {
				fmt.Sscanf(m, "m%d", &start)
			}
			all := f.services[arn]
			end := min(start+f.pageSize, len(all))
			for _, s := range all[start:end] {
				m := xmlService{ServiceName: s.ns, ServiceNamespace: s.ns, LastAuthenticated: s.last}
				if s.last != "" {
					m.LastAuthenticatedEntity, m.TotalAuthenticatedEntities = arn, 1
				}
				for name, at := range s.actions {
					a := xmlAction{ActionName: name, LastAccessedTime: at}
					if at != "" {
						a.LastAccessedEntity = arn
					}
					m.Tracked = append(m.Tracked, a)
				}
				res.Services = append(res.Services, m)
			}
			if end < len(all) {
				res.IsTruncated, res.Marker = true, fmt.Sprintf("m%d", end)
			}
			f.pages++
		}
		writeXML(w, struct {
			XMLName xml.Name  `xml:"https://iam.amazonaws.com/doc/2010-05-08/ GetServiceLastAccessedDetailsResponse"`
			Result  xmlResult `xml:"GetServiceLastAccessedDetailsResult"`
			Req     string    `xml:"ResponseMetadata>RequestId"`
		}{Result: res, Req: "req"})
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", "unexpected action "+form.Get("Action"))
	}
}

type xmlResult struct {
	JobStatus         string
	JobType           string
	JobCreationDate   string
	Services          []xmlService `xml:"ServicesLastAccessed>member"`
	JobCompletionDate string       `xml:",omitempty"`
	IsTruncated       bool
	Marker            string  `xml:",omitempty"`
	Error             *xmlErr `xml:",omitempty"`
}

type xmlErr struct{ Message, Code string }

type xmlService struct {
	ServiceName                string
	LastAuthenticated          string `xml:",omitempty"`
	ServiceNamespace           string
	LastAuthenticatedEntity    string      `xml:",omitempty"`
	TotalAuthenticatedEntities int         `xml:",omitempty"`
	Tracked                    []xmlAction `xml:"TrackedActionsLastAccessed>member"`
}

type xmlAction struct {
	ActionName         string
	LastAccessedEntity string `xml:",omitempty"`
	LastAccessedTime   string `xml:",omitempty"`
}

func assumeRole(w http.ResponseWriter, form url.Values) {
	arn := form.Get("RoleArn")
	type creds struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	writeXML(w, struct {
		XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleResponse"`
		Creds   creds    `xml:"AssumeRoleResult>Credentials"`
		ARN     string   `xml:"AssumeRoleResult>AssumedRoleUser>Arn"`
		ID      string   `xml:"AssumeRoleResult>AssumedRoleUser>AssumedRoleId"`
		Request string   `xml:"ResponseMetadata>RequestId"`
	}{
		Creds: creds{"ASIA" + authz.AccountOf(arn), "secret", "token", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
		ARN:   arn + "/s", ID: "AROA:s", Request: "req-2",
	})
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	writeXML(w, struct {
		XMLName   xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ ErrorResponse"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{Type: "Sender", Code: code, Message: msg, RequestID: "req-err"})
}

func writeXML(w http.ResponseWriter, v any) {
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

func accessKey(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

const (
	batch = "arn:aws:iam::111122223333:role/batch"
	alice = "arn:aws:iam::111122223333:user/alice"
	other = "arn:aws:iam::444455556666:role/etl"
)

func principal(arn string) authz.Principal {
	return authz.Principal{ARN: arn, AccountID: authz.AccountOf(arn), Name: arn[strings.LastIndexByte(arn, '/')+1:]}
}

func options(url string) Options {
	return Options{
		IAM: iamsrc.Options{BaseEndpoint: url, Region: "us-east-1", MaxBackoff: 2 * time.Millisecond,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDBASE", "secret", "")},
		PollInterval: time.Millisecond, MaxPoll: 4 * time.Millisecond, Workers: 2,
	}
}

func manyServices(n int) []svc {
	out := []svc{{ns: "dynamodb", last: "2026-07-31T03:00:00Z", actions: map[string]string{"ExportTableToPointInTime": "2026-07-31T03:00:00Z"}}}
	for i := 1; i < n; i++ {
		out = append(out, svc{ns: fmt.Sprintf("svc%03d", i)})
	}
	return out
}

func TestFetchPollsPagesAndRetries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	f := newFake(t)
	f.services[batch] = manyServices(7)
	f.services[alice] = []svc{{ns: "s3", last: "2026-10-28T10:00:00Z", actions: map[string]string{"ListAllMyBuckets": "2026-10-28T10:00:00Z", "CreateBucket": ""}}}
	f.inProgress, f.throttle, f.pageSize = 2, 3, 3
	srv := httptest.NewServer(f)
	defer srv.Close()

	res, err := Fetch(ctx, db, []authz.Principal{principal(batch), principal(alice)}, options(srv.URL), nil)
	if err != nil || len(res.Failed) > 0 || res.Stored != 2 {
		t.Fatalf("Fetch: %+v, %v; want 2 stored", res, err)
	}
	if f.throttled != 3 {
		t.Errorf("throttled requests: %d, want 3 (each retried)", f.throttled)
	}
	if f.pages != 3+1 {
		t.Errorf("result pages: %d, want 4 (7 services in pages of 3, and 1)", f.pages)
	}
	got, err := lastaccess.LoadLatest(ctx, db, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got[batch].Services); n != 7 {
		t.Errorf("batch services: %d, want 7 (every page)", n)
	}
	ev := got[batch].Lookup("dynamodb:ExportTableToPointInTime", true)
	if !ev.ActionLevel || ev.LastAccessed == nil || ev.LastAccessed.Format(time.DateOnly) != "2026-07-31" {
		t.Errorf("batch dynamodb:ExportTableToPointInTime: %+v", ev)
	}
	if ev := got[alice].Lookup("s3:CreateBucket", true); !ev.Known || ev.LastAccessed != nil {
		t.Errorf("alice s3:CreateBucket: %+v, want known and never accessed", ev)
	}
	if j := got[batch].JobID; !strings.HasPrefix(j, "job-") {
		t.Errorf("job id %q not stored", j)
	}

	// Again: new jobs, same content and date, nothing new stored.
	res, err = Fetch(ctx, db, []authz.Principal{principal(batch), principal(alice)}, options(srv.URL), nil)
	if err != nil || res.Stored != 0 || res.Unchanged != 2 {
		t.Errorf("second Fetch: %+v, %v; want 2 unchanged", res, err)
	}
}

func TestFetchFailedJobAndOtherAccounts(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	f := newFake(t)
	f.services[batch] = manyServices(2)
	f.services[other] = manyServices(2)
	f.failed[alice] = true
	srv := httptest.NewServer(f)
	defer srv.Close()

	opts := options(srv.URL)
	opts.AssumeRoles = []string{"arn:aws:iam::111122223333:role/audit", "arn:aws:iam::444455556666:role/audit"}
	res, err := Fetch(ctx, db, []authz.Principal{principal(batch), principal(alice), principal(other)}, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 2 || len(res.Failed) != 1 {
		t.Fatalf("Fetch: %+v; want 2 stored, alice failed", res)
	}
	if msg := res.Failed[0].Error(); !errors.Is(res.Failed[0], ErrJobFailed) || !strings.Contains(msg, alice) || !strings.Contains(msg, "ServiceFailure internal error") {
		t.Errorf("failure: %v; want alice's FAILED job with IAM's error", msg)
	}
	for id, arn := range f.jobs {
		if f.callers[id] != authz.AccountOf(arn) {
			t.Errorf("job %s for %s was generated with account %s's credentials", id, arn, f.callers[id])
		}
	}
	if _, ok, _ := lastaccess.PendingJob(ctx, db, alice, time.Time{}); ok {
		t.Errorf("a FAILED job is still recorded: the next run would fetch it again instead of generating a new one")
	}

	// A principal of an account no --assume-role names fails alone.
	opts.AssumeRoles = opts.AssumeRoles[:1]
	res, err = Fetch(ctx, db, []authz.Principal{principal(batch), principal(other)}, opts, nil)
	if err != nil || len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Error(), "no --assume-role names account 444455556666") {
		t.Errorf("Fetch: %+v, %v; want the other account's principal refused", res, err)
	}
}

func TestFetchResumesAKilledRun(t *testing.T) {
	db := storetest.New(t)
	f := newFake(t)
	f.services[batch] = manyServices(3)
	f.inProgress = 1 << 30
	srv := httptest.NewServer(f)
	defer srv.Close()

	// Killed while IAM works on the job.
	ctx, cancel := context.WithCancel(context.Background())
	f.onPoll = cancel
	_, err := Fetch(ctx, db, []authz.Principal{principal(batch)}, options(srv.URL), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("killed run: %v, want context.Canceled", err)
	}
	job, ok, err := lastaccess.PendingJob(context.Background(), db, batch, time.Time{})
	if err != nil || !ok {
		t.Fatalf("no job recorded for the killed run (%v)", err)
	}

	f.mu.Lock()
	f.onPoll, f.inProgress = nil, 0
	f.mu.Unlock()
	res, err := Fetch(context.Background(), db, []authz.Principal{principal(batch)}, options(srv.URL), nil)
	if err != nil || res.Stored != 1 || res.Resumed != 1 {
		t.Fatalf("resumed run: %+v, %v; want 1 stored from 1 resumed job", res, err)
	}
	if len(f.generated) != 1 {
		t.Errorf("jobs generated: %v, want only the first run's (%s)", f.generated, job.JobID)
	}

	// A recorded job IAM no longer knows is replaced by a new one.
	if err := lastaccess.RecordJob(context.Background(), db, lastaccess.Job{PrincipalARN: batch, JobID: "job-gone", Granularity: lastaccess.ActionLevel}); err != nil {
		t.Fatal(err)
	}
	res, err = Fetch(context.Background(), db, []authz.Principal{principal(batch)}, options(srv.URL), nil)
	if err != nil || len(res.Failed) > 0 || len(f.generated) != 2 {
		t.Errorf("unknown job: %+v, %v, generated %v; want a new job", res, err, f.generated)
	}
}
