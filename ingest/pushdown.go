package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/jackc/pgx/v5"
)

// Engine runs a query pushed down to Athena or CloudTrail Lake
// (ingest/athenasrc, ingest/lakesrc; PostgreSQL in tests).
type Engine interface {
	// Start submits the query and returns its execution id.
	Start(ctx context.Context, sql string) (id string, err error)
	// Wait returns once the query has succeeded, with what it cost; an
	// error when it failed, was cancelled, or scanned more than allowed.
	Wait(ctx context.Context, id string) (QueryStats, error)
	// Results pages through the result, calling fn with the column names
	// and each row (nil for NULL), in the same order every time.
	Results(ctx context.Context, id string, fn func(header []string, row []*string) error) error
}

// QueryStats is what a finished query cost.
type QueryStats struct {
	BytesScanned int64
}

// PushdownOptions configure RunPushdown.
type PushdownOptions struct {
	// Source names the engine in the ledger: "athena" or "lake".
	Source string
	// Target is the table ("database.table") or event data store.
	Target string
	// Query is run with its ObjectPrefixDepth set to the rollup's.
	Query  pushdown.Query
	Engine Engine
	// Bounds bound the rollup as Options.Bounds does (nil: the defaults).
	Bounds *queries.RollupBounds
	// ChunkRows is how many result rows go into one transaction; 0 means
	// 8,192.
	ChunkRows int
}

// PushdownSummary is what RunPushdown did.
type PushdownSummary struct {
	Source      string `json:"source"`
	Target      string `json:"target"`
	ExecutionID string `json:"execution_id"`
	// Resumed: the query was started by an earlier run and taken up again;
	// AlreadyDone: an earlier run added all of its rows, nothing was done.
	Resumed      bool  `json:"resumed"`
	AlreadyDone  bool  `json:"already_done"`
	BytesScanned int64 `json:"bytes_scanned"`
	// RowsFetched are the result rows read; RowsSkipped those of them an
	// earlier, interrupted run had already added.
	RowsFetched    int64         `json:"rows_fetched"`
	RowsSkipped    int64         `json:"rows_skipped"`
	Events         int64         `json:"events"`
	Unmapped       int64         `json:"unmapped"`
	Denied         int64         `json:"denied"`
	Permissionless int64         `json:"permissionless"`
	BadRows        int64         `json:"bad_rows"`
	Principals     int           `json:"principals"`
	Elapsed        time.Duration `json:"elapsed_ns"`
	// Errors are "SOURCE:ID:row N: reason", at most MaxErrors.
	Errors []string `json:"errors"`
}

// ErrWindowOverlap is returned when the window overlaps one an earlier
// query of the same target already counted (or is counting): its events
// would be counted twice.
var ErrWindowOverlap = errors.New("window overlaps an ingested one")

// ErrBusy is returned when another process is running the same query.
var ErrBusy = errors.New("another ingester is running this query")

// RunPushdown runs opts.Query on opts.Engine (or resumes it) and adds its
// groups to the rollups, each through the same Mapper as file ingest and
// counted as many times as it has events. The ledger (ingest_pushdown)
// makes it exactly-once: the execution id is recorded before waiting, the
// rows added are counted in the transaction that adds them, and a window
// overlapping another query's is refused.
func RunPushdown(ctx context.Context, db *store.DB, cat cloudtrail.Catalog, opts PushdownOptions, log *slog.Logger) (PushdownSummary, error) {
	start := time.Now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sum := PushdownSummary{Source: opts.Source, Target: opts.Target}
	ropts := Options{Workers: 1, Bounds: opts.Bounds}
	if err := rollup.CheckBounds(ropts.rollupBounds()); err != nil {
		return sum, err
	}
	// The query cuts object keys as this rollup does.
	q := opts.Query
	q.ObjectPrefixDepth = ropts.rollupBounds().ObjectPrefixDepth
	sql, err := q.SQL()
	if err != nil {
		return sum, err
	}
	h := sha256.Sum256([]byte(sql))
	hash := hex.EncodeToString(h[:])
	r := newRunner(db, cat, ropts, log)
	since, until := q.Since.UTC(), q.Until.UTC()

	// The ledger row, held by this process for the run.
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return sum, err
	}
	defer conn.Release()
	key := queries.PushdownQuery{Source: opts.Source, Target: opts.Target, Since: since, Until: until, Hash: hash}
	clash, found, err := queries.PushdownClash(ctx, conn, key)
	if err != nil {
		return sum, err
	}
	if found {
		return sum, fmt.Errorf("%w: %s %s already has [%s, %s) (%s) from another query; choose a window outside it, or the same window and filters",
			ErrWindowOverlap, opts.Source, opts.Target, clash.Since.UTC().Format(time.RFC3339), clash.Until.UTC().Format(time.RFC3339), clash.Status)
	}
	var st queries.PushdownState
	err = store.Retry(ctx, func() error {
		var err error
		st, err = queries.AddPushdown(ctx, conn, key)
		return err
	})
	if err != nil {
		return sum, fmt.Errorf("record the query in the pushdown ledger: %w", err)
	}
	id, execID, status, rowsDone, bytesDone := st.ID, st.ExecutionID, st.Status, st.RowsDone, st.BytesScanned
	locked, err := queries.LockPushdown(ctx, conn, id)
	if err != nil {
		return sum, err
	}
	if !locked {
		return sum, fmt.Errorf("%w (ledger row %d, execution %s)", ErrBusy, id, execID)
	}
	defer func() { _ = queries.UnlockPushdown(context.WithoutCancel(ctx), conn, id) }()
	if status == "done" {
		sum.AlreadyDone, sum.ExecutionID, sum.BytesScanned = true, execID, bytesDone
		log.Info("query already ingested", "source", opts.Source, "execution_id", execID)
		return sum, nil
	}
	if err := r.recordBounds(ctx); err != nil {
		return sum, err
	}
	if execID == "" || status == "failed" {
		execID, err = opts.Engine.Start(ctx, sql)
		if err != nil {
			return sum, fmt.Errorf("start the %s query: %w", opts.Source, err)
		}
		rowsDone = 0
		if err := queries.StartPushdown(ctx, conn, id, execID); err != nil {
			return sum, err
		}
		log.Info("query started", "source", opts.Source, "execution_id", execID)
	} else {
		sum.Resumed = true
		log.Info("resuming the query an earlier run started", "source", opts.Source, "execution_id", execID, "rows_done", rowsDone)
	}
	sum.ExecutionID = execID
	stats, err := opts.Engine.Wait(ctx, execID)
	sum.BytesScanned = stats.BytesScanned
	if err != nil {
		if ctx.Err() == nil {
			_ = queries.EndPushdown(ctx, conn, id, "failed", stats.BytesScanned, clip(err.Error(), 4096))
		}
		return sum, err
	}
	log.Info("query finished", "source", opts.Source, "execution_id", execID, "bytes_scanned", stats.BytesScanned)

	// Page the result; add rows in chunks, each in one transaction with
	// the ledger's count of rows done.
	chunk := opts.ChunkRows
	if chunk <= 0 {
		chunk = 8192
	}
	p := &pushdownRun{r: r, sum: &sum, ledgerID: id, done: rowsDone, source: opts.Source, execID: execID, w: r.newWorker()}
	var dec *pushdown.Decoder
	var index int64
	err = opts.Engine.Results(ctx, execID, func(header []string, row []*string) error {
		index++
		sum.RowsFetched++
		if index <= rowsDone {
			sum.RowsSkipped++
			return nil
		}
		if dec == nil {
			var err error
			if dec, err = pushdown.NewDecoder(q.Dialect, header); err != nil {
				return fmt.Errorf("%s result %s: %w", opts.Source, execID, err)
			}
		}
		p.add(index, dec, row)
		if p.rows >= int64(chunk) {
			return p.flush(ctx)
		}
		return ctx.Err()
	})
	if err == nil {
		err = p.flush(ctx)
	}
	if err != nil {
		return sum, err
	}
	if err := queries.EndPushdown(ctx, conn, id, "done", stats.BytesScanned, clip(joinFirst(sum.Errors, 10), 4096)); err != nil {
		return sum, err
	}
	sum.Principals = len(r.seen)
	sum.Elapsed = time.Since(start)
	log.Info("pushdown ingest finished", "source", opts.Source, "execution_id", execID, "rows_fetched", sum.RowsFetched,
		"events", sum.Events, "bytes_scanned", sum.BytesScanned, "bad_rows", sum.BadRows)
	return sum, nil
}

// pushdownRun is the paging state of RunPushdown.
type pushdownRun struct {
	r        *runner
	sum      *PushdownSummary
	w        *worker
	ledgerID int64
	done     int64 // rows in the ledger as added
	source   string
	execID   string
	chunk    []pending
	rows     int64 // rows the chunk covers (bad ones too)
	errs     []string
}

// add decodes and normalizes one result row into the chunk; a row that
// cannot be is reported and counted as done.
func (p *pushdownRun) add(index int64, dec *pushdown.Decoder, row []*string) {
	p.rows++
	bad := func(err error) {
		p.sum.BadRows++
		p.errs = append(p.errs, fmt.Sprintf("%s:%s:row %d: %v", p.source, p.execID, index, err))
	}
	g, err := dec.Decode(row)
	if err != nil {
		bad(err)
		return
	}
	if g.Count == 0 {
		return
	}
	p.chunk = append(p.chunk, pending{})
	pd := &p.chunk[len(p.chunk)-1]
	if err := p.r.mapper.Normalize(g.Record, &pd.rec); err != nil {
		p.chunk = p.chunk[:len(p.chunk)-1]
		bad(err)
		return
	}
	if reason := overlongARN(&pd.rec); reason != "" {
		// Refused as file ingest refuses the events.
		p.chunk = p.chunk[:len(p.chunk)-1]
		bad(errors.New(reason))
		return
	}
	pd.pk = rollup.PrincipalKey(&pd.rec.Principal, pd.rec.InvokedBy)
	pd.day = truncDay(pd.rec.EventTime)
	pd.count, pd.last = g.Count, g.Last
}

// flush adds the chunk's groups to the rollups and the rows to the
// ledger's count, in one transaction.
func (p *pushdownRun) flush(ctx context.Context) error {
	if p.rows == 0 {
		return nil
	}
	var res *objectResult
	err := store.Retry(ctx, func() error {
		res = &objectResult{unmappedNames: map[[2]string]int64{}, principalsSeen: map[string]struct{}{}}
		tx, err := p.r.db.Pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if err := queries.AsyncCommit(ctx, tx); err != nil {
			return err
		}
		b := p.r.newBatch(tx, p.w)
		for i := range p.chunk {
			pd := &p.chunk[i]
			pd.res = res
			res.principalsSeen[pd.pk] = struct{}{}
			b.aggregate(pd)
		}
		ledger := &pgx.Batch{}
		moved := false
		queries.QueuePushdownRows(ledger, p.ledgerID, p.rows, res.events, p.done, &moved)
		if err := b.roll.Write(ctx, tx, ledger); err != nil {
			return err
		}
		if moved {
			return fmt.Errorf("pushdown ledger row %d no longer says %d rows done: another ingester ran the query", p.ledgerID, p.done)
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("add %s rows to the rollups: %w", p.source, err)
	}
	p.r.roll.Committed(p.w.roll)
	for pk := range res.principalsSeen {
		p.r.seen[pk] = struct{}{}
	}
	s := p.sum
	s.Events += res.events
	s.Unmapped += res.unmapped
	s.Denied += res.denied
	s.Permissionless += res.permissionless
	keep := min(len(p.errs), max(0, MaxErrors-len(s.Errors)))
	s.Errors = append(s.Errors, p.errs[:keep]...)
	p.done += p.rows
	p.chunk, p.rows, p.errs = p.chunk[:0], 0, nil
	return nil
}

func joinFirst(lines []string, n int) string {
	out := ""
	for i, l := range lines[:min(len(lines), n)] {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}

// Rejected counts the rows that make `ingest athena` and `ingest lake`
// finish with exit code 3.
func (s PushdownSummary) Rejected() int { return int(s.BadRows) }

// WritePushdownSummary prints s as "text" (aligned lines) or "json".
func WritePushdownSummary(w io.Writer, s PushdownSummary, format string) error {
	if done, err := writeJSONSummary(w, s, format); done {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	state := "run"
	switch {
	case s.AlreadyDone:
		state = "already ingested by an earlier run; nothing done"
	case s.Resumed:
		state = "resumed from an earlier run"
	}
	fmt.Fprintf(tw, "query\t%s %s on %s (%s)\n", s.Source, untrusted.Terminal(s.ExecutionID), untrusted.Terminal(s.Target), state)
	fmt.Fprintf(tw, "scanned\t%d bytes\n", s.BytesScanned)
	fmt.Fprintf(tw, "rows\t%d fetched", s.RowsFetched)
	if s.RowsSkipped > 0 {
		fmt.Fprintf(tw, ", %d of them added by the earlier run", s.RowsSkipped)
	}
	if s.BadRows > 0 {
		fmt.Fprintf(tw, ", %d rejected", s.BadRows)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "events\t%d ingested, %d unmapped, %d denied, %d permissionless\n", s.Events, s.Unmapped, s.Denied, s.Permissionless)
	fmt.Fprintf(tw, "principals\t%d\n", s.Principals)
	fmt.Fprintf(tw, "elapsed\t%s\n", s.Elapsed.Round(time.Millisecond))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(s.Errors) > 0 {
		fmt.Fprintln(w, "errors:")
		for _, e := range s.Errors {
			fmt.Fprintf(w, "  %s\n", untrusted.Terminal(e))
		}
	}
	return nil
}
