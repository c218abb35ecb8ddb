package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Policy language versions.
const (
	Version2012 = "2012-10-17" // current; policy variables are substituted
	Version2008 = "2008-10-17" // legacy, and the default when Version is absent; "${…}" is literal text
)

// Statement effects as written in a policy.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// Document is a parsed identity-based policy (an inline or managed policy,
// a permissions boundary or a service control policy).
type Document struct {
	Version    string // "2012-10-17", "2008-10-17" or "" (absent)
	ID         string // the optional Id element
	Statements []Statement
}

// Statement is one element of a policy's Statement list. Exactly one of
// Action/NotAction and one of Resource/NotResource is in use, as told by
// HasNotAction and HasNotResource; every list holds the element's values
// in document order, a single string becoming a one-element list.
type Statement struct {
	// Index is the statement's 0-based position in the document. Messages
	// meant for people print it 1-based ("statement 2").
	Index          int
	Sid            string
	Effect         string // EffectAllow or EffectDeny
	Action         []string
	NotAction      []string
	Resource       []string
	NotResource    []string
	HasNotAction   bool
	HasNotResource bool
	// Conditions are ANDed. Parse sorts them by operator, then key.
	Conditions []Condition
}

// Condition is one key of one operator in a Condition block:
// {"Operator": {"Key": Values}}.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Base     string // base operator in AWS's spelling, e.g. "StringLike"
	IfExists bool
	Set      string // "", SetForAllValues or SetForAnyValue
	Key      string // as written; keys compare case-insensitively
	Values   []string
}

// ErrInvalid is wrapped by every error Parse returns for a document that is
// not a valid identity-based policy (errors.Is(err, ErrInvalid)).
var ErrInvalid = errors.New("invalid policy document")

// Problem is one thing wrong with a document.
type Problem struct {
	Statement int    // 0-based statement index, or -1 for the document itself
	Sid       string // the statement's Sid, when it has one
	Msg       string
}

// ParseError lists everything wrong with one document, in document order.
type ParseError struct {
	Policy   string // the name given to ParseNamed, or ""
	Problems []Problem
}

func (e *ParseError) Error() string {
	prefix := "policy"
	if e.Policy != "" {
		prefix += " " + e.Policy
	}
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(prefix)
		b.WriteString(": ")
		if p.Statement >= 0 {
			fmt.Fprintf(&b, "statement %d", p.Statement+1)
			if p.Sid != "" {
				fmt.Fprintf(&b, " (Sid %q)", p.Sid)
			}
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrInvalid) hold.
func (e *ParseError) Unwrap() error { return ErrInvalid }

// Parse reads a policy document. It accepts the JSON object itself (what
// the AWS CLI prints), the URL-encoded JSON the IAM API returns, or a JSON
// string holding either (a document embedded as a string). Errors are
// *ParseError values listing every problem found.
func Parse(data []byte) (*Document, error) {
	return ParseNamed("", data)
}

// ParseNamed is Parse with the policy's name in every message:
// "policy NAME: statement 2: Effect must be Allow or Deny, not \"allow\"".
func ParseNamed(name string, data []byte) (*Document, error) {
	p := parser{name: name}
	raw, err := unwrapDocument(data)
	if err != nil {
		p.add(-1, "", "%s", err)
		return nil, p.err()
	}
	doc := p.document(raw)
	if doc == nil || len(p.problems) > 0 {
		return nil, p.err()
	}
	return doc, nil
}

// UnmarshalJSON lets a Document sit inside other JSON (such as the AWS
// CLI's get-account-authorization-details output), as an object or as a
// (possibly URL-encoded) string.
func (d *Document) UnmarshalJSON(data []byte) error {
	doc, err := Parse(data)
	if err != nil {
		return err
	}
	*d = *doc
	return nil
}

// unwrapDocument peels the JSON-string and URL-encoding layers off a
// document until a JSON object remains.
func unwrapDocument(data []byte) ([]byte, error) {
	for range 4 {
		data = bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xef\xbb\xbf"))
		data = bytes.TrimSpace(data)
		switch {
		case len(data) == 0:
			return nil, errors.New("document is empty")
		case data[0] == '{':
			if !json.Valid(data) && bytes.Contains(data, []byte("%22")) {
				// URL-encoded by a client that left the braces alone.
				if s, err := url.PathUnescape(string(data)); err == nil {
					data = []byte(s)
					continue
				}
			}
			return data, nil
		case data[0] == '"':
			var s string
			if err := json.Unmarshal(data, &s); err != nil {
				return nil, fmt.Errorf("document is a malformed JSON string: %v", err)
			}
			data = []byte(s)
		case data[0] == '%':
			// The IAM API encodes documents per RFC 3986 (spaces as %20),
			// and AWS's own SDKs decode them with a plain percent-decoder
			// that leaves '+' alone; PathUnescape does the same.
			s, err := url.PathUnescape(string(data))
			if err != nil {
				return nil, fmt.Errorf("document is not valid URL encoding: %v", err)
			}
			data = []byte(s)
		default:
			return nil, errors.New("document is not a JSON object (nor URL-encoded JSON)")
		}
	}
	return nil, errors.New("document is wrapped in too many layers of strings and URL encoding")
}

type parser struct {
	name     string
	problems []Problem
}

func (p *parser) add(stmt int, sid, format string, args ...any) {
	p.problems = append(p.problems, Problem{Statement: stmt, Sid: sid, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) err() error {
	return &ParseError{Policy: p.name, Problems: p.problems}
}

// object decodes a JSON object, keeping key order so that problems are
// reported in document order.
func object(data json.RawMessage) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("not an object")
	}
	var keys []string
	m := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, dup := m[k]; dup {
			return nil, nil, fmt.Errorf("duplicate key %q", k)
		}
		keys = append(keys, k)
		m[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, nil, errors.New("unexpected data after the object")
	}
	return keys, m, nil
}

// JSONKind names the JSON type of v ("an object", "a number", ...) for
// messages about inputs that hold the wrong kind of value.
func JSONKind(v json.RawMessage) string { return jsonKind(v) }

func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func (p *parser) document(data []byte) *Document {
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			p.add(-1, "", "invalid JSON at byte %d: %v", se.Offset, err)
		} else {
			p.add(-1, "", "invalid JSON: %v", err)
		}
		return nil
	}
	keys, m, err := object(data)
	if err != nil {
		p.add(-1, "", "document: %v", err)
		return nil
	}
	doc := &Document{}
	var stmtRaw json.RawMessage
	for _, k := range keys {
		v := m[k]
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &doc.Version); err != nil {
				p.add(-1, "", "Version must be a string, not %s", jsonKind(v))
			} else if doc.Version == "" {
				p.add(-1, "", "Version is empty")
			}
		case "Id":
			if err := json.Unmarshal(v, &doc.ID); err != nil {
				p.add(-1, "", "Id must be a string, not %s", jsonKind(v))
			}
		case "Statement":
			stmtRaw = v
		default:
			p.add(-1, "", "unknown element %q (want Version, Id, Statement)", k)
		}
	}
	if stmtRaw == nil {
		p.add(-1, "", "Statement is missing")
		return doc
	}
	var list []json.RawMessage
	switch jsonKind(stmtRaw) {
	case "an object":
		list = []json.RawMessage{stmtRaw}
	case "an array":
		if err := json.Unmarshal(stmtRaw, &list); err != nil {
			p.add(-1, "", "Statement: %v", err)
			return doc
		}
		if len(list) == 0 {
			p.add(-1, "", "Statement is an empty list")
		}
	default:
		p.add(-1, "", "Statement must be an object or an array, not %s", jsonKind(stmtRaw))
		return doc
	}
	for i, raw := range list {
		doc.Statements = append(doc.Statements, p.statement(i, raw))
	}
	p.problems = append(p.problems, doc.validate()...)
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Statement < p.problems[j].Statement })
	return doc
}

func (p *parser) statement(i int, raw json.RawMessage) Statement {
	st := Statement{Index: i}
	if jsonKind(raw) != "an object" {
		p.add(i, "", "must be an object, not %s", jsonKind(raw))
		return st
	}
	keys, m, err := object(raw)
	if err != nil {
		p.add(i, "", "%v", err)
		return st
	}
	if v, ok := m["Sid"]; ok {
		if err := json.Unmarshal(v, &st.Sid); err != nil {
			p.add(i, "", "Sid must be a string, not %s", jsonKind(v))
		}
	}
	sid := st.Sid
	for _, k := range keys {
		v := m[k]
		switch k {
		case "Sid":
		case "Effect":
			if err := json.Unmarshal(v, &st.Effect); err != nil {
				p.add(i, sid, "Effect must be a string, not %s", jsonKind(v))
				st.Effect = "?"
			}
		case "Action":
			st.Action = p.strings(i, sid, k, v)
		case "NotAction":
			st.NotAction = p.strings(i, sid, k, v)
			st.HasNotAction = true
		case "Resource":
			st.Resource = p.strings(i, sid, k, v)
		case "NotResource":
			st.NotResource = p.strings(i, sid, k, v)
			st.HasNotResource = true
		case "Condition":
			st.Conditions = p.conditions(i, sid, v)
		case "Principal", "NotPrincipal":
			p.add(i, sid, "%s is not allowed in an identity-based policy (it belongs in resource-based and trust policies)", k)
		default:
			p.add(i, sid, "unknown element %q", k)
		}
	}
	return st
}

// strings reads a string or an array of strings.
func (p *parser) strings(i int, sid, elem string, v json.RawMessage) []string {
	switch jsonKind(v) {
	case "a string":
		var s string
		_ = json.Unmarshal(v, &s)
		return []string{s}
	case "an array":
		var items []json.RawMessage
		_ = json.Unmarshal(v, &items)
		out := make([]string, 0, len(items))
		for j, it := range items {
			var s string
			if err := json.Unmarshal(it, &s); err != nil {
				p.add(i, sid, "%s[%d] must be a string, not %s", elem, j, jsonKind(it))
				continue
			}
			out = append(out, s)
		}
		if len(items) == 0 {
			p.add(i, sid, "%s is an empty list", elem)
		}
		return out
	}
	p.add(i, sid, "%s must be a string or an array of strings, not %s", elem, jsonKind(v))
	return nil
}

func (p *parser) conditions(i int, sid string, v json.RawMessage) []Condition {
	if jsonKind(v) != "an object" {
		p.add(i, sid, "Condition must be an object, not %s", jsonKind(v))
		return nil
	}
	ops, m, err := object(v)
	if err != nil {
		p.add(i, sid, "Condition: %v", err)
		return nil
	}
	var out []Condition
	for _, op := range ops {
		block := m[op]
		if jsonKind(block) != "an object" {
			p.add(i, sid, "Condition %q must map keys to values, not be %s", op, jsonKind(block))
			continue
		}
		keys, km, err := object(block)
		if err != nil {
			p.add(i, sid, "Condition %q: %v", op, err)
			continue
		}
		if len(keys) == 0 {
			p.add(i, sid, "Condition %q has no keys", op)
		}
		set, base, ifExists, err := ParseOperator(op)
		if err != nil && !errors.Is(err, ErrUnknownOperator) {
			p.add(i, sid, "Condition: %v", err)
			continue
		}
		// An unknown operator is kept as written (Condition.Unknown):
		// the statement stays, as a conditional one.
		for _, k := range keys {
			vals, ok := conditionValues(km[k])
			if !ok {
				p.add(i, sid, "Condition %q key %q: values must be strings, numbers or booleans, or an array of them, not %s", op, k, jsonKind(km[k]))
				continue
			}
			out = append(out, Condition{Operator: op, Base: base, IfExists: ifExists, Set: set, Key: k, Values: vals})
		}
	}
	sortConditions(out)
	return out
}

func sortConditions(cs []Condition) {
	sort.SliceStable(cs, func(a, b int) bool {
		if oa, ob := cs[a].OperatorName(), cs[b].OperatorName(); oa != ob {
			return oa < ob
		}
		return cs[a].Key < cs[b].Key
	})
}

// conditionValues reads a condition's value(s): strings, and numbers and
// booleans kept as their JSON text ("10", "true"), which is how IAM
// compares them.
func conditionValues(v json.RawMessage) ([]string, bool) {
	scalar := func(r json.RawMessage) (string, bool) {
		switch jsonKind(r) {
		case "a string":
			var s string
			err := json.Unmarshal(r, &s)
			return s, err == nil
		case "a number", "a boolean":
			return string(bytes.TrimSpace(r)), true
		}
		return "", false
	}
	if jsonKind(v) == "an array" {
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := scalar(it)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// Validate checks a Document built in code (such as a recommended policy)
// by the same rules Parse applies, returning a *ParseError or nil.
func (d *Document) Validate() error {
	probs := d.validate()
	if len(probs) == 0 {
		return nil
	}
	return &ParseError{Problems: probs}
}

// validate applies the semantic rules shared by Parse and Validate.
func (d *Document) validate() []Problem {
	var probs []Problem
	add := func(i int, sid, format string, args ...any) {
		probs = append(probs, Problem{Statement: i, Sid: sid, Msg: fmt.Sprintf(format, args...)})
	}
	if d.Version != "" && d.Version != Version2012 && d.Version != Version2008 {
		add(-1, "", "Version must be %q or %q, not %q", Version2012, Version2008, d.Version)
	}
	sids := map[string]int{}
	for i, st := range d.Statements {
		sid := st.Sid
		if sid != "" {
			if !isAlnum(sid) {
				add(i, sid, "Sid may hold only ASCII letters and digits")
			}
			if j, dup := sids[sid]; dup {
				add(i, sid, "Sid is also used by statement %d; Sids must be unique", j+1)
			} else {
				sids[sid] = i
			}
		}
		switch st.Effect {
		case EffectAllow, EffectDeny:
		case "":
			add(i, sid, "Effect is missing")
		case "?":
			// type error already reported
		default:
			add(i, sid, "Effect must be Allow or Deny, not %q", st.Effect)
		}
		actions, elem := st.Action, "Action"
		if st.HasNotAction {
			actions, elem = st.NotAction, "NotAction"
			if len(st.Action) > 0 {
				add(i, sid, "has both Action and NotAction")
			}
		}
		if !st.HasNotAction && len(st.Action) == 0 && len(st.NotAction) == 0 {
			add(i, sid, "needs an Action or NotAction element")
		}
		for _, a := range actions {
			if msg := checkAction(a); msg != "" {
				add(i, sid, "%s %q: %s", elem, a, msg)
			}
		}
		resources, elem := st.Resource, "Resource"
		if st.HasNotResource {
			resources, elem = st.NotResource, "NotResource"
			if len(st.Resource) > 0 {
				add(i, sid, "has both Resource and NotResource")
			}
		}
		if !st.HasNotResource && len(st.Resource) == 0 && len(st.NotResource) == 0 {
			add(i, sid, "needs a Resource or NotResource element")
		}
		for _, r := range resources {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				add(i, sid, "%s %q must be \"*\" or an ARN (arn:partition:service:region:account:resource)", elem, r)
			}
		}
		seen := map[string]bool{}
		for _, c := range st.Conditions {
			op := c.OperatorName()
			set, base, ifExists, err := c.parts()
			unknown := errors.Is(err, ErrUnknownOperator)
			if err != nil && !unknown {
				add(i, sid, "Condition: %v", err)
				continue
			}
			if c.Operator != "" && c.Base != "" && (c.Base != base || c.Set != set || c.IfExists != ifExists) {
				add(i, sid, "Condition %q: Base, Set and IfExists do not agree with the operator", op)
			}
			if c.Key == "" {
				add(i, sid, "Condition %q has an empty key", op)
			}
			k := op + "\x00" + c.Key
			if seen[k] {
				add(i, sid, "Condition %q lists key %q twice", op, c.Key)
			}
			seen[k] = true
			if len(c.Values) == 0 {
				add(i, sid, "Condition %q key %q has no values", op, c.Key)
			}
			if unknown {
				continue // values of an unknown operator cannot be checked
			}
			if err := (Condition{Base: base, Values: c.Values}).validateValues(); err != nil {
				add(i, sid, "Condition %q key %q: %v", op, c.Key, err)
			}
		}
	}
	return probs
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// checkAction validates "*" or "service:action-pattern".
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok {
		return "must be \"*\" or service:action"
	}
	if svc == "" {
		return "service prefix is empty"
	}
	for i := 0; i < len(svc); i++ {
		c := svc[i]
		if c == '*' || c == '?' {
			return "service prefix must not hold wildcards"
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return fmt.Sprintf("service prefix has invalid character %q", c)
		}
	}
	if name == "" {
		return "action name is empty"
	}
	return ""
}
