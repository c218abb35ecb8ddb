// Package untrusted makes text that came from AWS or from CloudTrail logs
// (role names, ARNs, event names, request parameters) safe to print: a
// compromised or hostile account controls those strings and may plant
// terminal escape sequences in them. Every stage that writes such text to a
// terminal passes it through Terminal; the report has its own escaping for
// HTML, Markdown and CSV on top.
package untrusted

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terminal makes s inert on a terminal: C0 and C1 control characters
// (ESC, so no ANSI sequence survives, CSI, BEL, newlines ...), DEL,
// Unicode format characters (bidirectional overrides, zero-width
// characters), line and paragraph separators and invalid UTF-8 are shown
// as Go-style escapes; a backslash is doubled so the escapes stay
// unambiguous. Text that needs none of this is returned as is.
func Terminal(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || r == '\\' || r < 0x20 || r == 0x7f || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// Unsafe reports whether a terminal would act on r, or r hides or
// reorders text: C0 and C1 controls, DEL, Unicode format characters and
// line and paragraph separators. Formats with their own escape syntax
// (HCL, JSON) use it to write such runes as escapes.
func Unsafe(r rune) bool { return r < 0x20 || r == 0x7f || unsafeRune(r) }

// unsafeRune reports non-ASCII runes a terminal would act on or that hide
// or reorder text.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// TerminalWriter escapes, as Terminal does, everything written to it
// except line breaks, for output assembled from untrusted text line by
// line. Each Write must hold whole UTF-8 sequences (fmt.Fprintf's do).
type TerminalWriter struct{ W io.Writer }

func (t TerminalWriter) Write(p []byte) (int, error) {
	lines := strings.Split(string(p), "\n")
	for i, l := range lines {
		lines[i] = Terminal(l)
	}
	if _, err := io.WriteString(t.W, strings.Join(lines, "\n")); err != nil {
		return 0, err
	}
	return len(p), nil
}
