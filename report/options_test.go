package report

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseQuarter(t *testing.T) {
	tests := []struct {
		in       string
		from, to string
		err      bool
	}{
		{in: "2026Q4", from: "2026-10-01", to: "2026-12-31"},
		{in: "2026Q1", from: "2026-01-01", to: "2026-03-31"},
		{in: "2024q1", from: "2024-01-01", to: "2024-03-31"},
		{in: "2026Q2", from: "2026-04-01", to: "2026-06-30"},
		{in: "2026Q3", from: "2026-07-01", to: "2026-09-30"},
		{in: "2026Q5", err: true},
		{in: "2026Q0", err: true},
		{in: "26Q4", err: true},
		{in: "2026-Q4", err: true},
		{in: "", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			from, to, err := ParseQuarter(tc.in)
			if tc.err {
				if err == nil {
					t.Errorf("ParseQuarter(%q) = %v, %v, want an error", tc.in, from, to)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseQuarter(%q): %v", tc.in, err)
			}
			if got := dateString(from) + " " + dateString(to); got != tc.from+" "+tc.to {
				t.Errorf("ParseQuarter(%q) = %s, want %s %s", tc.in, got, tc.from, tc.to)
			}
			if got, want := QuarterOf(to), strings.ToUpper(tc.in); got != want {
				t.Errorf("QuarterOf(%s) = %s, want %s", dateString(to), got, want)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	now := date("2026-11-15")
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"quarter", Options{Quarter: "2026Q4", Now: now}, ""},
		{"from to", Options{From: date("2026-10-01"), To: date("2026-10-31"), Format: "html", Now: now}, ""},
		{"both", Options{Quarter: "2026Q4", From: date("2026-10-01"), Now: now}, "quarter: give either a quarter or from/to, not both"},
		{"bad quarter", Options{Quarter: "Q4", Now: now}, `quarter "Q4": not a quarter like 2026Q4`},
		{"reversed", Options{From: date("2026-10-31"), To: date("2026-10-01"), Now: now}, "to: 2026-10-01 is before from 2026-10-31"},
		{"account", Options{Account: "12345", Now: now}, `account "12345": not a 12-digit AWS account ID`},
		{"format", Options{Format: "pdf", Now: now}, `format "pdf": want table, md, html, csv, json or trend-csv`},
		{"no clock", Options{Quarter: "2026Q4"}, "now: the report clock is not set"},
		{"signoff date", Options{Quarter: "2026Q4", Now: now, SignOff: SignOff{Date: "2026-11-15"}}, ""},
		{"bad signoff date", Options{Quarter: "2026Q4", Now: now, SignOff: SignOff{Date: "15/11/2026"}}, `signoff-date "15/11/2026": not a date (want YYYY-MM-DD)`},
		{"current quarter", Options{Quarter: "2026Q4", Now: now}, ""},
		{"future quarter", Options{Quarter: "2027Q1", Now: now}, "quarter: 2027Q1 begins on 2027-01-01, after today (2026-11-15): there is nothing to report yet"},
		{"to today", Options{From: date("2026-10-01"), To: now, Now: now}, ""},
		{"future to", Options{From: date("2026-10-01"), To: date("2026-11-16"), Now: now}, "to: 2026-11-16 is after today (2026-11-15): a period cannot end in the future"},
		{"future from", Options{From: date("2030-01-01"), Now: now}, "from: 2030-01-01 is after today (2026-11-15): a period cannot start in the future"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOptionsPeriod(t *testing.T) {
	now := mustTime("2026-11-15T10:00:00Z")
	tests := []struct {
		name string
		opts Options
		want Period
	}{
		{"quarter", Options{Quarter: "2026Q1", Now: now}, Period{Label: "2026Q1", Quarter: "2026Q1", From: "2026-01-01", To: "2026-03-31", Days: 90,
			PreviousLabel: "2025Q4", PreviousFrom: "2025-10-01", PreviousTo: "2025-12-31"}},
		{"default is Now's quarter", Options{Now: now}, Period{Label: "2026Q4", Quarter: "2026Q4", From: "2026-10-01", To: "2026-12-31", Days: 92,
			PreviousLabel: "2026Q3", PreviousFrom: "2026-07-01", PreviousTo: "2026-09-30"}},
		{"from to a quarter", Options{From: date("2026-07-01"), To: date("2026-09-30"), Now: now}, Period{Label: "2026Q3", Quarter: "2026Q3", From: "2026-07-01", To: "2026-09-30", Days: 92,
			PreviousLabel: "2026Q2", PreviousFrom: "2026-04-01", PreviousTo: "2026-06-30"}},
		{"from to", Options{From: date("2026-10-01"), To: date("2026-10-31"), Now: now}, Period{Label: "2026-10-01 to 2026-10-31", From: "2026-10-01", To: "2026-10-31", Days: 31,
			PreviousLabel: "2026-08-31 to 2026-09-30", PreviousFrom: "2026-08-31", PreviousTo: "2026-09-30"}},
		{"from only runs to Now", Options{From: date("2026-11-01"), Now: now}, Period{Label: "2026-11-01 to 2026-11-15", From: "2026-11-01", To: "2026-11-15", Days: 15,
			PreviousLabel: "2026-10-17 to 2026-10-31", PreviousFrom: "2026-10-17", PreviousTo: "2026-10-31"}},
		{"to only starts the quarter", Options{To: date("2026-08-15"), Now: now}, Period{Label: "2026-07-01 to 2026-08-15", From: "2026-07-01", To: "2026-08-15", Days: 46,
			PreviousLabel: "2026-05-16 to 2026-06-30", PreviousFrom: "2026-05-16", PreviousTo: "2026-06-30"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.opts.period()
			if err != nil {
				t.Fatalf("period(): %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("period() (-want +got):\n%s", diff)
			}
		})
	}
}
