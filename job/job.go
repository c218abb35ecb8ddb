package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/outfile"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/notify"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/report"
	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/trails"
)

// LockName is the advisory lock a run holds for its whole length.
const LockName = "iamtrim-run"

// LockGrace is how long a run with lock: fail keeps trying for the lock: a
// run killed a moment ago holds it until the server notices.
const LockGrace = 5 * time.Second

// ErrRunning is returned when another run holds the job lock.
var ErrRunning = errors.New("another iamtrim run is in progress on this database; this one did nothing (use --wait or lock: wait to queue behind it)")

// RejectedError says the run finished but some inputs were rejected, or
// some principals refused (their policies beyond the limits, or their
// recommendation beyond the policy budget).
type RejectedError struct {
	N       int
	Refused []string // principal ARNs
}

// RejectedInput marks it a rejected input (exit 3).
func (*RejectedError) RejectedInput() {}

var _ reject.Input = (*RejectedError)(nil)

func (e *RejectedError) Error() string {
	var parts []string
	if e.N > 0 {
		parts = append(parts, fmt.Sprintf("%d input objects or records were rejected; they are recorded and will be retried by the next run", e.N))
	}
	if len(e.Refused) > 0 {
		parts = append(parts, fmt.Sprintf("%d principal(s) refused, with no analysis or no recommendation (see the errors above): %s", len(e.Refused), strings.Join(e.Refused, ", ")))
	}
	return strings.Join(parts, "; ")
}

// FindingsError says the run finished with findings above --fail-on.
type FindingsError struct{ Counts map[string]int }

func (e *FindingsError) Error() string {
	return "findings above the --fail-on threshold: " + strings.Join(findingParts(e.Counts), ", ")
}

func findingParts(counts map[string]int) []string {
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	slices.Sort(parts)
	return parts
}

// Runner runs the nightly job.
type Runner struct {
	// Open connects to the database and migrates it.
	Open   func(context.Context) (*store.DB, error)
	Log    *slog.Logger
	Stdout io.Writer // the report's table format
	// Columns fits the table on Stdout to this width (termwidth.Fit); 0
	// is full width.
	Columns int
	Version string // recorded in the run table
	// Now is the clock (catalog freshness, --since ages); nil means
	// time.Now.
	Now func() time.Time
	// HTTP fetches the catalog; nil means a client with a one-minute
	// timeout.
	HTTP *http.Client
	// NotifyBackoff is the wait before the webhook's first retry (0:
	// notify.DefaultBackoff); tests shorten it.
	NotifyBackoff time.Duration
}

// Summary is what the closing line reports.
type Summary struct {
	Status                         string
	Events, Duplicates             int64
	FilesOK, FilesFailed, Rejected int
	Refused                        []string // principals refused by the limits or the policy budget
	Principals, HighRisk           int
	Proven, Unproven               int
	Report                         string
	Warnings                       int
	Findings                       map[string]int
	// Breakage counts the principals whose backtest denied a test call of
	// an action used in training (when backtest is enabled).
	Breakage int
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Run validates cfg and reads the files it parses up front (ReadInputs),
// then runs every stage under the job lock and records
// the run. The error is a *RejectedError or *FindingsError when the run
// finished with those, ErrRunning when another run holds the lock.
func (r *Runner) Run(ctx context.Context, cfg *Config) (Summary, error) {
	sum := Summary{Status: "ok"}
	if err := cfg.Validate(); err != nil {
		return sum, err
	}
	if err := cfg.ReadInputs(); err != nil {
		return sum, err
	}
	began := time.Now()
	var db *store.DB
	if err := r.stage("migrate", func() error {
		var err error
		db, err = r.Open(ctx)
		return err
	}); err != nil {
		return sum, err
	}
	defer db.Close()
	unlock, err := db.Lock(ctx, LockName, store.LockOptions{Wait: cfg.Lock == "wait", Grace: LockGrace})
	if errors.Is(err, store.ErrLocked) {
		return sum, ErrRunning
	}
	if err != nil {
		return sum, err
	}
	defer unlock()
	// Under the lock no other run writes here: temporary files are what a
	// killed run left behind.
	for _, m := range outfile.RemoveStale(cfg.OutDir, filepath.Join(cfg.OutDir, "policies")) {
		r.Log.Info("removed a temporary file left by an interrupted run", "file", m)
	}
	runID, err := queries.StartRun(ctx, db, "run", r.Version)
	if err != nil {
		return sum, err
	}
	ev := &notify.Event{RunID: runID}
	jobErr := r.stages(ctx, db, cfg, &sum, ev)
	switch {
	case jobErr != nil:
		sum.Status = "failed"
	case sum.Rejected > 0 || len(sum.Refused) > 0:
		sum.Status = "partial"
	}
	_ = queries.FinishRun(ctx, db, runID, sum.Status)
	if cfg.Notify.Webhook != "" {
		ev.Status, ev.Principals, ev.HighRisk, ev.Proven, ev.Unproven, ev.Report = sum.Status, sum.Principals, sum.HighRisk, sum.Proven, sum.Unproven, sum.Report
		ev.Rejected = sum.Rejected
		if jobErr != nil {
			ev.Error = jobErr.Error()
		}
		r.notify(ctx, cfg, ev)
	}
	r.Log.Info("run finished", "status", sum.Status, "elapsed", time.Since(began).Round(time.Millisecond),
		"events", sum.Events, "duplicates", sum.Duplicates, "files_ok", sum.FilesOK, "files_failed", sum.FilesFailed,
		"principals", sum.Principals, "refused", len(sum.Refused), "high_risk_principals", sum.HighRisk,
		"recommendations_proven", sum.Proven, "recommendations_unproven", sum.Unproven,
		"findings", strings.Join(findingParts(sum.Findings), ","), "warnings", sum.Warnings, "report", sum.Report)
	if jobErr != nil {
		return sum, jobErr
	}
	if sum.Unproven > 0 {
		return sum, fmt.Errorf("%d recommendation(s) could not be proven; they are written as *.UNPROVEN.json for review", sum.Unproven)
	}
	if sum.Rejected > 0 || len(sum.Refused) > 0 {
		return sum, &RejectedError{N: sum.Rejected, Refused: sum.Refused}
	}
	if len(sum.Findings) > 0 {
		return sum, &FindingsError{Counts: sum.Findings}
	}
	return sum, nil
}

// stage runs fn, logging its name and timing.
func (r *Runner) stage(name string, fn func() error) error {
	t := time.Now()
	if err := fn(); err != nil {
		r.Log.Error("stage failed", "stage", name, "elapsed", time.Since(t).Round(time.Millisecond), "err", err)
		return fmt.Errorf("%s: %w", name, err)
	}
	r.Log.Info("stage done", "stage", name, "elapsed", time.Since(t).Round(time.Millisecond))
	return nil
}

// stages runs the job's stages; ev gathers what a notification tells.
func (r *Runner) stages(ctx context.Context, db *store.DB, cfg *Config, sum *Summary, ev *notify.Event) error {
	if cfg.Catalog.Source != "" {
		if err := r.stage("catalog", func() error { return r.catalog(ctx, db, cfg) }); err != nil {
			// A stale catalog is better than no analysis: go on with the
			// current one when there is one.
			v, verr := catalog.CurrentVersion(ctx, db)
			if verr != nil {
				return err
			}
			r.Log.Warn("catalog refresh failed; going on with the current catalog", "version", v.ID, "fetched", v.FetchedAt.Format(time.RFC3339), "err", err)
			sum.Warnings++
		}
	}
	if len(cfg.Authz.Files) > 0 || cfg.Authz.AWS {
		if err := r.stage("authz", func() error { return r.authz(ctx, db, cfg, sum) }); err != nil {
			return err
		}
	}
	if cfg.Trails.File != "" || cfg.Trails.AWS {
		if err := r.stage("trails", func() error { return r.trails(ctx, db, cfg) }); err != nil {
			return err
		}
	}
	if cfg.Org.File != "" || cfg.Org.AWS {
		if err := r.stage("org", func() error { return r.org(ctx, db, cfg, sum) }); err != nil {
			return err
		}
	}
	if len(cfg.CloudTrail.Sources) > 0 {
		if err := r.stage("ingest", func() error { return r.ingest(ctx, db, cfg, sum) }); err != nil {
			return err
		}
	}
	if len(cfg.LastAccessed.Files) > 0 || cfg.LastAccessed.AWS {
		if err := r.stage("lastaccessed", func() error { return r.lastAccessed(ctx, db, cfg, sum) }); err != nil {
			return err
		}
	}
	var (
		evidence analyze.Evidence
		opts     analyze.Options
		snap     *analyze.Snapshot
	)
	if err := r.stage("analyze", func() error {
		var err error
		if opts, err = cfg.analyzeOptions(); err != nil {
			return err
		}
		opts.Now = r.now().UTC()
		if evidence, err = analyze.Prepare(ctx, db, cfg.evidenceOptions(), &opts, r.Log); err != nil {
			return err
		}
		snap, err = analyze.Run(ctx, db, evidence, opts, r.Log)
		return err
	}); err != nil {
		return err
	}
	sum.Principals = len(snap.Principals)
	for _, rf := range snap.Refused {
		sum.Refused = append(sum.Refused, rf.PrincipalARN)
	}
	sum.HighRisk = analyze.HighRiskPrincipals(snap)
	r.applyExceptions(cfg.exceptions, snap, sum)
	kinds, _ := analyze.ParseFailOn(cfg.FailOn)
	sum.Findings = analyze.Findings(snap, kinds)
	ropts := cfg.recommendOptions()
	if err := r.stage("recommend", func() error {
		res, err := recommend.ForSnapshot(ctx, db, evidence, opts, snap, ropts,
			recommend.Target{All: true, SuggestConditions: cfg.Recommend.SuggestConditions, OutDir: filepath.Join(cfg.OutDir, "policies"), Format: cfg.Recommend.Format, Render: cfg.renderOptions(), Stderr: io.Discard}, r.Log)
		sum.Proven, sum.Unproven = res.Proven, len(res.Unproven)
		if err == nil && len(res.Clashes) > 0 {
			err = fmt.Errorf("%d principal(s) would overwrite a file written for another principal in this run: %s", len(res.Clashes), strings.Join(res.Clashes, ", "))
		}
		sum.Refused = append(sum.Refused, res.OverBudget...)
		return err
	}); err != nil {
		return err
	}
	if cfg.Backtest.Enabled {
		if err := r.stage("backtest", func() error {
			return r.backtest(ctx, db, cfg.Backtest, evidence, opts, ropts, kinds, sum)
		}); err != nil {
			return err
		}
	}
	noticeFindings(cfg, snap, sum, ev)
	if err := r.stage("report", func() error { return r.report(ctx, db, cfg, snap, sum) }); err != nil {
		return err
	}
	return r.stage("diff", func() error { return r.diff(ctx, db, cfg, snap, ev) })
}

// diff records what changed since the analysis before this one as
// OUT_DIR/diff.json (package snapdiff), and in ev for a notification; the
// first run has nothing to compare with.
func (r *Runner) diff(ctx context.Context, db *store.DB, cfg *Config, snap *analyze.Snapshot, ev *notify.Event) error {
	res, err := snapdiff.Compare(ctx, db, 0, snap.ID)
	if errors.Is(err, snapdiff.ErrTooFew) {
		r.Log.Info("no earlier analysis to compare with")
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", cfg.OutDir, err)
	}
	path := filepath.Join(cfg.OutDir, "diff.json")
	if err := outfile.Write(nil, path, func(w io.Writer) error { return snapdiff.WriteJSON(w, res) }); err != nil {
		return err
	}
	ev.Diff, ev.DiffFile = res, path
	if snap.Reused {
		// The same evidence as the run that stored this analysis: its
		// changes were that run's news, and nothing changed since.
		ev.Diff = &snapdiff.Result{From: res.To, To: res.To, NewPrincipals: []string{}, RemovedPrincipals: []string{}, Principals: []snapdiff.Change{}}
		r.Log.Info("the analysis is the previous run's (same evidence): nothing changed since", "snapshot", snap.ID)
	}
	t := res.Totals
	r.Log.Info("changes since the previous analysis", "from", res.From.ID, "to", res.To.ID, "new_principals", t.NewPrincipals,
		"removed_principals", t.RemovedPrincipals, "grants_added", t.GrantsAdded, "grants_removed", t.GrantsRemoved,
		"newly_used", t.NewlyUsed, "newly_unused", t.NewlyUnused, "risk_changes", t.RiskChanges, "file", path)
	return nil
}

func (r *Runner) report(ctx context.Context, db *store.DB, cfg *Config, snap *analyze.Snapshot, sum *Summary) error {
	// The report's clock is the analysis's: a rerun on the same evidence
	// writes the same bytes.
	d, err := report.Build(ctx, db, report.Options{Now: snap.CreatedAt.UTC(), Exceptions: cfg.exceptions, ExceptionsDay: r.now(),
		PoliciesDir: "policies", PoliciesFormat: cfg.Recommend.Format,
		SignOff: report.SignOff{PreparedBy: cfg.Report.PreparedBy, ReviewedBy: cfg.Report.ReviewedBy, Date: cfg.Report.SignoffDate}})
	if err != nil {
		return err
	}
	for _, f := range cfg.Report.Formats {
		if f == "table" {
			if err := report.RenderFit(r.Stdout, d, "table", r.Columns); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", cfg.OutDir, err)
		}
		path := filepath.Join(cfg.OutDir, report.FileName(d.Period.Label, f))
		if err := outfile.Write(nil, path, func(w io.Writer) error { return report.Render(w, d, f) }); err != nil {
			return err
		}
		sum.Report = path
		r.Log.Info("report written", "file", path)
	}
	return nil
}

// applyExceptions marks the findings the register accepts as of the run's
// clock; an entry naming no principal is a rejected input (exit 3), the
// rest applied.
func (r *Runner) applyExceptions(set *exception.Set, snap *analyze.Snapshot, sum *Summary) {
	if set == nil {
		return
	}
	reg, probs := exception.Apply(snap, set, r.now())
	active, excepted := 0, 0
	for _, e := range reg {
		if e.Status == exception.Active {
			active++
		}
		excepted += e.Excepted
	}
	r.Log.Info("exceptions applied", "file", set.File, "active", active, "expired", len(reg)-active, "excepted_findings", excepted)
	for _, p := range probs {
		r.Log.Warn("rejected exception", "error", p.String())
		sum.Rejected++
		sum.Warnings++
	}
}

// catalog refreshes the catalog when the current one is older than
// catalog.max_age.
func (r *Runner) catalog(ctx context.Context, db *store.DB, cfg *Config) error {
	maxAge, err := period.Parse(cfg.Catalog.MaxAge)
	if err != nil {
		return err
	}
	v, err := catalog.CurrentVersion(ctx, db)
	if err == nil && r.now().Sub(v.FetchedAt) < maxAge {
		r.Log.Info("catalog is fresh", "version", v.ID, "fetched", v.FetchedAt.Format(time.RFC3339))
		return nil
	}
	if err != nil && !errors.Is(err, catalog.ErrNoCatalog) {
		return err
	}
	var cat *catalog.Catalog
	if cfg.Catalog.Source == "update" {
		if cat, _, err = catalog.Update(ctx, r.HTTP, cfg.Catalog.BaseURL, cfg.Catalog.CacheDir, r.Log); err != nil {
			return err
		}
	} else if cat, err = catalog.LoadDir(cfg.Catalog.Source); err != nil {
		return err
	}
	nv, err := catalog.Store(ctx, db, cat, "")
	if err != nil {
		return err
	}
	r.Log.Info("catalog refreshed", "version", nv.ID, "actions", nv.Actions)
	return nil
}

func (r *Runner) authz(ctx context.Context, db *store.DB, cfg *Config, sum *Summary) error {
	inv, source, partial, err := cfg.authzSource().Read(ctx, r.Log)
	var rej *authz.RejectedError
	if errors.As(err, &rej) {
		// Nothing readable: the analysis goes on with the snapshot
		// stored before, and the run reports the rejected inputs.
		r.Log.Warn("every authorization input was rejected; keeping the previous snapshot", "err", err)
		sum.Rejected += len(rej.Problems)
		sum.Warnings++
		return nil
	}
	if err != nil {
		return err
	}
	if partial != nil {
		r.Log.Warn("some authorization inputs were rejected", "err", partial)
		sum.Rejected++
		sum.Warnings++
	}
	id, created, err := authz.SaveSnapshot(ctx, db, inv, source, r.now().UTC())
	if err != nil {
		return err
	}
	r.Log.Info("authorization snapshot", "id", id, "new", created, "roles", len(inv.Roles), "users", len(inv.Users))
	return nil
}

func (r *Runner) trails(ctx context.Context, db *store.DB, cfg *Config) error {
	src := cfg.trailsSource()
	src.Log = r.Log
	tc, err := src.Read(ctx)
	if err != nil {
		return err
	}
	id, created, err := trails.Save(ctx, db, tc)
	if err != nil {
		return err
	}
	r.Log.Info("trail configuration", "id", id, "new", created)
	return nil
}

func (r *Runner) org(ctx context.Context, db *store.DB, cfg *Config, sum *Summary) error {
	o, id, created, err := LoadOrg(ctx, db, cfg.orgSource(), r.Log)
	var rej *org.RejectedError
	if errors.As(err, &rej) {
		// Nothing readable: the analysis goes on with the organisation
		// stored before, and the run reports the rejected input.
		r.Log.Warn("the organisation file was rejected; keeping the previous organisation", "err", err)
		sum.Rejected += len(rej.Problems)
		sum.Warnings++
		return nil
	}
	if err != nil {
		return err
	}
	for _, p := range o.Problems {
		r.Log.Warn("rejected organisation entry", "error", p)
	}
	if len(o.Problems) > 0 {
		sum.Rejected += len(o.Problems)
		sum.Warnings++
	}
	r.Log.Info("organisation", "id", id, "new", created, "accounts", o.Counts().Accounts)
	return nil
}

// lastAccessed loads IAM last-accessed data; rejected files or principals
// count as rejected inputs (exit 3), the rest is stored.
func (r *Runner) lastAccessed(ctx context.Context, db *store.DB, cfg *Config, sum *Summary) error {
	s, err := IngestLastAccessed(ctx, db, cfg.lastAccessedSource(), r.Log)
	if err != nil {
		return err
	}
	for _, e := range s.Rejected {
		r.Log.Warn("rejected last-accessed input", "error", e)
	}
	sum.Rejected += len(s.Rejected)
	r.Log.Info("last-accessed data", "stored", s.Stored, "unchanged", s.Unchanged, "resumed", s.Resumed, "rejected", len(s.Rejected))
	return nil
}

func (r *Runner) ingest(ctx context.Context, db *store.DB, cfg *Config, sum *Summary) error {
	opts, err := cfg.ingestOptions(r.now())
	if err != nil {
		return err
	}
	s, err := IngestCloudTrail(ctx, db, opts, r.Log)
	sum.Events, sum.Duplicates, sum.FilesOK, sum.FilesFailed = s.Events, s.Duplicates, s.FilesOK, s.FilesFailed
	if s.Rejected() > 0 {
		sum.Rejected += s.Rejected()
		for _, e := range s.Errors {
			r.Log.Warn("rejected input", "error", e)
		}
	}
	return err
}
