package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// renderTable writes the report for a terminal: headed sections of
// tables. Every cell goes through termSafe, so nothing from AWS or the
// logs reaches the terminal as a control sequence.
func renderTable(w io.Writer, d *Data, width int) error {
	bw := bufio.NewWriter(w)
	t := &termWriter{w: bw, width: width}

	t.title("IAM permission audit: " + termSafe(d.Period.Label))
	for _, l := range headerLines(d) {
		t.linef("%-14s %s", l[0]+":", termSafe(l[1]))
	}

	t.section("Summary")
	rows := make([][]string, 0, 16)
	for _, l := range summaryLines(d) {
		rows = append(rows, []string{l[0], l[1]})
	}
	t.table([]string{"Measure", "Value"}, "ll", rows)

	if len(d.UnusedPrincipals) > 0 {
		t.section("Unused principals (no successful call in the window)")
		for _, a := range d.UnusedPrincipals {
			t.linef("  - %s", termSafe(a))
		}
	}

	t.section("Admin or service-wide wildcards")
	if len(d.Privileged) == 0 {
		t.line("  none")
	} else {
		rows = rows[:0]
		for _, p := range d.Privileged {
			rows = append(rows, privilegedRow(p))
		}
		t.table([]string{"Principal", "Account", "Admin", "Service wildcards", "Workload"}, "lllll", rows)
	}

	t.section("High-risk unused permissions")
	if len(d.HighRiskUnused) == 0 {
		t.line("  none")
	} else {
		rows = rows[:0]
		for _, h := range d.HighRiskUnused {
			rows = append(rows, highRiskRow(h, listLimit))
		}
		t.table(highRiskHeader, "llrl", rows)
	}

	t.section(fmt.Sprintf("Denied attempts: %d", d.Denied.Total))
	t.line("  " + deniedSourceText(d.Denied.Source))
	if len(d.Denied.TopPrincipals) > 0 {
		rows = rows[:0]
		for _, p := range d.Denied.TopPrincipals {
			rows = append(rows, []string{p.ARN, strconv.FormatInt(p.Count, 10), itoa(p.Actions)})
		}
		t.table([]string{"Top principals", "Denied", "Actions"}, "lrr", rows)
	}
	if len(d.Denied.TopActions) > 0 {
		rows = rows[:0]
		for _, a := range d.Denied.TopActions {
			rows = append(rows, []string{a.Action, strconv.FormatInt(a.Count, 10), itoa(a.Principals)})
		}
		t.table([]string{"Top actions", "Denied", "Principals"}, "lrr", rows)
	}

	t.section(fmt.Sprintf("Unmapped calls: %d", d.Unmapped.Total))
	t.line("  " + unmappedText)
	if len(d.Unmapped.Items) > 0 {
		rows = rows[:0]
		for _, u := range d.Unmapped.Items {
			rows = append(rows, unmappedRow(u))
		}
		t.table(unmappedHeader, "lllrl", rows)
	}

	t.section(fmt.Sprintf("Last-accessed evidence: %d seasonal actions, %d conflicts (%d principals with data)", d.LastAccessed.Seasonal, d.LastAccessed.Conflicts, d.LastAccessed.PrincipalsWith))
	t.line("  " + lastAccessedText)
	if len(d.LastAccessed.SeasonalItems) > 0 {
		rows = rows[:0]
		for _, x := range d.LastAccessed.SeasonalItems {
			rows = append(rows, seasonalRow(x))
		}
		t.table(seasonalHeader, "llll", rows)
	}
	if len(d.LastAccessed.ConflictItems) > 0 {
		rows = rows[:0]
		for _, x := range d.LastAccessed.ConflictItems {
			rows = append(rows, conflictRow(x))
		}
		t.table(conflictHeader, "llll", rows)
	}

	t.section("Actions first used this period (drift or misuse)")
	switch {
	case !d.FirstUsed.Available:
		t.line("  not available: " + termSafe(d.FirstUsed.Reason))
	case d.FirstUsed.Total == 0:
		t.line("  none: " + firstUsedSourceText(d.FirstUsed))
	default:
		t.line("  " + firstUsedSourceText(d.FirstUsed))
		rows = rows[:0]
		for _, f := range d.FirstUsed.Items {
			rows = append(rows, []string{f.ARN, f.Action, f.FirstDay, strconv.FormatInt(f.Calls, 10), grantedText(f.Granted)})
		}
		t.table([]string{"Principal", "Action", "First used", "Calls", "Policy"}, "lllrl", rows)
		if more := d.FirstUsed.Total - len(d.FirstUsed.Items); more > 0 {
			t.linef("  ... and %d more (see the JSON format)", more)
		}
	}

	t.section("Evidence: log coverage, " + coverageTitle(d.Coverage))
	if len(d.Coverage.Accounts) == 0 {
		t.line("  no logs recorded for the period")
	} else {
		t.table([]string{"Account", "Region", "Days with logs", "Coverage", "Gaps (no logs)"}, "llrrl", coverageRows(d.Coverage, listLimit))
	}

	t.section("Principals by risk")
	if len(d.Principals) == 0 {
		t.line("  none")
	} else {
		rows = rows[:0]
		for i, p := range d.Principals {
			rows = append(rows, principalRow(i, p))
		}
		t.table(principalHeader, "rllrrrrrlllll", rows)
	}

	t.section("Evidence")
	for _, l := range evidenceLines(d) {
		t.linef("  %s: %s", l[0], termSafe(l[1]))
	}
	if len(d.Evidence.Sources) > 0 {
		rows = rows[:0]
		for _, s := range d.Evidence.Sources {
			rows = append(rows, ledgerRow(s))
		}
		t.table(ledgerHeader, "llrrrr", rows)
	}

	if d.Exceptions != nil {
		t.section("Exceptions register")
		if len(d.Exceptions) == 0 {
			t.line("  no entries")
		} else {
			rows = rows[:0]
			for _, e := range d.Exceptions {
				rows = append(rows, exceptionRow(e))
			}
			t.table(exceptionHeader, "llllllllllr", rows)
		}
	}

	if len(d.Removed) > 0 {
		t.section("Removed since the previous snapshot")
		for _, p := range d.Removed {
			t.linef("  - %s", termSafe(p.ARN))
		}
	}

	if len(d.Trend) > 0 {
		// A terminal shows a dozen of the period's points; the other
		// formats all of them.
		pts := thinTrend(d.Trend, maxTableTrend)
		t.section("Trend")
		t.line(trendNote(d, periodPoints(pts)))
		rows = rows[:0]
		for _, p := range pts {
			rows = append(rows, trendRow(p))
		}
		t.table(trendHeader, trendAlign, rows)
	}

	if len(d.Caveats) > 0 {
		t.section("Caveats")
		for _, c := range d.Caveats {
			t.linef("  - %s", termSafe(c))
		}
	}

	t.section("Sign-off")
	for _, l := range signOffLines(d.SignOff) {
		t.linef("  %s: %s", l[0], termSafe(l[1]))
	}
	t.line("  (per-principal evidence and the methodology: --format html, md or json)")
	if t.err != nil {
		return t.err
	}
	return bw.Flush()
}

// termWriter writes sections and tables, keeping the first error.
type termWriter struct {
	w     io.Writer
	width int // fit tables to this many columns; 0: full width
	err   error
}

func (t *termWriter) line(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, s+"\n")
	}
}

func (t *termWriter) linef(format string, args ...any) { t.line(fmt.Sprintf(format, args...)) }

func (t *termWriter) title(s string) {
	t.line(s)
	t.line(strings.Repeat("=", len([]rune(s))))
}

func (t *termWriter) section(s string) {
	t.line("")
	t.line(strings.ToUpper(s[:1]) + s[1:])
	t.line(strings.Repeat("-", len([]rune(s))))
}

// table renders rows under header; align has one letter per column, l or
// r. Every cell is made terminal-safe here.
func (t *termWriter) table(header []string, align string, rows [][]string) {
	if t.err != nil {
		return
	}
	al := make([]tw.Align, len(align))
	for i, c := range align {
		al[i] = tw.AlignLeft
		if c == 'r' {
			al[i] = tw.AlignRight
		}
	}
	tb := tablewriter.NewTable(t.w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: al}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	safe := make([][]string, len(rows))
	for j, r := range rows {
		safe[j] = make([]string, len(r))
		for i, s := range r {
			safe[j][i] = termSafe(s)
		}
	}
	hs := make([]string, len(header))
	for i, s := range header {
		hs[i] = termSafe(s)
	}
	hs, safe, dropped := termwidth.Fit(t.width, hs, safe)
	h := make([]any, len(hs))
	for i, s := range hs {
		h[i] = s
	}
	tb.Header(h...)
	for _, cells := range safe {
		if err := tb.Append(cells); err != nil {
			t.err = err
			return
		}
	}
	if t.err = tb.Render(); t.err == nil {
		if note := termwidth.Note(dropped, t.width); note != "" {
			t.line(note)
		}
	}
}
