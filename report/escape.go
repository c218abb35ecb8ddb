package report

import (
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamtrim/iamtrim/untrusted"
)

// Every string from AWS or from logs is untrusted: a role name, an ARN, an
// action or a region may carry markup, terminal escape sequences or
// spreadsheet formulas. Each format escapes what it prints here; HTML is
// escaped by html/template.

// termSafe makes s inert on a terminal (package untrusted).
func termSafe(s string) string { return untrusted.Terminal(s) }

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

// csvSafe makes a cell inert on a terminal (CSV goes to stdout as often as
// to a file), as termSafe does, and neutralises a cell a spreadsheet would
// run as a formula: one starting with =, +, -, @ (or their full-width
// forms, or any of them after leading spaces) gets a leading single quote.
// encoding/csv quotes what needs quoting.
func csvSafe(s string) string {
	s = termSafe(s)
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch r, _ := utf8.DecodeRuneInString(t); r {
	case '=', '+', '-', '@', '＝', '＋', '－', '＠':
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
