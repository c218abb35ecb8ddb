package pushdown

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
)

// Group is one result row: Count events that agree on every field the
// Mapper reads, between First and Last (one UTC day).
type Group struct {
	// Record is a CloudTrail record standing for each event of the group,
	// for (*cloudtrail.Mapper).Normalize. Its eventTime is First. It is
	// valid until the next Decode.
	Record      []byte
	Count       int64
	First, Last time.Time
}

// node is a member of the synthetic record: a column's value (col >= 0)
// or an object of members.
type node struct {
	key      string
	col      int
	children []*node
}

// Decoder turns result rows into Groups. Rows are matched to the model by
// column name, so the engine's column order does not matter. A Decoder
// reuses its buffers: it belongs to one goroutine.
type Decoder struct {
	d                        Dialect
	cols                     []column
	idx                      []int // result column of each model column
	day, events, first, last int
	root                     node
	vals                     []string // this row's value of each column, JSON
	set                      []bool
	buf                      []byte
}

// NewDecoder checks that header (the result's column names) has every
// column of the model.
func NewDecoder(d Dialect, header []string) (*Decoder, error) {
	pos := map[string]int{}
	for i, h := range header {
		pos[strings.ToLower(h)] = i
	}
	find := func(name string) (int, error) {
		i, ok := pos[name]
		if !ok {
			return 0, fmt.Errorf("result has no column %s (is it the result of this query?)", name)
		}
		return i, nil
	}
	dec := &Decoder{d: d, cols: columns(0), root: node{col: -1}}
	for k, c := range dec.cols {
		i, err := find(c.name)
		if err != nil {
			return nil, err
		}
		dec.idx = append(dec.idx, i)
		n := &dec.root
		for _, p := range c.path[:len(c.path)-1] {
			var next *node
			for _, ch := range n.children {
				if ch.key == p && ch.col < 0 {
					next = ch
				}
			}
			if next == nil {
				next = &node{key: p, col: -1}
				n.children = append(n.children, next)
			}
			n = next
		}
		n.children = append(n.children, &node{key: c.path[len(c.path)-1], col: k})
	}
	dec.vals = make([]string, len(dec.cols))
	dec.set = make([]bool, len(dec.cols))
	var err error
	for _, f := range []struct {
		name string
		dst  *int
	}{{"day", &dec.day}, {"events", &dec.events}, {"first_time", &dec.first}, {"last_time", &dec.last}} {
		if *f.dst, err = find(f.name); err != nil {
			return nil, err
		}
	}
	return dec, nil
}

// Decode turns one row (nil for SQL NULL) into a Group.
func (dec *Decoder) Decode(row []*string) (Group, error) {
	get := func(i int) string {
		if i < len(row) && row[i] != nil {
			return *row[i]
		}
		return ""
	}
	var g Group
	n, err := strconv.ParseInt(get(dec.events), 10, 64)
	if err != nil || n < 0 {
		return g, fmt.Errorf("events %q: not a count", get(dec.events))
	}
	g.Count = n
	if g.First, err = cloudtrail.ParseEventTime(get(dec.first)); err != nil {
		return g, fmt.Errorf("first_time: %w", err)
	}
	if g.Last, err = cloudtrail.ParseEventTime(get(dec.last)); err != nil {
		return g, fmt.Errorf("last_time: %w", err)
	}
	if g.Last.Before(g.First) {
		return g, fmt.Errorf("last_time %s is before first_time %s", get(dec.last), get(dec.first))
	}
	if day := get(dec.day); g.First.UTC().Format("2006-01-02") != day || g.Last.UTC().Format("2006-01-02") != day {
		return g, fmt.Errorf("first_time %s and last_time %s are not both on day %q", get(dec.first), get(dec.last), day)
	}
	// Each column's value as JSON, "" when the record leaves it out.
	for k, c := range dec.cols {
		dec.vals[k], dec.set[k] = "", false
		i := dec.idx[k]
		if i >= len(row) || row[i] == nil {
			continue
		}
		v := *row[i]
		var b []byte
		switch c.kind {
		case kString:
			b = appendJSONString(nil, v)
		case kBool:
			if v != "true" {
				continue
			}
			b = []byte("true")
		case kOutcome:
			code, ok := outcomeCodes[v]
			if !ok {
				return g, fmt.Errorf("%s %q: not an outcome class", c.name, v)
			}
			if code == "" {
				continue
			}
			b = appendJSONString(nil, code)
		case kRaw:
			switch t := strings.TrimSpace(v); {
			case dec.d == Lake && (!(strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) || !json.Valid([]byte(t))):
				// CloudTrail Lake keeps requestParameters as
				// map<string,string>: strings as they are, objects and
				// arrays as their JSON.
				b = appendJSONString(nil, v)
			case !json.Valid([]byte(v)):
				return g, fmt.Errorf("%s: not JSON: %.64q", c.name, v)
			default:
				b = []byte(v)
			}
		case kResources:
			if v == "" {
				continue
			}
			b = append(b, '[')
			for j, line := range strings.Split(v, "\n") {
				if j > 0 {
					b = append(b, ',')
				}
				typ, arn, _ := strings.Cut(line, "\t")
				b = append(b, '{')
				if typ != "" {
					b = appendJSONString(append(b, `"type":`...), typ)
				}
				if arn != "" {
					if typ != "" {
						b = append(b, ',')
					}
					b = appendJSONString(append(b, `"ARN":`...), arn)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		dec.vals[k], dec.set[k] = string(b), true
	}
	buf := append(dec.buf[:0], `{"eventID":"pushdown","eventTime":`...)
	buf = appendJSONString(buf, g.First.UTC().Format(time.RFC3339Nano))
	for _, ch := range dec.root.children {
		if ch.key == "userIdentity" || dec.present(ch) {
			buf = dec.write(append(buf, ','), ch)
		}
	}
	buf = append(buf, '}')
	dec.buf = buf
	g.Record = buf
	return g, nil
}

// present reports whether n has a value in this row.
func (dec *Decoder) present(n *node) bool {
	if n.col >= 0 {
		return dec.set[n.col]
	}
	for _, ch := range n.children {
		if dec.present(ch) {
			return true
		}
	}
	return false
}

// write appends "key":value for n.
func (dec *Decoder) write(b []byte, n *node) []byte {
	b = append(appendJSONString(b, n.key), ':')
	if n.col >= 0 {
		return append(b, dec.vals[n.col]...)
	}
	b = append(b, '{')
	first := true
	for _, ch := range n.children {
		if !dec.present(ch) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = dec.write(b, ch)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
