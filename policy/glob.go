package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the wildcard engine shared by actions, resources and
// the String/Arn condition operators: direct matching of a glob against a
// string, and the exact pattern-to-pattern relations Covers and Overlaps.
//
// Policy syntax: '*' matches any run of characters (including ':' and '/'),
// '?' matches exactly one character (a Unicode code point). In resources and
// condition values of 2012-10-17 documents, "${key}" is a policy variable and
// "${*}", "${?}", "${$}" are a literal '*', '?' and '$'.

type tokKind uint8

const (
	tokLit  tokKind = iota // one literal rune
	tokStar                // '*'
	tokAny                 // '?'
	tokVar                 // an unresolved policy variable
)

type token struct {
	kind tokKind
	r    rune     // tokLit
	v    *varSpec // tokVar
}

// varSpec is one "${key}" or "${key, 'default'}" reference.
type varSpec struct {
	key    string // as written
	def    string
	hasDef bool
}

// id names the variable for the opaque-symbol comparison in Covers: the
// same key (case-insensitively) with the same default.
func (v *varSpec) id() string {
	id := strings.ToLower(v.key)
	if v.hasDef {
		id += "\x00" + v.def
	}
	return id
}

// compile turns a pattern into tokens. With vars false (Action elements,
// 2008-10-17 documents) "${" has no meaning and is literal text.
func compile(pattern string, vars bool) []token {
	toks := make([]token, 0, len(pattern))
	for i := 0; i < len(pattern); {
		if vars && strings.HasPrefix(pattern[i:], "${") {
			if end := strings.IndexByte(pattern[i+2:], '}'); end >= 0 {
				body := pattern[i+2 : i+2+end]
				i += 2 + end + 1
				switch body {
				case "*", "?", "$":
					toks = append(toks, token{kind: tokLit, r: rune(body[0])})
				default:
					toks = append(toks, token{kind: tokVar, v: parseVar(body)})
				}
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(pattern[i:])
		i += n
		switch r {
		case '*':
			if len(toks) > 0 && toks[len(toks)-1].kind == tokStar {
				continue // "**" is "*"
			}
			toks = append(toks, token{kind: tokStar})
		case '?':
			toks = append(toks, token{kind: tokAny})
		default:
			toks = append(toks, token{kind: tokLit, r: r})
		}
	}
	return toks
}

// parseVar reads the inside of "${...}": a key and an optional default
// value in single quotes, as in "${aws:PrincipalTag/team, 'none'}".
func parseVar(body string) *varSpec {
	key, rest, found := strings.Cut(body, ",")
	v := &varSpec{key: strings.TrimSpace(key)}
	if found {
		rest = strings.TrimSpace(rest)
		if len(rest) >= 2 && rest[0] == '\'' && rest[len(rest)-1] == '\'' {
			v.def, v.hasDef = rest[1:len(rest)-1], true
		} else {
			// Not the documented form: keep the whole text as the key so
			// that it never resolves and never matches.
			v.key = strings.TrimSpace(body)
		}
	}
	return v
}

func hasVars(toks []token) bool {
	for _, t := range toks {
		if t.kind == tokVar {
			return true
		}
	}
	return false
}

// resolve substitutes every variable from ctx. It reports false when a
// variable has no single value and no default: AWS then treats the
// pattern as matching nothing.
func resolve(toks []token, ctx ctxView) ([]token, bool) {
	if !hasVars(toks) {
		return toks, true
	}
	out := make([]token, 0, len(toks)+16)
	for _, t := range toks {
		if t.kind != tokVar {
			out = append(out, t)
			continue
		}
		val, ok := ctx.single(t.v.key)
		if !ok {
			if !t.v.hasDef {
				return nil, false
			}
			val = t.v.def
		}
		for _, r := range val {
			out = append(out, token{kind: tokLit, r: r})
		}
	}
	return out, true
}

// decompile writes tokens back in policy syntax, escaping literal '*', '?'
// and "${" so the text means the same thing when compiled again.
func decompile(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		switch t.kind {
		case tokStar:
			b.WriteByte('*')
		case tokAny:
			b.WriteByte('?')
		case tokVar:
			b.WriteString("${" + t.v.key)
			if t.v.hasDef {
				b.WriteString(", '" + t.v.def + "'")
			}
			b.WriteByte('}')
		case tokLit:
			switch {
			case t.r == '*':
				b.WriteString("${*}")
			case t.r == '?':
				b.WriteString("${?}")
			case t.r == '$' && i+1 < len(toks) && toks[i+1].kind == tokLit && toks[i+1].r == '{':
				b.WriteString("${$}")
			default:
				b.WriteRune(t.r)
			}
		}
	}
	return b.String()
}

func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

func runeEq(a, b rune, ci bool) bool {
	return a == b || ci && fold(a) == fold(b)
}

// globMatch matches a plain pattern ('*' and '?' wildcards, everything else
// literal) against s. It backtracks only to the last star, which is enough
// for globs and keeps it linear in practice.
func globMatch(p, s string, ci bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starPx, starSx = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			default:
				if sx < len(s) {
					if c < utf8.RuneSelf && s[sx] < utf8.RuneSelf {
						if c == s[sx] || ci && fold(rune(c)) == fold(rune(s[sx])) {
							px++
							sx++
							continue
						}
					} else {
						pr, pn := utf8.DecodeRuneInString(p[px:])
						sr, sn := utf8.DecodeRuneInString(s[sx:])
						if runeEq(pr, sr, ci) {
							px += pn
							sx += sn
							continue
						}
					}
				}
			}
		}
		if starPx >= 0 && starSx < len(s) {
			_, n := utf8.DecodeRuneInString(s[starSx:])
			starSx += n
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

// tokMatch is globMatch over compiled tokens. Tokens must hold no
// variables (resolve them first); a tokVar never matches.
func tokMatch(p []token, s string, ci bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch t := p[px]; t.kind {
			case tokStar:
				starPx, starSx = px, sx
				px++
				continue
			case tokAny:
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			case tokLit:
				if sx < len(s) {
					r, n := utf8.DecodeRuneInString(s[sx:])
					if runeEq(t.r, r, ci) {
						px++
						sx += n
						continue
					}
				}
			}
		}
		if starPx >= 0 && starSx < len(s) {
			_, n := utf8.DecodeRuneInString(s[starSx:])
			starSx += n
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

// MatchAction reports whether an Action pattern matches an action name.
// Matching is case-insensitive ("S3:getobject" is "s3:GetObject"); '*'
// matches any run of characters and '?' exactly one. Actions have no policy
// variables, so "${" is literal text.
func MatchAction(pattern, action string) bool {
	if pattern == "*" {
		return true
	}
	return globMatch(pattern, action, true)
}

// MatchResource reports whether a Resource pattern matches an ARN.
// Matching is case-sensitive; '*' and '?' match any characters including
// ':' and '/'. The pattern must already have its policy variables
// substituted (see SubstituteVariables); the escapes ${*}, ${?} and ${$}
// stand for the literal characters. A pattern that still holds a variable
// matches nothing, as in AWS when the variable has no value.
//
// AWS documents wildcards as matching within one colon-separated segment,
// except that a '*' ending a segment may run past colons. For ARNs as AWS
// builds them (exactly five colons before the resource part, none inside
// partition, service, region or account) the two readings agree; they
// differ only on malformed ARNs, where this whole-string glob is the
// more permissive reading.
func MatchResource(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	if !strings.Contains(pattern, "${") {
		return globMatch(pattern, arn, false)
	}
	toks := compile(pattern, true)
	if hasVars(toks) {
		return false
	}
	return tokMatch(toks, arn, false)
}

// SubstituteVariables replaces the policy variables in a resource or
// condition pattern with values from ctx (keys case-insensitive, as in a
// Request's Context). ${key, 'default'} falls back to its default. The
// result is again in policy syntax: a '*', '?' or "${" that comes from a
// value is written as ${*}, ${?} or ${$}, so it stays literal, and the
// escapes already in the pattern are kept. It reports false when a
// variable has no value (missing, empty or multi-valued) and no default:
// such a pattern matches nothing.
func SubstituteVariables(pattern string, ctx map[string][]string) (string, bool) {
	if !strings.Contains(pattern, "${") {
		return pattern, true
	}
	toks, ok := resolve(compile(pattern, true), ctxView{m: ctx})
	if !ok {
		return "", false
	}
	return decompile(toks), true
}

// Covers reports whether every string matched by the glob specific is also
// matched by the glob general: exact language inclusion, not a heuristic.
// With caseInsensitive, literals compare after Unicode lower-casing (use it
// for actions; resources are case-sensitive).
//
// Policy variables are placeholders whose value is not known: each is
// treated as one opaque symbol that equals only the same variable, which
// '*' may absorb and '?' may not. Covers is then true only if general
// covers specific whatever values the variables take (including no value,
// which makes a pattern match nothing); it may say false for patterns that
// happen to agree for every value, never true wrongly. Without variables it
// is exact.
func Covers(general, specific string, caseInsensitive bool) bool {
	if general == "*" {
		return true
	}
	return covers(compile(general, true), compile(specific, true), caseInsensitive)
}

// Overlaps reports whether some string is matched by both globs: exact
// non-empty intersection. Policy variables are treated as '*', so with
// variables the answer is "they may overlap for some values" (true when
// unsure, never false wrongly); without variables it is exact.
func Overlaps(a, b string, caseInsensitive bool) bool {
	return overlaps(compile(a, true), compile(b, true), caseInsensitive)
}

// starVars returns toks with every variable replaced by '*'.
func starVars(toks []token) []token {
	if !hasVars(toks) {
		return toks
	}
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.kind == tokVar {
			t = token{kind: tokStar}
		}
		if t.kind == tokStar && len(out) > 0 && out[len(out)-1].kind == tokStar {
			continue
		}
		out = append(out, t)
	}
	return out
}

// overlaps decides whether two globs share a string, by searching the
// product of their automata: state (i, j) means a[:i] and b[:j] have
// matched the same prefix.
func overlaps(a, b []token, ci bool) bool {
	a, b = starVars(a), starVars(b)
	n, m := len(a), len(b)
	seen := make([]bool, (n+1)*(m+1))
	stack := []int{0}
	seen[0] = true
	push := func(i, j int) {
		k := i*(m+1) + j
		if !seen[k] {
			seen[k] = true
			stack = append(stack, k)
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := k/(m+1), k%(m+1)
		if i == n && j == m {
			return true
		}
		aStar := i < n && a[i].kind == tokStar
		bStar := j < m && b[j].kind == tokStar
		if aStar {
			push(i+1, j) // star matches empty
		}
		if bStar {
			push(i, j+1)
		}
		if i == n || j == m {
			continue
		}
		switch {
		case aStar && bStar:
			// Consuming a character in both stars leads back here.
		case aStar:
			push(i, j+1) // a's star absorbs b's one-character token
		case bStar:
			push(i+1, j)
		default:
			if a[i].kind == tokLit && b[j].kind == tokLit && !runeEq(a[i].r, b[j].r, ci) {
				continue
			}
			push(i+1, j+1)
		}
	}
	return false
}

// maxCoverStates bounds the subset construction in covers. Globs written
// by people stay far below it (a pattern needs many '?' after a '*' to
// grow); past it covers answers false, which is the safe answer.
const maxCoverStates = 200000

// covers decides L(spec) ⊆ L(gen) by searching for a string of spec that
// gen rejects. The search walks spec's tokens while tracking the set of
// gen automaton states (subset construction on the fly). Where spec has a
// wildcard, it tries one representative character per class gen can tell
// apart: each literal of gen, plus one character gen never mentions.
func covers(gen, spec []token, ci bool) bool {
	if len(gen) == 1 && gen[0].kind == tokStar {
		return true
	}
	// Symbols: runes ≥ 0 are characters; variables get negative ids.
	varIDs := map[string]rune{}
	sym := func(v *varSpec) rune {
		id := v.id()
		s, ok := varIDs[id]
		if !ok {
			s = rune(-1 - len(varIDs))
			varIDs[id] = s
		}
		return s
	}
	type gtok struct {
		kind tokKind
		r    rune // folded literal or variable symbol
	}
	g := make([]gtok, len(gen))
	lits := map[rune]bool{}
	for i, t := range gen {
		switch t.kind {
		case tokLit:
			r := t.r
			if ci {
				r = fold(r)
			}
			g[i] = gtok{tokLit, r}
			lits[r] = true
		case tokVar:
			g[i] = gtok{tokVar, sym(t.v)}
		default:
			g[i] = gtok{kind: t.kind}
		}
	}
	reps := make([]rune, 0, len(lits)+1)
	for r := range lits {
		reps = append(reps, r)
	}
	fresh := rune(0xE000) // private use area: never folds, rarely used
	for lits[fresh] {
		fresh++
	}
	reps = append(reps, fresh)

	s := make([]gtok, len(spec))
	for i, t := range spec {
		switch t.kind {
		case tokLit:
			r := t.r
			if ci {
				r = fold(r)
			}
			s[i] = gtok{tokLit, r}
		case tokVar:
			s[i] = gtok{tokVar, sym(t.v)}
		default:
			s[i] = gtok{kind: t.kind}
		}
	}

	n := len(g)
	words := (n + 1 + 63) / 64
	// closure adds the states reachable by letting stars match nothing.
	closure := func(set []uint64) {
		for i := 0; i < n; i++ {
			if set[i/64]&(1<<(i%64)) != 0 && g[i].kind == tokStar {
				set[(i+1)/64] |= 1 << ((i + 1) % 64)
			}
		}
	}
	step := func(set []uint64, c rune) []uint64 {
		out := make([]uint64, words)
		for i := 0; i < n; i++ {
			if set[i/64]&(1<<(i%64)) == 0 {
				continue
			}
			t := g[i]
			switch {
			case t.kind == tokStar:
				out[i/64] |= 1 << (i % 64)
			case t.kind == tokAny && c >= 0,
				(t.kind == tokLit || t.kind == tokVar) && t.r == c:
				out[(i+1)/64] |= 1 << ((i + 1) % 64)
			}
		}
		closure(out)
		return out
	}
	empty := func(set []uint64) bool {
		for _, w := range set {
			if w != 0 {
				return false
			}
		}
		return true
	}
	key := func(j int, set []uint64) string {
		b := make([]byte, 0, 4+8*len(set))
		b = append(b, byte(j), byte(j>>8), byte(j>>16), byte(j>>24))
		for _, w := range set {
			for k := 0; k < 8; k++ {
				b = append(b, byte(w>>(8*k)))
			}
		}
		return string(b)
	}

	type state struct {
		j   int
		set []uint64
	}
	start := make([]uint64, words)
	start[0] = 1
	closure(start)
	seen := map[string]bool{key(0, start): true}
	stack := []state{{0, start}}
	push := func(j int, set []uint64) {
		k := key(j, set)
		if !seen[k] {
			seen[k] = true
			stack = append(stack, state{j, set})
		}
	}
	for len(stack) > 0 {
		if len(seen) > maxCoverStates {
			return false
		}
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if empty(st.set) {
			return false // every spec suffix is non-empty, so a miss exists
		}
		if st.j == len(s) {
			if st.set[n/64]&(1<<(n%64)) == 0 {
				return false
			}
			continue
		}
		switch t := s[st.j]; t.kind {
		case tokLit, tokVar:
			push(st.j+1, step(st.set, t.r))
		case tokAny:
			for _, c := range reps {
				push(st.j+1, step(st.set, c))
			}
		case tokStar:
			push(st.j+1, st.set)
			for _, c := range reps {
				push(st.j, step(st.set, c))
			}
		}
	}
	return true
}

// maxOverlapCells bounds PatternsOverlap's table; beyond it the answer is
// the conservative true.
const maxOverlapCells = 1 << 22

// PatternsOverlap reports whether some ARN matches both Resource patterns
// (as MatchResource reads them: '*' any run of characters, '?' one). It
// is the test "could a call this pattern stands for have been allowed by
// that grant?": a grant can match a resource of a stored pattern through
// a wildcard elsewhere in the ARN (an account or region '*') without
// either pattern matching the other as text. A pattern with a policy
// variable or escape, or a pair too long to compare in bounded memory,
// counts as overlapping: callers keep the grant or demand its coverage,
// never the reverse.
func PatternsOverlap(a, b string) bool {
	if a == "*" || b == "*" {
		return true
	}
	if strings.Contains(a, "${") || strings.Contains(b, "${") {
		return true
	}
	n, m := len(a), len(b)
	if (n+1)*(m+1) > maxOverlapCells {
		return true
	}
	// ok[i][j]: a[i:] and b[j:] match a common string; filled from the
	// ends, one row of a at a time.
	next := make([]bool, m+1) // row i+1
	cur := make([]bool, m+1)  // row i
	for i := n; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			var v bool
			switch {
			case i == n && j == m:
				v = true
			case i < n && a[i] == '*':
				// The star matches nothing, or takes b's next element
				// (a character, a '?', or all of b's own star's run).
				v = next[j] || (j < m && cur[j+1])
			case j < m && b[j] == '*':
				v = cur[j+1] || (i < n && next[j])
			case i == n || j == m:
				v = false
			default:
				v = (a[i] == '?' || b[j] == '?' || a[i] == b[j]) && next[j+1]
			}
			cur[j] = v
		}
		next, cur = cur, next
	}
	return next[0]
}
