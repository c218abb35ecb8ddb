package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// renderMarkdown writes GitHub-flavoured Markdown. Every value goes
// through mdEscape; the text iamtrim writes itself does not.
func renderMarkdown(w io.Writer, d *Data) error {
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw}

	m.line("# IAM permission audit: " + mdEscape(d.Period.Label))
	m.line("")
	for _, l := range headerLines(d) {
		m.line("- **" + l[0] + ":** " + mdEscape(l[1]))
	}

	m.section("Summary")
	var rows [][]string
	for _, l := range summaryLines(d) {
		rows = append(rows, []string{l[0], l[1]})
	}
	m.table([]string{"Measure", "Value"}, "ll", rows)

	if len(d.UnusedPrincipals) > 0 {
		m.section("Unused principals")
		m.line("No successful call in the analysis window.")
		m.line("")
		for _, a := range d.UnusedPrincipals {
			m.line("- " + mdEscape(a))
		}
	}

	m.section("Admin or service-wide wildcards")
	if len(d.Privileged) == 0 {
		m.line("None.")
	} else {
		rows = rows[:0]
		for _, p := range d.Privileged {
			rows = append(rows, privilegedRow(p))
		}
		m.table([]string{"Principal", "Account", "Admin", "Service wildcards", "Workload"}, "lllll", rows)
	}

	m.section("High-risk unused permissions")
	if len(d.HighRiskUnused) == 0 {
		m.line("None.")
	} else {
		rows = rows[:0]
		for _, h := range d.HighRiskUnused {
			rows = append(rows, highRiskRow(h, listLimit))
		}
		m.table(highRiskHeader, "llrl", rows)
	}

	m.section(fmt.Sprintf("Denied attempts: %d", d.Denied.Total))
	m.line(capitalize(deniedSourceText(d.Denied.Source)) + ".")
	if len(d.Denied.TopPrincipals) > 0 {
		m.line("")
		rows = rows[:0]
		for _, p := range d.Denied.TopPrincipals {
			rows = append(rows, []string{p.ARN, strconv.FormatInt(p.Count, 10), itoa(p.Actions)})
		}
		m.table([]string{"Top principals", "Denied", "Actions"}, "lrr", rows)
	}
	if len(d.Denied.TopActions) > 0 {
		m.line("")
		rows = rows[:0]
		for _, a := range d.Denied.TopActions {
			rows = append(rows, []string{a.Action, strconv.FormatInt(a.Count, 10), itoa(a.Principals)})
		}
		m.table([]string{"Top actions", "Denied", "Principals"}, "lrr", rows)
	}

	m.section(fmt.Sprintf("Unmapped calls: %d", d.Unmapped.Total))
	m.line(capitalize(unmappedText) + ".")
	if len(d.Unmapped.Items) > 0 {
		m.line("")
		rows = rows[:0]
		for _, u := range d.Unmapped.Items {
			rows = append(rows, unmappedRow(u))
		}
		m.table(unmappedHeader, "lllrl", rows)
	}

	m.section(fmt.Sprintf("Last-accessed evidence: %d seasonal actions, %d conflicts (%d principals with data)", d.LastAccessed.Seasonal, d.LastAccessed.Conflicts, d.LastAccessed.PrincipalsWith))
	m.line(capitalize(lastAccessedText) + ".")
	if len(d.LastAccessed.SeasonalItems) > 0 {
		m.line("")
		rows = rows[:0]
		for _, x := range d.LastAccessed.SeasonalItems {
			rows = append(rows, seasonalRow(x))
		}
		m.table(seasonalHeader, "llll", rows)
	}
	if len(d.LastAccessed.ConflictItems) > 0 {
		m.line("")
		rows = rows[:0]
		for _, x := range d.LastAccessed.ConflictItems {
			rows = append(rows, conflictRow(x))
		}
		m.table(conflictHeader, "llll", rows)
	}

	m.section("Actions first used this period")
	switch {
	case !d.FirstUsed.Available:
		m.line("Not available: " + mdEscape(d.FirstUsed.Reason) + ".")
	case d.FirstUsed.Total == 0:
		m.line("None (" + firstUsedSourceText(d.FirstUsed) + ").")
	default:
		m.line("New behaviour, either drift or misuse; " + firstUsedSourceText(d.FirstUsed) + ".")
		m.line("")
		rows = rows[:0]
		for _, f := range d.FirstUsed.Items {
			rows = append(rows, []string{f.ARN, f.Action, f.FirstDay, strconv.FormatInt(f.Calls, 10), grantedText(f.Granted)})
		}
		m.table([]string{"Principal", "Action", "First used", "Calls", "Policy"}, "lllrl", rows)
		if more := d.FirstUsed.Total - len(d.FirstUsed.Items); more > 0 {
			m.line("")
			m.line(fmt.Sprintf("... and %d more (see the JSON format).", more))
		}
	}

	m.section("Evidence: log coverage")
	m.line(capitalize(mdEscape(coverageTitle(d.Coverage))) + ".")
	if len(d.Coverage.Accounts) > 0 {
		m.line("")
		m.table([]string{"Account", "Region", "Days with logs", "Coverage", "Gaps (no logs)"}, "llrrl", coverageRows(d.Coverage, listLimit))
	}

	m.section("Principals by risk")
	if len(d.Principals) == 0 {
		m.line("None.")
	} else {
		rows = rows[:0]
		for i, p := range d.Principals {
			rows = append(rows, append(principalRow(i, p), p.ARN))
		}
		m.table(append(principalHeader[:len(principalHeader):len(principalHeader)], "ARN"), "rllrrrrrllllll", rows)
	}

	if len(d.Details) > 0 {
		m.section("Principal evidence")
		m.line(fmt.Sprintf("One section per principal, in the order of the table above. Lists show at most %d items each; the totals are complete.", maxDetailItems))
		for i, x := range d.Details {
			p := d.Principals[i]
			m.line("")
			m.line(fmt.Sprintf(`### <a id="%s"></a>%s`, x.Anchor, mdEscape(kindName(p.PrincipalRef))))
			m.line("")
			m.line("- **ARN:** " + mdEscape(p.ARN))
			m.line("- **Risk:** " + mdEscape(riskText(p)))
			m.line("- **Recommendation:** " + mdEscape(recommendationText(x.Recommendation, p.Kind)))
			if p.Remediation != nil {
				m.line("- **Remediation:** " + mdEscape(p.Remediation.Status+": "+remediationText(*p.Remediation)))
			}
			if p.Backtest != nil {
				m.line("- **Backtest:** " + mdEscape(backtestText(p.Backtest)) + " denied/test calls (trained)")
			}
			m.line(fmt.Sprintf("- **Used actions:** %d", x.UsedTotal))
			if len(x.Used) > 0 {
				m.line("")
				rows = rows[:0]
				for _, u := range x.Used {
					rows = append(rows, []string{u.Action, strconv.FormatInt(u.Calls, 10), u.LastUsed, yesNo(u.Granted), resourcesText(u)})
				}
				m.table([]string{"Action", "Calls", "Last used", "Granted", "Resources"}, "lrlll", rows)
				m.line("")
			}
			m.line(fmt.Sprintf("- **Unused, by access level:** %d", p.Unused))
			for _, g := range x.Unused {
				m.line("  - " + mdEscape(groupText(g)))
			}
			m.line(fmt.Sprintf("- **Unobservable, by reason:** %d", p.Unobservable))
			for _, g := range x.Unobservable {
				m.line("  - " + mdEscape(groupText(g)))
			}
			m.line(fmt.Sprintf("- **Denied attempts:** %d", p.Denied))
			for _, dn := range x.Denied {
				m.line(fmt.Sprintf("  - %s: %d, last %s", mdEscape(dn.Action), dn.Count, dateString(dn.LastSeen)))
			}
			for _, u := range x.Unmapped {
				m.line(fmt.Sprintf("- **Unmapped:** %s %s: %d calls, last %s", mdEscape(u.EventSource), mdEscape(u.EventName), u.Calls, dateString(u.LastSeen)))
			}
		}
	}

	if r := d.Remediation; r != nil && len(r.Other) > 0 {
		m.section("Remediation of principals not in this analysis")
		for _, o := range r.Other {
			m.line("- " + mdEscape(o.ARN) + ": " + mdEscape(o.Status+": "+remediationText(o.Remediation)))
		}
	}

	m.section("Methodology")
	for _, l := range methodologyText(d.Methodology) {
		m.line("- " + l)
	}

	m.section("Evidence")
	for _, l := range evidenceLines(d) {
		m.line("- **" + l[0] + ":** " + mdEscape(l[1]))
	}
	if len(d.Evidence.Sources) > 0 {
		m.line("")
		rows = rows[:0]
		for _, s := range d.Evidence.Sources {
			rows = append(rows, ledgerRow(s))
		}
		m.table(ledgerHeader, "llrrrr", rows)
	}

	if d.Exceptions != nil {
		m.section("Exceptions register")
		m.line(exceptionsText + ".")
		if len(d.Exceptions) > 0 {
			m.line("")
			rows = rows[:0]
			for _, e := range d.Exceptions {
				rows = append(rows, exceptionRow(e))
			}
			m.table(exceptionHeader, "llllllllllr", rows)
		}
	}

	if len(d.Removed) > 0 {
		m.section("Removed since the previous snapshot")
		for _, p := range d.Removed {
			m.line("- " + mdEscape(p.ARN))
		}
	}

	if len(d.Trend) > 0 {
		m.section("Trend")
		m.line(trendNote(d, periodPoints(d.Trend)))
		m.line("")
		rows = rows[:0]
		for _, p := range d.Trend {
			rows = append(rows, trendRow(p))
		}
		m.table(trendHeader, trendAlign, rows)
	}

	if len(d.Caveats) > 0 {
		m.section("Caveats")
		for _, c := range d.Caveats {
			m.line("- " + mdEscape(c))
		}
	}

	m.section("Sign-off")
	for _, l := range signOffLines(d.SignOff) {
		m.line("- **" + l[0] + ":** " + mdEscape(l[1]))
	}
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) line(s string) {
	if m.err == nil {
		_, m.err = io.WriteString(m.w, s+"\n")
	}
}

func (m *mdWriter) section(s string) {
	m.line("")
	m.line("## " + s)
	m.line("")
}

// table writes a GFM table; align has one letter per column, l or r.
// Cells are escaped here.
func (m *mdWriter) table(header []string, align string, rows [][]string) {
	m.line("| " + strings.Join(header, " | ") + " |")
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		if i < len(align) && align[i] == 'r' {
			seps[i] = "---:"
		}
	}
	m.line("| " + strings.Join(seps, " | ") + " |")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdEscape(c)
		}
		m.line("| " + strings.Join(cells, " | ") + " |")
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
