// Package period reads the lengths of time and the points in time that
// flags and configuration keys take (--window, --since, catalog.max_age,
// ...), so every one of them accepts the same spellings and refuses the
// same mistakes.
//
// Written by hand rather than taken from a library: Go's time.ParseDuration
// has no days or weeks, and the libraries that add them (e.g.
// str2duration) accept negative and unbounded values, which is most of what
// this package exists to refuse.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is 24 hours: the lengths here are calendar-free.
const Day = 24 * time.Hour

// MaxDays bounds every length: ten years is longer than any log retention
// or analysis window makes sense for, and catches typos such as 100000d.
const MaxDays = 3660

// Syntax is what the error messages say a length looks like.
const Syntax = "a length such as 90d, 12w or 36h"

// Parse reads a positive length: Nd (days), Nw (weeks), or a Go duration
// (36h, 90m, 1h30m). Zero, negative and longer than MaxDays are refused.
func Parse(s string) (time.Duration, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	var d time.Duration
	switch {
	case t == "":
		return 0, fmt.Errorf("empty: want %s", Syntax)
	case strings.HasSuffix(t, "d") || strings.HasSuffix(t, "w"):
		unit := Day
		if strings.HasSuffix(t, "w") {
			unit = 7 * Day
		}
		n, err := strconv.ParseInt(t[:len(t)-1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q: want %s", s, Syntax)
		}
		if n <= 0 {
			return 0, fmt.Errorf("%q: must be positive", s)
		}
		if n > MaxDays*int64(Day/unit+1) || time.Duration(n)*unit > MaxDays*Day {
			return 0, fmt.Errorf("%q: longer than the %d days allowed", s, MaxDays)
		}
		d = time.Duration(n) * unit
	default:
		var err error
		if d, err = time.ParseDuration(t); err != nil {
			return 0, fmt.Errorf("%q: want %s", s, Syntax)
		}
		if d <= 0 {
			return 0, fmt.Errorf("%q: must be positive", s)
		}
		if d > MaxDays*Day {
			return 0, fmt.Errorf("%q: longer than the %d days allowed", s, MaxDays)
		}
	}
	return d, nil
}

// Days reads a length that must be whole days (an analysis window); a bare
// number is days, as windows have always been written.
func Days(s string) (int, error) {
	t := strings.TrimSpace(s)
	if _, err := strconv.Atoi(t); err == nil {
		t += "d"
	}
	d, err := Parse(t)
	if err != nil {
		return 0, err
	}
	if d%Day != 0 {
		return 0, fmt.Errorf("%q: want whole days, such as 90d or 2160h", s)
	}
	return int(d / Day), nil
}

// Date reads a day written YYYY-MM-DD (midnight UTC): every date a flag
// or configuration key takes (--from, --as-of, report.signoff_date, an
// exception's expires, ...) is read here, so they all refuse the same
// mistakes with the same message.
func Date(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: not a date (want YYYY-MM-DD)", s)
	}
	return t, nil
}

// Instant reads a point in time written as an RFC 3339 time or a date,
// YYYY-MM-DD (midnight UTC).
func Instant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := Date(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: not a date or time (want YYYY-MM-DD or an RFC 3339 time)", s)
}

// Since reads a point in time: YYYY-MM-DD, an RFC 3339 time, or a length
// back from now (30d, 36h). Empty gives the zero time.
func Since(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := Instant(s); err == nil {
		return t, nil
	}
	d, err := Parse(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: not a date, time or length (want YYYY-MM-DD, an RFC 3339 time, or %s back from now)", s, Syntax)
	}
	return now.Add(-d), nil
}
