package analyze

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

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
func WriteTable(w io.Writer, s *Snapshot) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft}}),
	)
	t.Header("principal", "type", "granted", "used", "unused", "unobservable", "denied", "last used", "coverage", "risk", "flags")
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
		if err := t.Append(Clean(r.Name), r.Type, granted, fmt.Sprint(len(r.Used)), fmt.Sprint(len(r.Unused)),
			fmt.Sprint(len(r.Unobservable)), fmt.Sprint(denied), last, cov, risk, strings.Join(r.Flags, " ")); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	cat := s.CatalogVersion
	if cat == "" {
		cat = "none loaded (wildcards not expanded)"
	}
	_, err := fmt.Fprintf(w, "window %s..%s (%d days) · catalog %s · trails: %s · snapshot %d\n",
		s.From, s.To, s.WindowDays, short(cat), Clean(s.Trails), s.ID)
	return err
}

func short(digest string) string {
	if len(digest) > 19 {
		return digest[:19]
	}
	return digest
}

// Clean makes an untrusted string safe for a terminal: control characters
// (ANSI escapes included) become visible \x.. escapes.
func Clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
