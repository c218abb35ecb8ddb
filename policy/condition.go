package policy

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition set qualifiers.
const (
	SetForAllValues = "ForAllValues"
	SetForAnyValue  = "ForAnyValue"
)

// opKind says how an operator compares one request value with one policy
// value.
type opKind uint8

const (
	opStringEquals opKind = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike
	opNull
)

type opInfo struct {
	name    string // AWS's spelling
	kind    opKind
	negated bool // true for the Not… operators
}

// operators lists every base condition operator AWS documents, keyed by
// lower-cased name. It is a constant table, never written after init.
var operators = func() map[string]opInfo {
	m := map[string]opInfo{}
	for _, info := range []opInfo{
		{"StringEquals", opStringEquals, false},
		{"StringNotEquals", opStringEquals, true},
		{"StringEqualsIgnoreCase", opStringEqualsIgnoreCase, false},
		{"StringNotEqualsIgnoreCase", opStringEqualsIgnoreCase, true},
		{"StringLike", opStringLike, false},
		{"StringNotLike", opStringLike, true},
		{"NumericEquals", opNumericEquals, false},
		{"NumericNotEquals", opNumericEquals, true},
		{"NumericLessThan", opNumericLessThan, false},
		{"NumericLessThanEquals", opNumericLessThanEquals, false},
		{"NumericGreaterThan", opNumericGreaterThan, false},
		{"NumericGreaterThanEquals", opNumericGreaterThanEquals, false},
		{"DateEquals", opDateEquals, false},
		{"DateNotEquals", opDateEquals, true},
		{"DateLessThan", opDateLessThan, false},
		{"DateLessThanEquals", opDateLessThanEquals, false},
		{"DateGreaterThan", opDateGreaterThan, false},
		{"DateGreaterThanEquals", opDateGreaterThanEquals, false},
		{"Bool", opBool, false},
		{"BinaryEquals", opBinaryEquals, false},
		{"IpAddress", opIPAddress, false},
		{"NotIpAddress", opIPAddress, true},
		{"ArnEquals", opArnLike, false},
		{"ArnLike", opArnLike, false},
		{"ArnNotEquals", opArnLike, true},
		{"ArnNotLike", opArnLike, true},
		{"Null", opNull, false},
	} {
		m[strings.ToLower(info.name)] = info
	}
	return m
}()

// ErrUnknownOperator is returned (wrapped) by ParseOperator for an
// operator or set qualifier missing from AWS's documented list: one AWS
// added after this table, or a typo AWS would have refused. Parse keeps a
// condition with such an operator (Condition.Unknown) instead of rejecting
// the document: the evaluator treats it as undecidable, so the statement
// stays a conditional statement (an Allow that may apply, a Deny that may
// apply) rather than vanishing with the rest of its policy.
var ErrUnknownOperator = errors.New("unknown condition operator")

// ParseOperator splits a condition operator such as
// "ForAnyValue:StringLikeIfExists" into its set qualifier ("",
// "ForAllValues" or "ForAnyValue"), its base operator in AWS's spelling
// ("StringLike") and whether it ends in IfExists. Names are matched
// case-insensitively.
func ParseOperator(op string) (set, base string, ifExists bool, err error) {
	if op == "" {
		// No operator at all is malformed, not one AWS added later.
		return "", "", false, fmt.Errorf("unknown condition operator %q", op)
	}
	rest := op
	if prefix, after, ok := strings.Cut(rest, ":"); ok {
		switch strings.ToLower(prefix) {
		case "forallvalues":
			set = SetForAllValues
		case "foranyvalue":
			set = SetForAnyValue
		default:
			return "", "", false, fmt.Errorf("%w %q: unknown set qualifier %q (want ForAllValues or ForAnyValue)", ErrUnknownOperator, op, prefix)
		}
		rest = after
	}
	lower := strings.ToLower(rest)
	if strings.HasSuffix(lower, "ifexists") {
		if _, ok := operators[lower]; !ok {
			ifExists = true
			lower = strings.TrimSuffix(lower, "ifexists")
		}
	}
	info, ok := operators[lower]
	if !ok {
		return "", "", false, fmt.Errorf("%w %q", ErrUnknownOperator, op)
	}
	name := info.name
	if name == "Null" && ifExists {
		return "", "", false, fmt.Errorf("condition operator %q: Null cannot take IfExists", op)
	}
	return set, name, ifExists, nil
}

// OperatorName returns the operator as written in a policy: Operator when
// set, else the name built from Set, Base and IfExists (so code may fill
// either form).
func (c Condition) OperatorName() string {
	if c.Operator != "" {
		return c.Operator
	}
	name := c.Base
	if c.IfExists {
		name += "IfExists"
	}
	if c.Set != "" {
		name = c.Set + ":" + name
	}
	return name
}

// Unknown reports whether the condition's operator is not one AWS
// documents (ErrUnknownOperator). Such a condition is never decided: the
// evaluator counts it as resting on information it lacks (a possible
// Allow, a possible Deny), and the prover lets it be implied only by the
// very same condition.
func (c Condition) Unknown() bool {
	_, _, _, err := c.parts()
	return errors.Is(err, ErrUnknownOperator)
}

// parts returns the set qualifier, canonical base operator and IfExists
// flag, read from OperatorName.
func (c Condition) parts() (set, base string, ifExists bool, err error) {
	return ParseOperator(c.OperatorName())
}

// NewCondition builds a Condition from an operator as written in a policy,
// filling Base, IfExists and Set.
func NewCondition(operator, key string, values ...string) (Condition, error) {
	set, base, ifExists, err := ParseOperator(operator)
	if err != nil {
		return Condition{}, err
	}
	return Condition{Operator: operator, Base: base, IfExists: ifExists, Set: set, Key: key, Values: values}, nil
}

// validateValues checks that the policy values make sense for the
// operator, so that evaluation never meets a value it cannot read. Values
// holding a policy variable are checked after substitution instead.
func (c Condition) validateValues() error {
	info, ok := operators[strings.ToLower(c.Base)]
	if !ok {
		return fmt.Errorf("unknown condition operator %q", c.Base)
	}
	for _, v := range c.Values {
		if strings.Contains(v, "${") && info.kind != opNull {
			continue
		}
		if err := checkValue(info.kind, v); err != nil {
			return fmt.Errorf("value %q: %w", v, err)
		}
	}
	return nil
}

func checkValue(kind opKind, v string) error {
	switch kind {
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		if _, ok := parseNumber(v); !ok {
			return fmt.Errorf("not a number")
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		if _, ok := parseDate(v); !ok {
			return fmt.Errorf("not an ISO 8601 date or epoch seconds")
		}
	case opIPAddress:
		if _, ok := parsePrefix(v); !ok {
			return fmt.Errorf("not an IP address or CIDR block")
		}
	case opNull, opBool:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Errorf("must be true or false")
		}
	}
	return nil
}

// EvaluateCondition evaluates one condition against request context
// values (keys case-insensitive), with AWS's rules:
//
//   - Several policy values are ORed: a request value matches if it
//     matches any of them. Negated operators (StringNotEquals,
//     NotIpAddress, ArnNotLike, …) hold for a request value that matches
//     none of them.
//   - A key absent from ctx makes the condition false, except for negated
//     operators (true), …IfExists (true), ForAllValues (true: vacuously)
//     and Null.
//   - Without a set qualifier a multi-valued key holds if any value
//     matches (for negated operators: if no value matches any policy
//     value). ForAnyValue: some request value matches; ForAllValues:
//     every request value matches.
//   - Null "true" holds when the key is absent, "false" when present.
//   - Policy variables in values are substituted from ctx (2012-10-17
//     semantics); a value whose variable has no value matches nothing.
//
// It returns an error for a policy value the operator cannot read (Parse
// rejects those up front) and for an unknown operator (ErrUnknownOperator;
// Parse keeps those, and Evaluate counts them as undecided).
func EvaluateCondition(c Condition, ctx map[string][]string) (bool, error) {
	if _, _, _, err := c.parts(); errors.Is(err, ErrUnknownOperator) {
		return false, err // Evaluate counts it as undecided instead
	}
	ok, _, err := evalCondition(c, ctxView{m: ctx}, true)
	return ok, err
}

// evalCondition also reports whether the key was absent from the context,
// so that Evaluate can flag decisions that rest on missing information.
func evalCondition(c Condition, ctx ctxView, vars bool) (result, missing bool, err error) {
	set, base, ifExists, err := c.parts()
	if errors.Is(err, ErrUnknownOperator) {
		// Undecidable, as if the key were missing: the statement may or
		// may not apply (Decision.Conditional).
		return false, true, nil
	}
	if err != nil {
		return false, false, err
	}
	info := operators[strings.ToLower(base)]
	reqVals, present := ctx.get(c.Key)

	if info.kind == opNull {
		for _, v := range c.Values {
			switch {
			case strings.EqualFold(v, "true"):
				if !present {
					return true, !present, nil
				}
			case strings.EqualFold(v, "false"):
				if present {
					return true, false, nil
				}
			default:
				return false, !present, fmt.Errorf("operator Null: value %q must be true or false", v)
			}
		}
		return false, !present, nil
	}
	if !present {
		switch {
		case ifExists, set == SetForAllValues:
			return true, true, nil
		case set == SetForAnyValue:
			return false, true, nil
		default:
			return info.negated, true, nil
		}
	}

	pol, err := prepareValues(info.kind, c.Values, ctx, vars)
	if err != nil {
		return false, false, err
	}
	// m reports whether one request value satisfies the operator.
	m := func(v string) bool {
		return pol.matchAny(info.kind, v) != info.negated
	}
	all := set == SetForAllValues || set == "" && info.negated
	for _, v := range reqVals {
		if ok := m(v); ok && !all {
			return true, false, nil
		} else if !ok && all {
			return false, false, nil
		}
	}
	return all, false, nil
}

// preparedValues holds the policy values parsed once for one evaluation.
type preparedValues struct {
	strs  []string
	toks  [][]token // StringLike, ArnLike
	nums  []float64
	dates []time.Time
	nets  []netip.Prefix
}

func prepareValues(kind opKind, values []string, ctx ctxView, vars bool) (preparedValues, error) {
	var p preparedValues
	for _, raw := range values {
		toks := compile(raw, vars)
		toks, ok := resolve(toks, ctx)
		if !ok {
			continue // a variable without a value: this value matches nothing
		}
		switch kind {
		case opStringLike, opArnLike:
			p.toks = append(p.toks, toks)
			continue
		}
		v := raw
		if vars && strings.Contains(raw, "${") {
			v = literal(toks)
		}
		switch kind {
		case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
			f, ok := parseNumber(v)
			if !ok {
				return p, fmt.Errorf("condition value %q is not a number", v)
			}
			p.nums = append(p.nums, f)
		case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
			t, ok := parseDate(v)
			if !ok {
				return p, fmt.Errorf("condition value %q is not a date", v)
			}
			p.dates = append(p.dates, t)
		case opIPAddress:
			n, ok := parsePrefix(v)
			if !ok {
				return p, fmt.Errorf("condition value %q is not an IP address or CIDR block", v)
			}
			p.nets = append(p.nets, n)
		default:
			p.strs = append(p.strs, v)
		}
	}
	return p, nil
}

// literal flattens resolved tokens to the text they stand for, wildcards
// included as characters (for operators that do not glob).
func literal(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokLit:
			b.WriteRune(t.r)
		case tokStar:
			b.WriteByte('*')
		case tokAny:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// matchAny reports whether request value v matches any policy value under
// the positive form of the operator.
func (p preparedValues) matchAny(kind opKind, v string) bool {
	switch kind {
	case opStringEquals, opBinaryEquals:
		for _, s := range p.strs {
			if s == v {
				return true
			}
		}
	case opStringEqualsIgnoreCase:
		for _, s := range p.strs {
			if strings.EqualFold(s, v) {
				return true
			}
		}
	case opBool:
		for _, s := range p.strs {
			if strings.EqualFold(s, v) {
				return true
			}
		}
	case opStringLike:
		for _, t := range p.toks {
			if tokMatch(t, v, false) {
				return true
			}
		}
	case opArnLike:
		for _, t := range p.toks {
			if arnMatch(t, v) {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		x, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, y := range p.nums {
			if compareOK(kind, cmpFloat(x, y)) {
				return true
			}
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		x, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, y := range p.dates {
			if compareOK(kind, x.Compare(y)) {
				return true
			}
		}
	case opIPAddress:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, n := range p.nets {
			if n.Contains(a) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareOK says whether a request value comparing c (-1, 0, 1) to a policy
// value satisfies the operator.
func compareOK(kind opKind, c int) bool {
	switch kind {
	case opNumericEquals, opDateEquals:
		return c == 0
	case opNumericLessThan, opDateLessThan:
		return c < 0
	case opNumericLessThanEquals, opDateLessThanEquals:
		return c <= 0
	case opNumericGreaterThan, opDateGreaterThan:
		return c > 0
	case opNumericGreaterThanEquals, opDateGreaterThanEquals:
		return c >= 0
	}
	return false
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// dateLayouts are the ISO 8601 forms AWS accepts in Date conditions.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z0700",
	"20060102T150405Z",
}

// parseDate reads an ISO 8601 date-time or a count of seconds since the
// Unix epoch (aws:EpochTime). Times without a zone are UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-:T") {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parsePrefix reads a CIDR block or a single address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// arnMatch matches an ARN condition value: when both split into the six
// colon-separated ARN parts, each part is matched on its own
// (case-sensitively, with * and ?); the last part (the resource) may hold
// colons. A value that is not six parts is matched as one glob.
func arnMatch(pattern []token, v string) bool {
	pp := splitTokens(pattern, 6)
	vp := strings.SplitN(v, ":", 6)
	if len(pp) != 6 || len(vp) != 6 {
		return tokMatch(pattern, v, false)
	}
	for i := range pp {
		if !tokMatch(pp[i], vp[i], false) {
			return false
		}
	}
	return true
}

// splitTokens splits at literal ':' into at most n parts.
func splitTokens(toks []token, n int) [][]token {
	var parts [][]token
	start := 0
	for i, t := range toks {
		if len(parts) == n-1 {
			break
		}
		if t.kind == tokLit && t.r == ':' {
			parts = append(parts, toks[start:i])
			start = i + 1
		}
	}
	return append(parts, toks[start:])
}
