package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// The ingest ledger (ingest_object: one row per log file, S3 object or
// CloudTrail API day) and the API cursors (ingest_api_cursor), as package
// ingest reads and writes them.

// ObjectKey names a ledger row: its source kind ('file', 's3', 'api') and
// key.
type ObjectKey struct {
	Source, Key string
}

// ObjectState is what the ledger says of an object: the size and version
// last ingested and the status.
type ObjectState struct {
	ID      int64
	Size    int64
	Version string
	Status  string
}

// RegisterObjects adds ledger rows (status 'pending') for the objects the
// ledger does not hold, in key order, and returns every given object's
// state. keys must be distinct; sizes are parallel to them.
func RegisterObjects(ctx context.Context, db *store.DB, keys []ObjectKey, sizes []int64) (map[ObjectKey]ObjectState, error) {
	sources, names := splitKeys(keys)
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO ingest_object (source, key, size)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
		ORDER BY 1, 2
		ON CONFLICT (source, key) DO NOTHING`, sources, names, sizes); err != nil {
		return nil, fmt.Errorf("register objects: %w", err)
	}
	return ObjectStates(ctx, db, keys)
}

// ObjectStates returns the ledger's state of the given objects it holds,
// without locking them.
func ObjectStates(ctx context.Context, db *store.DB, keys []ObjectKey) (map[ObjectKey]ObjectState, error) {
	sources, names := splitKeys(keys)
	rows, err := db.Pool.Query(ctx, `
		SELECT o.id, o.source, o.key, o.size, o.version, o.status
		FROM ingest_object o
		JOIN unnest($1::text[], $2::text[]) AS b(source, key) USING (source, key)`, sources, names)
	if err != nil {
		return nil, fmt.Errorf("read the ledger: %w", err)
	}
	out := make(map[ObjectKey]ObjectState, len(keys))
	if err := scanObjects(rows, out); err != nil {
		return nil, fmt.Errorf("read the ledger: %w", err)
	}
	return out, nil
}

func splitKeys(keys []ObjectKey) (sources, names []string) {
	sources, names = make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		sources[i], names[i] = k.Source, k.Key
	}
	return sources, names
}

func scanObjects(rows pgx.Rows, into map[ObjectKey]ObjectState) error {
	var k ObjectKey
	var st ObjectState
	_, err := pgx.ForEachRow(rows, []any{&st.ID, &k.Source, &k.Key, &st.Size, &st.Version, &st.Status}, func() error {
		into[k] = st
		return nil
	})
	return err
}

// QueueClaimObjects queues, first in an ingest transaction, the claim of
// the objects' ledger rows: their row locks, in id order, so that
// concurrent ingesters cannot deadlock. Rows another transaction holds are
// skipped (left out of into), unless wait: then the claim waits for them
// for lockTimeout (0: without limit), and fails with lock_not_available
// (55P03) beyond. into receives the claimed rows' states when the batch is
// sent.
//
// The transaction's commit is made asynchronous (synchronous_commit off):
// a commit a server crash loses takes its ledger rows with it, so its
// objects are simply ingested again. Exactly-once counting needs the
// ledger and the rollups to commit together, not each commit durable at
// once.
func QueueClaimObjects(b *pgx.Batch, keys []ObjectKey, wait bool, lockTimeout time.Duration, into map[ObjectKey]ObjectState) {
	b.Queue(asyncCommit)
	lock := "FOR UPDATE SKIP LOCKED"
	if wait {
		b.Queue(fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", lockTimeout.Milliseconds()))
		lock = "FOR UPDATE"
	}
	sources, names := splitKeys(keys)
	b.Queue(`
		SELECT o.id, o.source, o.key, o.size, o.version, o.status
		FROM ingest_object o JOIN unnest($1::text[], $2::text[]) AS c(source, key) USING (source, key)
		ORDER BY o.id `+lock, sources, names).Query(func(rs pgx.Rows) error {
		return scanObjects(rs, into)
	})
}

// asyncCommit makes the transaction's commit asynchronous (AsyncCommit).
const asyncCommit = "SET LOCAL synchronous_commit = off"

// AsyncCommit makes tx's commit asynchronous (synchronous_commit off), for
// a transaction that writes rollup rows with the ledger rows that count
// them: a commit a server crash loses takes both with it, and the next
// run does the work again.
func AsyncCommit(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, asyncCommit); err != nil {
		return fmt.Errorf("set asynchronous commit: %w", err)
	}
	return nil
}

// WaitDurable returns once every transaction the server committed before
// it was called is on disk, asynchronous ones (AsyncCommit,
// QueueClaimObjects) included: it commits, synchronously, a transaction
// that writes to the log (a transactional logical message: a transaction
// that only has an id commits without a flush), and the server flushes the
// log in order, so the earlier commits are flushed with it. An ingest calls it before reporting what
// it counted, so that a server crash after the report cannot take back
// counted events.
func WaitDurable(ctx context.Context, db *store.DB) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = on"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "SELECT pg_logical_emit_message(true, 'iamtrim', 'durable')")
		return err
	})
	if err != nil {
		return fmt.Errorf("wait for the commits to be durable: %w", err)
	}
	return nil
}

// ObjectDone is what ingesting an object produced, for its ledger row.
type ObjectDone struct {
	ID                     int64
	Size                   int64
	Version, Status, Shape string
	Records, Events        int64
	Duplicates             int64
	Unmapped, Denied       int64
	BadRecords             int64
	Error, IngestedBy      string
}

// QueueObjectDone queues the update of an object's ledger row with what
// ingesting it produced (and one more attempt), to be sent in the
// transaction that writes its rollup rows.
func QueueObjectDone(b *pgx.Batch, d ObjectDone) {
	b.Queue(`
		UPDATE ingest_object SET size = $2, version = $3, status = $4, shape = $5, records = $6,
			events = $7, duplicates = $8, unmapped = $9, denied = $10, errors = $11, error = $12,
			attempts = attempts + 1, ingested_by = $13, updated_at = now()
		WHERE id = $1`,
		d.ID, d.Size, d.Version, d.Status, d.Shape, d.Records,
		d.Events, d.Duplicates, d.Unmapped, d.Denied, d.BadRecords, d.Error, d.IngestedBy)
}

// QueueAPICursor queues moving the API cursor of account and region to t,
// unless it is already later.
func QueueAPICursor(b *pgx.Batch, account, region string, t time.Time) {
	b.Queue(`
		INSERT INTO ingest_api_cursor (account_id, region, last_event_time) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, region) DO UPDATE
		SET last_event_time = GREATEST(ingest_api_cursor.last_event_time, EXCLUDED.last_event_time), updated_at = now()`,
		account, region, t)
}
