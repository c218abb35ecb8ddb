package report

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/recommend"
)

// Formats are the output formats Render knows, in the order the CLI lists
// them.
var formats = []string{"table", "md", "html", "csv", "json", "trend-csv"}

// Formats returns the names Render accepts.
func Formats() []string { return append([]string(nil), formats...) }

// ErrNoSnapshot is returned by Build when no analysis snapshot exists on or
// before the end of the period (run `iamtrim analyze` first).
var ErrNoSnapshot = errors.New("no analysis snapshot on or before the end of the period")

// Options choose what Build reports on. Either Quarter or From/To names the
// period; with neither, the period is the quarter Now falls in.
type Options struct {
	// From and To are the first and last day of the period (UTC dates,
	// inclusive). With only From, To is Now's day; with only To, From is the
	// first day of To's quarter.
	From, To time.Time
	// Quarter is "2026Q4"; it excludes From and To.
	Quarter string
	// Account keeps only principals (and logs) of this 12-digit account.
	Account string
	// Format is checked by Validate; Build does not use it.
	Format string
	// Now is the report's clock: the generated-at time and the end of log
	// coverage for a period still running. Required.
	Now time.Time
	// Exceptions is the register of accepted risks (nil: none), applied as
	// of ExceptionsDay (zero: Now's day).
	Exceptions    *exception.Set
	ExceptionsDay time.Time
	// PoliciesDir, when set, is where the recommendations were written
	// (relative to the report, as `run` lays them out: "policies") in
	// PoliciesFormat (recommend's --format, default policy): each
	// principal's section links to its file.
	PoliciesDir, PoliciesFormat string
	// SignOff fills the sign-off block (empty fields are left blank to be
	// signed by hand); its Date, when given, is YYYY-MM-DD.
	SignOff SignOff
}

var accountRe = regexp.MustCompile(`^[0-9]{12}$`)

// Validate names the first bad field.
func (o Options) Validate() error {
	if o.Quarter != "" && (!o.From.IsZero() || !o.To.IsZero()) {
		return errors.New("quarter: give either a quarter or from/to, not both")
	}
	if o.Quarter != "" {
		if _, _, err := ParseQuarter(o.Quarter); err != nil {
			return fmt.Errorf("quarter %w", err)
		}
	}
	if !o.From.IsZero() && !o.To.IsZero() && day(o.To).Before(day(o.From)) {
		return fmt.Errorf("to: %s is before from %s", dateString(o.To), dateString(o.From))
	}
	if o.Account != "" && !accountRe.MatchString(o.Account) {
		return fmt.Errorf("account %q: not a 12-digit AWS account ID", o.Account)
	}
	if o.Format != "" {
		if err := option.OneOf(o.Format, formats...); err != nil {
			return fmt.Errorf("format %w", err)
		}
	}
	if o.Now.IsZero() {
		return errors.New("now: the report clock is not set")
	}
	if o.PoliciesFormat != "" {
		if err := option.OneOf(o.PoliciesFormat, recommend.Formats...); err != nil {
			return fmt.Errorf("policies-format %w", err)
		}
	}
	// A period in the future has no logs yet: its report would call
	// everything unused.
	today := day(o.Now)
	if o.Quarter != "" {
		if from, _, _ := ParseQuarter(o.Quarter); from.After(today) {
			return fmt.Errorf("quarter: %s begins on %s, after today (%s): there is nothing to report yet", QuarterOf(from), dateString(from), dateString(today))
		}
	}
	if !o.From.IsZero() && day(o.From).After(today) {
		return fmt.Errorf("from: %s is after today (%s): a period cannot start in the future", dateString(o.From), dateString(today))
	}
	if !o.To.IsZero() && day(o.To).After(today) {
		return fmt.Errorf("to: %s is after today (%s): a period cannot end in the future", dateString(o.To), dateString(today))
	}
	if o.SignOff.Date != "" {
		if _, err := period.Date(o.SignOff.Date); err != nil {
			return fmt.Errorf("signoff-date %w", err)
		}
	}
	return nil
}

var quarterRe = regexp.MustCompile(`^([0-9]{4})[Qq]([1-4])$`)

// ParseQuarter turns "2026Q4" into its first and last day, 2026-10-01 and
// 2026-12-31 (UTC midnight).
func ParseQuarter(s string) (from, to time.Time, err error) {
	m := quarterRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%q: not a quarter like 2026Q4", s)
	}
	year, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	from = time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
	to = from.AddDate(0, 3, -1)
	return from, to, nil
}

// QuarterOf names the quarter t falls in, e.g. "2026Q4".
func QuarterOf(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())-1)/3+1)
}

// quarterStart is the first day of t's quarter.
func quarterStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
}

// period resolves the options to the reported days and the period before
// it, which supplies the change columns: the previous quarter for a
// quarter, else the same number of days just before From.
func (o Options) period() (Period, error) {
	var p Period
	var from, to time.Time
	switch {
	case o.Quarter != "":
		f, t, err := ParseQuarter(o.Quarter)
		if err != nil {
			return p, fmt.Errorf("quarter %w", err)
		}
		from, to = f, t
	case o.From.IsZero() && o.To.IsZero():
		from = quarterStart(o.Now)
		to = from.AddDate(0, 3, -1)
	case o.To.IsZero():
		from, to = day(o.From), day(o.Now)
	case o.From.IsZero():
		to = day(o.To)
		from = quarterStart(to)
	default:
		from, to = day(o.From), day(o.To)
	}
	if to.Before(from) {
		return p, fmt.Errorf("to: %s is before from %s", dateString(to), dateString(from))
	}
	p.From, p.To = dateString(from), dateString(to)
	p.Days = days(from, to)
	if qf, qt, err := ParseQuarter(QuarterOf(from)); err == nil && qf.Equal(from) && qt.Equal(to) {
		p.Quarter = QuarterOf(from)
		p.Label = p.Quarter
		pf := from.AddDate(0, -3, 0)
		p.PreviousFrom, p.PreviousTo = dateString(pf), dateString(from.AddDate(0, 0, -1))
		p.PreviousLabel = QuarterOf(pf)
	} else {
		p.Label = p.From + " to " + p.To
		pt := from.AddDate(0, 0, -1)
		pf := pt.AddDate(0, 0, -(p.Days - 1))
		p.PreviousFrom, p.PreviousTo = dateString(pf), dateString(pt)
		p.PreviousLabel = p.PreviousFrom + " to " + p.PreviousTo
	}
	return p, nil
}

// day truncates t to its UTC day.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func dateString(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func parseDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// days counts the days from..to inclusive.
func days(from, to time.Time) int {
	return int(day(to).Sub(day(from)).Hours()/24) + 1
}
