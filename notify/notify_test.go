package notify

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/snapdiff"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json")

// diffResult is a diff with every kind of change, more new principals
// than a payload lists, and a name that needs escaping.
func diffResult() *snapdiff.Result {
	r := &snapdiff.Result{
		From:              snapdiff.Snapshot{ID: 41, CreatedAt: time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), AsOf: "2026-11-29", WindowDays: 90},
		To:                snapdiff.Snapshot{ID: 42, CreatedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), AsOf: "2026-11-30", WindowDays: 90},
		RemovedPrincipals: []string{"arn:aws:iam::111122223333:role/old"},
		Principals: []snapdiff.Change{
			{ARN: "arn:aws:iam::111122223333:role/a<b>&c", GrantsAdded: []string{"s3:GetObject"}, RiskFrom: snapdiff.Risk{Level: "low", Score: 3}, RiskTo: snapdiff.Risk{Level: "low", Score: 4}},
			{ARN: "arn:aws:iam::111122223333:role/ci-deployer", GrantsAdded: []string{"iam:PassRole", "iam:CreateRole", "ec2:RunInstances"}, GrantsRemoved: []string{"s3:ListBucket"},
				NewlyUnused: []string{"iam:CreateRole"}, RiskFrom: snapdiff.Risk{Level: "medium", Score: 40}, RiskTo: snapdiff.Risk{Level: "high", Score: 80}},
			{ARN: "arn:aws:iam::111122223333:user/alice", NewlyUsed: []string{"sts:GetCallerIdentity"}, RiskFrom: snapdiff.Risk{Level: "none"}, RiskTo: snapdiff.Risk{Level: "none"}},
		},
		Totals: snapdiff.Totals{RemovedPrincipals: 1, GrantsAdded: 4, GrantsRemoved: 1, NewlyUsed: 1, NewlyUnused: 1, RiskChanges: 2},
	}
	for i := range 12 {
		r.NewPrincipals = append(r.NewPrincipals, "arn:aws:iam::444455556666:role/new-"+string(rune('a'+i)))
	}
	r.Totals.NewPrincipals = len(r.NewPrincipals)
	return r
}

func event() *Event {
	return &Event{RunID: 42, Status: "ok", Principals: 27, HighRisk: 11, Proven: 23, Rejected: 0,
		Findings: map[string]int{"critical": 1, "high-risk-unused": 4},
		Top: []Principal{
			{ARN: "arn:aws:iam::111122223333:role/break-glass", RiskLevel: "critical", RiskScore: 1130, Findings: []string{"critical", "high-risk-unused"}},
			{ARN: "arn:aws:iam::111122223333:role/ci-deployer", RiskLevel: "high", RiskScore: 80, Findings: []string{"high-risk-unused"}},
		},
		Diff: diffResult(), DiffFile: "/var/lib/iamtrim/out/diff.json", Report: "/var/lib/iamtrim/out/report-2026Q4.html"}
}

func TestPayloadGolden(t *testing.T) {
	tests := []struct {
		name  string
		ev    func() *Event
		fired []string
	}{
		{"findings-and-diff", event, []string{"findings", "new-principals", "grants-added"}},
		{"first-run-failed", func() *Event {
			return &Event{RunID: 1, Status: "failed", Error: "ingest: read s3://logs/AWSLogs: access denied", Rejected: 2}
		}, []string{"failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.MarshalIndent(NewPayload(tc.ev(), tc.fired), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./notify -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPayloadText(t *testing.T) {
	p := NewPayload(event(), []string{"findings"})
	for _, want := range []string{
		"iamtrim run 42 (ok): 5 finding(s): critical=1, high-risk-unused=4",
		"New: role/new-a, role/new-b, role/new-c and 9 more",
		"Grants added: role/ci-deployer (+3), role/a&lt;b&gt;&amp;c (+1)",
		"Most at risk: role/break-glass (critical 1130.0), role/ci-deployer (high 80.0)",
	} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.Text)
		}
	}
	if strings.ContainsAny(p.Text, "<>") {
		t.Errorf("text holds < or > unescaped (Slack markup):\n%s", p.Text)
	}
	if n := len(p.Diff.NewPrincipals); n != MaxListed || p.Diff.Omitted != 2 {
		t.Errorf("diff lists %d new principals, omits %d; want %d and 2", n, p.Diff.Omitted, MaxListed)
	}
}

func TestFired(t *testing.T) {
	withDiff := func(tot snapdiff.Totals) *Event {
		return &Event{Status: "ok", Diff: &snapdiff.Result{Totals: tot}}
	}
	tests := []struct {
		name  string
		rules Rules
		ev    *Event
		want  []string
	}{
		{"nothing", Rules{}, withDiff(snapdiff.Totals{}), nil},
		{"first run, no findings", Rules{}, &Event{Status: "ok"}, nil},
		{"findings by default", Rules{}, &Event{Status: "ok", Findings: map[string]int{"admin": 2}}, []string{"findings"}},
		{"zero counts are no findings", Rules{}, &Event{Status: "ok", Findings: map[string]int{"admin": 0}}, nil},
		{"failed by default", Rules{}, &Event{Status: "failed"}, []string{"failed"}},
		{"partial only when named", Rules{}, &Event{Status: "partial"}, nil},
		{"partial named", Rules{Triggers: []string{"partial"}}, &Event{Status: "partial"}, []string{"partial"}},
		{"default diff kinds", Rules{}, withDiff(snapdiff.Totals{NewPrincipals: 1, GrantsAdded: 2, GrantsRemoved: 5}), []string{"new-principals", "grants-added"}},
		{"removals not by default", Rules{}, withDiff(snapdiff.Totals{GrantsRemoved: 5, RiskChanges: 3}), nil},
		{"below min_changes", Rules{MinChanges: 4}, withDiff(snapdiff.Totals{NewPrincipals: 1, GrantsAdded: 2}), nil},
		{"at min_changes", Rules{MinChanges: 3}, withDiff(snapdiff.Totals{NewPrincipals: 1, GrantsAdded: 2}), []string{"new-principals", "grants-added"}},
		{"min_changes counts named kinds only", Rules{Triggers: []string{"grants-added"}, MinChanges: 3}, withDiff(snapdiff.Totals{NewPrincipals: 5, GrantsAdded: 2}), nil},
		{"findings not named", Rules{Triggers: []string{"risk-changes"}}, &Event{Status: "ok", Findings: map[string]int{"admin": 2}, Diff: &snapdiff.Result{Totals: snapdiff.Totals{RiskChanges: 1}}}, []string{"risk-changes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.rules.Fired(tc.ev)); diff != "" {
				t.Errorf("Fired (-want +got):\n%s", diff)
			}
		})
	}
	if err := (Rules{Triggers: []string{"findings", "sometimes"}}).Validate(); err == nil || !strings.Contains(err.Error(), `"sometimes"`) {
		t.Errorf("Validate of an unknown trigger: %v", err)
	}
}

// recorder is a webhook receiver answering with the codes of answers in
// turn (the last one for the rest), after delay.
type recorder struct {
	mu      sync.Mutex
	bodies  []string
	headers []http.Header
	answers []int
	delay   time.Duration
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, string(b))
	rc.headers = append(rc.headers, r.Header.Clone())
	code := rc.answers[min(len(rc.bodies), len(rc.answers))-1]
	rc.mu.Unlock()
	if rc.delay > 0 {
		select {
		case <-time.After(rc.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(code)
	if code != http.StatusOK {
		_, _ = io.WriteString(w, "no_service\n")
	}
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.bodies)
}

func TestWebhookPost(t *testing.T) {
	const token = "T0KEN-SECRET"
	tests := []struct {
		name         string
		answers      []int
		delay        time.Duration
		retries      int
		wantAttempts int
		wantErr      string // "" for success
	}{
		{"ok", []int{200}, 0, 2, 1, ""},
		{"204 is ok", []int{204}, 0, 2, 1, ""},
		{"500 then ok", []int{500, 200}, 0, 2, 2, ""},
		{"500 every time", []int{500}, 0, 2, 3, "3 attempt(s): HTTP 500: no_service"},
		{"429 is retried", []int{429, 429, 200}, 0, 2, 3, ""},
		{"404 is not retried", []int{404}, 0, 2, 1, "1 attempt(s): HTTP 404: no_service"},
		{"redirect is not followed", []int{302}, 0, 2, 1, "1 attempt(s): HTTP 302"},
		{"slow server times out", []int{200}, 2 * time.Second, 1, 2, "2 attempt(s): no response within 100ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := &recorder{answers: tc.answers, delay: tc.delay}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			w := &Webhook{URL: srv.URL + "/services/" + token, Headers: map[string]string{"Authorization": "Bearer " + token},
				Timeout: 100 * time.Millisecond, Retries: tc.retries, Backoff: time.Millisecond}
			n, err := w.Post(context.Background(), []byte(`{"text":"hi"}`))
			if n != tc.wantAttempts || rc.count() != tc.wantAttempts {
				t.Errorf("attempts: returned %d, server saw %d; want %d", n, rc.count(), tc.wantAttempts)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Post: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Fatalf("Post: %v; want %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("the error quotes the token: %v", err)
			}
			if rc.bodies[0] != `{"text":"hi"}` || rc.headers[0].Get("Content-Type") != "application/json" || rc.headers[0].Get("Authorization") != "Bearer "+token {
				t.Errorf("request: body %q, headers %v", rc.bodies[0], rc.headers[0])
			}
		})
	}
}

func TestWebhookRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/services/T0KEN-SECRET"
	srv.Close() // nothing listens there now
	w := &Webhook{URL: url, Retries: 1, Backoff: time.Millisecond, Timeout: time.Second}
	n, err := w.Post(context.Background(), []byte(`{}`))
	var ne *Error
	if !errors.As(err, &ne) || n != 2 || ne.Attempts != 2 {
		t.Fatalf("Post to a closed port: %d attempts, %v; want 2 attempts and an *Error", n, err)
	}
	if strings.Contains(err.Error(), "T0KEN") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("error %q: want the refusal, without the URL's path", err)
	}
}

func TestWebhookCancelled(t *testing.T) {
	srv := httptest.NewServer(&recorder{answers: []int{500}})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	w := &Webhook{URL: srv.URL, Retries: MaxRetries, Backoff: time.Hour}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	n, err := w.Post(ctx, []byte(`{}`))
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("Post cancelled during the backoff: %d attempts, %v; want 1 and context.Canceled", n, err)
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://hooks.slack.com/services/T/B/X", ""},
		{"http://127.0.0.1:8080/hook", ""},
		{"hooks.slack.com/services/T/B/X", "want an http or https URL"},
		{"ftp://example.com/x", "want an http or https URL"},
		{"https:///path", "the URL names no host"},
		{"https://exa mple.com/%zz", "not a URL"},
	} {
		_, err := ParseURL(tc.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("ParseURL(%q): %q; want %q", tc.in, got, tc.want)
		}
	}
	if err := ValidHeader("Authorization", "Bearer x"); err != nil {
		t.Errorf("ValidHeader: %v", err)
	}
	if err := ValidHeader("Bad Name", "x"); err == nil {
		t.Error("ValidHeader accepts a name with a space")
	}
	if err := ValidHeader("X-Token", "a\r\nInjected: 1"); err == nil {
		t.Error("ValidHeader accepts a value with a line break")
	}
}
