package cloudtrail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON primitives the package is built on. They work on
// a byte slice and an offset, never allocate, and validate what they walk
// exactly as encoding/json does (the oracle and fuzz tests hold them to it),
// so Normalize rejects every input encoding/json rejects. A hand-written
// walker is used instead of a reflection decoder because a CloudTrail record
// is mostly fields we skip, requestParameters change types between services
// (a decoder into structs fails on a type it did not expect, a walker just
// skips it), and it is several times faster than even goccy/go-json
// (see BenchmarkDecode*).

// maxDepth bounds nesting; deeper input is rejected. encoding/json allows
// 10000; no CloudTrail record comes near 4096.
const maxDepth = 64 * 64

var (
	errEOF       = errors.New("unexpected end of JSON input")
	errDepth     = errors.New("JSON nested too deeply")
	errNotString = errors.New("not a string")
	errNotObject = errors.New("not a JSON object")
	errTrailing  = errors.New("invalid data after top-level value")
)

// syntaxError is a JSON syntax error at an offset of the slice scanned.
type syntaxError struct {
	c    byte
	what string
	off  int64
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid character %q %s at offset %d", e.c, e.what, e.off)
}

func syntaxErr(b []byte, i int, what string) error {
	if i >= len(b) {
		return errEOF
	}
	return &syntaxError{c: b[i], what: what, off: int64(i)}
}

// isWS reports JSON white space. Every white space byte is at most ' ',
// so the usual byte, above it, is told with one comparison.
func isWS(c byte) bool { return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r') }

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasBackslashOrControl reports whether any of the 8 bytes in x is a backslash or
// a control character (< 0x20). It has no false negatives; a positive is
// resolved by the byte loop.
func hasBackslashOrControl(x uint64) bool {
	s := x ^ (lsb * '\\')
	return ((s-lsb)&^s|(x-lsb*0x20)&^x)&msb != 0
}

// specialMask has the high bit set in each byte of x that is '"', a
// backslash or a control character (< 0x20). Bits above the lowest may be
// false positives (borrows), so only the lowest is used.
func specialMask(x uint64) uint64 {
	q := x ^ (lsb * '"')
	s := x ^ (lsb * '\\')
	return ((q-lsb)&^q | (s-lsb)&^s | (x-lsb*0x20)&^x) & msb
}

// scanString validates the string starting at b[i] == '"' and returns the
// offset just past its closing quote and whether it holds escapes.
//
// Most CloudTrail strings are short and plain. The first 16 bytes are
// checked eight at a time for the closing quote, a backslash or a control
// character; a longer string's closing quote is then found with
// bytes.IndexByte (vectorised) and the run before it checked eight bytes at
// a time. Strings with escapes or control characters take the
// byte-by-byte path.
func scanString(b []byte, i int) (end int, escaped bool, err error) {
	j := i + 1
	if j+16 <= len(b) {
		// The first two words unrolled: most strings end in them.
		if m := specialMask(binary.LittleEndian.Uint64(b[j:])); m != 0 {
			j += bits.TrailingZeros64(m) >> 3
			if b[j] == '"' {
				return j + 1, false, nil
			}
			return scanStringSlow(b, i)
		}
		if m := specialMask(binary.LittleEndian.Uint64(b[j+8:])); m != 0 {
			j += 8 + bits.TrailingZeros64(m)>>3
			if b[j] == '"' {
				return j + 1, false, nil
			}
			return scanStringSlow(b, i)
		}
		j += 16
	}
	q := bytes.IndexByte(b[j:], '"')
	if q < 0 {
		return scanStringSlow(b, i)
	}
	stop := j + q
	for j+8 <= stop && !hasBackslashOrControl(binary.LittleEndian.Uint64(b[j:])) {
		j += 8
	}
	if j < stop && stop-j < 8 && stop-8 > i {
		// Fewer than 8 bytes left: check the word that ends at stop, which
		// overlaps bytes found clean already and starts after the opening
		// quote.
		if hasBackslashOrControl(binary.LittleEndian.Uint64(b[stop-8:])) {
			return scanStringSlow(b, i)
		}
		return stop + 1, false, nil
	}
	for ; j < stop; j++ {
		if c := b[j]; c == '\\' || c < 0x20 {
			return scanStringSlow(b, i)
		}
	}
	return stop + 1, false, nil
}

func scanStringSlow(b []byte, i int) (end int, escaped bool, err error) {
	i++
	for {
		if i >= len(b) {
			return i, escaped, errEOF
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return i, escaped, errEOF
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return len(b), escaped, errEOF
				}
				for k := i + 2; k < i+6; k++ {
					if !isHex(b[k]) {
						return k, escaped, syntaxErr(b, k, "in \\u hexadecimal character escape")
					}
				}
				i += 6
			default:
				return i + 1, escaped, syntaxErr(b, i+1, "in string escape code")
			}
		case c < 0x20:
			return i, escaped, syntaxErr(b, i, "in string literal")
		default:
			i++
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber validates the number starting at b[i].
func scanNumber(b []byte, i int) (int, error) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, errEOF
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return i, syntaxErr(b, i, "in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) {
			return i, errEOF
		}
		if !isDigit(b[i]) {
			return i, syntaxErr(b, i, "after decimal point in numeric literal")
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return i, errEOF
		}
		if !isDigit(b[i]) {
			return i, syntaxErr(b, i, "in exponent of numeric literal")
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	return i, nil
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return i + k, errEOF
		}
		if b[i+k] != lit[k] {
			return i + k, syntaxErr(b, i+k, "in literal "+lit)
		}
	}
	return i + len(lit), nil
}

// scanScalar validates a string, number or literal at b[i].
func scanScalar(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errEOF
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := scanString(b, i)
		return end, err
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	case c == '-' || isDigit(c):
		return scanNumber(b, i)
	default:
		return i, syntaxErr(b, i, "looking for beginning of value")
	}
}

// skipValue validates the JSON value starting at b[i] (leading whitespace
// allowed) and returns the offset just past it. It is iterative, with the
// open containers kept in a bit stack, so it neither recurses nor allocates.
func skipValue(b []byte, i int) (int, error) {
	var stack [maxDepth / 64]uint64 // bit set: object; clear: array
	depth := 0
	var err error
	for {
		// A value starts here.
		i = skipWS(b, i)
		if i >= len(b) {
			return i, errEOF
		}
		switch b[i] {
		case '{', '[':
			if depth >= maxDepth {
				return i, errDepth
			}
			obj := b[i] == '{'
			if obj {
				stack[depth/64] |= 1 << (depth % 64)
			} else {
				stack[depth/64] &^= 1 << (depth % 64)
			}
			depth++
			i = skipWS(b, i+1)
			if i >= len(b) {
				return i, errEOF
			}
			if obj && b[i] == '}' || !obj && b[i] == ']' {
				i++
				depth--
				break // the container was a complete value
			}
			if obj {
				if i, err = scanKey(b, i); err != nil {
					return i, err
				}
			}
			continue // parse the first member's value
		default:
			if i, err = scanScalar(b, i); err != nil {
				return i, err
			}
		}
		// A value ended: close containers until one wants another member.
		for {
			if depth == 0 {
				return i, nil
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, errEOF
			}
			obj := stack[(depth-1)/64]&(1<<((depth-1)%64)) != 0
			c := b[i]
			if c == ',' {
				i++
				if obj {
					if i, err = scanKey(b, skipWS(b, i)); err != nil {
						return i, err
					}
				}
				break
			}
			if obj && c == '}' || !obj && c == ']' {
				i++
				depth--
				continue
			}
			if obj {
				return i, syntaxErr(b, i, "after object key:value pair")
			}
			return i, syntaxErr(b, i, "after array element")
		}
	}
}

// scanKey validates `"key" :` at b[i] and returns the offset after the colon.
func scanKey(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errEOF
	}
	if b[i] != '"' {
		return i, syntaxErr(b, i, "looking for beginning of object key string")
	}
	i, _, err := scanString(b, i)
	if err != nil {
		return i, err
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return i, errEOF
	}
	if b[i] != ':' {
		return i, syntaxErr(b, i, "after object key")
	}
	return i + 1, nil
}

// objIter walks the members of one object. Usage:
//
//	it, err := newObjIter(b, i)
//	for it.next() { key := it.key; ...; it.i = end of value }
//	if it.err != nil { ... }; i = it.i
//
// After next returns true, it.i is the start of the member's value (after
// whitespace) and the caller must move it.i past the value.
type objIter struct {
	b     []byte
	i     int
	key   jstr
	err   error
	first bool
	done  bool
}

func newObjIter(b []byte, i int) (objIter, error) {
	i = skipWS(b, i)
	if i >= len(b) {
		return objIter{}, errEOF
	}
	if b[i] != '{' {
		return objIter{}, errNotObject
	}
	return objIter{b: b, i: i + 1, first: true}, nil
}

func (it *objIter) next() bool {
	if it.done || it.err != nil {
		return false
	}
	b := it.b
	i := skipWS(b, it.i)
	if i >= len(b) {
		it.err = errEOF
		return false
	}
	if it.first {
		it.first = false
		if b[i] == '}' {
			it.i, it.done = i+1, true
			return false
		}
	} else {
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			it.i, it.done = i+1, true
			return false
		default:
			it.err = syntaxErr(b, i, "after object key:value pair")
			return false
		}
	}
	if i >= len(b) {
		it.err = errEOF
		return false
	}
	if b[i] != '"' {
		it.err = syntaxErr(b, i, "looking for beginning of object key string")
		return false
	}
	end, esc, err := scanString(b, i)
	if err != nil {
		it.err = err
		return false
	}
	it.key = jstr{b: b[i+1 : end-1], esc: esc}
	i = skipWS(b, end)
	if i >= len(b) {
		it.err = errEOF
		return false
	}
	if b[i] != ':' {
		it.err = syntaxErr(b, i, "after object key")
		return false
	}
	it.i = skipWS(b, i+1)
	if it.i >= len(b) {
		it.err = errEOF
		return false
	}
	return true
}

// name returns the current key decoded, using buf when it has escapes.
// Keys longer than buf cannot name a field we read and come back raw.
func (it *objIter) name(buf *[64]byte) []byte {
	if !it.key.esc || len(it.key.b) > len(buf) {
		return it.key.b
	}
	return appendUnescaped(buf[:0], it.key.b)
}

// skip moves past the current member's value.
func (it *objIter) skip() {
	it.i, it.err = skipValue(it.b, it.i)
}

// str reads the current member's value as a string. A value of another type
// is skipped (validated) and ok is false.
func (it *objIter) str() (s jstr, ok bool) {
	b := it.b
	if b[it.i] != '"' {
		it.skip()
		return jstr{}, false
	}
	end, esc, err := scanString(b, it.i)
	if err != nil {
		it.i, it.err = end, err
		return jstr{}, false
	}
	s = jstr{b: b[it.i+1 : end-1], esc: esc}
	it.i = end
	return s, true
}

// boolean reads a JSON boolean, or the strings "true"/"false" that some
// CloudTrail fields use. Anything else is skipped and reported as !ok.
func (it *objIter) boolean() (v, ok bool) {
	b := it.b
	switch b[it.i] {
	case 't':
		it.i, it.err = scanLiteral(b, it.i, "true")
		return true, it.err == nil
	case 'f':
		it.i, it.err = scanLiteral(b, it.i, "false")
		return false, it.err == nil
	case '"':
		s, _ := it.str()
		switch {
		case s.is("true"):
			return true, true
		case s.is("false"):
			return false, true
		}
		return false, false
	}
	it.skip()
	return false, false
}

// span returns the raw bytes of the current member's value and moves past it.
func (it *objIter) span() []byte {
	start := it.i
	it.skip()
	if it.err != nil {
		return nil
	}
	return it.b[start:it.i]
}

// arrIter walks the elements of one array, like objIter.
type arrIter struct {
	b     []byte
	i     int
	err   error
	first bool
	done  bool
}

func newArrIter(b []byte, i int) (arrIter, bool) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '[' {
		return arrIter{}, false
	}
	return arrIter{b: b, i: i + 1, first: true}, true
}

func (it *arrIter) next() bool {
	if it.done || it.err != nil {
		return false
	}
	b := it.b
	i := skipWS(b, it.i)
	if i >= len(b) {
		it.err = errEOF
		return false
	}
	if it.first {
		it.first = false
		if b[i] == ']' {
			it.i, it.done = i+1, true
			return false
		}
	} else {
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			it.i, it.done = i+1, true
			return false
		default:
			it.err = syntaxErr(b, i, "after array element")
			return false
		}
	}
	if i >= len(b) {
		it.err = errEOF
		return false
	}
	it.i = i
	return true
}

func (it *arrIter) skip() { it.i, it.err = skipValue(it.b, it.i) }

// str reads the current element as a string; another type is skipped.
func (it *arrIter) str() (s jstr, ok bool) {
	if it.b[it.i] != '"' {
		it.skip()
		return jstr{}, false
	}
	end, esc, err := scanString(it.b, it.i)
	if err != nil {
		it.i, it.err = end, err
		return jstr{}, false
	}
	s = jstr{b: it.b[it.i+1 : end-1], esc: esc}
	it.i = end
	return s, true
}

// jstr is the undecoded content of a JSON string (without quotes).
type jstr struct {
	b   []byte
	esc bool // holds backslash escapes; decode before use
}

// is compares the decoded string with lit.
func (s jstr) is(lit string) bool {
	if !s.esc {
		return string(s.b) == lit
	}
	var buf [128]byte
	d := appendUnescaped(buf[:0], s.b)
	return string(d) == lit
}

func (s jstr) empty() bool { return len(s.b) == 0 }

// bytes returns the decoded content, using buf when decoding is needed.
// The result may alias the input; copy before keeping it.
func (s jstr) bytes(buf []byte) []byte {
	if !s.esc && utf8.Valid(s.b) {
		return s.b
	}
	return appendUnescaped(buf[:0], s.b)
}

// string decodes, bounds to max bytes (at a rune boundary) and copies.
func (s jstr) string(max int) string {
	if !s.esc && len(s.b) <= max && isASCII(s.b) {
		return string(s.b)
	}
	var buf [256]byte
	d := s.bytes(buf[:0])
	return string(truncate(d, max))
}

func isASCII(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&msb != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// truncate cuts b to at most max bytes without splitting a rune.
func truncate(b []byte, max int) []byte {
	if len(b) <= max {
		return b
	}
	b = b[:max]
	for k := 0; k < utf8.UTFMax && len(b) > 0; k++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size > 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

// appendUnescaped decodes the JSON string content src (validated by
// scanString) onto dst the way encoding/json does: invalid UTF-8 bytes and
// unpaired surrogates become U+FFFD.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			switch src[i+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := getu4(src[i:])
				if r < 0 {
					dst = utf8.AppendRune(dst, utf8.RuneError)
					i += 2
					continue
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := getu4(src[i:])
					if dec := utf16.DecodeRune(r, r2); r2 >= 0 && dec != utf8.RuneError {
						i += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, src[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, src[i:i+size]...)
			}
			i += size
		}
	}
	return dst
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// quoteIndex returns the offset of the first '"' at or after j, or -1:
// two words by SWAR (most strings are short), then bytes.IndexByte.
func quoteIndex(b []byte, j int) int {
	if j+16 <= len(b) {
		q := binary.LittleEndian.Uint64(b[j:]) ^ (lsb * '"')
		if m := (q - lsb) &^ q & msb; m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
		q = binary.LittleEndian.Uint64(b[j+8:]) ^ (lsb * '"')
		if m := (q - lsb) &^ q & msb; m != 0 {
			return j + 8 + bits.TrailingZeros64(m)>>3
		}
		j += 16
	}
	if k := bytes.IndexByte(b[j:], '"'); k >= 0 {
		return j + k
	}
	return -1
}

// valueEnd finds the end of the object or array starting at b[i] by
// counting brackets outside strings, without validating anything else. It
// is what ReadObject uses to cut a log object into records quickly: a record
// with a bad literal inside is still cut out whole and reported by
// Normalize, and the records after it are still read.
func valueEnd(b []byte, i int) (int, error) {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			j := i + 1
			for {
				k := quoteIndex(b, j)
				if k < 0 {
					return len(b), errEOF
				}
				j = k
				if b[j-1] != '\\' {
					break // b[i] is the opening quote, never a backslash
				}
				n := 0
				for p := j - 1; p > i && b[p] == '\\'; p-- {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			i = j + 1
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
			if depth < 0 {
				return i, syntaxErr(b, i, "unbalanced")
			}
		}
		i++
	}
	return i, errEOF
}
