package ingest

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/filesrc"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/internal/option"

	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/untrusted"

	"github.com/iamtrim/iamtrim/cloudtrail"
)

// SourceAPI is the source name that reads the CloudTrail API.
const SourceAPI = "api"

// The rollup's default bounds (package rollup says why).
const (
	DefaultObjectPrefixDepth = rollup.DefaultObjectPrefixDepth
	DefaultMaxResources      = rollup.DefaultMaxResources
	DefaultMaxNetworks       = rollup.DefaultMaxNetworks
	DefaultCollapseAt        = rollup.DefaultCollapseAt
)

// Options configure Run; they mirror `iamtrim ingest cloudtrail` flags.
type Options struct {
	// Sources are directories (walked recursively for cloudtrail.LogExtensions),
	// files, s3://bucket/prefix URIs (the trail's prefix, above or at
	// AWSLogs/), or "api" for CloudTrail LookupEvents (the last 90 days, or
	// from --since; later runs resume where the previous one stopped).
	Sources []string
	// Since and Until bound the events kept, [Since, Until); zero means
	// unbounded. They also bound the S3 day prefixes listed and the API
	// windows fetched.
	Since, Until time.Time
	// Workers is the number of objects (groups of objects) processed at
	// once, each with its own database connection; 0 means the number of
	// CPUs, at least 2. It is capped at the pool's connection limit. More
	// workers than cores mostly make transactions wait on each other's
	// rollup rows.
	Workers int
	// KeepRaw also stores every new event's JSON (cloudtrail_event_raw).
	KeepRaw bool
	// Accounts and Regions, when set, are the only ones ingested (S3
	// listing, API regions, and records of files). The API reads the
	// regions given, else the configured region (AWS_REGION, the profile).
	Accounts, Regions []string
	// Profile and AssumeRole choose AWS credentials for S3 and the API.
	Profile, AssumeRole string
	// Progress receives a progress bar; nil for none (not a terminal).
	Progress io.Writer
	// S3Endpoint, APIEndpoint and STSEndpoint override the AWS endpoints
	// (tests, local stacks). APIEndpoint also serves STS when STSEndpoint is
	// empty.
	S3Endpoint, APIEndpoint, STSEndpoint string
	// Limits bound object and record sizes; zero values take
	// DefaultLimits().
	Limits cloudtrail.Limits
	// MemoryBudget bounds what the workers hold of the objects being
	// processed at once: each object reader's buffers (see
	// cloudtrail.ReaderBytes; a reader's window grows only for a record
	// larger than it) and the S3 objects downloaded ahead of their
	// transaction. Objects are read as streams, so their decompressed
	// size does not count. 0 means 192 MiB. Beside it, what workers read
	// ahead of their next groups takes up to a third of it, at most
	// 8 MiB (readAheadBytes).
	MemoryBudget int64
	// APIRatePerSecond overrides the LookupEvents rate per region (tests);
	// 0 means 2.
	APIRatePerSecond float64
	// AWSMaxBackoff overrides the SDK's retry backoff cap (tests); 0 keeps
	// the default.
	AWSMaxBackoff time.Duration
	// Now is the clock for API windows; nil means time.Now.
	Now func() time.Time
	// Bounds bound the rollup: S3 object ARNs are stored with their first
	// ObjectPrefixDepth key segments, then "/*" (after the lifecycle
	// rules, which already cut keys at dated or minted segments); per
	// principal, day, action, invoking service and account, the resources
	// of one kind (S3 objects: of one parent path) beyond the first
	// CollapseAt-1 are stored as one pattern, as recommend's --collapse-at
	// would make of them, and at most MaxResources resources, the calls on
	// others in one overflow row (resource queries.MoreResources); at most
	// MaxNetworks source networks per principal and day in the context
	// rollup (the rest under queries.MoreNetworks). nil means
	// rollup.DefaultBounds().
	Bounds *queries.RollupBounds
}

// rollupBounds are the bounds the run takes.
func (o *Options) rollupBounds() queries.RollupBounds {
	if o.Bounds == nil {
		return rollup.DefaultBounds()
	}
	return *o.Bounds
}

// DefaultLimits are the size limits ingest applies: CloudTrail writes
// events of at most 256 KB, so a record over 1 MiB is rejected as absurd.
// Objects stream through a bounded window, so their size costs time, not
// memory: the 4 GiB object limit (a few CloudTrail Lake exports' worth,
// about a minute of one worker) only bounds how long one object, a gzip
// bomb say, can take.
func DefaultLimits() cloudtrail.Limits {
	return cloudtrail.DefaultLimits()
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)
var regionRE = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// Validate reports the first bad field, as an *option.Named naming it by
// its flag of `ingest cloudtrail` (the sources are its arguments) and by
// the nightly job's cloudtrail key.
func (o *Options) Validate() error {
	if err := checkSources(o.Sources); err != nil {
		return &option.Named{Key: "sources", Err: err}
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return &option.Named{Flag: "until", Err: fmt.Errorf("%s: not after --since %s", o.Until.Format(time.RFC3339), o.Since.Format(time.RFC3339))}
	}
	if err := rollup.CheckBounds(o.rollupBounds()); err != nil {
		return err
	}
	if o.Workers < 0 || o.Workers > 256 {
		return &option.Named{Flag: "workers", Err: fmt.Errorf("%d: want 1 to 256 (0: the default)", o.Workers)}
	}
	for _, a := range o.Accounts {
		if !accountRE.MatchString(a) {
			return &option.Named{Flag: "account", Key: "accounts", Err: fmt.Errorf("%q: not a 12-digit AWS account id", a)}
		}
	}
	for _, r := range o.Regions {
		if !regionRE.MatchString(r) {
			return &option.Named{Flag: "region", Key: "regions", Err: fmt.Errorf("%q: not a region name", r)}
		}
	}
	if err := awsconf.CheckAssumeRole(o.AssumeRole); err != nil {
		return err
	}
	if o.Limits.MaxObjectBytes < 0 || o.Limits.MaxRecordBytes < 0 || o.MemoryBudget < 0 {
		return errors.New("limits: negative size")
	}
	return nil
}

// checkSources checks the sources Run reads: at least one, each a
// directory, a regular file, an s3:// URI with a bucket, or api (once).
func checkSources(sources []string) error {
	if len(sources) == 0 {
		return errors.New("name at least one directory, file, s3://bucket/prefix or api")
	}
	apis := 0
	for _, s := range sources {
		switch {
		case s == "":
			return errors.New("empty source")
		case s == SourceAPI:
			apis++
		case strings.HasPrefix(s, "s3://"):
			if b, _, _ := strings.Cut(strings.TrimPrefix(s, "s3://"), "/"); b == "" {
				return fmt.Errorf("%q: names no bucket", s)
			}
		case strings.Contains(s, "://"):
			return fmt.Errorf("%q: only s3:// URIs are supported", s)
		default:
			fi, err := os.Stat(s)
			if err != nil {
				return err
			}
			if !fi.IsDir() {
				if err := filesrc.CheckRegular(s, fi.Mode()); err != nil {
					return err
				}
			}
		}
	}
	if apis > 1 {
		return errors.New("api given more than once")
	}
	return nil
}

// UnmappedCount is how many new events of one (eventSource, eventName) had
// no IAM action.
type UnmappedCount struct {
	EventSource string `json:"event_source"`
	EventName   string `json:"event_name"`
	Count       int64  `json:"count"`
}

// Summary is what a run did. Event counts are of records read in this run:
// Events are the new ones (counted now), Duplicates those already counted
// (by an earlier run, another source, or twice in this run).
type Summary struct {
	FilesOK          int `json:"files_ok"`
	FilesFailed      int `json:"files_failed"`
	FilesSkipped     int `json:"files_skipped"`      // digest and Insights files
	FilesAlreadyDone int `json:"files_already_done"` // in the ledger from an earlier run
	// FilesBusy are objects another ingester still held (locked) when
	// this run gave up waiting for them; a later run takes them.
	FilesBusy int `json:"files_busy"`

	Events         int64 `json:"events"`
	Duplicates     int64 `json:"duplicates"`
	Unmapped       int64 `json:"unmapped"`
	Denied         int64 `json:"denied"`
	Permissionless int64 `json:"permissionless"`
	// Filtered are records left out by --since/--until/--account/--region.
	Filtered int64 `json:"filtered"`
	// BadRecords are records reported in Errors (objects that could not be
	// read at all count in FilesFailed, not here).
	BadRecords int64 `json:"bad_records"`
	// OverResourceCap counts the events that named a resource beyond
	// MaxResources for their principal, action and day: counted in the
	// day's overflow row, their resource not kept.
	OverResourceCap int64 `json:"over_resource_cap"`
	// EmptySources are sources in which no log file was found (each also
	// has a line in Errors): a rejected input, not a success.
	EmptySources []string `json:"empty_sources"`
	// FilesIgnored counts the files directories held that are not log
	// files (other extensions, special files such as FIFOs, never opened);
	// Ignored names the first of them, each with why.
	FilesIgnored int      `json:"files_ignored"`
	Ignored      []string `json:"ignored"`

	Principals   int             `json:"principals"`
	Elapsed      time.Duration   `json:"elapsed_ns"`
	EventsPerSec float64         `json:"events_per_sec"`
	TopUnmapped  []UnmappedCount `json:"top_unmapped"`
	// Errors are "path:record N: reason" (or "path: reason" for a whole
	// object), sorted; at most MaxErrors, then a line saying how many more.
	Errors []string `json:"errors"`
}

// Rejected counts the inputs that make ingest finish with exit code 3:
// failed objects, bad records and sources without log files.
func (s Summary) Rejected() int {
	return s.FilesFailed + int(s.BadRecords) + len(s.EmptySources)
}

// MaxErrors bounds Summary.Errors.
const MaxErrors = 1000

// TopUnmappedN is how many names Summary.TopUnmapped lists.
const TopUnmappedN = 10

// WriteSummary prints s as "text" (aligned lines for a person) or "json".
func WriteSummary(w io.Writer, s Summary, format string) error {
	if done, err := writeJSONSummary(w, s, format); done {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "files\t%d ok, %d failed, %d skipped, %d already done", s.FilesOK, s.FilesFailed, s.FilesSkipped, s.FilesAlreadyDone)
	if s.FilesBusy > 0 {
		fmt.Fprintf(tw, ", %d still held by another ingester", s.FilesBusy)
	}
	if s.FilesIgnored > 0 {
		fmt.Fprintf(tw, ", %d ignored", s.FilesIgnored)
	}
	if len(s.EmptySources) > 0 {
		fmt.Fprintf(tw, "; %d sources without log files", len(s.EmptySources))
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "events\t%d ingested, %d duplicate, %d unmapped, %d denied, %d permissionless", s.Events, s.Duplicates, s.Unmapped, s.Denied, s.Permissionless)
	if s.Filtered > 0 {
		fmt.Fprintf(tw, ", %d outside the filters", s.Filtered)
	}
	if s.BadRecords > 0 {
		fmt.Fprintf(tw, ", %d bad records", s.BadRecords)
	}
	if s.OverResourceCap > 0 {
		fmt.Fprintf(tw, ", %d over the resource cap (counted, resource not kept)", s.OverResourceCap)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "principals\t%d\n", s.Principals)
	fmt.Fprintf(tw, "elapsed\t%s (%.0f events/s)\n", s.Elapsed.Round(time.Millisecond), s.EventsPerSec)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(s.TopUnmapped) > 0 {
		fmt.Fprintln(w, "top unmapped events:")
		width := len(strconv.FormatInt(s.TopUnmapped[0].Count, 10))
		for _, u := range s.TopUnmapped {
			fmt.Fprintf(w, "  %*d  %s %s\n", width, u.Count, untrusted.Terminal(u.EventSource), untrusted.Terminal(u.EventName))
		}
	}
	if len(s.Ignored) > 0 {
		fmt.Fprintln(w, "ignored (not log files):")
		for _, e := range s.Ignored {
			fmt.Fprintf(w, "  %s\n", untrusted.Terminal(e))
		}
		if more := s.FilesIgnored - len(s.Ignored); more > 0 {
			fmt.Fprintf(w, "  ... and %d more\n", more)
		}
	}
	if len(s.Errors) > 0 {
		fmt.Fprintln(w, "errors:")
		for _, e := range s.Errors {
			fmt.Fprintf(w, "  %s\n", untrusted.Terminal(e))
		}
	}
	return nil
}

// writeJSONSummary writes s as indented JSON when format is "json" and
// reports a format that is neither text nor json; done says whether the
// caller is left to write text.
func writeJSONSummary(w io.Writer, s any, format string) (done bool, err error) {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return true, enc.Encode(s)
	case "text", "":
		return false, nil
	}
	return true, fmt.Errorf("summary format %v", option.OneOf(format, "text", "json"))
}

// topUnmapped returns the n largest counts, largest first, ties by name.
func topUnmapped(m map[[2]string]int64, n int) []UnmappedCount {
	out := make([]UnmappedCount, 0, len(m))
	for k, c := range m {
		out = append(out, UnmappedCount{EventSource: k[0], EventName: k[1], Count: c})
	}
	slices.SortFunc(out, func(a, b UnmappedCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.EventSource, b.EventSource); c != 0 {
			return c
		}
		return cmp.Compare(a.EventName, b.EventName)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
