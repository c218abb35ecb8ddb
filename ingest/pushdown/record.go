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
	// for (*cloudtrail.Mapper).Normalize. Its eventTime is First.
	Record      []byte
	Count       int64
	First, Last time.Time
}

// Decoder turns result rows into Groups. Rows are matched to the model by
// column name, so the engine's column order does not matter.
type Decoder struct {
	d                        Dialect
	cols                     []column
	idx                      []int // result column of each model column
	day, events, first, last int
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
	dec := &Decoder{d: d, cols: columns()}
	for _, c := range dec.cols {
		i, err := find(c.name)
		if err != nil {
			return nil, err
		}
		dec.idx = append(dec.idx, i)
	}
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
	rec := map[string]any{
		"eventID":      "pushdown",
		"eventTime":    g.First.UTC().Format(time.RFC3339Nano),
		"userIdentity": map[string]any{},
	}
	for k, c := range dec.cols {
		i := dec.idx[k]
		if i >= len(row) || row[i] == nil {
			continue
		}
		v := *row[i]
		var val any
		switch c.kind {
		case kString:
			val = v
		case kBool:
			if v != "true" {
				continue
			}
			val = true
		case kOutcome:
			code, ok := outcomeCodes[v]
			if !ok {
				return g, fmt.Errorf("%s %q: not an outcome class", c.name, v)
			}
			if code == "" {
				continue
			}
			val = code
		case kRaw:
			switch t := strings.TrimSpace(v); {
			case dec.d == Lake && !(strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) || dec.d == Lake && !json.Valid([]byte(t)):
				// CloudTrail Lake keeps requestParameters as
				// map<string,string>: strings as they are, objects and
				// arrays as their JSON.
				val = v
			case !json.Valid([]byte(v)):
				return g, fmt.Errorf("%s: not JSON: %.64q", c.name, v)
			default:
				val = json.RawMessage(v)
			}
		case kResources:
			if v == "" {
				continue
			}
			var list []map[string]string
			for _, line := range strings.Split(v, "\n") {
				typ, arn, _ := strings.Cut(line, "\t")
				e := map[string]string{}
				if typ != "" {
					e["type"] = typ
				}
				if arn != "" {
					e["ARN"] = arn
				}
				list = append(list, e)
			}
			val = list
		}
		put(rec, c.path, val)
	}
	if g.Record, err = json.Marshal(rec); err != nil {
		return g, err
	}
	return g, nil
}

// put sets path in m to v, making the objects on the way.
func put(m map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}
