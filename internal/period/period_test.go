package period

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"36h", 36 * time.Hour, ""},
		{"90d", 90 * Day, ""},
		{"12w", 84 * Day, ""},
		{"2160h", 90 * Day, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"7D", 7 * Day, ""},
		{"3660d", MaxDays * Day, ""},
		{"0d", 0, "positive"},
		{"-5d", 0, "positive"},
		{"-1h", 0, "positive"},
		{"0s", 0, "positive"},
		{"100000d", 0, "longer than"},
		{"9999999999999999w", 0, "longer than"},
		{"100000h", 0, "longer than"},
		{"soon", 0, "want a length"},
		{"", 0, "empty"},
		{"5x", 0, "want a length"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse(%q) = %v, %v: want error with %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Parse(%q) = %v, %v: want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDays(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr string
	}{
		{"90", 90, ""},
		{"90d", 90, ""},
		{"12w", 84, ""},
		{"2160h", 90, ""},
		{"36h", 0, "whole days"},
		{"-5d", 0, "positive"},
		{"-5", 0, "positive"},
		{"100000d", 0, "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Days(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.in) {
					t.Fatalf("Days(%q) = %v, %v: want error naming %q with %q", tc.in, got, err, tc.in, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Days(%q) = %v, %v: want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSince(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"2026-09-01", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-09-01T10:00:00Z", time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC), false},
		{"2w", now.AddDate(0, 0, -14), false},
		{"36h", now.Add(-36 * time.Hour), false},
		{"-2d", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Since(tc.in, now)
			if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
				t.Fatalf("Since(%q) = %v, %v: want %v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestDate(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"2026-12-02", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), ""},
		{"2026-13-01", time.Time{}, `"2026-13-01": not a date (want YYYY-MM-DD)`},
		{"2026-02-30", time.Time{}, `"2026-02-30": not a date (want YYYY-MM-DD)`},
		{"2026-12-02T12:00:00Z", time.Time{}, `"2026-12-02T12:00:00Z": not a date (want YYYY-MM-DD)`},
		{" 2026-12-02", time.Time{}, `" 2026-12-02": not a date (want YYYY-MM-DD)`},
		{"", time.Time{}, `"": not a date (want YYYY-MM-DD)`},
	} {
		got, err := Date(tc.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("Date(%q) = %v, %v; want %v, %q", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestInstant(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-12-02T12:00:00Z", time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), true},
		{"2026-12-02", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), true},
		{"30d", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := Instant(tc.in)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("Instant(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
