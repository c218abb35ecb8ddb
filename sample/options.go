package sample

import (
	"fmt"
	"regexp"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
)

// Options says what to generate.
type Options struct {
	// Out is the output directory; it is created if missing. Files already
	// there with the same names are overwritten, others are left alone.
	Out string
	// Events is the number of distinct CloudTrail events written (duplicate
	// deliveries come on top). 0 means DefaultEvents.
	Events int
	// Seed drives every random choice: the same Seed and options give
	// byte-identical output.
	Seed int64
	// Days is the length of the window. 0 means DefaultDays.
	Days int
	// Files is the approximate number of log files; 0 chooses one file per
	// region per day, or about 250 events a file when that is more. No file
	// holds more than MaxEventsPerFile events (as in real CloudTrail, and so
	// memory stays bounded): Files is raised if needed.
	Files int
	// Start is the first day (UTC midnight is used). Zero means
	// DefaultStart, so that output never depends on the clock.
	Start time.Time
	// Regions are the regions events happen in; the first one receives
	// global-service events (IAM, STS, console sign-in). Nil means
	// DefaultRegions.
	Regions []string
}

// Defaults and limits.
const (
	DefaultEvents    = 3000
	DefaultDays      = 90
	MaxEventsPerFile = 5000
	// MaxEvents bounds --events: a thousand times the 1M-event corpora of
	// the benchmarks, nearly two nightly windows of the largest account one
	// machine ingests (README, Performance), and about 600 GB of gzipped
	// logs. More is no sample anyone can write or read back.
	MaxEvents = 1_000_000_000
	// MaxFiles bounds --files, and so what the generator holds per file
	// (a day's file slots, one duplicate id per hundred files): a million
	// files hold MaxEvents at 1,000 events a file, well under
	// MaxEventsPerFile.
	MaxFiles = 1_000_000
)

var (
	// DefaultStart is the first day of the window when Options.Start is zero.
	DefaultStart = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	// DefaultRegions are used when Options.Regions is nil.
	DefaultRegions = []string{"us-east-1", "eu-west-1", "us-west-2"}
)

// Stats says what Generate wrote.
type Stats struct {
	// Events is the number of distinct events; Files the number of log
	// files; Roles and Users the principals in authz.json; Bytes the total
	// size of every file written.
	Events, Files, Roles, Users int
	Bytes                       int64
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

// withDefaults fills zero fields.
func (o Options) withDefaults() Options {
	if o.Events == 0 {
		o.Events = DefaultEvents
	}
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC().Truncate(24 * time.Hour)
	if o.Regions == nil {
		o.Regions = DefaultRegions
	}
	if o.Files == 0 {
		o.Files = max(o.Days*len(o.Regions), o.Events/250)
		o.Files = min(o.Files, o.Events, MaxFiles)
	}
	o.Files = max(o.Files, (o.Events+MaxEventsPerFile-1)/MaxEventsPerFile)
	return o
}

// Validate reports the first bad field. It is called by Generate after
// defaults are applied.
func (o Options) Validate() error {
	bad := func(flag, format string, a ...any) error {
		return &option.Named{Flag: flag, Err: fmt.Errorf(format, a...)}
	}
	switch {
	case o.Out == "":
		return option.Errorf("--out is required")
	case o.Events < 0:
		return bad("events", "%d: negative", o.Events)
	case o.Events > MaxEvents:
		return bad("events", "%d: more than %d, the most a sample holds", o.Events, MaxEvents)
	case o.Days < 0:
		return bad("days", "%d: negative", o.Days)
	case o.Days > 3660:
		return bad("days", "%d: more than ten years", o.Days)
	case o.Files < 0:
		return bad("files", "%d: negative", o.Files)
	case o.Files > MaxFiles:
		return bad("files", "%d: more than %d, the most a sample holds", o.Files, MaxFiles)
	case o.Events > 0 && o.Files > o.Events:
		return bad("files", "%d: cannot hold %d events (each file needs one)", o.Files, o.Events)
	}
	if o.Regions != nil && len(o.Regions) == 0 {
		return bad("regions", "empty list")
	}
	seen := map[string]bool{}
	for _, r := range o.Regions {
		if !regionRE.MatchString(r) {
			return bad("regions", "%q: not a region name", r)
		}
		if seen[r] {
			return bad("regions", "%q: listed twice", r)
		}
		seen[r] = true
	}
	return nil
}
