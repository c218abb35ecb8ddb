package lifecycle

import "strings"

// matcher matches an ARN against a rule's format as its regular
// expression does (^L0 V1 L1 ... Vn Ln$, each variable ([^:]*) for the
// partition, region and account, (.+?) for the others but a last one at
// the end, (.+)), with the same leftmost-first preference and so the same
// submatches, without the regexp package's machinery: Generalize runs for
// every resource an ingest stores, and the regular expressions were a
// tenth of ingest's CPU on churning logs. Past a step budget (adversarial
// input) it gives up and the regular expression decides.
type matcher struct {
	lits  []string // L0 ... Ln, ASCII
	kinds []byte   // per variable: 'c' ([^:]*), 'l' (.+?), 'g' (.+)
}

// newMatcher returns nil when the format is not of that shape (a
// non-ASCII literal, two variables side by side), for the regular
// expression to handle.
func newMatcher(lits []string, kinds []byte) *matcher {
	for i, l := range lits {
		for k := 0; k < len(l); k++ {
			if l[k] >= 0x80 {
				return nil
			}
		}
		if l == "" && i > 0 && i < len(lits)-1 {
			return nil
		}
	}
	return &matcher{lits: lits, kinds: kinds}
}

// match returns the submatch offsets FindStringSubmatchIndex would
// (m[2+2k], m[3+2k] the span of variable k), or nil for no match; ok is
// false when it gave up. The offsets are appended to buf[:0] (no
// allocation when it has room).
func (mt *matcher) match(s string, buf []int) (m []int, ok bool) {
	if !strings.HasPrefix(s, mt.lits[0]) {
		return nil, true
	}
	m = append(buf[:0], make([]int, 2+2*len(mt.kinds))...)
	m[0], m[1] = 0, len(s)
	budget := 8 * (len(s) + 16)
	found, ok := mt.from(s, len(mt.lits[0]), 0, m, &budget)
	if !found || !ok {
		return nil, ok
	}
	return m, true
}

// from matches variable k and what follows it from s[pos:].
func (mt *matcher) from(s string, pos, k int, m []int, budget *int) (found, ok bool) {
	if k == len(mt.kinds) {
		return pos == len(s), true
	}
	next := mt.lits[k+1]
	try := func(end int) (bool, bool) {
		if *budget--; *budget < 0 {
			return false, false
		}
		if !strings.HasPrefix(s[end:], next) {
			return false, true
		}
		m[2+2*k], m[3+2*k] = pos, end
		return mt.from(s, end+len(next), k+1, m, budget)
	}
	switch mt.kinds[k] {
	case 'c': // [^:]*, greedy: longest first
		stop := pos
		for stop < len(s) && s[stop] != ':' {
			stop++
		}
		for end := stop; end >= pos; end-- {
			if f, ok := try(end); f || !ok {
				return f, ok
			}
		}
	case 'l': // .+?, lazy: shortest first; '.' does not match a newline
		for end := pos + 1; end <= len(s) && s[end-1] != '\n'; end++ {
			if f, ok := try(end); f || !ok {
				return f, ok
			}
		}
	case 'g': // .+ at the end
		if pos < len(s) && strings.IndexByte(s[pos:], '\n') < 0 {
			return try(len(s))
		}
	}
	return false, true
}
