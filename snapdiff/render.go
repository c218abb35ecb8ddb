package snapdiff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/iamtrim/iamtrim/untrusted"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes r for people: a summary line, then each change.
func WriteTable(w io.Writer, r *Result) error {
	t := r.Totals
	fmt.Fprintf(w, "snapshot %d (as of %s) -> snapshot %d (as of %s): %d new principal(s), %d removed, %d grant(s) added, %d removed, %d action(s) newly used, %d newly unused, %d risk change(s)\n",
		r.From.ID, r.From.AsOf, r.To.ID, r.To.AsOf, t.NewPrincipals, t.RemovedPrincipals, t.GrantsAdded, t.GrantsRemoved, t.NewlyUsed, t.NewlyUnused, t.RiskChanges)
	for _, a := range r.NewPrincipals {
		fmt.Fprintf(w, "+ principal %s\n", clean(a))
	}
	for _, a := range r.RemovedPrincipals {
		fmt.Fprintf(w, "- principal %s\n", clean(a))
	}
	for _, c := range r.Principals {
		fmt.Fprintf(w, "%s\n", clean(c.ARN))
		if c.RiskFrom != c.RiskTo {
			fmt.Fprintf(w, "  risk %s %.1f -> %s %.1f\n", c.RiskFrom.Level, c.RiskFrom.Score, c.RiskTo.Level, c.RiskTo.Score)
		}
		list(w, "+ granted", c.GrantsAdded)
		list(w, "- granted", c.GrantsRemoved)
		list(w, "newly used", c.NewlyUsed)
		list(w, "newly unused", c.NewlyUnused)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}

func list(w io.Writer, label string, acts []string) {
	if len(acts) == 0 {
		return
	}
	c := make([]string, len(acts))
	for i, a := range acts {
		c[i] = clean(a)
	}
	fmt.Fprintf(w, "  %s (%d): %s\n", label, len(acts), strings.Join(c, ", "))
}

func clean(s string) string { return untrusted.Terminal(s) }
