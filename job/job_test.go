package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/notify"
	"github.com/iamtrim/iamtrim/store/queries"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// root is the repository root.
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sampleConfig writes a configuration over the committed sample with
// absolute paths plus extra, and returns its path and output directory.
func sampleConfig(t *testing.T, extra string) (string, string) {
	t.Helper()
	r := root(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := "out_dir: " + out + "\n" +
		"catalog:\n  source: " + filepath.Join(r, "testdata/catalog") + "\n" +
		"authz:\n  files: [" + filepath.Join(r, "testdata/sample/authz.json") + "]\n" +
		"trails:\n  file: " + filepath.Join(r, "testdata/sample/trails.json") + "\n" +
		"cloudtrail:\n  sources: [" + filepath.Join(r, "testdata/sample/AWSLogs") + "]\n" +
		"report:\n  formats: [csv]\n" + extra
	path := filepath.Join(dir, "iamtrim.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, out
}

func noEnv(string) string { return "" }

// testRunner runs against a private schema; log collects the log lines.
func testRunner(t *testing.T, log *bytes.Buffer) (*Runner, string) {
	t.Helper()
	schema := storetest.SchemaName(t)
	t.Cleanup(func() { storetest.Drop(t, schema) })
	var w io.Writer = io.Discard
	if log != nil {
		w = log
	}
	r := &Runner{
		Open: func(ctx context.Context) (*store.DB, error) {
			return store.Open(ctx, store.Options{URL: storetest.URL(), Schema: schema, Logger: slog.New(slog.DiscardHandler)})
		},
		Log:     slog.New(slog.NewTextHandler(w, nil)),
		Stdout:  io.Discard,
		Version: "test",
	}
	return r, schema
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"bad lock", "lock: sometimes\n", "lock"},
		{"bad window", "analyze:\n  window: soon\n", "analyze.window: "},
		{"absurd window", "analyze:\n  window: 100000d\n", "longer than"},
		{"negative max_age", "catalog:\n  max_age: -5d\n", "catalog.max_age"},
		{"bad fail_on", "fail_on: everything\n", "fail_on"},
		{"files and aws", "authz:\n  aws: true\n  files: [a.json]\n", "authz"},
		{"bad unobservable", "recommend:\n  unobservable: sometimes\n", "unobservable"},
		{"bad format", "recommend:\n  format: yaml\n", "recommend.format"},
		{"min_coverage over 1", "analyze:\n  min_coverage: 1.5\n", "analyze.min_coverage: 1.5: want a share from 0 to 1"},
		{"negative min_days", "analyze:\n  min_days: -1\n", "analyze.min_days: -1: want 0 to 90 (the window)"},
		{"min_days beyond the window", "analyze:\n  window: 2w\n  min_days: 15\n", "analyze.min_days: 15: want 0 to 14 (the window)"},
		{"bad since", "cloudtrail:\n  sources: [api]\n  since: yesterday\n", "cloudtrail.since: "},
		{"bad account", "cloudtrail:\n  sources: [api]\n  accounts: [12]\n", `cloudtrail.accounts: "12": not a 12-digit AWS account id`},
		{"bad workers", "cloudtrail:\n  sources: [api]\n  workers: -1\n", "cloudtrail.workers: -1: want 1 to 256 (0: the default)"},
		{"bad region", "cloudtrail:\n  sources: [api]\n  regions: [US]\n", `cloudtrail.regions: "US": not a region name`},
		{"bad assume_role", "cloudtrail:\n  sources: [api]\n  assume_role: reader\n", `cloudtrail.assume_role: "reader": not an IAM role ARN`},
		// Every role to assume is checked before any AWS call.
		{"bad authz assume_roles", "authz:\n  aws: true\n  assume_roles: [arn:aws:iam::111122223333:role/audit, notanarn]\n", `authz.assume_roles: "notanarn": not an IAM role ARN`},
		{"bad trails assume_role", "trails:\n  aws: true\n  assume_role: notanarn\n", `trails.assume_role: "notanarn": not an IAM role ARN`},
		{"bad org assume_role", "org:\n  aws: true\n  assume_role: arn:aws:iam::111122223333:user/alice\n", `org.assume_role: "arn:aws:iam::111122223333:user/alice": not an IAM role ARN`},
		{"bad lastaccessed assume_roles", "lastaccessed:\n  aws: true\n  assume_roles: [notanarn]\n", `lastaccessed.assume_roles: "notanarn": not an IAM role ARN`},
		{"missing source", "cloudtrail:\n  sources: [/nonexistent/logs]\n", "cloudtrail.sources: stat /nonexistent/logs"},
		// The rollup's bounds are checked as ingest's flags are, the error
		// naming the key.
		{"negative object_prefix_depth", "cloudtrail:\n  sources: [api]\n  object_prefix_depth: -1\n", "cloudtrail.object_prefix_depth: -1: want 0 (whole keys) to 64"},
		{"deep object_prefix_depth", "cloudtrail:\n  sources: [api]\n  object_prefix_depth: 65\n", "cloudtrail.object_prefix_depth: 65: want 0 (whole keys) to 64"},
		{"negative max_resources", "cloudtrail:\n  sources: [api]\n  max_resources: -1\n", "cloudtrail.max_resources: -1: want 1 to 100000"},
		{"zero max_resources", "cloudtrail:\n  sources: [api]\n  max_resources: 0\n", "cloudtrail.max_resources: 0: want 1 to 100000"},
		{"huge max_resources", "cloudtrail:\n  sources: [api]\n  max_resources: 100001\n", "cloudtrail.max_resources: 100001: want 1 to 100000"},
		{"negative collapse_at", "cloudtrail:\n  sources: [api]\n  collapse_at: -1\n", "cloudtrail.collapse_at: -1: want 0 (never fold) to 100000"},
		{"huge collapse_at", "cloudtrail:\n  sources: [api]\n  collapse_at: 100001\n", "cloudtrail.collapse_at: 100001: want 0 (never fold) to 100000"},
		{"missing catalog dir", "catalog:\n  source: /nonexistent\n", "catalog.source"},
		{"missing scps file", "analyze:\n  scps: [/nonexistent/scp.json]\n", "analyze.scps: stat /nonexistent/scp.json: no such file or directory"},
		{"missing authz file", "authz:\n  files: [/nonexistent/authz.json]\n", "authz.files: stat /nonexistent/authz.json: no such file or directory"},
		{"missing trails file", "trails:\n  file: /nonexistent/trails.json\n", "trails.file: stat /nonexistent/trails.json: no such file or directory"},
		{"missing org file", "org:\n  file: /nonexistent/org.json\n", "org.file: stat /nonexistent/org.json: no such file or directory"},
		{"missing lastaccessed file", "lastaccessed:\n  files: [/nonexistent/la/*.json]\n", "lastaccessed.files: stat /nonexistent/la/*.json: no such file or directory"},
		{"bad catalog base_url", "catalog:\n  source: update\n  base_url: ftp://x\n", `catalog.base_url: "ftp://x": not an http or https URL`},
		{"old endpoint key", "cloudtrail:\n  s3_endpoint: http://localhost:9000\n", "renamed to cloudtrail.endpoint_url"},
		{"bad report format", "report:\n  formats: [pdf]\n", "report.formats"},
		{"bad signoff date", "report:\n  signoff_date: 2026-13-01\n", `report.signoff_date: "2026-13-01": not a date (want YYYY-MM-DD)`},
		{"bad database", "database: 'not a url'\n", "database"},
		{"breakage without backtest", "fail_on: breakage\n", "backtest"},
		{"bad backtest window", "backtest:\n  enabled: true\n  train: a while\n", "backtest"},
		{"not http", "notify:\n  webhook: hooks.example.com/x\n", "notify.webhook: want an http or https URL"},
		{"no host", "notify:\n  webhook: https:///x\n", "notify.webhook: the URL names no host"},
		{"keys without webhook", "notify:\n  triggers: [findings]\n", "notify.webhook: missing"},
		{"unknown trigger", "notify:\n  webhook: https://h/x\n  triggers: [everything]\n", `notify.triggers: "everything"`},
		{"bad notify fail_on", "notify:\n  webhook: https://h/x\n  fail_on: bad\n", "notify.fail_on"},
		{"bad timeout", "notify:\n  webhook: https://h/x\n  timeout: 10\n", "notify.timeout"},
		{"long timeout", "notify:\n  webhook: https://h/x\n  timeout: 1h\n", "notify.timeout"},
		{"too many retries", "notify:\n  webhook: https://h/x\n  retries: 50\n", "notify.retries: 50: want 0..5"},
		{"negative min_changes", "notify:\n  webhook: https://h/x\n  min_changes: -1\n", "notify.min_changes"},
		{"bad header", "notify:\n  webhook: https://h/x\n  headers:\n    \"Bad Name\": x\n", "notify.headers"},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(p, noEnv)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			err = cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v: want an error naming %q", err, tc.want)
			}
			// Nothing runs: the database is never opened.
			r := &Runner{Open: func(context.Context) (*store.DB, error) {
				t.Fatal("Run opened the database despite a bad configuration")
				return nil, nil
			}, Log: slog.New(slog.DiscardHandler)}
			if _, err := r.Run(context.Background(), cfg); err == nil {
				t.Fatal("Run accepted a bad configuration")
			}
		})
	}
}

// A file of analyze.scps that opens but holds no service control policy
// is a rejected input (exit 3) naming the key, found before any stage
// runs: the database is never opened.
func TestRunRejectsMalformedSCPFirst(t *testing.T) {
	dir := t.TempDir()
	scp := filepath.Join(dir, "scp.json")
	if err := os.WriteFile(scp, []byte(`{"Version": "2012-10-17", "Statement": "nope"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "iamtrim.yaml")
	if err := os.WriteFile(p, []byte("analyze:\n  scps: ["+scp+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate() = %v, want nil: the file opens", err)
	}
	r := &Runner{Open: func(context.Context) (*store.DB, error) {
		t.Fatal("Run opened the database despite a malformed SCP file")
		return nil, nil
	}, Log: slog.New(slog.DiscardHandler)}
	_, err = r.Run(context.Background(), cfg)
	if !reject.Is(err) || option.IsInvalid(err) || !strings.HasPrefix(fmt.Sprint(err), "analyze.scps: ") {
		t.Fatalf("Run() = %v, want a rejected input (not an option error) naming analyze.scps", err)
	}
}

// A cloudtrail bound the configuration leaves out takes ingest's default;
// one it sets is taken as its flag takes it.
func TestRollupBoundsKeys(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		want       queries.RollupBounds
	}{
		{"absent", "cloudtrail:\n  sources: [api]\n", rollup.DefaultBounds()},
		{"set", "cloudtrail:\n  sources: [api]\n  object_prefix_depth: 0\n  max_resources: 1\n  collapse_at: 0\n",
			queries.RollupBounds{ObjectPrefixDepth: 0, MaxResources: 1, MaxNetworks: rollup.DefaultMaxNetworks, CollapseAt: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(p, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			o, err := cfg.ingestOptions(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if *o.Bounds != tc.want {
				t.Errorf("bounds %+v, want %+v", *o.Bounds, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	body := "# a comment naming ${VAR} and ${OTHER} is left alone\n" +
		"database: postgres://u:${PASSWORD}@h/db # and ${THIS}\n" +
		"authz:\n  files: [\"${DIR}/a.json\"]\n" +
		"analyze:\n  min_days: 0\n  min_coverage: 0\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PASSWORD": "s3cret", "DIR": "/data"}
	cfg, err := Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Database != "postgres://u:s3cret@h/db" || cfg.Authz.Files[0] != "/data/a.json" {
		t.Errorf("expanded: database %q, files %q", cfg.Database, cfg.Authz.Files)
	}
	// Zero thresholds are honoured, not replaced by the defaults.
	opts, err := cfg.analyzeOptions()
	if err != nil {
		t.Fatal(err)
	}
	if th := opts.Thresholds.OrDefault(); th.MinDays != 0 || th.MinCoverage != 0 {
		t.Errorf("thresholds %+v: want zeros as configured", th)
	}
	if _, err := Load(p, noEnv); err == nil || !strings.Contains(err.Error(), "PASSWORD") || strings.Contains(err.Error(), "VAR") {
		t.Errorf("unset variable: %v: want an error naming PASSWORD only", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), noEnv); err == nil {
		t.Error("missing file: no error")
	}
	if err := os.WriteFile(p, []byte("colour: blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, noEnv); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown key: %v", err)
	}
}

// The documented example and the sample configuration load and validate.
func TestShippedConfigs(t *testing.T) {
	r := root(t)
	for _, name := range []string{"docs/iamtrim.example.yaml", "testdata/iamtrim.sample.yaml"} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(r) // the sample's paths are relative to the root
			cfg, err := Load(name, func(k string) string {
				return map[string]string{"IAMTRIM_DB_PASSWORD": "pw", "IAMTRIM_WEBHOOK_URL": "https://hooks.example.com/x", "IAMTRIM_WEBHOOK_TOKEN": "t"}[k]
			})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

// A run while another holds the lock returns ErrRunning at once, or waits
// with lock: wait until the holder lets go.
func TestLock(t *testing.T) {
	ctx := context.Background()
	r, _ := testRunner(t, nil)
	path, _ := sampleConfig(t, "")
	cfg, err := Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	db, err := r.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	unlock, err := db.Lock(ctx, LockName, store.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, cfg); !errors.Is(err, ErrRunning) {
		t.Fatalf("locked: %v, want ErrRunning", err)
	}
	cfg.Lock = "wait"
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(ctx, cfg)
		done <- err
	}()
	// Synchronise on the server: the waiting run's lock request is queued.
	for {
		n, err := db.Waiters(ctx, LockName)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("lock: wait returned %v while the lock was held", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("waiting run: %v", err)
	}
}

// A catalog refresh that fails does not stop the job when a catalog is
// already loaded; the clock says when the catalog is stale.
func TestStaleCatalogGoesOn(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	r, _ := testRunner(t, &log)
	path, _ := sampleConfig(t, "")
	cfg, err := Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := r.Run(ctx, cfg); err != nil || sum.Warnings != 0 {
		t.Fatalf("first run: %v, %d warnings", err, sum.Warnings)
	}
	// The stored catalog is as fresh as the fixture's newest file (the
	// day of the checkout): the clock is set from it, not from today.
	loaded, err := catalog.LoadDir(cfg.Catalog.Source)
	if err != nil {
		t.Fatal(err)
	}
	fetched := loaded.Version().FetchedAt
	cfg.Catalog.Source = t.TempDir() // a directory with no catalog in it
	cfg.Catalog.MaxAge = "1d"
	r.Now = func() time.Time { return fetched.Add(25 * time.Hour) }
	sum, err := r.Run(ctx, cfg)
	if err != nil || sum.Warnings != 1 || !strings.Contains(log.String(), "going on with the current catalog") {
		t.Fatalf("stale catalog: %v, %d warnings; log:\n%s", err, sum.Warnings, log.String())
	}
	// Within max_age nothing is refreshed.
	r.Now = func() time.Time { return fetched.Add(time.Hour) }
	if sum, err := r.Run(ctx, cfg); err != nil || sum.Warnings != 0 {
		t.Fatalf("fresh catalog: %v, %d warnings", err, sum.Warnings)
	}
}

// TestExceptionsExpire runs the sample twice with break-glass excepted
// in the configuration: --fail-on critical passes while the exception
// holds and fails again (exit 4's FindingsError) once the job's clock is
// past its expiry.
func TestExceptionsExpire(t *testing.T) {
	path, _ := sampleConfig(t, "fail_on: critical,expired-exception\n"+
		"exceptions:\n"+
		"  - principal: arn:aws:iam::111122223333:role/break-glass\n"+
		"    reason: emergency access\n"+
		"    owner: security@example.com\n"+
		"    created: 2026-07-01\n"+
		"    expires: 2027-06-30\n")
	cfg, err := Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := testRunner(t, nil)
	tests := []struct {
		day  string
		want map[string]int // nil: no FindingsError
	}{
		{"2027-06-30", nil}, // the last day it holds
		{"2027-07-01", map[string]int{"critical": 1, "expired-exception": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.day, func(t *testing.T) {
			now, _ := time.Parse(time.DateOnly, tc.day)
			r.Now = func() time.Time { return now }
			_, err := r.Run(context.Background(), cfg)
			var fe *FindingsError
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("run: %v, want no error", err)
			case tc.want != nil && !errors.As(err, &fe):
				t.Fatalf("run: %v, want findings %v", err, tc.want)
			case tc.want != nil && !maps.Equal(fe.Counts, tc.want):
				t.Errorf("findings = %v, want %v", fe.Counts, tc.want)
			}
		})
	}
}

// TestExceptionsRefusedByLine: a bad entry in the configuration stops the
// job before anything runs, naming its line.
func TestExceptionsRefusedByLine(t *testing.T) {
	path, _ := sampleConfig(t, "exceptions:\n"+
		"  - principal: arn:aws:iam::111122223333:role/break-glass\n"+
		"    reason: emergency access\n"+
		"    owner: security@example.com\n"+
		"    created: 2026-07-01\n"+
		"    expires: 2026-06-30\n")
	_, err := Load(path, noEnv)
	// The register starts on line 12 of the generated configuration.
	if err == nil || !strings.Contains(err.Error(), path+":13: expires 2026-06-30 is not after created 2026-07-01") {
		t.Fatalf("Load: %v, want the entry refused on line 13", err)
	}
}

// receiver is a local webhook: it records each body and answers with code
// after delay.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	auth   []string
	code   int
	delay  time.Duration
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, b)
	rc.auth = append(rc.auth, r.Header.Get("Authorization"))
	code, delay := rc.code, rc.delay
	rc.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	w.WriteHeader(code)
}

// take returns the bodies received since the last call.
func (rc *receiver) take(t *testing.T) []notify.Payload {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []notify.Payload
	for _, b := range rc.bodies {
		var p notify.Payload
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("payload: %v\n%s", err, b)
		}
		out = append(out, p)
	}
	rc.bodies = nil
	return out
}

// TestNotify runs the sample with a webhook on a local server: the first
// run notifies its findings, a second with a new role its diff, a third
// with nothing crossing the thresholds nothing; a failing server is
// retried as configured and logged by host, and the run's result is what
// it would have been without a webhook.
func TestNotify(t *testing.T) {
	rc := &receiver{code: http.StatusOK}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	const token = "T0KEN-SECRET"
	extra := filepath.Join(root(t), "job/testdata/authz-new-role.json")
	path, out := sampleConfig(t, "notify:\n"+
		"  webhook: "+srv.URL+"/services/${HOOK_TOKEN}\n"+
		"  triggers: [findings, new-principals]\n"+
		"  fail_on: admin\n"+
		"  retries: 1\n"+
		"  headers:\n    Authorization: Bearer ${HOOK_TOKEN}\n")
	cfg, err := Load(path, func(k string) string { return map[string]string{"HOOK_TOKEN": token}[k] })
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	r, _ := testRunner(t, &log)
	r.NotifyBackoff = time.Millisecond
	ctx := context.Background()

	// 1: no earlier analysis; the admin findings notify.
	if _, err := r.Run(ctx, cfg); err != nil {
		t.Fatalf("run 1: %v", err)
	}
	got := rc.take(t)
	if len(got) != 1 {
		t.Fatalf("run 1 posted %d notifications, want 1", len(got))
	}
	p := got[0]
	if !slices.Equal(p.Triggers, []string{"findings"}) || p.Findings["admin"] != 2 || p.Diff != nil || p.Status != "ok" ||
		p.Report != filepath.Join(out, "report-2026Q4.csv") && !strings.HasPrefix(p.Report, filepath.Join(out, "report-")) {
		t.Errorf("run 1 payload: triggers %v, findings %v, diff %v, status %s, report %s", p.Triggers, p.Findings, p.Diff, p.Status, p.Report)
	}
	if len(p.TopPrincipals) != 2 || !slices.Equal(p.TopPrincipals[0].Findings, []string{"admin"}) || p.TopPrincipals[0].RiskScore < p.TopPrincipals[1].RiskScore {
		t.Errorf("run 1 top principals: %+v; want the two admins, riskier first", p.TopPrincipals)
	}
	if rc.auth[0] != "Bearer "+token {
		t.Errorf("Authorization header %q", rc.auth[0])
	}
	if !strings.Contains(p.Text, "iamtrim run 1 (ok): 2 finding(s): admin=2") {
		t.Errorf("run 1 text:\n%s", p.Text)
	}

	// 2: a new role: the diff notifies too.
	cfg.Authz.Files = append(cfg.Authz.Files, extra)
	if _, err := r.Run(ctx, cfg); err != nil {
		t.Fatalf("run 2: %v", err)
	}
	got = rc.take(t)
	if len(got) != 1 {
		t.Fatalf("run 2 posted %d notifications, want 1", len(got))
	}
	p = got[0]
	if !slices.Equal(p.Triggers, []string{"findings", "new-principals"}) || p.Diff == nil ||
		!slices.Equal(p.Diff.NewPrincipals, []string{"arn:aws:iam::111122223333:role/incident-responder"}) ||
		p.Diff.File != filepath.Join(out, "diff.json") || p.RunID != 2 {
		t.Errorf("run 2 payload: run %d, triggers %v, diff %+v", p.RunID, p.Triggers, p.Diff)
	}
	if !strings.Contains(p.Text, "New: role/incident-responder") {
		t.Errorf("run 2 text:\n%s", p.Text)
	}

	// 3: nothing new, and findings are not a trigger: no post.
	cfg.Notify.Triggers = []string{"new-principals", "grants-added"}
	log.Reset()
	if _, err := r.Run(ctx, cfg); err != nil {
		t.Fatalf("run 3: %v", err)
	}
	if got := rc.take(t); len(got) != 0 || !strings.Contains(log.String(), "no notification") {
		t.Errorf("run 3 posted %d notifications; log:\n%s", len(got), log.String())
	}

	// 4: the server fails: two attempts (retries: 1), a warning naming
	// the host, and the run's result unchanged (the findings error, exit
	// 4, as without a webhook).
	cfg.Notify.Triggers = []string{"findings"}
	cfg.FailOn = "admin"
	rc.mu.Lock()
	rc.code = http.StatusInternalServerError
	rc.mu.Unlock()
	log.Reset()
	_, err = r.Run(ctx, cfg)
	var fe *FindingsError
	if !errors.As(err, &fe) || fe.Counts["admin"] != 2 {
		t.Errorf("run 4 with a failing webhook: %v; want the admin findings", err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if n := len(rc.take(t)); n != 2 || !strings.Contains(log.String(), `msg="notification failed; the run's result is unchanged" host=`+host+` triggers=findings attempts=2 err="2 attempt(s): HTTP 500"`) {
		t.Errorf("run 4: %d attempts; log:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), token) {
		t.Errorf("the log holds the token:\n%s", log.String())
	}

	// 5: a server slower than the timeout.
	rc.mu.Lock()
	rc.code, rc.delay = http.StatusOK, 5*time.Second
	rc.mu.Unlock()
	cfg.Notify.Timeout = "200ms"
	cfg.Notify.Triggers = []string{"failed"}
	zero := 0
	cfg.Notify.Retries = &zero
	log.Reset()
	r.notify(ctx, cfg, &notify.Event{RunID: 5, Status: "failed"})
	if n := len(rc.take(t)); n != 1 || !strings.Contains(log.String(), `err="1 attempt(s): no response within 200ms"`) {
		t.Errorf("slow server: %d attempts; log:\n%s", n, log.String())
	}
}

// A webhook URL is never quoted in an error: its path may be a token.
func TestValidateNotifyQuotesNoURL(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "secret.yaml")
	_ = os.WriteFile(p, []byte("notify:\n  webhook: hooks.example.com/services/T0KEN\n"), 0o644)
	cfg, _ := Load(p, noEnv)
	if err := cfg.Validate(); err == nil || strings.Contains(err.Error(), "T0KEN") {
		t.Errorf("Validate() = %v: want an error not quoting the URL", err)
	}
}
