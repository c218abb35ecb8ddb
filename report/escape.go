package report

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Every string from AWS or from logs is untrusted: a role name, an ARN, an
// action or a region may carry markup, terminal escape sequences or
// spreadsheet formulas. Each format escapes what it prints here; HTML is
// escaped by html/template.

// termSafe makes s inert on a terminal: C0 and C1 control characters
// (ESC, so no ANSI sequence survives, CSI, BEL, newlines ...), DEL,
// Unicode format characters (bidirectional overrides, zero-width
// characters), line and paragraph separators and invalid UTF-8 are shown
// as Go-style escapes; a backslash is doubled so the escapes stay
// unambiguous.
func termSafe(s string) string {
	if !needsTermEscape(s) {
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

func needsTermEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || r == '\\' || r < 0x20 || r == 0x7f || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports non-ASCII runes a terminal would act on or that hide
// or reorder text.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// mdSpecial are the characters escaped with a backslash in Markdown: the
// required set (| * _ ` [ ] < >) plus the escape character itself, & (an
// entity would otherwise decode), ~ (strikethrough) and $ (math).
const mdSpecial = "\\|*_`[]<>&~$"

// mdEscape makes s literal text in CommonMark/GFM, inside a table cell or
// at the start of a list item: control characters and newlines become
// visible escapes first (termSafe), then Markdown's special characters,
// and a leading character that would open a block, get a backslash.
func mdEscape(s string) string {
	s = termSafe(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	// At the start of a list item the text could open a block: a heading
	// (#), a nested list (- + or "1." "1)") or a setext underline (=).
	lead := 0
	for lead < len(s) && s[lead] >= '0' && s[lead] <= '9' {
		lead++
	}
	switch {
	case s != "" && strings.IndexByte("#+-=", s[0]) >= 0:
		b.WriteByte('\\')
	case lead > 0 && lead < len(s) && (s[lead] == '.' || s[lead] == ')') &&
		(lead+1 == len(s) || s[lead+1] == ' ' || s[lead+1] == '\t'):
		b.WriteString(s[:lead])
		b.WriteByte('\\')
		s = s[lead:]
	}
	for _, r := range s {
		if strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// csvSafe neutralises a cell a spreadsheet would run as a formula: one
// starting with =, +, -, @, a tab, CR or LF (or their full-width forms,
// or any of them after leading spaces) gets a leading single quote. The
// rest of the value is kept as it is: CSV is for machines, and
// encoding/csv quotes what needs quoting.
func csvSafe(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch r, _ := utf8.DecodeRuneInString(t); r {
	case '=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// withStrings returns a deep copy of d with f applied to every string in
// it. The HTML format uses it with termSafe: html/template makes strings
// inert as markup, and this also keeps control and bidirectional
// characters from hiding or reordering what the page shows.
func withStrings(d *Data, f func(string) string) *Data {
	out := mapStrings(reflect.ValueOf(d), f).Interface().(*Data)
	return out
}

func mapStrings(v reflect.Value, f func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		return reflect.ValueOf(f(v.String())).Convert(v.Type())
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(mapStrings(v.Elem(), f))
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(mapStrings(v.Index(i), f))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			n.SetMapIndex(mapStrings(iter.Key(), f), mapStrings(iter.Value(), f))
		}
		return n
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if !n.Field(i).CanSet() {
				panic("report: unexported field " + v.Type().Field(i).Name + " in " + v.Type().String())
			}
			n.Field(i).Set(mapStrings(v.Field(i), f))
		}
		return n
	}
	return v
}
