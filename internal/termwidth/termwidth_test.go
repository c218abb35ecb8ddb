package termwidth_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/internal/termwidth/termwidthtest"
	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

func env(columns string) func(string) string {
	return func(k string) string {
		if k == "COLUMNS" {
			return columns
		}
		return ""
	}
}

func TestOf(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	term := termwidthtest.Open(t, 90)
	tests := []struct {
		name    string
		w       any
		columns string
		want    int
	}{
		{"buffer", &bytes.Buffer{}, "80", 0},
		{"file, COLUMNS ignored", file, "80", 0},
		{"terminal", term.Out, "", 90},
		{"terminal, COLUMNS wins", term.Out, "70", 70},
		{"terminal, bad COLUMNS", term.Out, "wide", 90},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.w.(interface{ Write([]byte) (int, error) })
			if got := termwidth.Of(w, env(tc.columns)); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// render draws a table as the report and analyze do.
func render(header []string, rows [][]string) string {
	var b strings.Builder
	tb := tablewriter.NewTable(&b, tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone), tablewriter.WithHeaderAutoWrap(tw.WrapNone))
	h := make([]any, len(header))
	for i, c := range header {
		h[i] = c
	}
	tb.Header(h...)
	for _, r := range rows {
		_ = tb.Append(r)
	}
	_ = tb.Render()
	return b.String()
}

func widest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, runewidth.StringWidth(l))
	}
	return n
}

// squash is the table's text without layout, to show nothing was lost.
func squash(cells ...[]string) string {
	var b strings.Builder
	for _, r := range cells {
		for _, c := range r {
			b.WriteString(strings.Join(strings.Fields(c), ""))
		}
	}
	return b.String()
}

func TestFit(t *testing.T) {
	header := []string{"#", "Principal", "Account", "Granted", "Used", "Unused", "Unobs.", "High-risk", "Risk", "Last activity", "Proven rec.", "Backtest", "Change", "Flags"}
	rows := [][]string{
		{"1", "role/AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60", "111122223333", "837", "12", "768", "57", "31", "2959.0 high", "2026-10-28", "yes", "2/34 (2 trained)", "—", "admin, service-wildcard, unused-principal"},
		{"2", "role/ci", "111122223333", "206", "15", "161", "30", "4", "540.0 high", "2026-10-26", "yes", "0/22", "—", "service-wildcard"},
	}
	full := render(header, rows)
	if widest(full) <= 120 {
		t.Fatalf("the test table is %d columns wide: not wide enough to test", widest(full))
	}
	for _, width := range []int{160, 120} {
		h, r, dropped := termwidth.Fit(width, header, rows)
		out := render(h, r)
		if got := widest(out); got > width {
			t.Errorf("width %d: table is %d columns wide:\n%s", width, got, out)
		}
		if len(dropped) > 0 || squash(append([][]string{h}, r...)...) != squash(append([][]string{header}, rows...)...) {
			t.Errorf("width %d: text lost or changed (dropped %v):\n%s", width, dropped, out)
		}
	}
	// Too narrow for 14 columns: the last ones are left out, and named.
	h, r, dropped := termwidth.Fit(80, header, rows)
	if out := render(h, r); widest(out) > 80 || len(dropped) == 0 || dropped[len(dropped)-1] != "Flags" || len(h)+len(dropped) != len(header) {
		t.Errorf("width 80: %d columns wide, dropped %v:\n%s", widest(out), dropped, out)
	}
	if note := termwidth.Note(dropped, 80); !strings.Contains(note, "Flags") || !strings.Contains(note, "80 columns") {
		t.Errorf("note %q does not name the columns left out and the width", note)
	}
	if h, r, _ := termwidth.Fit(0, header, rows); render(h, r) != full {
		t.Errorf("width 0 changed the table")
	}
	if h, r, _ := termwidth.Fit(1000, header, rows); render(h, r) != full {
		t.Errorf("a table that fits was changed")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  string
	}{
		{"admin, service-wildcard, unused-principal", 18, "admin,\nservice-wildcard,\nunused-principal"},
		{"role/AWSReservedSSO_AdministratorAccess", 16, "role/\nAWSReservedSSO_A\ndministratorAcce\nss"},
		{"short", 10, "short"},
	}
	for _, tc := range tests {
		if got := termwidth.Wrap(tc.s, tc.width); got != tc.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
	}
}
