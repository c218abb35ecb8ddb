package job

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/ingest/lastaccessaws"
	"github.com/iamtrim/iamtrim/ingest/orgsrc"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/report"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/jackc/pgx/v5/pgconn"
)

// Config is iamtrim.yaml: the nightly job's configuration. String values
// may name environment variables as ${VAR}, so secrets stay out of the
// file; comments are never expanded.
type Config struct {
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
	// Authz: Files are get-account-authorization-details outputs; or AWS
	// reads them live (once per assume_roles entry when given).
	Authz struct {
		AWSSource   `yaml:",inline"`
		OldEndpoint string `yaml:"endpoint"` // renamed to endpoint_url
	} `yaml:"authz"`
	Trails struct {
		File        string `yaml:"file"`
		AWS         bool   `yaml:"aws"`
		Profile     string `yaml:"profile"`
		Region      string `yaml:"region"`
		AssumeRole  string `yaml:"assume_role"`
		EndpointURL string `yaml:"endpoint_url"`
		OldEndpoint string `yaml:"endpoint"` // renamed to endpoint_url
	} `yaml:"trails"`
	// Org is the AWS Organizations organisation (`ingest org`): a file
	// (README "Organisation file") or aws.
	Org struct {
		File        string `yaml:"file"`
		AWS         bool   `yaml:"aws"`
		Profile     string `yaml:"profile"`
		Region      string `yaml:"region"`
		AssumeRole  string `yaml:"assume_role"`
		EndpointURL string `yaml:"endpoint_url"`
	} `yaml:"org"`
	// LastAccessed is IAM's last-accessed data (ingest lastaccessed):
	// files (glob patterns allowed), or live IAM (once per assume_roles
	// entry when given).
	LastAccessed struct {
		AWSSource `yaml:",inline"`
		Workers   int `yaml:"workers"`
	} `yaml:"lastaccessed"`
	CloudTrail struct {
		Sources    []string `yaml:"sources"`
		Since      string   `yaml:"since"`
		Workers    int      `yaml:"workers"`
		Accounts   []string `yaml:"accounts"`
		Regions    []string `yaml:"regions"`
		Profile    string   `yaml:"profile"`
		AssumeRole string   `yaml:"assume_role"`
		// EndpointURL serves S3 and the CloudTrail API (a local stack).
		EndpointURL    string `yaml:"endpoint_url"`
		OldS3Endpoint  string `yaml:"s3_endpoint"`  // renamed to endpoint_url
		OldAPIEndpoint string `yaml:"api_endpoint"` // renamed to endpoint_url
		// ObjectPrefixDepth, MaxResources and CollapseAt bound the rollup
		// as ingest's --object-prefix-depth (0: whole keys),
		// --max-resources (1 or more) and --collapse-at (0: never fold)
		// do, nil taking the flag's default.
		ObjectPrefixDepth *int `yaml:"object_prefix_depth"`
		MaxResources      *int `yaml:"max_resources"`
		CollapseAt        *int `yaml:"collapse_at"`
	} `yaml:"cloudtrail"`
	Analyze struct {
		Window string `yaml:"window"`
		// MinCoverage and MinDays: nil takes the default; 0 is honoured.
		MinCoverage *float64 `yaml:"min_coverage"`
		MinDays     *int     `yaml:"min_days"`
		SCPs        []string `yaml:"scps"`
	} `yaml:"analyze"`
	Recommend struct {
		Format            string `yaml:"format"`
		Unobservable      string `yaml:"unobservable"`
		Unmapped          string `yaml:"unmapped"`
		Seasonal          string `yaml:"seasonal"`
		ObjectPrefixDepth *int   `yaml:"object_prefix_depth"`
		CollapseAt        *int   `yaml:"collapse_at"`
		MaxChars          int    `yaml:"max_chars"`
		SuggestConditions bool   `yaml:"suggest_conditions"`
		// TerraformStyle and TerraformRoleRef shape format terraform.
		TerraformStyle   string `yaml:"terraform_style"`
		TerraformRoleRef string `yaml:"terraform_role_ref"`
	} `yaml:"recommend"`
	// Backtest, when enabled, backtests every role after recommend.
	Backtest Backtest `yaml:"backtest"`
	Report   struct {
		// Formats are written as report-<quarter>.<ext> into out_dir
		// (trend-csv as report-<quarter>-trend.csv); "table" is printed
		// on stdout.
		Formats []string `yaml:"formats"`
		// PreparedBy, ReviewedBy and SignoffDate fill the report's
		// sign-off block (blank: signed by hand).
		PreparedBy  string `yaml:"prepared_by"`
		ReviewedBy  string `yaml:"reviewed_by"`
		SignoffDate string `yaml:"signoff_date"`
	} `yaml:"report"`
	// FailOn lists findings that make the job exit 4 (see --fail-on).
	FailOn string `yaml:"fail_on"`
	// Lock is "fail" (a second run exits at once) or "wait".
	Lock string `yaml:"lock"`
	// Notify posts a summary of the run to a webhook when its findings,
	// its status or the diff since the previous analysis cross a
	// threshold (package notify). A failure to notify is logged, never
	// fatal.
	Notify Notify `yaml:"notify"`
	// Exceptions is the register of accepted risks (package exception),
	// read with its line numbers by Load; --exceptions FILE replaces it.
	// Its values are not ${VAR}-expanded.
	Exceptions any `yaml:"exceptions"`
	exceptions *exception.Set
	// evidence is the analyze stage's files as ReadInputs read them.
	evidence *analyze.EvidenceOptions
}

// UseExceptions replaces the configuration's exceptions register.
func (c *Config) UseExceptions(set *exception.Set) { c.exceptions = set }

// ExceptionSet is the register the run applies (nil: none).
func (c *Config) ExceptionSet() *exception.Set { return c.exceptions }

// Load reads the configuration at path, expands ${VAR} in its string values
// with getenv (a variable not set is an error), and fills in defaults. It
// does not validate: call Validate after any overrides.
func Load(path string, getenv func(string) string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	cfg := &Config{}
	if err := yaml.UnmarshalWithOptions(raw, cfg, yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var missing []string
	expandStrings(reflect.ValueOf(cfg).Elem(), func(s string) string {
		return os.Expand(s, func(k string) string {
			v := getenv(k)
			if v == "" && !slices.Contains(missing, k) {
				missing = append(missing, k)
			}
			return v
		})
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: environment variables not set: %s", path, strings.Join(missing, ", "))
	}
	if cfg.Exceptions != nil {
		if cfg.exceptions, err = exception.Parse(path, raw); err != nil {
			return nil, err
		}
	}
	cfg.defaults()
	return cfg, nil
}

// expandStrings applies fn to every string (and string in a slice) of v.
func expandStrings(v reflect.Value, fn func(string) string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fn(v.String()))
	case reflect.Struct:
		for i := range v.NumField() {
			expandStrings(v.Field(i), fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			expandStrings(v.Index(i), fn)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			expandStrings(v.Elem(), fn)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() == reflect.String {
			for _, k := range v.MapKeys() {
				v.SetMapIndex(k, reflect.ValueOf(fn(v.MapIndex(k).String())).Convert(v.Type().Elem()))
			}
		}
	}
}

func (c *Config) defaults() {
	if c.OutDir == "" {
		c.OutDir = defaultOutDir
	}
	if c.Catalog.MaxAge == "" {
		c.Catalog.MaxAge = "7d"
	}
	if c.Analyze.Window == "" {
		c.Analyze.Window = "90d"
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

// defaultOutDir is out_dir when the configuration leaves it out.
const defaultOutDir = "iamtrim-out"

// Validate checks every key, each stage's options included, so that a bad
// value stops the job before any side effect. Its errors name the key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	renamed := func(old, value, now string) {
		if value != "" {
			bad(old, "renamed to %s", now)
		}
	}
	renamed("authz.endpoint", c.Authz.OldEndpoint, "authz.endpoint_url")
	renamed("trails.endpoint", c.Trails.OldEndpoint, "trails.endpoint_url")
	renamed("cloudtrail.s3_endpoint", c.CloudTrail.OldS3Endpoint, "cloudtrail.endpoint_url")
	renamed("cloudtrail.api_endpoint", c.CloudTrail.OldAPIEndpoint, "cloudtrail.endpoint_url")
	if c.Database != "" {
		if _, err := pgconn.ParseConfig(c.Database); err != nil {
			bad("database", "not a PostgreSQL URL or connection string")
		}
	}
	if err := option.OneOf(c.Lock, "fail", "wait"); err != nil {
		bad("lock", "%v", err)
	}
	if c.Catalog.Source != "" && c.Catalog.Source != "update" {
		if st, err := os.Stat(c.Catalog.Source); err != nil || !st.IsDir() {
			bad("catalog.source", "%q: want update or a catalog directory", c.Catalog.Source)
		}
	}
	if err := catalog.CheckBaseURL(c.Catalog.BaseURL); err != nil {
		bad("catalog.base_url", "%v", err)
	}
	if _, err := period.Parse(c.Catalog.MaxAge); err != nil {
		bad("catalog.max_age", "%v", err)
	}
	if len(c.Authz.Files) > 0 && c.Authz.AWS {
		bad("authz", "name files or aws, not both")
	}
	if c.Trails.File != "" && c.Trails.AWS {
		bad("trails", "name a file or aws, not both")
	}
	if c.Org.File != "" && c.Org.AWS {
		bad("org", "name a file or aws, not both")
	}
	if len(c.LastAccessed.Files) > 0 && c.LastAccessed.AWS {
		bad("lastaccessed", "name files or aws, not both")
	}
	if c.LastAccessed.Workers < 0 {
		bad("lastaccessed.workers", "%d: want 1 or more (0: the default)", c.LastAccessed.Workers)
	}
	for _, src := range []struct {
		section string
		err     error
	}{
		{"authz", c.authzSource().Validate()},
		{"trails", c.trailsSource().Validate()},
		{"org", c.orgSource().Validate()},
		{"lastaccessed", c.lastAccessedSource().Validate()},
	} {
		if src.err != nil {
			errs = append(errs, option.Keyed(src.section, src.err))
		}
	}
	if len(c.CloudTrail.Sources) > 0 {
		if _, err := c.ingestOptions(time.Now()); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := c.analyzeOptions(); err != nil {
		errs = append(errs, err)
	}
	scps := analyze.EvidenceOptions{SCPFiles: c.Analyze.SCPs}
	if err := scps.CheckPaths(); err != nil {
		errs = append(errs, option.Keyed("analyze", err))
	}
	if err := option.OneOf(c.Recommend.Format, recommend.Formats...); err != nil {
		bad("recommend.format", "%v", err)
	}
	if err := c.renderOptions().Validate(); err != nil {
		bad("recommend", "%v", err)
	}
	if err := c.recommendOptions().Validate(); err != nil {
		bad("recommend", "%v", err)
	}
	for _, f := range c.Report.Formats {
		if err := option.OneOf(f, report.Formats()...); err != nil {
			bad("report.formats", "%v", err)
		}
	}
	if c.Report.SignoffDate != "" {
		if _, err := period.Date(c.Report.SignoffDate); err != nil {
			bad("report.signoff_date", "%v", err)
		}
	}
	kinds, err := analyze.ParseFailOn(c.FailOn)
	if err != nil {
		bad("fail_on", "%v", err)
	}
	if err := c.Backtest.validate(kinds); err != nil {
		bad("backtest", "%v", err)
	}
	errs = append(errs, c.Notify.validate()...)
	return errors.Join(errs...)
}

// authzSource is where the authz keys say to read the authorization
// inventory from.
func (c *Config) authzSource() AuthzSource {
	a := c.Authz
	return AuthzSource{Files: a.Files, AWS: a.AWS,
		IAM:         iamsrc.Options{Profile: a.Profile, Region: a.Region, BaseEndpoint: a.EndpointURL},
		AssumeRoles: a.AssumeRoles, ExternalID: a.ExternalID}
}

// trailsSource is where the trails keys say to read the trail
// configuration from.
func (c *Config) trailsSource() TrailsSource {
	t := c.Trails
	return TrailsSource{File: t.File, AWS: t.AWS, Profile: t.Profile, AssumeRole: t.AssumeRole, Region: t.Region, EndpointURL: t.EndpointURL}
}

// orgSource is where the org keys say to read the organisation from.
func (c *Config) orgSource() OrgSource {
	o := c.Org
	return OrgSource{File: o.File, AWS: o.AWS, API: orgsrc.Options{Profile: o.Profile, Region: o.Region, AssumeRole: o.AssumeRole, EndpointURL: o.EndpointURL}}
}

// lastAccessedSource is where the lastaccessed keys say to read IAM's
// last-accessed data from, their patterns expanded.
func (c *Config) lastAccessedSource() LastAccessedSource {
	l := c.LastAccessed
	var files []string
	for _, pat := range l.Files {
		m, err := filepath.Glob(pat)
		if err != nil || len(m) == 0 {
			// Not a pattern, or one matching nothing: read as named, so
			// a missing file is reported.
			m = []string{pat}
		}
		files = append(files, m...)
	}
	return LastAccessedSource{Files: files, AWS: l.AWS, AWSOptions: lastaccessaws.Options{
		IAM:         iamsrc.Options{Profile: l.Profile, Region: l.Region, BaseEndpoint: l.EndpointURL},
		AssumeRoles: l.AssumeRoles, ExternalID: l.ExternalID, Workers: l.Workers,
	}}
}

// ReadInputs reads, once and before any stage runs, the files the run
// would otherwise find bad only in its analyze stage, after the ingest:
// analyze.scps. A file that does not hold service control policies is a
// rejected input (exit 3) naming the key; the run does nothing then, as
// going on without an SCP would call grants effective that it denies.
// Run calls it after Validate, which checks that each file can be opened.
func (c *Config) ReadInputs() error {
	ev := analyze.EvidenceOptions{SCPFiles: c.Analyze.SCPs}
	if err := ev.Check(); err != nil {
		return option.Keyed("analyze", err)
	}
	c.evidence = &ev
	return nil
}

// evidenceOptions are the analyze stage's files, as ReadInputs read them.
func (c *Config) evidenceOptions() analyze.EvidenceOptions {
	if c.evidence != nil {
		return *c.evidence
	}
	return analyze.EvidenceOptions{SCPFiles: c.Analyze.SCPs}
}

// ingestOptions are the cloudtrail stage's options, since counted back
// from now; an error names the cloudtrail key.
func (c *Config) ingestOptions(now time.Time) (ingest.Options, error) {
	ct := c.CloudTrail
	o := ingest.Options{Sources: ct.Sources, Workers: ct.Workers, Accounts: ct.Accounts, Regions: ct.Regions,
		Profile: ct.Profile, AssumeRole: ct.AssumeRole, S3Endpoint: ct.EndpointURL, APIEndpoint: ct.EndpointURL}
	var err error
	if o.Since, err = period.Since(ct.Since, now); err != nil {
		return o, fmt.Errorf("cloudtrail.since: %w", err)
	}
	if o.Bounds, err = c.rollupBounds(); err != nil {
		return o, err
	}
	if err := o.Validate(); err != nil {
		return o, option.Keyed("cloudtrail", err)
	}
	return o, nil
}

// rollupBounds are the rollup's bounds the cloudtrail keys give, the
// defaults for those not set, checked as ingest's
// flags are (rollup.CheckBounds), an error naming the cloudtrail key.
func (c *Config) rollupBounds() (*queries.RollupBounds, error) {
	ct := c.CloudTrail
	b := rollup.DefaultBounds()
	if ct.ObjectPrefixDepth != nil {
		b.ObjectPrefixDepth = *ct.ObjectPrefixDepth
	}
	if ct.MaxResources != nil {
		b.MaxResources = *ct.MaxResources
	}
	if ct.CollapseAt != nil {
		b.CollapseAt = *ct.CollapseAt
	}
	if err := rollup.CheckBounds(b); err != nil {
		return nil, option.Keyed("cloudtrail", err)
	}
	return &b, nil
}

// analyzeOptions are the analyze stage's options, as-of aside: checked
// as analyze's flags are (analyze.Settings), an error naming the key.
func (c *Config) analyzeOptions() (analyze.Options, error) {
	s := analyze.Settings{Window: c.Analyze.Window, MinCoverage: analyze.DefaultThresholds.MinCoverage, MinDays: analyze.DefaultThresholds.MinDays}
	if c.Analyze.MinCoverage != nil {
		s.MinCoverage = *c.Analyze.MinCoverage
	}
	if c.Analyze.MinDays != nil {
		s.MinDays = *c.Analyze.MinDays
	}
	o, err := s.Options(time.Now())
	if err != nil {
		return o, option.Keyed("analyze", err)
	}
	return o, nil
}

// renderOptions shape the recommend stage's terraform files.
func (c *Config) renderOptions() recommend.RenderOptions {
	return recommend.RenderOptions{TerraformStyle: c.Recommend.TerraformStyle, TerraformRoleRef: c.Recommend.TerraformRoleRef}
}

// recommendOptions are the recommend stage's options.
func (c *Config) recommendOptions() recommend.Options {
	gen := recommend.DefaultGeneralize
	if c.Recommend.ObjectPrefixDepth != nil {
		gen.ObjectPrefixDepth = *c.Recommend.ObjectPrefixDepth
	}
	if c.Recommend.CollapseAt != nil {
		gen.CollapseAt = *c.Recommend.CollapseAt
	}
	return recommend.Options{Unobservable: c.Recommend.Unobservable, Unmapped: c.Recommend.Unmapped, Seasonal: c.Recommend.Seasonal, Generalize: &gen, MaxChars: c.Recommend.MaxChars}
}

// AWSSource is an input read from files, or live from AWS (once per
// assume_roles entry when given): the keys authz and lastaccessed share.
type AWSSource struct {
	Files       []string `yaml:"files"`
	AWS         bool     `yaml:"aws"`
	Profile     string   `yaml:"profile"`
	Region      string   `yaml:"region"`
	AssumeRoles []string `yaml:"assume_roles"`
	ExternalID  string   `yaml:"external_id"`
	EndpointURL string   `yaml:"endpoint_url"`
}
