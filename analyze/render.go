package analyze

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/untrusted"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteJSON writes the snapshot as indented JSON: an object with the
// window, the evidence used, and "principals", one Result per principal.
func WriteJSON(w io.Writer, s *Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteTable writes a table for people: one row per principal, riskiest
// first, then the evidence the analysis stands on.
func WriteTable(w io.Writer, s *Snapshot) error { return WriteTableFit(w, s, 0) }

// WriteTableFit is WriteTable with the principals' table wrapped to width
// columns (termwidth.Fit; 0: full width).
func WriteTableFit(w io.Writer, s *Snapshot, width int) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft}}),
	)
	blockedCol := false
	for _, r := range s.Principals {
		blockedCol = blockedCol || len(r.BlockedBySCP) > 0
	}
	if blockedCol {
		// Only when an SCP blocks something, so that tables of accounts
		// without an organisation stay as they were.
		t = tablewriter.NewTable(w,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft}}),
		)
	}
	header := []string{"principal", "granted", "used", "unused", "unobserv.", "denied", "last used", "logs", "risk", "flags"}
	if blockedCol {
		header = slices.Insert(header, 5, "SCP-blocked")
	}
	rows := make([][]string, 0, len(s.Principals))
	for _, r := range s.Principals {
		last := "never"
		if r.LastUsed.Any != nil {
			last = r.LastUsed.Any.UTC().Format(time.DateOnly)
		}
		var denied int64
		for _, d := range r.Denied {
			denied += d.Count
		}
		granted := fmt.Sprint(len(r.Granted))
		if len(r.GrantedPatterns) > 0 && len(r.Granted) == 0 {
			granted = fmt.Sprintf("%d patterns", len(r.GrantedPatterns))
		}
		cov := fmt.Sprintf("%d/%dd", r.Coverage.DaysWithLogs, r.Coverage.WindowDays)
		risk := r.Risk.Level
		if r.Risk.Score > 0 {
			risk = fmt.Sprintf("%s %.0f", r.Risk.Level, r.Risk.Score)
		}
		row := []string{r.Type + "/" + Clean(r.Name), granted, fmt.Sprint(len(r.Used)), fmt.Sprint(len(r.Unused)), fmt.Sprint(len(r.Unobservable))}
		if blockedCol {
			row = append(row, fmt.Sprint(len(r.BlockedBySCP)))
		}
		rows = append(rows, append(row, fmt.Sprint(denied), last, cov, risk, flagsText(r)))
	}
	header, rows, dropped := termwidth.Fit(width, header, rows)
	h := make([]any, len(header))
	for i, c := range header {
		h[i] = c
	}
	t.Header(h...)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if note := termwidth.Note(dropped, width); note != "" {
		if _, err := fmt.Fprintln(w, note); err != nil {
			return err
		}
	}
	if len(s.Principals) == 1 {
		if err := writeDetail(w, s.Principals[0]); err != nil {
			return err
		}
	}
	cat := s.CatalogVersion
	if cat == "" {
		cat = "none loaded (wildcards not expanded)"
	}
	_, err := fmt.Fprintf(w, "window %s..%s (%d days) · catalog %s · trails: %s · snapshot %d\n",
		s.From, s.To, s.WindowDays, short(cat), Clean(s.Trails), s.ID)
	return err
}

// flagsText is the flags, then "excepted:KIND,..." for findings an
// exception accepts and "exception-expired" for an exception past its
// expiry.
func flagsText(r Result) string {
	parts := slices.Clone(r.Flags)
	if len(r.Excepted) > 0 {
		parts = append(parts, "excepted:"+strings.Join(ExceptedKinds(r.Excepted), ","))
	}
	if len(r.ExpiredExceptions) > 0 {
		parts = append(parts, "exception-expired")
	}
	return strings.Join(parts, " ")
}

func short(digest string) string {
	if strings.HasPrefix(digest, "sha256:") && len(digest) > 19 {
		return digest[:19]
	}
	return digest
}

// detailWidth is where the one-principal view wraps its action lists.
const detailWidth = 100

// writeWrapped writes prefix and the comma-separated items, wrapped at
// width with continuation lines indented under the first item.
func writeWrapped(w io.Writer, prefix string, items []string, width int) {
	line, indent := prefix, strings.Repeat(" ", 4)
	for i, it := range items {
		it = Clean(it)
		if i < len(items)-1 {
			it += ","
		}
		if len(line) > len(indent) && len(line)+len(it)+1 > width && line != prefix {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			line = indent
		}
		line += it + " "
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

// Clean makes an untrusted string safe for a terminal (package untrusted).
func Clean(s string) string { return untrusted.Terminal(s) }

// writeDetail lists, for one principal, what it used, what it denied, what
// is unused (by access level) and why the rest is unobservable.
// writeUses lists last-accessed uses, one per line with the date and
// whether it is the action's own or its service's.
func writeUses(w io.Writer, title string, uses []LastAccessedUse) {
	if len(uses) == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%d):\n", title, len(uses))
	for _, u := range uses {
		level := "service-level"
		if u.ActionLevel {
			level = "action-level"
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", Clean(u.Action), u.LastAccessed.UTC().Format(time.DateOnly), level)
	}
}

func writeDetail(w io.Writer, r Result) error {
	fmt.Fprintf(w, "\n%s\n", Clean(r.PrincipalARN))
	if len(r.Used) > 0 {
		t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
		t.Header("used action", "calls", "last used", "resources")
		for _, u := range r.Used {
			res := "-"
			switch len(u.Resources) {
			case 0:
			case 1:
				res = Clean(u.Resources[0])
			default:
				res = fmt.Sprintf("%d resources", len(u.Resources))
			}
			note := ""
			if !u.Granted {
				note = " (not granted by identity policies)"
			}
			if err := t.Append(Clean(u.Action)+note, fmt.Sprint(u.Calls), u.LastUsed.UTC().Format(time.DateOnly), res); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	for _, d := range r.Denied {
		fmt.Fprintf(w, "denied: %s ×%d, last %s\n", Clean(d.Action), d.Count, d.LastSeen.UTC().Format(time.DateOnly))
	}
	if la := r.LastAccessed; la != nil {
		fmt.Fprintf(w, "last-accessed data: %s report of %s, tracking since %s\n", la.Granularity, la.TakenAt.UTC().Format(time.DateOnly), la.TrackingStart.UTC().Format(time.DateOnly))
	}
	writeUses(w, "used (last-accessed, not in CloudTrail)", r.LastAccessedUsed)
	writeUses(w, "seasonal (last accessed before the window, kept)", r.Seasonal)
	for _, c := range r.Conflicts {
		fmt.Fprintf(w, "evidence conflict: %s (%s): %s\n", Clean(c.Action), c.Kind, Clean(c.Detail))
	}
	if len(r.Unused) > 0 {
		fmt.Fprintf(w, "unused (%d):", len(r.Unused))
		for _, lvl := range []string{"Permissions management", "Write", "Tagging", "List", "Read"} {
			if n := r.Risk.UnusedByAccessLevel[lvl]; n > 0 {
				fmt.Fprintf(w, " %s %d", lvl, n)
			}
		}
		fmt.Fprintln(w)
		for _, lvl := range []string{"Permissions management", "Write", "Tagging", "List", "Read", ""} {
			acts := r.unusedByLevel[lvl]
			if len(acts) == 0 {
				continue
			}
			name := lvl
			if name == "" {
				name = "unknown level"
			}
			writeWrapped(w, fmt.Sprintf("  %s (%d): ", name, len(acts)), acts, detailWidth)
		}
		if len(r.Risk.HighRiskUnused) > 0 {
			fmt.Fprintf(w, "high-risk unused: %s\n", Clean(strings.Join(r.Risk.HighRiskUnused, ", ")))
		}
	}
	if len(r.BlockedBySCP) > 0 {
		fmt.Fprintf(w, "blocked by SCP (%d, not effective, so not counted unused):\n", len(r.BlockedBySCP))
		byReason := map[string][]string{}
		var reasons []string
		for _, b := range r.BlockedBySCP {
			if byReason[b.Reason] == nil {
				reasons = append(reasons, b.Reason)
			}
			byReason[b.Reason] = append(byReason[b.Reason], b.Action)
		}
		sort.Strings(reasons)
		for _, why := range reasons {
			writeWrapped(w, fmt.Sprintf("  %s (%d): ", Clean(why), len(byReason[why])), byReason[why], detailWidth)
		}
	}
	if len(r.Unobservable) > 0 {
		reasons := map[string]int{}
		for _, u := range r.Unobservable {
			reasons[u.Reason]++
		}
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "unobservable (%d, never called unused):", len(r.Unobservable))
		for _, k := range keys {
			fmt.Fprintf(w, " %s %d", k, reasons[k])
		}
		fmt.Fprintln(w)
	}
	for _, c := range r.Caveats {
		fmt.Fprintf(w, "caveat: %s\n", Clean(c))
	}
	return nil
}
