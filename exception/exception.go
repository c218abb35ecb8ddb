package exception

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/spf13/pflag"
)

// MaxEntries bounds a register: it is written by people, and every entry
// is matched against every principal.
const MaxEntries = 10_000

// Entry is one accepted risk.
type Entry struct {
	// Line is the entry's line in File.
	File string
	Line int
	// Principal is an IAM role or user ARN; * matches any run of
	// characters and ? one character, case ignored. A pattern also matches
	// a principal whose ARN has a path when it names it without the path.
	Principal string
	// Actions, when given, limit the exception to findings whose actions
	// all match one of these patterns (service:Action, * and ?).
	Actions []string
	Reason  string
	Owner   string
	Ticket  string
	// Created is the day the exception was granted; Expires the last day
	// it holds (inclusive).
	Created, Expires time.Time
}

// Ref is the entry as analysis results and reports name it.
func (e *Entry) Ref() analyze.ExceptionRef {
	return analyze.ExceptionRef{File: e.File, Line: e.Line, Principal: e.Principal, Actions: e.Actions,
		Reason: e.Reason, Owner: e.Owner, Ticket: e.Ticket,
		Created: e.Created.Format(time.DateOnly), Expires: e.Expires.Format(time.DateOnly)}
}

// Active reports whether the exception holds on day (UTC).
func (e *Entry) Active(day time.Time) bool {
	return !dayOf(day).After(e.Expires)
}

// Set is a parsed register.
type Set struct {
	File    string
	Entries []Entry
}

// Problem is a bad entry, reported like a compiler would: file:line.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Strings are the problems as String writes them.
func Strings(probs []Problem) []string {
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = p.String()
	}
	return msgs
}

// UnmatchedErr says which entries (problems as String writes them) name
// no principal of the analysis; nil when none. The rest of the register
// was applied.
func UnmatchedErr(probs []string) error {
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%d exception(s) name no principal of the analysis: %s", len(probs), strings.Join(probs, "; "))
}

// Error lists every bad entry of a register; nothing of it is applied.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "bad exceptions: " + strings.Join(parts, "; ")
}

// fields are an entry's keys.
var fields = []string{"principal", "actions", "reason", "owner", "ticket", "created", "expires"}

// raw is an entry as written.
type raw struct {
	Principal string   `yaml:"principal"`
	Actions   []string `yaml:"actions"`
	Reason    string   `yaml:"reason"`
	Owner     string   `yaml:"owner"`
	Ticket    string   `yaml:"ticket"`
	Created   string   `yaml:"created"`
	Expires   string   `yaml:"expires"`
}

// ReadFile parses the register in a YAML file whose top-level key
// `exceptions:` holds the entries (the job configuration is such a file).
func ReadFile(path string) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read exceptions: %w", err)
	}
	return Parse(path, b)
}

// Flag is the --exceptions flag of analyze, report and run: the path of
// a register, "" for none.
type Flag struct {
	Path string
}

// flagName is the flag's name, as its errors name it.
const flagName = "exceptions"

// AddFlag registers --exceptions FILE on fs; usage says what the command
// does with the register. --help shows the value as FILE (pflag takes
// the first `quoted` word of the usage).
func (f *Flag) AddFlag(fs *pflag.FlagSet, usage string) {
	fs.StringVar(&f.Path, flagName, "", "exceptions register `FILE` (YAML, an exceptions: list): "+usage)
}

// Read reads the register the flag names: nil for no path; a file that
// cannot be read or has bad entries (each named by line) is an invalid
// option.
func (f *Flag) Read() (*Set, error) {
	if f.Path == "" {
		return nil, nil
	}
	set, err := ReadFile(f.Path)
	if err != nil {
		return nil, option.Errorf("--%s: %v", flagName, err)
	}
	return set, nil
}

// Parse reads the `exceptions:` list of a YAML document; name is the file
// the problems name. A document without the key is an empty register. The
// *Error lists every bad entry by line: a missing field, a date that is
// not YYYY-MM-DD, a malformed pattern, an expiry not after the creation
// day (an exception that never held), an unknown field.
func Parse(name string, b []byte) (*Set, error) {
	set := &Set{File: name}
	f, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var seq *ast.SequenceNode
	for _, doc := range f.Docs {
		m, ok := doc.Body.(*ast.MappingNode)
		if !ok {
			continue
		}
		for _, kv := range m.Values {
			if kv.Key.String() != "exceptions" {
				continue
			}
			switch v := kv.Value.(type) {
			case *ast.SequenceNode:
				seq = v
			case *ast.NullNode:
			default:
				return nil, &Error{Problems: []Problem{{name, kv.Value.GetToken().Position.Line, "exceptions: want a list of entries"}}}
			}
		}
	}
	if seq == nil {
		return set, nil
	}
	var probs []Problem
	if len(seq.Values) > MaxEntries {
		return nil, &Error{Problems: []Problem{{name, seq.GetToken().Position.Line, fmt.Sprintf("%d entries: at most %d", len(seq.Values), MaxEntries)}}}
	}
	for _, n := range seq.Values {
		line := n.GetToken().Position.Line
		if mv, ok := n.(*ast.MappingNode); ok && len(mv.Values) > 0 {
			// The entry's first key: the "- " line.
			line = mv.Values[0].Key.GetToken().Position.Line
		}
		mv, ok := n.(*ast.MappingNode)
		if !ok {
			probs = append(probs, Problem{name, line, "want an entry with principal, reason, owner, created, expires (actions and ticket optional)"})
			continue
		}
		for _, kv := range mv.Values {
			if k := kv.Key.String(); !slices.Contains(fields, k) {
				probs = append(probs, Problem{name, kv.Key.GetToken().Position.Line, fmt.Sprintf("unknown field %q: want %s", k, strings.Join(fields, ", "))})
			}
		}
		var r raw
		if err := yaml.NodeToValue(n, &r); err != nil {
			probs = append(probs, Problem{name, line, firstLine(err)})
			continue
		}
		e, msgs := build(r)
		for _, m := range msgs {
			probs = append(probs, Problem{name, line, m})
		}
		if len(msgs) == 0 {
			e.File, e.Line = name, line
			set.Entries = append(set.Entries, e)
		}
	}
	if len(probs) > 0 {
		slices.SortStableFunc(probs, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &Error{Problems: probs}
	}
	return set, nil
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	// goccy prefixes its own [line:col]; the problem names the entry's.
	if i := strings.Index(s, "] "); strings.HasPrefix(s, "[") && i > 0 {
		s = s[i+2:]
	}
	return s
}

var arnRe = regexp.MustCompile(`^arn:[a-z*?-]+:iam::([0-9*?]{1,12}|\*):(role|user|\*)[/*?]`)

func build(r raw) (Entry, []string) {
	var msgs []string
	e := Entry{Principal: strings.TrimSpace(r.Principal), Actions: r.Actions, Reason: strings.TrimSpace(r.Reason),
		Owner: strings.TrimSpace(r.Owner), Ticket: strings.TrimSpace(r.Ticket)}
	need := func(field, v string) {
		if v == "" {
			msgs = append(msgs, field+": missing")
		}
	}
	need("principal", e.Principal)
	need("reason", e.Reason)
	need("owner", e.Owner)
	need("created", r.Created)
	need("expires", r.Expires)
	if e.Principal != "" {
		if !arnRe.MatchString(e.Principal) || strings.ContainsAny(e.Principal, " \t[]{}") {
			msgs = append(msgs, fmt.Sprintf("principal %q: want an IAM role or user ARN pattern such as arn:aws:iam::111122223333:role/break-glass (* and ? match)", e.Principal))
		}
	}
	for _, a := range r.Actions {
		a = strings.TrimSpace(a)
		if a != "*" && (strings.Count(a, ":") != 1 || strings.HasPrefix(a, ":") || strings.HasSuffix(a, ":") || strings.ContainsAny(a, " \t/[]{}")) {
			msgs = append(msgs, fmt.Sprintf("actions: %q: want service:Action (* and ? match)", a))
		}
	}
	if r.Actions != nil && len(r.Actions) == 0 {
		msgs = append(msgs, "actions: empty: leave the key out to except every finding of the principal")
	}
	date := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := period.Date(strings.TrimSpace(v))
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("%s %v", field, err))
		}
		return t
	}
	e.Created, e.Expires = date("created", r.Created), date("expires", r.Expires)
	if !e.Created.IsZero() && !e.Expires.IsZero() && !e.Expires.After(e.Created) {
		msgs = append(msgs, fmt.Sprintf("expires %s is not after created %s: the exception never held", r.Expires, r.Created))
	}
	return e, msgs
}

// MatchesPrincipal reports whether the entry names the principal: its ARN,
// or its ARN without the path.
func (e *Entry) MatchesPrincipal(r *analyze.Result) bool {
	if e.matchesARN(r.PrincipalARN) {
		return true
	}
	i := strings.Index(r.PrincipalARN, ":"+r.Type+"/")
	return i > 0 && e.matchesARN(r.PrincipalARN[:i]+":"+r.Type+"/"+r.Name)
}

// matchesARN matches the principal pattern with IAM's wildcards, case
// ignored as IAM ignores it in role and user names.
func (e *Entry) matchesARN(arn string) bool {
	return policy.MatchAction(e.Principal, arn)
}

// covers reports whether the entry accepts a finding resting on acts.
func (e *Entry) covers(acts []string) bool {
	if len(e.Actions) == 0 {
		return true
	}
	if len(acts) == 0 {
		return false // a finding about the whole principal
	}
	for _, a := range acts {
		ok := false
		for _, p := range e.Actions {
			if policy.MatchAction(p, a) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
