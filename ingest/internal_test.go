package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{in: "us-east-1", max: 64, want: "us-east-1"},
		{in: "abcdef", max: 3, want: "abc"},
		{in: "añb", max: 2, want: "a"}, // never cut inside a rune
		{in: "a\x00b", max: 10, want: "ab"},
		{in: "a\xffb", max: 10, want: "a\uFFFDb"},
		{in: strings.Repeat("é", 100), max: 9, want: strings.Repeat("é", 4)},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q/%d", tc.in, tc.max), func(t *testing.T) {
			got := clip(tc.in, tc.max)
			if got != tc.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if !utf8.ValidString(got) || len(got) > tc.max {
				t.Errorf("clip(%q, %d) = %q: invalid or too long", tc.in, tc.max, got)
			}
		})
	}
}

func TestEventUUID(t *testing.T) {
	u := eventUUID("6177CA7E-860e-482c-bde9-50c735af58d6", nil)
	if got, want := fmt.Sprintf("%x", u), "6177ca7e860e482cbde950c735af58d6"; got != want {
		t.Errorf("eventUUID of a UUID = %s, want %s", got, want)
	}
	a, b := eventUUID("not-a-uuid", nil), eventUUID("not-a-uuid", []byte("other"))
	if a != b {
		t.Errorf("eventUUID of a non-UUID id depends on the record")
	}
	if a[6]>>4 != 5 || a[8]>>6 != 2 {
		t.Errorf("name-based UUID %x is not version 5, variant RFC 4122", a)
	}
	if eventUUID("", []byte(`{"a":1}`)) == eventUUID("", []byte(`{"a":2}`)) {
		t.Errorf("records without eventID hash to the same UUID")
	}
	if eventUUID("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", nil) == ([16]byte{}) {
		t.Errorf("a malformed UUID-shaped id gave the zero UUID")
	}
}

func TestAPIWindow(t *testing.T) {
	day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	d := &apiDay{day: day}
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	partial := func(from, to time.Time) string { return fmt.Sprintf("partial:%d-%d", from.Unix(), to.Unix()) }
	tests := []struct {
		name        string
		prev        string
		f           filter
		now         time.Time
		from, to    time.Time
		wantVersion string
		wantOK      bool
	}{
		{name: "settled day", now: at(30, 0), from: day, to: at(24, 0), wantVersion: apiComplete, wantOK: true},
		{name: "day just ended", now: at(24, 5), from: day, to: at(24, 0), wantVersion: partial(day, at(24, 0)), wantOK: true},
		{name: "today", now: at(12, 0), from: day, to: at(12, 0), wantVersion: partial(day, at(12, 0)), wantOK: true},
		{name: "resume today", prev: partial(day, at(12, 0)), now: at(18, 0), from: at(11, 40), to: at(18, 0), wantVersion: partial(day, at(18, 0)), wantOK: true},
		{name: "resume and complete", prev: partial(day, at(12, 0)), now: at(48, 0), from: at(11, 40), to: at(24, 0), wantVersion: apiComplete, wantOK: true},
		{name: "complete", prev: apiComplete, now: at(48, 0)},
		{name: "since cuts the morning", f: filter{since: at(6, 0)}, now: at(48, 0), from: at(6, 0), to: at(24, 0), wantVersion: partial(at(6, 0), at(24, 0)), wantOK: true},
		{name: "after a cut morning, the whole day", prev: partial(at(6, 0), at(24, 0)), now: at(48, 0), from: day, to: at(24, 0), wantVersion: apiComplete, wantOK: true},
		{name: "until cuts the evening", f: filter{until: at(20, 0)}, now: at(48, 0), from: day, to: at(20, 0), wantVersion: partial(day, at(20, 0)), wantOK: true},
		{name: "until before the day", f: filter{until: day}, now: at(48, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, to, v, ok := d.window(tc.prev, &tc.f, tc.now)
			if ok != tc.wantOK || !from.Equal(tc.from) || !to.Equal(tc.to) || v != tc.wantVersion {
				t.Errorf("window = [%s, %s) %q %v, want [%s, %s) %q %v", from, to, v, ok, tc.from, tc.to, tc.wantVersion, tc.wantOK)
			}
		})
	}
}

func TestCompareErrorLines(t *testing.T) {
	lines := []string{"b.json:record 10: x", "a.json: corrupt", "b.json:record 9: y", "a.json:record 2: z"}
	want := []string{"a.json: corrupt", "a.json:record 2: z", "b.json:record 9: y", "b.json:record 10: x"}
	got := append([]string(nil), lines...)
	sortErrorLines(got)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted = %q, want %q", got, want)
		}
	}
}
