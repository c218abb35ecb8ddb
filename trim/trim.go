package trim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/iamtrim/iamtrim"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/trails"
)

// DefaultCatalogMaxAge is how old the stored catalog may be before a run
// refreshes it.
const DefaultCatalogMaxAge = 7 * 24 * time.Hour

// CatalogUpdate is the Catalog value that refreshes from AWS's Service
// Reference (cached, conditional requests).
const CatalogUpdate = "update"

// BundledCatalogSource is the Source of the catalog bundled in the binary.
const BundledCatalogSource = "bundled with iamtrim (the sample's services)"

// LogsTrail is the Logs value that finds the trail's bucket with
// cloudtrail:DescribeTrails (the default).
const LogsTrail = ""

// AWS says how to reach AWS.
type AWS struct {
	Profile, Region string
	// Endpoint overrides the IAM, STS, S3 and CloudTrail endpoints (tests,
	// local stacks); IAMEndpoint, S3Endpoint and CloudTrailEndpoint override
	// it per service.
	Endpoint                                    string
	IAMEndpoint, S3Endpoint, CloudTrailEndpoint string
	// MaxBackoff caps the SDK's retry back-off (tests); 0 keeps the default.
	MaxBackoff time.Duration
}

func (a AWS) endpoint(specific string) string {
	if specific != "" {
		return specific
	}
	return a.Endpoint
}

// Options configure Run.
type Options struct {
	// Principal is the role (or user) to trim: a name or an ARN.
	Principal string
	// AuthzFile is an authorization-details file; "" reads the principal's
	// policies live from IAM.
	AuthzFile string
	// Logs is a directory, s3://BUCKET/PREFIX, "api" (LookupEvents), or
	// LogsTrail (the bucket of the account's trail, from DescribeTrails).
	Logs string
	// TrailsFile is a trail configuration file (which data events are
	// logged); "" reads it live when the logs come from AWS, else keeps the
	// one stored before (none: data events are assumed not logged).
	TrailsFile string
	SCPFiles   []string
	// evidence holds the files above as Flags.Complete read them; nil
	// when the options were built without it.
	evidence *analyze.EvidenceOptions
	// Catalog is CatalogUpdate (default) or a directory in the Service
	// Reference layout.
	Catalog         string
	CatalogURL      string // "" means catalog.DefaultBaseURL
	CatalogCacheDir string // "" means catalog.DefaultCacheDir()
	CatalogMaxAge   time.Duration
	AWS             AWS
	// Analyze holds the window (WindowDays), AsOf (zero: the newest day
	// with logs) and thresholds; Principal and NoStore are set by Run.
	Analyze   analyze.Options
	Recommend recommend.Options
	// Format and Output are recommend's: json, policy, terraform or diff
	// (default), to Output or Stdout; with Output, the diff also goes to
	// Stdout. The proof goes to Stderr.
	Format, Output string
	Stdout, Stderr io.Writer
	HTTP           *http.Client
	Now            func() time.Time
}

// Validate names the first bad field.
func (o *Options) Validate() error {
	if strings.TrimSpace(o.Principal) == "" {
		return errors.New("role: name a role (or user) by name or ARN")
	}
	if o.Format == "" {
		o.Format = "diff"
	}
	if err := option.OneOf(o.Format, recommend.Formats...); err != nil {
		return fmt.Errorf("format %w", err)
	}
	if o.Analyze.WindowDays <= 0 {
		return fmt.Errorf("window: want a positive number of days, got %d", o.Analyze.WindowDays)
	}
	if o.Catalog == "" {
		o.Catalog = CatalogUpdate
	}
	if o.Catalog != CatalogUpdate {
		if fi, err := os.Stat(o.Catalog); err != nil || !fi.IsDir() {
			return fmt.Errorf("catalog: %q is neither %q nor a directory", o.Catalog, CatalogUpdate)
		}
	}
	if err := catalog.CheckBaseURL(o.CatalogURL); err != nil {
		return fmt.Errorf("catalog-url %w", err)
	}
	if o.CatalogMaxAge <= 0 {
		o.CatalogMaxAge = DefaultCatalogMaxAge
	}
	switch {
	case o.Logs == LogsTrail, o.Logs == ingest.SourceAPI:
	case strings.HasPrefix(o.Logs, "s3://"):
		if b, _, _ := strings.Cut(strings.TrimPrefix(o.Logs, "s3://"), "/"); b == "" {
			return fmt.Errorf("logs: %q names no bucket", o.Logs)
		}
	default:
		if fi, err := os.Stat(o.Logs); err != nil || !fi.IsDir() {
			return fmt.Errorf("logs: %q is not a directory, s3://BUCKET/PREFIX or api", o.Logs)
		}
	}
	if o.AuthzFile != "" {
		if err := option.InputFile("authz", "", o.AuthzFile); err != nil {
			return err // names --authz already
		}
	}
	if err := o.Recommend.Validate(); err != nil {
		return err
	}
	return nil
}

// fromAWS says whether the logs are read from AWS (and so the trail
// configuration can be).
func (o *Options) fromAWS() bool {
	return o.Logs == LogsTrail || o.Logs == ingest.SourceAPI || strings.HasPrefix(o.Logs, "s3://")
}

// Result says what a run did.
type Result struct {
	// Principal is the ARN trimmed.
	Principal string
	Proven    bool
	// Stages are the stages run, in order, with their times.
	Stages []Stage
	Ingest ingest.Summary
	// Rejected counts rejected inputs (log objects, records, authorization
	// values); Run returns a *job.RejectedError when it is not zero.
	Rejected int
}

// Stage is one stage's name and time.
type Stage struct {
	Name    string
	Elapsed time.Duration
}

type runner struct {
	db  *store.DB
	o   Options
	log *slog.Logger
	res Result
}

// Run trims one principal: refresh the catalog when stale, read its
// policies (live or from a file), read the trail configuration, ingest the
// window's logs (objects already ingested are skipped), analyze it and
// write its proven recommendation. Everything is stored, so analyze,
// report and a second run reuse it. It logs a line per stage with its time.
func Run(ctx context.Context, db *store.DB, o Options, log *slog.Logger) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	r := &runner{db: db, o: o, log: log}
	stages := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"catalog", r.catalog},
		{"authz", r.authz},
		{"trails", r.trails},
		{"logs", r.logs},
		{"analyze+recommend", r.recommend},
	}
	for _, s := range stages {
		t := time.Now()
		err := s.fn(ctx)
		el := time.Since(t)
		r.res.Stages = append(r.res.Stages, Stage{s.name, el})
		if err != nil {
			log.Error("stage failed", "stage", s.name, "elapsed", el.Round(time.Millisecond), "err", err)
			return r.res, err
		}
		log.Info("stage done", "stage", s.name, "elapsed", el.Round(time.Millisecond))
	}
	if r.res.Rejected > 0 {
		return r.res, &job.RejectedError{N: r.res.Rejected}
	}
	return r.res, nil
}

func (r *runner) catalog(ctx context.Context) error {
	o := r.o
	if o.Catalog != CatalogUpdate {
		cat, err := catalog.LoadDir(o.Catalog)
		if err != nil {
			return err
		}
		v, err := catalog.Store(ctx, r.db, cat, "")
		if err != nil {
			return err
		}
		r.log.Info("catalog loaded", "dir", o.Catalog, "version", v.ID, "actions", v.Actions)
		return nil
	}
	cur, curErr := catalog.CurrentVersion(ctx, r.db)
	if curErr != nil && !errors.Is(curErr, catalog.ErrNoCatalog) {
		return curErr
	}
	if curErr == nil && o.Now().Sub(cur.FetchedAt) < o.CatalogMaxAge {
		r.log.Info("catalog is fresh", "version", cur.ID, "fetched", cur.FetchedAt.Format(time.RFC3339))
		return nil
	}
	dir := o.CatalogCacheDir
	if dir == "" {
		var err error
		if dir, err = catalog.DefaultCacheDir(); err != nil {
			return err
		}
	}
	base := o.CatalogURL
	if base == "" {
		base = catalog.DefaultBaseURL
	}
	client := o.HTTP
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	cat, _, err := catalog.Update(ctx, client, base, dir, r.log)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Offline: the last complete cached copy, else the stored one.
		cached, lerr := catalog.LoadDir(dir)
		switch {
		case lerr == nil:
			r.log.Warn("catalog refresh failed; using the last cached copy", "cache", dir, "fetched", cached.Version().FetchedAt.Format(time.RFC3339), "err", err)
			cat = cached
		case curErr == nil:
			r.log.Warn("catalog refresh failed and nothing is cached; going on with the stored catalog", "version", cur.ID, "fetched", cur.FetchedAt.Format(time.RFC3339), "err", err)
			return nil
		default:
			// Last resort: the catalog bundled in the binary, the sample's
			// services only. The recommendation stays proven (the proof
			// uses the evaluator), but actions of other services are
			// unknown to it; the next run tries to refresh again.
			bundled, berr := catalog.LoadFS(iamtrim.BundledCatalog, "testdata/catalog", BundledCatalogSource)
			if berr != nil {
				return fmt.Errorf("no action catalog: refreshing it failed and none is cached or stored (give a Service Reference directory with --catalog DIR): %w", err)
			}
			r.log.Warn("catalog refresh failed and nothing is cached or stored; using the catalog bundled with iamtrim, which knows only the sample organisation's services: actions of other services are not expanded (refresh when online, or give --catalog DIR)",
				"services", len(bundled.Services()), "err", err)
			cat = bundled
		}
	}
	v, err := catalog.Store(ctx, r.db, cat, "")
	if err != nil {
		return err
	}
	r.log.Info("catalog stored", "version", v.ID, "actions", v.Actions, "source", v.Source)
	return nil
}

func (r *runner) iamOptions() iamsrc.Options {
	a := r.o.AWS
	return iamsrc.Options{Profile: a.Profile, Region: a.Region, BaseEndpoint: a.endpoint(a.IAMEndpoint), MaxBackoff: a.MaxBackoff}
}

// authz stores the principal's policies: the whole file's inventory with
// --authz, else the principal read live, put in place of its old self in
// the newest stored inventory of its account.
func (r *runner) authz(ctx context.Context) error {
	now := r.o.Now().UTC()
	if r.o.AuthzFile != "" {
		inv, source, partial, err := job.AuthzSource{Files: []string{r.o.AuthzFile}}.Read(ctx, r.log)
		if err != nil {
			return err
		}
		if partial != nil {
			r.log.Warn("some authorization inputs were rejected", "err", partial)
			r.res.Rejected++
		}
		id, created, err := authz.SaveSnapshot(ctx, r.db, inv, source, now)
		if err != nil {
			return err
		}
		r.log.Info("authorization snapshot", "id", id, "new", created, "file", r.o.AuthzFile)
		return nil
	}
	client, err := iamsrc.NewClient(ctx, r.iamOptions())
	if err != nil {
		return err
	}
	d, err := iamsrc.FetchPrincipal(ctx, client, r.o.Principal, r.log)
	if err != nil {
		return err
	}
	fresh := authz.NewInventory("iam:GetRole", d)
	if len(fresh.Rejected) > 0 {
		return fmt.Errorf("the policies of %s cannot be read: %s", r.o.Principal, strings.Join(fresh.Rejected, "; "))
	}
	inv := fresh
	prev, _, err := authz.LoadLatestPerAccount(ctx, r.db)
	switch {
	case errors.Is(err, authz.ErrNoSnapshot):
	case err != nil:
		return err
	default:
		inv = authz.Merge(fresh, without(prev, fresh))
	}
	id, created, err := authz.SaveSnapshot(ctx, r.db, inv, "iam:GetRole", now)
	if err != nil {
		return err
	}
	r.log.Info("authorization snapshot", "id", id, "new", created, "principal", r.o.Principal, "policies", len(fresh.Policies))
	return nil
}

// without is prev less what fresh holds (its principal, groups and managed
// policies), so that merging them takes fresh's version without a warning.
func without(prev, fresh *authz.Inventory) *authz.Inventory {
	out := *prev
	out.Roles = slices.DeleteFunc(slices.Clone(prev.Roles), func(r authz.Role) bool {
		_, ok := fresh.Role(r.ARN)
		return ok
	})
	out.Users = slices.DeleteFunc(slices.Clone(prev.Users), func(u authz.User) bool {
		_, ok := fresh.User(u.ARN)
		return ok
	})
	out.Groups = slices.DeleteFunc(slices.Clone(prev.Groups), func(g authz.Group) bool {
		return slices.ContainsFunc(fresh.Groups, func(f authz.Group) bool { return f.ARN == g.ARN })
	})
	out.Policies = map[string]*authz.ManagedPolicy{}
	for arn, p := range prev.Policies {
		if _, ok := fresh.Policies[arn]; !ok {
			out.Policies[arn] = p
		}
	}
	return &out
}

func (r *runner) cloudTrailClient(ctx context.Context) (*cloudtrail.Client, error) {
	a := r.o.AWS
	cfg, err := awsconf.Load(ctx, awsconf.Options{Profile: a.Profile, Region: a.Region, STSEndpoint: a.Endpoint, MaxBackoff: a.MaxBackoff, Log: r.log})
	if err != nil {
		return nil, err
	}
	return cloudtrail.NewFromConfig(cfg, func(co *cloudtrail.Options) {
		if e := a.endpoint(a.CloudTrailEndpoint); e != "" {
			co.BaseEndpoint = aws.String(e)
		}
	}), nil
}

// evidenceFiles are the trail configuration and SCP files the options
// name, read once.
func (o *Options) evidenceFiles() analyze.EvidenceOptions {
	if o.evidence != nil {
		return *o.evidence
	}
	return analyze.EvidenceOptions{SCPFiles: o.SCPFiles, TrailsFile: o.TrailsFile}
}

// trails stores the trail configuration: the file given, else the live
// one when the logs come from AWS; otherwise the stored one (if any) stays.
func (r *runner) trails(ctx context.Context) error {
	var tc *trails.Config
	switch {
	case r.o.TrailsFile != "":
		files := r.o.evidenceFiles()
		var err error
		if tc, err = files.TrailsConfig(); err != nil {
			return err
		}
	case r.o.fromAWS():
		client, err := r.cloudTrailClient(ctx)
		if err != nil {
			return err
		}
		if tc, err = trails.Fetch(ctx, client); err != nil {
			if r.o.Logs == LogsTrail {
				return fmt.Errorf("find the trail's bucket (or name the logs with --logs): %w", err)
			}
			r.log.Warn("trail configuration not readable; data events are assumed not logged", "err", awsconf.Explain(err))
			return nil
		}
	default:
		r.log.Info("trail configuration: none given; the stored one is used if any (--trails FILE names one)")
		return nil
	}
	id, created, err := trails.Save(ctx, r.db, tc)
	if err != nil {
		return err
	}
	r.log.Info("trail configuration", "id", id, "new", created)
	return nil
}

// trailBucket is s3://BUCKET/PREFIX of the account's trail that logs
// management events, multi-region and organization trails first.
func (r *runner) trailBucket(ctx context.Context) (string, error) {
	client, err := r.cloudTrailClient(ctx)
	if err != nil {
		return "", err
	}
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		return "", fmt.Errorf("find the trail's bucket with cloudtrail:DescribeTrails (or name the logs with --logs): %w", err)
	}
	best, score := "", -1
	for _, t := range out.TrailList {
		b := aws.ToString(t.S3BucketName)
		if b == "" {
			continue
		}
		s := 0
		if aws.ToBool(t.IsMultiRegionTrail) {
			s += 2
		}
		if aws.ToBool(t.IsOrganizationTrail) {
			s++
		}
		if s > score {
			best, score = "s3://"+b+"/"+strings.Trim(aws.ToString(t.S3KeyPrefix), "/"), s
		}
	}
	if best == "" {
		return "", errors.New("the account has no trail delivering to S3: name the logs with --logs DIR, s3://BUCKET/PREFIX or api")
	}
	return strings.TrimSuffix(best, "/"), nil
}

// logs ingests the window's logs. S3 and the API are read for the
// window's days only; a directory is read whole, each file once (a re-run
// reads only new files).
func (r *runner) logs(ctx context.Context) error {
	src := r.o.Logs
	if src == LogsTrail {
		var err error
		if src, err = r.trailBucket(ctx); err != nil {
			return err
		}
		r.log.Info("logs from the trail's bucket", "source", src)
	}
	a := r.o.AWS
	opts := ingest.Options{Sources: []string{src}, Profile: a.Profile, S3Endpoint: a.endpoint(a.S3Endpoint),
		APIEndpoint: a.endpoint(a.CloudTrailEndpoint), STSEndpoint: a.Endpoint, AWSMaxBackoff: a.MaxBackoff, Now: r.o.Now}
	if a.Region != "" && src == ingest.SourceAPI {
		opts.Regions = []string{a.Region}
	}
	asOf := r.o.Analyze.AsOf
	if !asOf.IsZero() {
		opts.Until = asOf.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	} else if r.o.fromAWS() {
		asOf = r.o.Now().UTC()
	}
	if !asOf.IsZero() {
		opts.Since = asOf.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-r.o.Analyze.WindowDays)
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	sum, err := job.IngestCloudTrail(ctx, r.db, opts, r.log)
	r.res.Ingest = sum
	if n := sum.Rejected(); n > 0 {
		for _, e := range sum.Errors {
			r.log.Warn("rejected input", "error", e)
		}
		r.res.Rejected += n
	}
	return err
}

// recommend analyzes the principal and writes its proven recommendation.
func (r *runner) recommend(ctx context.Context) error {
	files := r.o.evidenceFiles()
	files.TrailsFile = "" // stored by the trails stage, read back with its id
	ev, err := analyze.LoadEvidence(ctx, r.db, files, r.log)
	if err != nil {
		return err
	}
	opts := r.o.Analyze
	if opts.AsOf.IsZero() {
		if opts.AsOf, err = analyze.NewestLogDay(ctx, r.db, r.o.Now()); err != nil {
			return err
		}
	}
	opts.Principal, opts.NoStore = r.o.Principal, true
	snap, err := analyze.Run(ctx, r.db, ev, opts, r.log)
	if err != nil {
		return err
	}
	if len(snap.Principals) == 1 {
		r.res.Principal = snap.Principals[0].PrincipalARN
	}
	res, err := recommend.ForSnapshot(ctx, r.db, ev, opts, snap, r.o.Recommend,
		recommend.Target{Output: r.o.Output, Format: r.o.Format, Stdout: r.o.Stdout, Stderr: r.o.Stderr}, r.log)
	if err != nil {
		return err
	}
	if len(res.Unproven) > 0 {
		return fmt.Errorf("the proof failed for %s, so no policy is presented as final", strings.Join(res.Unproven, ", "))
	}
	r.res.Proven = res.Proven > 0
	if r.res.Proven && r.o.Output != "" && r.o.Format != "diff" {
		// The recommendation went to a file: the diff still goes to stdout,
		// so the engineer sees what changes. The same recommendation is
		// built again (its save is a no-op: same digest).
		_, err = recommend.ForSnapshot(ctx, r.db, ev, opts, snap, r.o.Recommend,
			recommend.Target{Format: "diff", Stdout: r.o.Stdout, Stderr: io.Discard}, r.log)
	}
	return err
}
