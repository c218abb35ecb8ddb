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
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/policy"
)

// Formats Write accepts.
var Formats = []string{"json", "policy", "terraform", "cloudformation", "cli", "diff"}

// ErrSplitPolicy: format "policy" is one document, and the recommendation
// is several (write each to its own file, or use format "json").
var ErrSplitPolicy = errors.New("the recommendation is split into several policies; format policy writes one document")

// Write renders rec: "json" (the recommendation with its policies, proof
// and notes), "policy" (the IAM policy document alone, ready for
// aws iam put-role-policy or create-policy; ErrSplitPolicy when the
// recommendation is split), "terraform" (the principal's inline policy, or
// aws_iam_policy with its attachment, through hclwrite so terraform fmt
// accepts it), "cloudformation" (an AWS::IAM::RolePolicy template
// fragment), "cli" (the aws iam commands that apply it) or "diff" (what
// changes against the current policies, for people). Each of the three
// infrastructure-as-code formats starts with the proof and every warning.
func Write(w io.Writer, rec *Recommendation, in Input, format string) error {
	return WriteWith(w, rec, in, format, RenderOptions{})
}

// WriteWith is Write with the options of the infrastructure-as-code
// formats.
func WriteWith(w io.Writer, rec *Recommendation, in Input, format string, ro RenderOptions) error {
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
		return writeTerraform(w, rec, ro)
	case "cloudformation":
		return writeCloudFormation(w, rec)
	case "cli":
		return writeCLI(w, rec)
	case "diff":
		return writeDiff(w, rec, in)
	}
	return fmt.Errorf("format %v", option.OneOf(format, Formats...))
}

func suffix(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("-%d", i+1)
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
