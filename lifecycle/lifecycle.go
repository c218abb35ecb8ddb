package lifecycle

import (
	"fmt"
	"regexp"
	"strings"
)

// Cut says how a volatile segment is cut back to what stays stable.
type Cut int

const (
	// Whole: the value is minted whole (an instance id, a task id, an
	// execution id) and becomes "*".
	Whole Cut = iota + 1
	// Number: the value is minted when it is a number (a version, a
	// revision) and becomes "*"; a name in the same place (an alias) stays.
	Number
	// Name: a name the workload chooses with minted parts
	// (orders-model-2026-01-02-10-00-00): the tokens before the first
	// minted-looking one are kept, never the last token, then "*".
	Name
	// Path: a "/"-separated path (an S3 key, a request path): the segments
	// before the first minted-looking one are kept, then "/*". A path with
	// no minted-looking segment is kept whole.
	Path
	// Qualifier: PARENT:ID (a CodeBuild build id): "PARENT:*".
	Qualifier
)

func (c Cut) String() string {
	switch c {
	case Whole:
		return "whole"
	case Number:
		return "number"
	case Name:
		return "name"
	case Path:
		return "path"
	case Qualifier:
		return "qualifier"
	}
	return fmt.Sprintf("Cut(%d)", int(c))
}

// Segment is one volatile variable of an ARN format.
type Segment struct {
	Variable string // as in the format, without ${}
	Cut      Cut
}

// Rule is one row of the table: a catalog resource type, its ARN format,
// and the variables a workload mints.
type Rule struct {
	Service  string // catalog service prefix
	Type     string // catalog resource type name
	Format   string // the catalog's ARN format
	Why      string // what mints the volatile segments
	Volatile []Segment

	name string // Name(), made once: Generalize returns it
	re   *regexp.Regexp
	fast *matcher // re without the regexp package, when the format allows
	vars []string // every variable of Format, in order
	cuts []Cut    // cut per variable, 0 when stable
}

// Name is "service/type", how a rule is referred to.
func (r Rule) Name() string { return r.Service + "/" + r.Type }

// Kept is the format with each volatile variable replaced by what stays.
func (r Rule) Kept() string {
	out := r.Format
	for _, s := range r.Volatile {
		v := "${" + s.Variable + "}"
		var repl string
		switch s.Cut {
		case Whole:
			repl = "*"
		case Number:
			repl = "* (when numeric)"
		case Name:
			repl = "${" + s.Variable + " up to its first minted token}*"
		case Path:
			repl = "${" + s.Variable + " up to its first minted segment}/*"
		case Qualifier:
			repl = "${" + s.Variable + " up to ':'}:*"
		}
		out = strings.Replace(out, v, repl, 1)
	}
	return out
}

var varRE = regexp.MustCompile(`\$\{([A-Za-z0-9 ]+)\}`)

// rule builds a table row; vol is pairs of variable name and Cut.
func rule(service, typ, format, why string, vol ...any) Rule {
	r := Rule{Service: service, Type: typ, Format: format, Why: why}
	r.name = r.Name()
	for i := 0; i+1 < len(vol); i += 2 {
		r.Volatile = append(r.Volatile, Segment{Variable: vol[i].(string), Cut: vol[i+1].(Cut)})
	}
	var b strings.Builder
	b.WriteString("^")
	locs := varRE.FindAllStringSubmatchIndex(format, -1)
	last := 0
	var lits []string
	var kinds []byte
	for i, loc := range locs {
		b.WriteString(regexp.QuoteMeta(format[last:loc[0]]))
		lits = append(lits, format[last:loc[0]])
		name := format[loc[2]:loc[3]]
		switch {
		case name == "Partition" || name == "Region" || name == "Account" || name == "AccountId":
			b.WriteString("([^:]*)")
			kinds = append(kinds, 'c')
		case i == len(locs)-1 && loc[1] == len(format):
			b.WriteString("(.+)")
			kinds = append(kinds, 'g')
		default:
			b.WriteString("(.+?)")
			kinds = append(kinds, 'l')
		}
		r.vars = append(r.vars, name)
		var cut Cut
		for _, s := range r.Volatile {
			if s.Variable == name {
				cut = s.Cut
			}
		}
		r.cuts = append(r.cuts, cut)
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(format[last:]))
	b.WriteString("$")
	r.re = regexp.MustCompile(b.String())
	r.fast = newMatcher(append(lits, format[last:]), kinds)
	for _, s := range r.Volatile {
		if !strings.Contains(format, "${"+s.Variable+"}") {
			panic("lifecycle: " + service + "/" + typ + ": no ${" + s.Variable + "} in " + format)
		}
	}
	return r
}

// byService indexes the table by the service field of the rules' formats
// (which is not always the rule's catalog service: ssm's instance is an
// ec2 ARN), so an ARN is matched only against its own service's rules.
var byService = func() map[string][]int {
	m := map[string][]int{}
	for i, r := range table {
		svc := strings.SplitN(r.Format, ":", 4)[2]
		m[svc] = append(m[svc], i)
	}
	return m
}()

// Rules returns the table, in the order it is applied.
func Rules() []Rule { return append([]Rule(nil), table...) }

// Generalize replaces the segments of arn that a workload mints as it runs
// by what stays stable, following the first rule of the table whose
// format matches and whose cut changes something. It returns the pattern,
// the rule's name ("service/type") and whether anything changed; an ARN no
// rule changes is returned as is, with rule "". Generalize is idempotent:
// a pattern it returned is returned unchanged.
func Generalize(arn string) (pattern, rule string, changed bool) {
	if !strings.HasPrefix(arn, "arn:") {
		return arn, "", false
	}
	svc := arn[4:]
	if i := strings.IndexByte(svc, ':'); i >= 0 {
		svc = svc[i+1:]
	}
	if i := strings.IndexByte(svc, ':'); i >= 0 {
		svc = svc[:i]
	}
	// The submatches and the pattern are built in buffers on the stack:
	// ingest generalises every resource it stores, and only a changed
	// ARN needs a string of its own.
	var mbuf [16]int
	var obuf [256]byte
	for _, i := range byService[svc] {
		r := &table[i]
		m, ok := []int(nil), false
		if r.fast != nil {
			m, ok = r.fast.match(arn, mbuf[:0])
		}
		if !ok {
			m = r.re.FindStringSubmatchIndex(arn)
		}
		if m == nil {
			continue
		}
		out := obuf[:0]
		last := 0
		for vi, cut := range r.cuts {
			start, end := m[2+2*vi], m[3+2*vi]
			out = append(out, arn[last:start]...)
			v := arn[start:end]
			if cut != 0 {
				v = cutValue(cut, v)
			}
			out = append(out, v...)
			last = end
		}
		out = append(out, arn[last:]...)
		if string(out) != arn {
			return string(out), r.name, true
		}
	}
	return arn, "", false
}

// Volatile reports whether pattern still names a segment the table says a
// workload mints (Generalize would change it), and the rule that says so.
func Volatile(pattern string) (rule string, ok bool) {
	_, rule, ok = Generalize(pattern)
	return rule, ok
}

func cutValue(c Cut, v string) string {
	switch c {
	case Whole:
		return "*"
	case Number:
		if isDigits(v) {
			return "*"
		}
		return v
	case Qualifier:
		if i := strings.IndexByte(v, ':'); i >= 0 {
			return v[:i+1] + "*"
		}
		return "*"
	case Name:
		return cutName(v)
	case Path:
		return cutPath(v)
	}
	return v
}

// cutName keeps the tokens of a name before its first minted-looking one
// (never the last token), then "*"; the part before a wildcard already in
// the name is cut the same way.
func cutName(v string) string {
	if i := strings.IndexAny(v, "*?"); i >= 0 {
		w := v[:i]
		return w[:stableLen(w, true)] + "*"
	}
	k := stableLen(v, false)
	if k == len(v) {
		// Nothing looks minted: the last token is what varies.
		k = lastTokenStart(v)
	}
	return v[:k] + "*"
}

// cutPath keeps the segments of a path before the first minted-looking one,
// then "/*". A path with no minted-looking segment is kept whole.
func cutPath(v string) string {
	for start := 0; ; {
		s := v[start:]
		next := strings.IndexByte(s, '/')
		if next >= 0 {
			s = s[:next]
		}
		if j := strings.IndexAny(s, "*?"); j >= 0 {
			if stableLen(s[:j], true) == j {
				return v // generalised already, from a stable prefix
			}
		} else if !mintedSegment(s) {
			if next < 0 {
				return v
			}
			start += next + 1
			continue
		}
		// The segments before this one, then "/*" ("*" for the first).
		return v[:start] + "*"
	}
}

func mintedSegment(s string) bool {
	return stableLen(s, false) < len(s)
}

// stableLen is the length of the longest prefix of s before its first
// minted-looking token. With partial, the last token (cut short by a
// wildcard or a common prefix) counts as minted when it holds a digit.
func stableLen(s string, partial bool) int {
	i := 0
	for i < len(s) {
		if !alnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && alnum(s[j]) {
			j++
		}
		tok := s[i:j]
		if Minted(tok) || partial && j == len(s) && strings.ContainsAny(tok, "0123456789") {
			return i
		}
		i = j
	}
	return len(s)
}

func lastTokenStart(s string) int {
	j := len(s)
	for j > 0 && !alnum(s[j-1]) {
		j--
	}
	for j > 0 && alnum(s[j-1]) {
		j--
	}
	return j
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Minted reports whether an alphanumeric token looks minted rather than
// chosen: a number, a run of three or more digits (dates, timestamps,
// numbered parts), a hexadecimal id of eight or more characters with a
// digit (UUID parts, hashes, instance ids), or a long random mix of
// letters and digits.
func Minted(tok string) bool {
	if tok == "" {
		return false
	}
	digits, run, maxRun, hex := 0, 0, 0, true
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= '0' && c <= '9' {
			digits++
			run++
			maxRun = max(maxRun, run)
			continue
		}
		run = 0
		if !(c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			hex = false
		}
	}
	switch {
	case digits == len(tok), maxRun >= 3:
		return true
	case hex && digits > 0 && len(tok) >= 8:
		return true
	case len(tok) >= 16 && digits > 0 && digits < len(tok):
		return true
	}
	return false
}

// ObjectPrefix maps arn:aws:s3:::bucket/a/b/c to arn:aws:s3:::bucket/a/*
// (depth 1): S3 object ARNs keep depth leading key segments, then "/*". A
// key with no more segments than that, and any other ARN, is returned
// unchanged. recommend scopes object ARNs with it (--object-prefix-depth),
// and ingest stores them cut with it, so that unique keys do not make one
// rollup row each.
func ObjectPrefix(arn string, depth int) string {
	service, region, account, res, ok := arnParts(arn)
	if !ok || service != "s3" || region != "" || account != "" {
		return arn
	}
	slash := strings.IndexByte(arn[res:], '/')
	if slash < 0 || res+slash+1 == len(arn) {
		return arn // a bucket, or an empty key
	}
	// end: past the "/" that ends the key's depth-th segment.
	end := res + slash + 1
	for range depth {
		j := strings.IndexByte(arn[end:], '/')
		if j < 0 {
			return arn // depth segments or fewer
		}
		end += j + 1
	}
	if depth <= 0 {
		return arn[:end] + "/*" // no segment kept: bucket//*
	}
	return arn[:end] + "*"
}

// arnParts splits an ARN at the first four colons after "arn:" (partition,
// service, region, account, then the resource part, which starts at
// arn[res:]); ok is false when it has fewer.
func arnParts(arn string) (service, region, account string, res int, ok bool) {
	if !strings.HasPrefix(arn, "arn:") {
		return "", "", "", 0, false
	}
	var colon [4]int
	at := len("arn:")
	for k := range colon {
		j := strings.IndexByte(arn[at:], ':')
		if j < 0 {
			return "", "", "", 0, false
		}
		colon[k] = at + j
		at = colon[k] + 1
	}
	return arn[colon[0]+1 : colon[1]], arn[colon[1]+1 : colon[2]], arn[colon[2]+1 : colon[3]], colon[3] + 1, true
}

// KindPrefix is the part of an ARN that names its resource type:
// everything through the first "/" or ":" of the resource part
// (arn:aws:dynamodb:us-east-1:1:table/), or "" when there is none. For S3
// buckets and objects it is the bucket (arn:aws:s3:::b/). recommend's
// --collapse-at counts resources per kind, and ingest folds them per kind
// (objects per parent path) the same way.
func KindPrefix(arn string) string {
	service, _, account, res, ok := arnParts(arn)
	if !ok {
		return ""
	}
	i := strings.IndexAny(arn[res:], "/:")
	if service == "s3" && account == "" {
		// S3 buckets and objects: the bucket is the kind for objects.
		j := strings.IndexByte(arn[res:], '/')
		if j < 0 {
			return arn[:res]
		}
		i = j
	}
	if i < 0 {
		return ""
	}
	return arn[:res+i+1]
}

// CommonPrefix is the longest common prefix of arns, cut back so that its
// resource part (after the fifth ":") never ends in a minted-looking or
// partial numeric token: "…:log-stream:2025/12/3" becomes "…:log-stream:"
// and "table/orders-202" becomes "table/orders-". The ARN header (partition,
// service, region, account) is never cut.
func CommonPrefix(arns []string) string {
	if len(arns) == 0 {
		return ""
	}
	p := arns[0]
	for _, s := range arns[1:] {
		n := 0
		for n < len(p) && n < len(s) && p[n] == s[n] {
			n++
		}
		p = p[:n]
	}
	start := 0
	for colons := 0; start < len(p) && colons < 5; start++ {
		if p[start] == ':' {
			colons++
		}
	}
	if start >= len(p) {
		return p
	}
	return p[:start+stableLen(p[start:], true)]
}

// CollapsePattern is the one pattern that resources of one kind collapse
// to: the longest common prefix of patterns, each taken without a
// trailing "*" (CommonPrefix, so never ending in a minted-looking token),
// never shorter than floor, followed by "*". floor is what they were
// counted per: their kind (KindPrefix) for recommend's --collapse-at, a
// parent path or the kind for ingest's fold, which must collapse exactly
// as recommend does.
func CollapsePattern(floor string, patterns []string) string {
	trimmed := make([]string, len(patterns))
	for i, p := range patterns {
		trimmed[i] = strings.TrimSuffix(p, "*")
	}
	p := CommonPrefix(trimmed)
	if len(p) < len(floor) {
		p = floor
	}
	return p + "*"
}

// Variables lists the variables of the rule's format, in order, without
// ${}; Partition, Region and Account ones included.
func (r Rule) Variables() []string { return append([]string(nil), r.vars...) }

// Instantiate is the format with each variable replaced by its value in
// values ("" when absent).
func (r Rule) Instantiate(values map[string]string) string {
	return varRE.ReplaceAllStringFunc(r.Format, func(v string) string {
		return values[v[2:len(v)-1]]
	})
}

// Markdown renders the table for the README: resource type, ARN format,
// the volatile segments with what mints them, and what is kept.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| Resource type | Volatile segment | Minted by | Kept (scoped to) |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, r := range table {
		var segs []string
		for _, s := range r.Volatile {
			segs = append(segs, fmt.Sprintf("`%s` (%s)", s.Variable, s.Cut))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | `%s` |\n", r.Name(), strings.Join(segs, ", "), r.Why, strings.ReplaceAll(r.Kept(), "|", `\|`))
	}
	return b.String()
}
