package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MarshalJSON writes the document in canonical compact form: keys in the
// order Version, Id, Statement, and within each statement Sid, Effect,
// Action|NotAction, Resource|NotResource, Condition; condition operators
// and keys sorted; a one-element list written as a plain string; no HTML
// escaping. The same document always gives the same bytes. It fails when
// the document does not pass Validate. Note that json.Marshal, calling
// this method, re-escapes '<', '>' and '&' as \u003c etc. (still the same
// document, but longer); write d.MarshalJSON() or d.MarshalIndent()
// yourself, or use a json.Encoder with SetEscapeHTML(false), to keep them.
func (d *Document) MarshalJSON() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d.appendJSON(nil, ""), nil
}

// MarshalIndent is MarshalJSON laid out for people, two spaces per level,
// with a final newline: the form recommended policies are written in.
func (d *Document) MarshalIndent() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return append(d.appendJSON(nil, "  "), '\n'), nil
}

// CharCount returns the size of the document as IAM counts it against its
// quotas (6,144 characters for a managed policy, 2,048 / 10,240 for the
// inline policies of a user / role, 5,120 for an SCP): the characters of
// its canonical JSON, not counting white space. Characters are Unicode
// code points.
func CharCount(doc *Document) int {
	if doc == nil {
		return 0
	}
	// The compact JSON is the document's frame with its statements in it,
	// separated by commas: count them one at a time in one buffer rather
	// than building the whole text (a policy of thousands of statements
	// is counted many times while it is split).
	frame := *doc
	frame.Statements = nil
	n := countNonSpace(frame.appendJSON(nil, ""))
	if len(doc.Statements) == 0 {
		return n
	}
	n += len(doc.Statements) - 1
	w := &jw{}
	for i := range doc.Statements {
		n += w.statementChars(&doc.Statements[i])
	}
	return n
}

// StatementCharCount is what one statement adds to CharCount of a
// document that holds it (plus one for the comma between statements):
// CharCount(doc) is CharCount of the document without statements, plus
// the statements' counts, plus one less than their number. It lets a
// caller packing statements into documents count each statement once.
func StatementCharCount(st *Statement) int {
	return (&jw{}).statementChars(st)
}

func (w *jw) statementChars(st *Statement) int {
	w.b = w.b[:0]
	w.statement(st)
	return countNonSpace(w.b)
}

// countNonSpace counts the runes of b that are not white space.
func countNonSpace(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf {
			if !asciiSpace[c] {
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if !unicode.IsSpace(r) {
			n++
		}
		i += size
	}
	return n
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// jw writes canonical JSON with optional indentation.
type jw struct {
	b      []byte
	indent string
	depth  int
}

func (d *Document) appendJSON(b []byte, indent string) []byte {
	w := &jw{b: b, indent: indent}
	w.open('{')
	first := true
	if d.Version != "" {
		w.key("Version", &first)
		w.str(d.Version)
	}
	if d.ID != "" {
		w.key("Id", &first)
		w.str(d.ID)
	}
	w.key("Statement", &first)
	w.open('[')
	for i := range d.Statements {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.nl()
		w.statement(&d.Statements[i])
	}
	w.close(']', len(d.Statements) > 0)
	w.close('}', true)
	return w.b
}

func (w *jw) statement(st *Statement) {
	w.open('{')
	first := true
	if st.Sid != "" {
		w.key("Sid", &first)
		w.str(st.Sid)
	}
	w.key("Effect", &first)
	w.str(st.Effect)
	if st.HasNotAction {
		w.key("NotAction", &first)
		w.list(st.NotAction)
	} else {
		w.key("Action", &first)
		w.list(st.Action)
	}
	if st.HasNotResource {
		w.key("NotResource", &first)
		w.list(st.NotResource)
	} else {
		w.key("Resource", &first)
		w.list(st.Resource)
	}
	if len(st.Conditions) > 0 {
		conds := append([]Condition(nil), st.Conditions...)
		sortConditions(conds)
		w.key("Condition", &first)
		w.open('{')
		opFirst := true
		for i := 0; i < len(conds); {
			op := conds[i].OperatorName()
			w.key(op, &opFirst)
			w.open('{')
			keyFirst := true
			for ; i < len(conds) && conds[i].OperatorName() == op; i++ {
				w.key(conds[i].Key, &keyFirst)
				w.list(conds[i].Values)
			}
			w.close('}', true)
		}
		w.close('}', true)
	}
	w.close('}', true)
}

func (w *jw) nl() {
	if w.indent == "" {
		return
	}
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, w.indent...)
	}
}

func (w *jw) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
}

func (w *jw) close(c byte, hadItems bool) {
	w.depth--
	if hadItems {
		w.nl()
	}
	w.b = append(w.b, c)
}

func (w *jw) key(k string, first *bool) {
	if !*first {
		w.b = append(w.b, ',')
	}
	*first = false
	w.nl()
	w.str(k)
	w.b = append(w.b, ':')
	if w.indent != "" {
		w.b = append(w.b, ' ')
	}
}

// list writes one value as a string and several as an array.
func (w *jw) list(vs []string) {
	if len(vs) == 1 {
		w.str(vs[0])
		return
	}
	w.open('[')
	for i, v := range vs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.nl()
		w.str(v)
	}
	w.close(']', len(vs) > 0)
}

const hexDigits = "0123456789abcdef"

// str writes a JSON string, escaping only what JSON requires.
func (w *jw) str(s string) {
	w.b = append(w.b, '"')
	if plainJSON(s) {
		w.b = append(append(w.b, s...), '"')
		return
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				w.b = append(w.b, '\\', c)
			case c == '\n':
				w.b = append(w.b, '\\', 'n')
			case c == '\r':
				w.b = append(w.b, '\\', 'r')
			case c == '\t':
				w.b = append(w.b, '\\', 't')
			case c < 0x20:
				w.b = append(w.b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				w.b = append(w.b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			w.b = append(w.b, `\ufffd`...)
		} else {
			w.b = append(w.b, s[i:i+n]...)
		}
		i += n
	}
	w.b = append(w.b, '"')
}

// plainJSON reports whether s is printable ASCII without '"' or '\\':
// written as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// String returns the canonical compact JSON of the document, valid or not
// (for logs and test messages).
func (d *Document) String() string {
	return strings.TrimSpace(string(d.appendJSON(nil, "")))
}
