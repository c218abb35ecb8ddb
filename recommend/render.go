package recommend

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/untrusted"
)

// Formats Write accepts.
var Formats = []string{"json", "policy", "terraform", "diff"}

// ErrSplitPolicy: format "policy" is one document, and the recommendation
// is several (write each to its own file, or use format "json").
var ErrSplitPolicy = errors.New("the recommendation is split into several policies; format policy writes one document")

// Write renders rec: "json" (the recommendation with its policies, proof
// and notes), "policy" (the IAM policy document alone, ready for
// aws iam put-role-policy or create-policy; ErrSplitPolicy when the
// recommendation is split), "terraform" (aws_iam_policy
// resources with jsonencode) or "diff" (what changes against the current
// policies, for people).
func Write(w io.Writer, rec *Recommendation, in Input, format string) error {
	switch format {
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rec); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes())
		return err
	case "policy":
		// One document: a split is written one file per policy by the
		// caller, never as a JSON array a tool would misread.
		if len(rec.Policies) != 1 {
			return fmt.Errorf("%w: %d policies", ErrSplitPolicy, len(rec.Policies))
		}
		b, err := rec.Policies[0].MarshalIndent()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "terraform":
		return writeTerraform(w, rec)
	case "diff":
		return writeDiff(w, rec, in)
	}
	return fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}

var tfIdent = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

func writeTerraform(w io.Writer, rec *Recommendation) error {
	name := strings.Trim(tfIdent.ReplaceAllString(strings.ToLower(rec.Name), "_"), "_")
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "p_" + name
	}
	fmt.Fprintf(w, "# Least-privilege policy for %s, written by iamtrim.\n", hclComment(rec.PrincipalARN))
	fmt.Fprintf(w, "# Proof: observed calls allowed = %v, nothing broader than the current policies = %v; removes %d of %d granted actions.\n",
		rec.Proof.ObservedAllowed, rec.Proof.NoBroader, rec.Proof.Removed, rec.Proof.Removed+rec.Proof.Kept)
	for i, d := range rec.Policies {
		res := name + "_least_privilege"
		if len(rec.Policies) > 1 {
			res = fmt.Sprintf("%s_%d", res, i+1)
		}
		b, err := d.MarshalIndent()
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if i < len(rec.Attach) && rec.Attach[i] == AttachInline {
			// Larger than a managed policy may be: the principal's inline
			// policy (aws_iam_role_policy, _user_policy or _group_policy).
			fmt.Fprintf(w, "\nresource \"aws_iam_%s_policy\" %q {\n", rec.Type, res)
			fmt.Fprintf(w, "  name   = %s\n", hclString(rec.Name+"-least-privilege"+suffix(i, len(rec.Policies))))
			fmt.Fprintf(w, "  %-6s = %s\n", rec.Type, hclString(rec.Name))
		} else {
			fmt.Fprintf(w, "\nresource \"aws_iam_policy\" %q {\n", res)
			fmt.Fprintf(w, "  name        = %s\n", hclString(rec.Name+"-least-privilege"+suffix(i, len(rec.Policies))))
			fmt.Fprintf(w, "  description = %s\n", hclString("Least privilege for "+rec.PrincipalARN+" from observed CloudTrail use (iamtrim)"))
		}
		fmt.Fprintf(w, "  policy = jsonencode(")
		writeHCL(w, v, "  ")
		fmt.Fprintf(w, ")\n}\n")
	}
	return nil
}

func suffix(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("-%d", i+1)
}

// hclComment makes s one inert line: newlines and escape sequences are
// shown escaped, as on every other output.
func hclComment(s string) string { return untrusted.Terminal(s) }

// hclString quotes s for HCL, escaping template sequences too, and writes
// the runes a terminal would act on (DEL, C1 controls, bidirectional
// overrides) as \uNNNN escapes, which HCL decodes to the same string.
func hclString(s string) string {
	b, _ := json.Marshal(s)
	var q strings.Builder
	for _, r := range string(b) {
		if untrusted.Unsafe(r) {
			fmt.Fprintf(&q, `\u%04x`, r)
			continue
		}
		q.WriteRune(r)
	}
	out := strings.ReplaceAll(q.String(), "${", "$${")
	return strings.ReplaceAll(out, "%{", "%%{")
}

func writeHCL(w io.Writer, v any, indent string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return keyRank(keys[i]) < keyRank(keys[j]) || keyRank(keys[i]) == keyRank(keys[j]) && keys[i] < keys[j]
		})
		fmt.Fprintln(w, "{")
		for _, k := range keys {
			fmt.Fprintf(w, "%s  %s = ", indent, hclString(k))
			writeHCL(w, x[k], indent+"  ")
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s}", indent)
	case []any:
		fmt.Fprintln(w, "[")
		for _, e := range x {
			fmt.Fprintf(w, "%s  ", indent)
			writeHCL(w, e, indent+"  ")
			fmt.Fprintln(w, ",")
		}
		fmt.Fprintf(w, "%s]", indent)
	case string:
		fmt.Fprint(w, hclString(x))
	default:
		b, _ := json.Marshal(x)
		w.Write(b)
	}
}

var rank = map[string]int{"Version": 0, "Id": 1, "Statement": 2, "Sid": 3, "Effect": 4, "Action": 5, "NotAction": 5, "Resource": 6, "NotResource": 6, "Condition": 7}

func keyRank(k string) int {
	if r, ok := rank[k]; ok {
		return r
	}
	return 8
}

// writeDiff shows, per service, what the recommendation keeps (and on
// which resources), what it removes, and what it keeps unobserved.
func writeDiff(w io.Writer, rec *Recommendation, in Input) error {
	fmt.Fprintf(w, "--- current: %s (%d granted actions)\n", analyze.Clean(rec.PrincipalARN), rec.Proof.Kept+rec.Proof.Removed)
	fmt.Fprintf(w, "+++ recommended: %d kept, %d removed\n", rec.Proof.Kept, rec.Proof.Removed)
	type line struct{ mark, text string }
	bySvc := map[string][]line{}
	kept := map[string]bool{}
	for di, d := range rec.Policies {
		for si, st := range d.Statements {
			note := noteFor(rec, di, st.Sid)
			for _, a := range st.Action {
				kept[strings.ToLower(a)] = true
				mark := "="
				if note == "unobservable" {
					mark = "?"
				} else if st.Effect == policy.EffectDeny {
					mark = "!"
				}
				was := "*"
				if g := in.Effective.Grants[a]; g != nil {
					was = strings.Join(grantScope(g), ", ")
				}
				now := strings.Join(st.Resource, ", ")
				text := a
				if was != now && st.Effect == policy.EffectAllow {
					text += "   " + was + "  ->  " + now
				} else if now != "*" && now != "" {
					text += "   on " + now
				}
				if len(st.Conditions) > 0 {
					text += "   (with the current conditions)"
				}
				_ = si
				bySvc[service(a)] = append(bySvc[service(a)], line{mark, text})
			}
		}
	}
	for lvl, acts := range rec.Proof.RemovedByAccessLevel {
		for _, a := range acts {
			bySvc[service(a)] = append(bySvc[service(a)], line{"-", a + "   (" + lvl + ")"})
		}
	}
	svcs := make([]string, 0, len(bySvc))
	for s := range bySvc {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	for _, s := range svcs {
		ls := bySvc[s]
		sort.Slice(ls, func(i, j int) bool { return ls[i].text < ls[j].text })
		fmt.Fprintf(w, "@@ %s @@\n", analyze.Clean(s))
		for _, l := range ls {
			fmt.Fprintf(w, "%s %s\n", l.mark, analyze.Clean(l.text))
		}
	}
	fmt.Fprintln(w, "legend: = kept (used)  ? kept (unobservable)  ! carried Deny  - removed")
	return nil
}

func noteFor(rec *Recommendation, doc int, sid string) string {
	for _, n := range rec.Statements {
		if n.Policy == doc && n.Sid == sid {
			return n.Kind
		}
	}
	return ""
}

// Summary is the proof in a few lines for people.
func Summary(rec *Recommendation) string {
	var b strings.Builder
	p := rec.Proof
	status := "PROVEN"
	if !p.Proven {
		status = "NOT PROVEN"
	}
	fmt.Fprintf(&b, "%s: %s\n", analyze.Clean(rec.PrincipalARN), status)
	fmt.Fprintf(&b, "  (1) observed calls allowed: %v (%d action/resource pairs, %d calls)\n", p.ObservedAllowed, p.ObservedChecked, p.ObservedCalls)
	for _, f := range p.ObservedFailures {
		fmt.Fprintf(&b, "      not allowed: %s\n", analyze.Clean(f))
	}
	fmt.Fprintf(&b, "  (2) nothing broader than the current policies: %v (%d action/resource grants checked)\n", p.NoBroader, p.GrantsChecked)
	for _, f := range p.BroaderFailures {
		fmt.Fprintf(&b, "      broader: %s\n", analyze.Clean(f))
	}
	var lv []string
	for l, as := range p.RemovedByAccessLevel {
		lv = append(lv, fmt.Sprintf("%s %d", l, len(as)))
	}
	sort.Strings(lv)
	fmt.Fprintf(&b, "  (3) removes %d of %d granted actions: %s\n", p.Removed, p.Removed+p.Kept, strings.Join(lv, ", "))
	for _, f := range p.EvidenceFailures {
		fmt.Fprintf(&b, "  not proven: %s\n", f)
	}
	for _, w := range p.Wildcards {
		also := "the current policies do not grant them"
		if w.CurrentGrantMatches {
			also = "the current policies grant them too"
		}
		fmt.Fprintf(&b, "  wildcard %s (policy %d, %s) matches actions AWS may add later; %s\n", analyze.Clean(w.Pattern), w.Policy+1, analyze.Clean(w.Sid), also)
	}
	if len(p.Unmapped) > 0 {
		fmt.Fprintf(&b, "  (4) successful calls that map to no IAM action kept (their services' current grant): %v: %s\n", p.UnmappedKept, analyze.Clean(strings.Join(p.Unmapped, ", ")))
		for _, f := range p.UnmappedFailures {
			fmt.Fprintf(&b, "      not kept: %s\n", analyze.Clean(f))
		}
	}
	for _, n := range rec.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	if len(rec.Excluded) > 0 {
		fmt.Fprintf(&b, "  %d observed calls are not granted by the identity policies and are left out (see \"excluded\")\n", len(rec.Excluded))
	}
	return b.String()
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._+=@-]+`)

// maxFileBase bounds the NAME part of the files WriteFile writes: file
// systems take 255 bytes per name, and the longest suffix
// (.recommendation.json) and the temporary name outfile writes first
// (.NAME.tmp-RANDOM) must fit beside it.
const maxFileBase = 160

// FileBase is a principal name as the NAME of its files: characters a file
// name should not hold become _, and a name longer than maxFileBase is cut
// and ends in 16 hex digits of the SHA-256 of the whole name, so that long
// names stay distinct and a name maps to the same file on every run.
func FileBase(name string) string {
	s := unsafeName.ReplaceAllString(name, "_")
	if len(s) <= maxFileBase {
		return s
	}
	sum := sha256.Sum256([]byte(name))
	return s[:maxFileBase-17] + "-" + hex.EncodeToString(sum[:8])
}
