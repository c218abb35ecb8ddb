package authz

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/iamtrim/iamtrim/policy"
)

// WriteListing writes effective permissions for people (the debug listing
// of `iamtrim authz list`): per principal a header, its notes, then one
// line per granted action with its resources and provenance, and indented
// lines for conditions and caveats. Grants are in action order.
//
//	role arn:aws:iam::111122223333:role/app (account 111122223333): 3 actions (catalog sha256:5222c05c2b53)
//	  s3:GetObject  on arn:aws:s3:::data/*  from inline:p#1(Read)
//	    if StringEquals aws:RequestedRegion=[eu-west-1]
//	    conditional deny: inline:p#2(MFA)
func WriteListing(w io.Writer, effs []*Effective) error {
	bw := bufio.NewWriter(w)
	for i, e := range effs {
		if i > 0 {
			bw.WriteByte('\n')
		}
		writeEffective(bw, e)
	}
	return bw.Flush()
}

func writeEffective(w *bufio.Writer, e *Effective) {
	if e.Expanded {
		fmt.Fprintf(w, "%s %s (account %s): %d actions (catalog %s)", e.Type, e.Principal, e.AccountID, len(e.Grants), shortDigest(e.CatalogVersion))
	} else {
		fmt.Fprintf(w, "%s %s (account %s): %d patterns (no catalog)", e.Type, e.Principal, e.AccountID, len(e.Grants))
	}
	if e.AllActions {
		w.WriteString(", ALL ACTIONS")
	}
	w.WriteByte('\n')
	for _, note := range e.Notes {
		fmt.Fprintf(w, "  note: %s\n", note)
	}
	if len(e.Unknown) > 0 {
		fmt.Fprintf(w, "  not in the catalog: %s\n", strings.Join(e.Unknown, ", "))
	}
	if len(e.Denied) > 0 || e.OutsideBoundary > 0 || e.OutsideSCP > 0 {
		fmt.Fprintf(w, "  removed: %d by explicit deny, %d outside the boundary, %d outside the SCPs\n", len(e.Denied), e.OutsideBoundary, e.OutsideSCP)
	}
	if len(e.BlockedBySCP) > 0 {
		blocked := make([]string, 0, len(e.BlockedBySCP))
		for a := range e.BlockedBySCP {
			blocked = append(blocked, a)
		}
		slices.Sort(blocked)
		for _, a := range blocked {
			fmt.Fprintf(w, "  blocked by SCP: %s  %s\n", a, e.BlockedBySCP[a])
		}
	}
	for _, a := range e.Actions() {
		g := e.Grants[a]
		w.WriteString("  ")
		w.WriteString(a)
		if len(g.Resources) > 0 {
			fmt.Fprintf(w, "  on %s", strings.Join(g.Resources, " "))
		}
		if len(g.NotResources) > 0 {
			fmt.Fprintf(w, "  on all but %s", strings.Join(g.NotResources, " "))
		}
		fmt.Fprintf(w, "  from %s\n", refList(g.Provenance))
		if len(g.Conditions) > 0 {
			var cs []string
			for _, c := range g.Conditions {
				cs = append(cs, fmt.Sprintf("%s %s=[%s]", c.Operator, c.Key, strings.Join(c.Values, ",")))
			}
			when := "if"
			if !g.Conditional {
				when = "some grants if"
			}
			fmt.Fprintf(w, "    %s %s\n", when, strings.Join(cs, " and "))
		}
		if len(g.ConditionalDeny) > 0 {
			fmt.Fprintf(w, "    conditional deny: %s\n", refList(g.ConditionalDeny))
		}
		if len(g.PartialDeny) > 0 {
			fmt.Fprintf(w, "    partial deny: %s\n", refList(g.PartialDeny))
		}
		if len(g.Limits) > 0 {
			fmt.Fprintf(w, "    limited by: %s\n", refList(g.Limits))
		}
	}
}

// ShortRef names a statement compactly: "managed:ARN#2(Sid)", with the
// statement's 1-based position.
func ShortRef(r policy.StatementRef) string {
	s := fmt.Sprintf("%s:%s#%d", r.PolicyKind, r.Policy, r.Index+1)
	if r.Sid != "" {
		s += "(" + r.Sid + ")"
	}
	return s
}

func refList(refs []policy.StatementRef) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = ShortRef(r)
	}
	return strings.Join(parts, ", ")
}

func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}
