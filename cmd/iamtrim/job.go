package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/report"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trails"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"
)

// jobConfig is iamtrim.yaml: the nightly job's configuration. Values may
// name environment variables as ${VAR}, so secrets stay out of the file.
type jobConfig struct {
	// Database is a PostgreSQL URL; empty resolves as for every command
	// (--db, DATABASE_URL, PG*, local server).
	Database string `yaml:"database"`
	// OutDir receives policies/ and the report files.
	OutDir  string `yaml:"out_dir"`
	Catalog struct {
		// Source is "update" (AWS's Service Reference endpoint) or a
		// directory in that layout.
		Source   string `yaml:"source"`
		MaxAge   string `yaml:"max_age"`
		BaseURL  string `yaml:"base_url"`
		CacheDir string `yaml:"cache_dir"`
	} `yaml:"catalog"`
	Authz struct {
		// Files are get-account-authorization-details outputs; or AWS reads
		// them live (once per assume_roles entry when given).
		Files       []string `yaml:"files"`
		AWS         bool     `yaml:"aws"`
		Profile     string   `yaml:"profile"`
		Region      string   `yaml:"region"`
		AssumeRoles []string `yaml:"assume_roles"`
		ExternalID  string   `yaml:"external_id"`
		Endpoint    string   `yaml:"endpoint"`
	} `yaml:"authz"`
	Trails struct {
		File     string `yaml:"file"`
		AWS      bool   `yaml:"aws"`
		Profile  string `yaml:"profile"`
		Region   string `yaml:"region"`
		Endpoint string `yaml:"endpoint"`
	} `yaml:"trails"`
	CloudTrail struct {
		Sources     []string `yaml:"sources"`
		Since       string   `yaml:"since"`
		Workers     int      `yaml:"workers"`
		Accounts    []string `yaml:"accounts"`
		Regions     []string `yaml:"regions"`
		Profile     string   `yaml:"profile"`
		AssumeRole  string   `yaml:"assume_role"`
		S3Endpoint  string   `yaml:"s3_endpoint"`
		APIEndpoint string   `yaml:"api_endpoint"`
	} `yaml:"cloudtrail"`
	Analyze struct {
		Window      string   `yaml:"window"`
		MinCoverage float64  `yaml:"min_coverage"`
		MinDays     int      `yaml:"min_days"`
		SCPs        []string `yaml:"scps"`
	} `yaml:"analyze"`
	Recommend struct {
		Format            string `yaml:"format"`
		Unobservable      string `yaml:"unobservable"`
		ObjectPrefixDepth *int   `yaml:"object_prefix_depth"`
		CollapseAt        *int   `yaml:"collapse_at"`
		MaxChars          int    `yaml:"max_chars"`
		SuggestConditions bool   `yaml:"suggest_conditions"`
	} `yaml:"recommend"`
	// Backtest, when enabled, backtests every role after recommend.
	Backtest jobBacktest `yaml:"backtest"`
	Report   struct {
		// Formats are written as report-<quarter>.<ext> into out_dir;
		// "table" is printed on stdout.
		Formats []string `yaml:"formats"`
	} `yaml:"report"`
	// FailOn lists findings that make the job exit 4 (see --fail-on).
	FailOn string `yaml:"fail_on"`
	// Lock is "fail" (a second run exits at once) or "wait".
	Lock string `yaml:"lock"`
}

func readJobConfig(path string, getenv func(string) string) (*jobConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	var missing []string
	expanded := os.Expand(string(raw), func(k string) string {
		v := getenv(k)
		if v == "" {
			missing = append(missing, k)
		}
		return v
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: environment variables not set: %s", path, strings.Join(missing, ", "))
	}
	cfg := &jobConfig{}
	if err := yaml.UnmarshalWithOptions([]byte(expanded), cfg, yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.defaults()
	return cfg, cfg.validate(path)
}

func (c *jobConfig) defaults() {
	if c.OutDir == "" {
		c.OutDir = "iamtrim-out"
	}
	if c.Catalog.MaxAge == "" {
		c.Catalog.MaxAge = "7d"
	}
	if c.Analyze.Window == "" {
		c.Analyze.Window = "90d"
	}
	if c.Analyze.MinCoverage == 0 {
		c.Analyze.MinCoverage = analyze.DefaultThresholds.MinCoverage
	}
	if c.Analyze.MinDays == 0 {
		c.Analyze.MinDays = analyze.DefaultThresholds.MinDays
	}
	if c.Recommend.Format == "" {
		c.Recommend.Format = "policy"
	}
	if len(c.Report.Formats) == 0 {
		c.Report.Formats = []string{"table", "html"}
	}
	if c.Lock == "" {
		c.Lock = "fail"
	}
	c.Backtest.defaults()
}

func (c *jobConfig) validate(path string) error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("%s: %s: %s", path, field, fmt.Sprintf(format, a...))
	}
	if c.Lock != "fail" && c.Lock != "wait" {
		return bad("lock", "%q: want fail or wait", c.Lock)
	}
	if _, err := parseAge(c.Catalog.MaxAge); err != nil {
		return bad("catalog.max_age", "%v", err)
	}
	if _, err := analyze.ParseWindow(c.Analyze.Window); err != nil {
		return bad("analyze.window", "%v", err)
	}
	if !validFormat(c.Recommend.Format) {
		return bad("recommend.format", "%q: want one of %s", c.Recommend.Format, strings.Join(recommend.Formats, ", "))
	}
	for _, f := range c.Report.Formats {
		if !slices.Contains(report.Formats(), f) {
			return bad("report.formats", "%q: want %s", f, strings.Join(report.Formats(), ", "))
		}
	}
	if len(c.Authz.Files) > 0 && c.Authz.AWS {
		return bad("authz", "name files or aws, not both")
	}
	if c.Trails.File != "" && c.Trails.AWS {
		return bad("trails", "name a file or aws, not both")
	}
	kinds, err := parseFailOn(c.FailOn)
	if err != nil {
		return bad("fail_on", "%v", err)
	}
	if err := c.Backtest.validate(kinds); err != nil {
		return bad("backtest", "%v", err)
	}
	return nil
}

// parseAge reads "7d", "36h".
func parseAge(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var d int
		if _, err := fmt.Sscanf(n, "%d", &d); err == nil && d > 0 {
			return time.Duration(d) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want an age such as 7d or 36h", s)
	}
	return d, nil
}

// Findings --fail-on understands.
var failOnKinds = []string{"none", "high-risk-unused", "unused-principal", "admin", "workload-admin", "insufficient-evidence", "critical", "high", "medium", "low", "breakage"}

func parseFailOn(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(failOnKinds, k) {
			return nil, fmt.Errorf("%q: want a comma-separated list of %s", k, strings.Join(failOnKinds, ", "))
		}
		if k != "none" {
			out = append(out, k)
		}
	}
	return out, nil
}

var riskRank = map[string]int{"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

// findings counts, per --fail-on kind, the principals that have it.
func findings(snap *analyze.Snapshot, kinds []string) map[string]int {
	out := map[string]int{}
	for _, r := range snap.Principals {
		for _, k := range kinds {
			hit := false
			switch k {
			case "breakage":
				continue // counted by the backtest stage
			case "high-risk-unused":
				hit = len(r.Risk.HighRiskUnused) > 0
			case "unused-principal", "admin", "workload-admin", "insufficient-evidence":
				hit = slices.Contains(r.Flags, k)
			default: // a risk level: that level or above
				hit = riskRank[r.Risk.Level] >= riskRank[k]
			}
			if hit {
				out[k]++
			}
		}
	}
	return out
}

func (a *app) jobCmd() *cobra.Command {
	var (
		configPath string
		failOn     string
		outDir     string
		wait       bool
	)
	c := &cobra.Command{
		Use:   "run",
		Short: "The nightly job: migrate, refresh, ingest, analyze, recommend, report",
		Long: `Runs every stage in order from one configuration file: migrate; refresh the
catalog when older than catalog.max_age; refresh the authorization inventory
and the trail configuration; ingest each CloudTrail source incrementally
(the ledger skips what is done); analyze; recommend a policy for every role
into OUT_DIR/policies; write the report (table on stdout, other formats into
OUT_DIR). One log line per stage with its timing, then one summary line.

Safe to schedule: a second run while one is active exits with a message
(lock: fail) or waits (lock: wait, --wait), through a PostgreSQL advisory
lock; a killed run resumes cleanly on the next start; every output file is
written to a temporary name and renamed, so readers never see half a file;
a second run with no new input ingests nothing and writes the same outputs.

Exit codes: 0 ok; 1 error; 3 some inputs were rejected (still retried next
time); 4 findings above --fail-on (e.g. high-risk-unused, admin, critical).
Configuration values may use ${VAR} to take secrets from the environment;
IAMTRIM_CONFIG, IAMTRIM_FAIL_ON and IAMTRIM_OUT_DIR override the file, and
flags override those.`,
		Example: `  iamtrim run --config /etc/iamtrim/iamtrim.yaml
  iamtrim run --config iamtrim.yaml --fail-on high-risk-unused,critical --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("config") && a.getenv("IAMTRIM_CONFIG") != "" {
				configPath = a.getenv("IAMTRIM_CONFIG")
			}
			cfg, err := readJobConfig(configPath, a.getenv)
			if err != nil {
				return usageErr("%v", err)
			}
			if v := a.getenv("IAMTRIM_FAIL_ON"); v != "" {
				cfg.FailOn = v
			}
			if v := a.getenv("IAMTRIM_OUT_DIR"); v != "" {
				cfg.OutDir = v
			}
			if cmd.Flags().Changed("fail-on") {
				cfg.FailOn = failOn
			}
			if cmd.Flags().Changed("out-dir") {
				cfg.OutDir = outDir
			}
			if wait {
				cfg.Lock = "wait"
			}
			if err := cfg.validate(configPath); err != nil {
				return usageErr("%v", err)
			}
			if a.dbURL == "" {
				a.dbURL = cfg.Database
			}
			return a.runJob(cmd.Context(), cfg)
		},
	}
	c.Flags().StringVar(&configPath, "config", "iamtrim.yaml", "configuration file (see docs/iamtrim.example.yaml)")
	c.Flags().StringVar(&failOn, "fail-on", "", "exit 4 when any principal has one of: "+strings.Join(failOnKinds, ", ")+" (comma-separated; a risk level means that level or above)")
	c.Flags().StringVar(&outDir, "out-dir", "", "output directory (overrides out_dir)")
	c.Flags().BoolVar(&wait, "wait", false, "wait for a running job instead of exiting")
	return c
}

// lockGrace is how long a run with lock: fail keeps trying for the lock.
const lockGrace = 5 * time.Second

// ErrJobRunning is returned when another run holds the job lock.
var ErrJobRunning = errors.New("another iamtrim run is in progress on this database; this one did nothing (use --wait or lock: wait to queue behind it)")

// lockJob takes the job's advisory lock on a dedicated connection, which
// holds it until released or until the process dies.
func lockJob(ctx context.Context, pool *pgxpool.Pool, schema string, wait bool) (func(), error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("job lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("iamtrim-run:" + schema))
	key := int64(h.Sum64() & 0x7fffffffffffffff)
	// A run killed a moment ago may still hold the lock until the server
	// notices its connection is gone: try for a few seconds before saying
	// another run is active.
	var got bool
	for deadline := time.Now().Add(lockGrace); ; {
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
			conn.Release()
			return nil, fmt.Errorf("job lock: %w", err)
		}
		if got || wait || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if !got {
		if !wait {
			conn.Release()
			return nil, ErrJobRunning
		}
		if _, err := conn.Exec(ctx, `SET statement_timeout = 0`); err != nil {
			conn.Release()
			return nil, fmt.Errorf("job lock: %w", err)
		}
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			conn.Release()
			return nil, fmt.Errorf("wait for the job lock: %w", err)
		}
	}
	return func() {
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Release()
	}, nil
}

// jobSummary is what the closing line reports.
type jobSummary struct {
	status                         string
	events, duplicates             int64
	filesOK, filesFailed, rejected int
	principals, highRisk           int
	proven, unproven               int
	report                         string
	warnings                       int
	findings                       map[string]int
}

func (a *app) runJob(ctx context.Context, cfg *jobConfig) error {
	began := time.Now()
	sum := jobSummary{status: "ok"}
	stage := func(name string, fn func() error) error {
		t := time.Now()
		err := fn()
		if err != nil {
			a.log.Error("stage failed", "stage", name, "elapsed", time.Since(t).Round(time.Millisecond), "err", err)
			return fmt.Errorf("%s: %w", name, err)
		}
		a.log.Info("stage done", "stage", name, "elapsed", time.Since(t).Round(time.Millisecond))
		return nil
	}

	var db *store.DB
	if err := stage("migrate", func() error {
		var err error
		db, err = a.openDB(ctx)
		return err
	}); err != nil {
		return err
	}
	defer db.Close()
	unlock, err := lockJob(ctx, db.Pool, db.Schema, cfg.Lock == "wait")
	if err != nil {
		return err
	}
	defer unlock()
	// Under the lock no other run writes here: temporary files are what a
	// killed run left behind.
	removeStaleTemps(a, cfg.OutDir, filepath.Join(cfg.OutDir, "policies"))
	var runID int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO run (command, version) VALUES ('run', $1) RETURNING id`, buildVersion()).Scan(&runID); err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	finish := func(status string) {
		_, _ = db.Pool.Exec(context.WithoutCancel(ctx), `UPDATE run SET finished_at = now(), status = $2 WHERE id = $1`, runID, status)
	}

	jobErr := a.jobStages(ctx, db, cfg, stage, &sum)
	status := "ok"
	switch {
	case jobErr != nil:
		status = "failed"
	case sum.rejected > 0:
		status = "partial"
	}
	finish(status)
	var fparts []string
	for k, n := range sum.findings {
		fparts = append(fparts, fmt.Sprintf("%s=%d", k, n))
	}
	slices.Sort(fparts)
	a.log.Info("run finished", "status", status, "elapsed", time.Since(began).Round(time.Millisecond),
		"events", sum.events, "duplicates", sum.duplicates, "files_ok", sum.filesOK, "files_failed", sum.filesFailed,
		"principals", sum.principals, "high_risk_principals", sum.highRisk,
		"recommendations_proven", sum.proven, "recommendations_unproven", sum.unproven,
		"findings", strings.Join(fparts, ","), "warnings", sum.warnings, "report", sum.report)
	if jobErr != nil {
		return jobErr
	}
	if sum.unproven > 0 {
		return fmt.Errorf("%d recommendation(s) could not be proven; they are written as *.UNPROVEN.json for review", sum.unproven)
	}
	if sum.rejected > 0 {
		return &exitErr{code: exitRejected, err: fmt.Errorf("%d input objects or records were rejected; they are recorded and will be retried by the next run", sum.rejected)}
	}
	if len(fparts) > 0 {
		return &exitErr{code: exitFindings, err: fmt.Errorf("findings above the --fail-on threshold: %s", strings.Join(fparts, ", "))}
	}
	return nil
}

func (a *app) jobStages(ctx context.Context, db *store.DB, cfg *jobConfig, stage func(string, func() error) error, sum *jobSummary) error {
	if cfg.Catalog.Source != "" {
		if err := stage("catalog", func() error { return a.jobCatalog(ctx, db, cfg) }); err != nil {
			// A stale catalog is better than no analysis: go on with the
			// current one when there is one.
			v, verr := catalog.CurrentVersion(ctx, db.Pool)
			if verr != nil {
				return err
			}
			a.log.Warn("catalog refresh failed; going on with the current catalog", "version", v.ID, "fetched", v.FetchedAt.Format(time.RFC3339), "err", err)
			sum.warnings++
		}
	}
	if len(cfg.Authz.Files) > 0 || cfg.Authz.AWS {
		if err := stage("authz", func() error { return a.jobAuthz(ctx, db, cfg, sum) }); err != nil {
			return err
		}
	}
	if cfg.Trails.File != "" || cfg.Trails.AWS {
		if err := stage("trails", func() error { return a.jobTrails(ctx, db, cfg) }); err != nil {
			return err
		}
	}
	if len(cfg.CloudTrail.Sources) > 0 {
		if err := stage("ingest", func() error { return a.jobIngest(ctx, db, cfg, sum) }); err != nil {
			return err
		}
	}
	ev := evidenceFlags{window: cfg.Analyze.Window, scpFiles: cfg.Analyze.SCPs, minCoverage: cfg.Analyze.MinCoverage, minDays: cfg.Analyze.MinDays}
	var (
		evidence analyze.Evidence
		opts     analyze.Options
		snap     *analyze.Snapshot
	)
	if err := stage("analyze", func() error {
		var err error
		if evidence, opts, err = ev.load(ctx, a, db); err != nil {
			return err
		}
		snap, err = analyze.Run(ctx, db, evidence, opts, a.log)
		return err
	}); err != nil {
		return err
	}
	sum.principals = len(snap.Principals)
	for _, r := range snap.Principals {
		if len(r.Risk.HighRiskUnused) > 0 {
			sum.highRisk++
		}
	}
	kinds, _ := parseFailOn(cfg.FailOn)
	sum.findings = findings(snap, kinds)
	gen := recommend.DefaultGeneralize
	if cfg.Recommend.ObjectPrefixDepth != nil {
		gen.ObjectPrefixDepth = *cfg.Recommend.ObjectPrefixDepth
	}
	if cfg.Recommend.CollapseAt != nil {
		gen.CollapseAt = *cfg.Recommend.CollapseAt
	}
	ropts := recommend.Options{Unobservable: cfg.Recommend.Unobservable, Generalize: &gen, MaxChars: cfg.Recommend.MaxChars}
	if err := stage("recommend", func() error {
		if err := ropts.Validate(); err != nil {
			return err
		}
		res, err := a.recommendPrincipals(ctx, db, evidence, opts, snap, ropts, recTarget{all: true, suggest: cfg.Recommend.SuggestConditions, outDir: filepath.Join(cfg.OutDir, "policies"), format: cfg.Recommend.Format})
		sum.proven, sum.unproven = res.proven, len(res.unproven)
		return err
	}); err != nil {
		return err
	}
	if cfg.Backtest.Enabled {
		if err := stage("backtest", func() error {
			return a.jobBacktest(ctx, db, cfg.Backtest, evidence, opts, ropts, kinds, sum)
		}); err != nil {
			return err
		}
	}
	return stage("report", func() error {
		// The report's clock is the analysis's: a rerun on the same
		// evidence writes the same bytes.
		ropts := report.Options{Now: snap.CreatedAt.UTC()}
		d, err := report.Build(ctx, db, ropts)
		if err != nil {
			return err
		}
		ext := map[string]string{"md": "md", "html": "html", "csv": "csv", "json": "json"}
		for _, f := range cfg.Report.Formats {
			if f == "table" {
				if err := report.Render(a.stdout, d, "table"); err != nil {
					return err
				}
				continue
			}
			if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", cfg.OutDir, err)
			}
			path := filepath.Join(cfg.OutDir, "report-"+d.Period.Label+"."+ext[f])
			w, commit, err := a.output(path)
			if err != nil {
				return err
			}
			if err := report.Render(w, d, f); err != nil {
				return err
			}
			if err := commit(); err != nil {
				return err
			}
			sum.report = path
			a.log.Info("report written", "file", path)
		}
		return nil
	})
}

func (a *app) jobCatalog(ctx context.Context, db *store.DB, cfg *jobConfig) error {
	maxAge, _ := parseAge(cfg.Catalog.MaxAge)
	v, err := catalog.CurrentVersion(ctx, db.Pool)
	if err == nil && time.Since(v.FetchedAt) < maxAge {
		a.log.Info("catalog is fresh", "version", v.ID, "fetched", v.FetchedAt.Format(time.RFC3339))
		return nil
	}
	if err != nil && !errors.Is(err, catalog.ErrNoCatalog) {
		return err
	}
	var cat *catalog.Catalog
	if cfg.Catalog.Source == "update" {
		dir := cfg.Catalog.CacheDir
		if dir == "" {
			if dir, err = catalog.DefaultCacheDir(); err != nil {
				return err
			}
		}
		base := cfg.Catalog.BaseURL
		if base == "" {
			base = catalog.DefaultBaseURL
		}
		if cat, _, err = catalog.Update(ctx, &http.Client{Timeout: time.Minute}, base, dir, a.log); err != nil {
			return err
		}
	} else if cat, err = catalog.LoadDir(cfg.Catalog.Source); err != nil {
		return err
	}
	nv, err := catalog.Store(ctx, db.Pool, cat, "")
	if err != nil {
		return err
	}
	a.log.Info("catalog refreshed", "version", nv.ID, "actions", nv.Actions)
	return nil
}

func (a *app) jobAuthz(ctx context.Context, db *store.DB, cfg *jobConfig, sum *jobSummary) error {
	src := authzSource{files: cfg.Authz.Files, aws: cfg.Authz.AWS,
		iam:         iamsrc.Options{Profile: cfg.Authz.Profile, Region: cfg.Authz.Region, BaseEndpoint: cfg.Authz.Endpoint},
		assumeRoles: cfg.Authz.AssumeRoles, externalID: cfg.Authz.ExternalID}
	inv, source, partial, err := src.read(ctx, a.log)
	if err != nil {
		return err
	}
	if partial != nil {
		a.log.Warn("some authorization inputs were rejected", "err", partial)
		sum.rejected++
	}
	id, created, err := authz.SaveSnapshot(ctx, db, inv, source, time.Now().UTC())
	if err != nil {
		return err
	}
	a.log.Info("authorization snapshot", "id", id, "new", created, "roles", len(inv.Roles), "users", len(inv.Users))
	return nil
}

func (a *app) jobTrails(ctx context.Context, db *store.DB, cfg *jobConfig) error {
	src := trailsSource{file: cfg.Trails.File, aws: cfg.Trails.AWS, profile: cfg.Trails.Profile, region: cfg.Trails.Region, endpoint: cfg.Trails.Endpoint}
	tc, err := src.read(ctx)
	if err != nil {
		return err
	}
	id, created, err := trails.Save(ctx, db.Pool, tc)
	if err != nil {
		return err
	}
	a.log.Info("trail configuration", "id", id, "new", created)
	return nil
}

func (a *app) jobIngest(ctx context.Context, db *store.DB, cfg *jobConfig, sum *jobSummary) error {
	ct := cfg.CloudTrail
	opts := ingest.Options{Sources: ct.Sources, Workers: ct.Workers, Accounts: ct.Accounts, Regions: ct.Regions,
		Profile: ct.Profile, AssumeRole: ct.AssumeRole, S3Endpoint: ct.S3Endpoint, APIEndpoint: ct.APIEndpoint}
	var err error
	if opts.Since, err = parseTime("since", ct.Since, time.Now()); err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	s, err := a.ingestCloudTrail(ctx, db, opts)
	sum.events, sum.duplicates, sum.filesOK, sum.filesFailed = s.Events, s.Duplicates, s.FilesOK, s.FilesFailed
	if s.FilesFailed > 0 || s.BadRecords > 0 {
		sum.rejected += s.FilesFailed + int(s.BadRecords)
		for _, e := range s.Errors {
			a.log.Warn("rejected input", "error", e)
		}
	}
	return err
}

// removeStaleTemps deletes the temporary files (.NAME.tmp-*) that atomic
// writes leave when a run is killed before renaming them.
func removeStaleTemps(a *app, dirs ...string) {
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, ".*.tmp-*"))
		for _, m := range matches {
			if err := os.Remove(m); err == nil {
				a.log.Info("removed a temporary file left by an interrupted run", "file", m)
			}
		}
	}
}
