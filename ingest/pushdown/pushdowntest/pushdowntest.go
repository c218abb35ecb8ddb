// Package pushdowntest runs the PostgreSQL dialect of ingest/pushdown's
// query over raw CloudTrail records loaded as jsonb: the engine the
// equivalence tests (and the local Athena and CloudTrail Lake endpoints of
// the CLI tests) stand in for Athena and CloudTrail Lake with.
package pushdowntest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/filesrc"
	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// LoadRaw creates table (raw jsonb) in db's schema and copies into it
// every record of the CloudTrail log files under dir. It returns how many
// records it loaded.
func LoadRaw(ctx context.Context, db *store.DB, table string, dir string) (int, error) {
	id := pgx.Identifier{table}.Sanitize()
	if _, err := db.Pool.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+id+" (raw jsonb NOT NULL)"); err != nil {
		return 0, err
	}
	var rows [][]any
	rd := cloudtrail.NewObjectReader()
	_, err := filesrc.Walk(ctx, dir, func(f filesrc.File) error {
		fh, err := os.Open(f.Path)
		if err != nil {
			return err
		}
		defer fh.Close()
		_, bad, err := rd.ReadObject(fh, f.Path, ingest.DefaultLimits(), func(_ int, raw []byte) error {
			rows = append(rows, []any{string(raw)})
			return nil
		})
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return fmt.Errorf("%s: %v", f.Path, bad[0])
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{table}, []string{"raw"}, pgx.CopyFromRows(rows)); err != nil {
		return 0, fmt.Errorf("copy raw records: %w", err)
	}
	return len(rows), nil
}

// Engine runs queries on PostgreSQL as ingest.Engine: Start only records
// the text; Results runs it, in text format, sorted so that pages come in
// the same order each time.
type Engine struct {
	DB *store.DB
	// Started counts Start calls.
	Started int

	mu      sync.Mutex
	queries map[string]string
}

// Start records sql and returns its id.
func (e *Engine) Start(_ context.Context, sql string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.queries == nil {
		e.queries = map[string]string{}
	}
	e.Started++
	id := "pg-" + strconv.Itoa(e.Started)
	e.queries[id] = sql
	return id, nil
}

// Wait returns at once: the query runs when its results are read.
func (e *Engine) Wait(_ context.Context, id string) (ingest.QueryStats, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.queries[id]; !ok {
		return ingest.QueryStats{}, fmt.Errorf("no query %s", id)
	}
	return ingest.QueryStats{}, nil
}

// Results runs the query and passes each row on.
func (e *Engine) Results(ctx context.Context, id string, fn func(header []string, row []*string) error) error {
	e.mu.Lock()
	sql, ok := e.queries[id]
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("no query %s", id)
	}
	header, rows, err := Rows(ctx, e.DB, sql)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := fn(header, r); err != nil {
			return err
		}
	}
	return nil
}

// Rows runs sql and returns its column names and rows as text (nil for
// NULL), sorted.
func Rows(ctx context.Context, db *store.DB, sql string) ([]string, [][]*string, error) {
	// ORDER BY every column: one order whatever the plan.
	wrapped := "SELECT * FROM (" + sql + ") q ORDER BY "
	rs0, err := db.Pool.Query(ctx, "SELECT * FROM ("+sql+") q LIMIT 0", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, nil, fmt.Errorf("run the query: %w", err)
	}
	for i, f := range rs0.FieldDescriptions() {
		if i > 0 {
			wrapped += ", "
		}
		wrapped += "q." + pgx.Identifier{f.Name}.Sanitize() + "::text COLLATE \"C\""
	}
	rs0.Close()
	rs, err := db.Pool.Query(ctx, wrapped, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, nil, fmt.Errorf("run the query: %w", err)
	}
	defer rs.Close()
	var header []string
	for _, f := range rs.FieldDescriptions() {
		header = append(header, f.Name)
	}
	var out [][]*string
	for rs.Next() {
		raw := rs.RawValues()
		row := make([]*string, len(raw))
		for i, v := range raw {
			if v != nil {
				s := string(v)
				row[i] = &s
			}
		}
		out = append(out, row)
	}
	return header, out, rs.Err()
}

// LakeRows returns rows as CloudTrail Lake gives them: its
// requestParameters is a map<string,string>, so a request field that is
// a JSON string (the rp_ columns) comes as the string itself.
func LakeRows(header []string, rows [][]*string) [][]*string {
	out := make([][]*string, len(rows))
	for i, row := range rows {
		out[i] = slices.Clone(row)
		for j, v := range row {
			if v == nil || !strings.HasPrefix(header[j], "rp_") {
				continue
			}
			var s string
			if json.Unmarshal([]byte(*v), &s) == nil {
				out[i][j] = &s
			}
		}
	}
	return out
}

// Replay is an ingest.Engine that answers every query with the same
// result, already computed: what a benchmark of iamtrim's side of the
// pushdown path runs against. Rows are kept as one string each, so that
// the garbage collector does not scan a pointer per value (a real engine's
// rows arrive a page at a time).
type Replay struct {
	header []string
	rows   []string
}

// NewReplay keeps header and rows for Results.
func NewReplay(header []string, rows [][]*string) *Replay {
	r := &Replay{header: header, rows: make([]string, len(rows))}
	var b strings.Builder
	for i, row := range rows {
		b.Reset()
		for j, v := range row {
			if j > 0 {
				b.WriteByte(0x1f)
			}
			if v == nil {
				b.WriteByte(0x1e)
			} else {
				b.WriteString(*v)
			}
		}
		r.rows[i] = b.String()
	}
	return r
}

// Start returns a fixed id.
func (r *Replay) Start(context.Context, string) (string, error) { return "replay", nil }

// Wait returns at once.
func (r *Replay) Wait(context.Context, string) (ingest.QueryStats, error) {
	return ingest.QueryStats{}, nil
}

// Results passes on the rows.
func (r *Replay) Results(_ context.Context, _ string, fn func([]string, []*string) error) error {
	row := make([]*string, len(r.header))
	for _, line := range r.rows {
		for j, v := range strings.Split(line, "\x1f") {
			if v == "\x1e" {
				row[j] = nil
			} else {
				v := v
				row[j] = &v
			}
		}
		if err := fn(r.header, row); err != nil {
			return err
		}
	}
	return nil
}
