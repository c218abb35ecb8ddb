package authz

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/untrusted"
)

// Errors of ResolvePrincipal, for callers that branch on them (a usage
// error on the command line).
var (
	ErrNoPrincipal        = errors.New("no such principal in the authorization inventory")
	ErrAmbiguousPrincipal = errors.New("principal name names several principals")
)

// NameError is a principal name that names no principal (with the closest
// names, if any) or several.
type NameError struct {
	Name string
	// Err is ErrNoPrincipal or ErrAmbiguousPrincipal.
	Err error
	// Principals are the closest principals (ErrNoPrincipal) or those the
	// name matches (ErrAmbiguousPrincipal).
	Principals []Principal
}

func (e *NameError) Unwrap() error { return e.Err }

func (e *NameError) Error() string {
	if e.Err == ErrAmbiguousPrincipal {
		arns := make([]string, len(e.Principals))
		for i, p := range e.Principals {
			arns[i] = untrusted.Terminal(p.ARN)
		}
		return fmt.Sprintf("principal name %q is ambiguous: it names %s; give the ARN", e.Name, joinOr(arns, "and"))
	}
	if len(e.Principals) == 0 {
		return fmt.Sprintf("no principal named %q in the authorization inventory ('iamtrim authz list' lists them)", e.Name)
	}
	s := make([]string, len(e.Principals))
	for i, p := range e.Principals {
		s[i] = fmt.Sprintf("%s (%s)", untrusted.Terminal(p.Name), untrusted.Terminal(p.ARN))
	}
	return fmt.Sprintf("no principal named %q in the authorization inventory; did you mean %s?", e.Name, joinOr(s, "or"))
}

func joinOr(s []string, word string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " " + word + " " + s[len(s)-1]
}

// maxSuggestions bounds the names a NameError suggests.
const maxSuggestions = 5

// ResolvePrincipal finds the one principal name stands for, as analyze
// --principal, recommend and authz list take it: its ARN; an ARN without
// its path (events name a role that way); or its name, unique across the
// accounts loaded (IAM names are unique per account without regard to
// case, so case is ignored when nothing matches exactly). Otherwise it
// returns a *NameError that suggests the closest names, or lists the
// principals an ambiguous name matches.
func ResolvePrincipal(ps []Principal, name string) (Principal, error) {
	name = strings.TrimSpace(name)
	for _, p := range ps {
		if p.ARN == name {
			return p, nil
		}
	}
	base := name
	var matches []Principal
	if strings.HasPrefix(name, "arn:") {
		want, ok := parsePrincipalARN(name)
		if !ok {
			return Principal{}, &NameError{Name: name, Err: ErrNoPrincipal}
		}
		base = want.name
		for _, p := range ps {
			have, ok := parsePrincipalARN(p.ARN)
			if ok && have.partition == want.partition && have.account == want.account && have.typ == want.typ &&
				strings.EqualFold(have.name, want.name) && (want.path == "/" || want.path == have.path) {
				matches = append(matches, p)
			}
		}
	} else {
		for _, p := range ps {
			if p.Name == name {
				matches = append(matches, p)
			}
		}
		if len(matches) == 0 {
			for _, p := range ps {
				if strings.EqualFold(p.Name, name) {
					matches = append(matches, p)
				}
			}
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return Principal{}, &NameError{Name: name, Err: ErrNoPrincipal, Principals: closest(ps, base)}
	}
	return Principal{}, &NameError{Name: name, Err: ErrAmbiguousPrincipal, Principals: matches}
}

type principalARN struct{ partition, account, typ, path, name string }

// parsePrincipalARN splits arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (or
// user/...); path is "/" when there is none.
func parsePrincipalARN(arn string) (principalARN, bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" {
		return principalARN{}, false
	}
	typ, rest, ok := strings.Cut(f[5], "/")
	if !ok || (typ != TypeRole && typ != TypeUser) || rest == "" {
		return principalARN{}, false
	}
	path, name := "/", rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	return principalARN{partition: f[1], account: f[4], typ: typ, path: path, name: name}, true
}

// closest are the principals whose names are nearest to name: within a
// few edits (about one in four characters, at least two) or containing it,
// nearest first.
func closest(ps []Principal, name string) []Principal {
	type cand struct {
		p Principal
		d int
	}
	lname := strings.ToLower(name)
	limit := max(2, len(lname)/4)
	var cs []cand
	for _, p := range ps {
		lp := strings.ToLower(p.Name)
		d := editDistance(lname, lp)
		if d > limit && !(len(lname) >= 3 && strings.Contains(lp, lname)) {
			continue
		}
		cs = append(cs, cand{p, d})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].p.ARN < cs[j].p.ARN
	})
	out := make([]Principal, 0, min(len(cs), maxSuggestions))
	for i := 0; i < len(cs) && i < maxSuggestions; i++ {
		out = append(out, cs[i].p)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (principal names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
