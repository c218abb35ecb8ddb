package ingest

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/mattn/go-isatty"
	"github.com/spf13/pflag"
)

// Flags are the flags every CloudTrail ingest command has (cloudtrail,
// athena, lake), as written: the window, the summary's format and file, the
// endpoint and the rollup's bounds.
type Flags struct {
	Since, Until string
	Output       option.Output
	EndpointURL  string
	// Bounds are the rollup's bounds: --object-prefix-depth,
	// --max-resources and --collapse-at (MaxNetworks has no flag and
	// keeps its default).
	Bounds queries.RollupBounds
	// Window is set for the query engines (athena, lake): --since and
	// --until are required, since they bound what the engine scans.
	Window bool
}

const timeForms = "(YYYY-MM-DD, RFC 3339, or an age such as 30d)"

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	since, until := "ignore events before this time "+timeForms, "ignore events from this time on"
	endpoint := "endpoint URL for S3, the CloudTrail API and STS (S3-compatible stores, local stacks, tests)"
	depth := "S3 object keys are stored with this many leading segments, then /* (0: whole keys)"
	if f.Window {
		since, until = "first event time of the window "+timeForms+"; required", "end of the window (exclusive); required"
		endpoint = "endpoint URL for the engine and STS (local stacks, tests)"
	} else {
		depth += "; recommend cannot scope objects deeper"
	}
	fs.StringVar(&f.Since, "since", "", since)
	fs.StringVar(&f.Until, "until", "", until)
	fs.StringVar(&f.EndpointURL, "endpoint-url", "", endpoint)
	f.Output.Formats = []string{"text", "json"}
	f.Output.AddFlags(fs, "summary format: text or json", "write the summary to FILE instead of stdout")
	b := &f.Bounds
	*b = rollup.DefaultBounds()
	fs.IntVar(&b.ObjectPrefixDepth, "object-prefix-depth", b.ObjectPrefixDepth, depth)
	fs.IntVar(&b.MaxResources, "max-resources", b.MaxResources, "distinct resources stored per principal, action and day; calls on more are counted in one overflow row")
	fs.IntVar(&b.CollapseAt, "collapse-at", b.CollapseAt, "per principal, action and day, resources of one kind beyond the first N-1 are stored as one pattern, as recommend --collapse-at N makes of them (0: never)")
}

// Parse checks the flags and returns the window, counted back from now
// for an age; a bound not given is zero.
func (f *Flags) Parse(now time.Time) (since, until time.Time, err error) {
	if f.Window && (f.Since == "" || f.Until == "") {
		return since, until, option.Errorf("--since and --until are both required: the window bounds what the engine scans")
	}
	if since, err = period.Since(f.Since, now); err != nil {
		return since, until, option.Errorf("--since %v", err)
	}
	if until, err = period.Since(f.Until, now); err != nil {
		return since, until, option.Errorf("--until %v", err)
	}
	if err := f.Output.Validate(); err != nil {
		return since, until, err
	}
	if err := rollup.CheckBounds(f.Bounds); err != nil {
		return since, until, option.Invalid(err)
	}
	return since, until, nil
}

// CloudTrailFlags are the flags of `ingest cloudtrail`.
type CloudTrailFlags struct {
	Flags
	Options    Options
	NoProgress bool
}

// AddFlags registers the flags with their defaults.
func (c *CloudTrailFlags) AddFlags(fs *pflag.FlagSet) {
	o := &c.Options
	fs.IntVar(&o.Workers, "workers", 0, "objects processed at once (default: the number of CPUs, at least 2; no more than the database pool has connections; while other ingesters run on the machine, this process's share of them)")
	fs.BoolVar(&o.KeepRaw, "keep-raw", false, "also store every event's JSON, partitioned by month")
	fs.StringSliceVar(&o.Accounts, "account", nil, "only these accounts (S3 prefixes, API, and records)")
	fs.StringSliceVar(&o.Regions, "region", nil, "only these regions")
	fs.StringVar(&o.Profile, "profile", "", "AWS shared-config profile for S3 and the API")
	fs.StringVar(&o.AssumeRole, "assume-role", "", "role ARN to assume for S3 and the API")
	fs.BoolVar(&c.NoProgress, "no-progress", false, "no progress bar even on a terminal")
	c.Flags.AddFlags(fs)
}

// Progress is w when the progress bar is wanted there: w is a terminal
// and --no-progress was not given; else nil.
func (c *CloudTrailFlags) Progress(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && !c.NoProgress && isatty.IsTerminal(f.Fd()) {
		return w
	}
	return nil
}

// Complete checks the flags and returns the options that read sources,
// with now as the clock of the API's day windows.
func (c *CloudTrailFlags) Complete(sources []string, now func() time.Time) (Options, error) {
	o := c.Options
	var err error
	if o.Since, o.Until, err = c.Parse(now()); err != nil {
		return o, err
	}
	o.Sources, o.Now = sources, now
	o.S3Endpoint, o.APIEndpoint = c.EndpointURL, c.EndpointURL
	b := c.Bounds
	o.Bounds = &b
	return o, option.Invalid(o.Validate())
}

// RejectedErr says how many inputs were rejected (nil when none): they
// are recorded, and retried by the next run.
func (s Summary) RejectedErr() error {
	if s.Rejected() == 0 {
		return nil
	}
	return fmt.Errorf("%d objects failed, %d records were rejected and %d sources held no log files; they are recorded and will be retried by the next run", s.FilesFailed, s.BadRecords, len(s.EmptySources))
}

// RejectedErr says how many result rows were rejected (nil when none).
func (s PushdownSummary) RejectedErr() error {
	if s.Rejected() == 0 {
		return nil
	}
	return fmt.Errorf("%d result rows were rejected; the other rows are ingested", s.BadRows)
}
