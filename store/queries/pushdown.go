package queries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The ledger of queries pushed down to Athena or CloudTrail Lake
// (ingest_pushdown), as package ingest's RunPushdown keeps it. Its
// statements run on one connection the run holds, which also holds the
// row's advisory lock.

// PushdownQuery names a ledger row: an engine's source, the target it
// queries, the window and the query text's hash.
type PushdownQuery struct {
	Source, Target string
	Since, Until   time.Time
	Hash           string
}

// PushdownState is a ledger row's progress.
type PushdownState struct {
	ID           int64
	ExecutionID  string
	Status       string
	RowsDone     int64
	BytesScanned int64
	Since, Until time.Time // PushdownClash only
}

// PushdownClash returns the earliest ledger row of q's source and target,
// not failed, whose window overlaps q's without being q itself; ok is
// false when there is none.
func PushdownClash(ctx context.Context, conn *pgxpool.Conn, q PushdownQuery) (st PushdownState, ok bool, err error) {
	err = conn.QueryRow(ctx, `
		SELECT since, until, status FROM ingest_pushdown
		WHERE source = $1 AND target = $2 AND since < $4 AND until > $3 AND status <> 'failed'
			AND NOT (since = $3 AND until = $4 AND query_hash = $5)
		ORDER BY since LIMIT 1`, q.Source, q.Target, q.Since, q.Until, q.Hash).Scan(&st.Since, &st.Until, &st.Status)
	switch {
	case err == nil:
		return st, true, nil
	case errors.Is(err, pgx.ErrNoRows):
		return st, false, nil
	}
	return st, false, fmt.Errorf("read the pushdown ledger: %w", err)
}

// AddPushdown adds q's ledger row unless it is there, and returns its
// state.
func AddPushdown(ctx context.Context, conn *pgxpool.Conn, q PushdownQuery) (PushdownState, error) {
	var st PushdownState
	if _, err := conn.Exec(ctx, `
		INSERT INTO ingest_pushdown (source, target, since, until, query_hash) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (source, target, since, until, query_hash) DO NOTHING`, q.Source, q.Target, q.Since, q.Until, q.Hash); err != nil {
		return st, fmt.Errorf("add to the pushdown ledger: %w", err)
	}
	if err := conn.QueryRow(ctx, `
		SELECT id, execution_id, status, rows_done, bytes_scanned FROM ingest_pushdown
		WHERE source = $1 AND target = $2 AND since = $3 AND until = $4 AND query_hash = $5`,
		q.Source, q.Target, q.Since, q.Until, q.Hash).Scan(&st.ID, &st.ExecutionID, &st.Status, &st.RowsDone, &st.BytesScanned); err != nil {
		return st, fmt.Errorf("read the pushdown ledger: %w", err)
	}
	return st, nil
}

// LockPushdown tries to take the session advisory lock of ledger row id
// on conn, and reports whether it got it. The key holds the schema: ledger
// ids restart at 1 in every schema, and two iamtrim databases in one
// server's schemas (as the tests run them) must not exclude each other.
func LockPushdown(ctx context.Context, conn *pgxpool.Conn, id int64) (bool, error) {
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext('iamtrim-pushdown:' || current_schema()), $1::int)`, id).Scan(&locked); err != nil {
		return false, fmt.Errorf("lock the pushdown ledger: %w", err)
	}
	return locked, nil
}

// UnlockPushdown releases LockPushdown's lock.
func UnlockPushdown(ctx context.Context, conn *pgxpool.Conn, id int64) error {
	_, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtext('iamtrim-pushdown:' || current_schema()), $1::int)`, id)
	return err
}

// StartPushdown records that ledger row id's query runs as execution
// execID, from no rows done.
func StartPushdown(ctx context.Context, conn *pgxpool.Conn, id int64, execID string) error {
	if _, err := conn.Exec(ctx, `
		UPDATE ingest_pushdown SET execution_id = $2, status = 'started', rows_done = 0, events = 0, error = '', updated_at = now()
		WHERE id = $1`, id, execID); err != nil {
		return fmt.Errorf("record the query id in the pushdown ledger: %w", err)
	}
	return nil
}

// EndPushdown records that ledger row id's query ended with status
// ('done' or 'failed'), the bytes it scanned and its first errors.
func EndPushdown(ctx context.Context, conn *pgxpool.Conn, id int64, status string, bytesScanned int64, errText string) error {
	if _, err := conn.Exec(ctx, `UPDATE ingest_pushdown SET status = $2, error = $3, bytes_scanned = $4, updated_at = now() WHERE id = $1`,
		id, status, errText, bytesScanned); err != nil {
		return fmt.Errorf("record the query as %s: %w", status, err)
	}
	return nil
}

// QueuePushdownRows queues adding rows result rows and their events to
// ledger row id, in the transaction that adds them to the rollups, on
// condition that it still says done rows: moved is set when it did not
// (another ingester ran the query), and the transaction must not commit.
func QueuePushdownRows(b *pgx.Batch, id, rows, events, done int64, moved *bool) {
	b.Queue(`
		UPDATE ingest_pushdown SET rows_done = rows_done + $2, events = events + $3, updated_at = now()
		WHERE id = $1 AND rows_done = $4`, id, rows, events, done).Exec(func(ct pgconn.CommandTag) error {
		*moved = ct.RowsAffected() != 1
		return nil
	})
}
