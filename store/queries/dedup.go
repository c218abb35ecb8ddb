package queries

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Ingest's per-event tables: the dedup table (ingest_event_seen), the raw
// events of --keep-raw (cloudtrail_event_raw), and their monthly
// partitions.

// The monthly partitioned tables.
const (
	EventSeenTable = "ingest_event_seen"
	EventRawTable  = "cloudtrail_event_raw"
)

// EventKey is an ingest_event_seen key: the event's time to the second,
// as Unix seconds, and its eventID's DedupKey.
type EventKey struct {
	Sec int64
	Key int64
}

// DedupKey is the 64 bits of an eventID's UUID that ingest_event_seen
// keeps: its two halves XORed, all of whose bits are random for random
// and name-based UUIDs (see migrations/00013_event_seen_key.sql).
func DedupKey(id [16]byte) int64 {
	return int64(binary.BigEndian.Uint64(id[:8]) ^ binary.BigEndian.Uint64(id[8:]))
}

// Dedup adds events' keys to ingest_event_seen in one transaction and
// tells which were new. While the transaction's events keep being new, a
// plain COPY does it (about twice as fast as INSERT ... ON CONFLICT); the
// first unique violation rolls the COPY back to a savepoint and switches
// to ON CONFLICT DO NOTHING RETURNING for the rest of the transaction.
type Dedup struct {
	tx pgx.Tx
	// dups: some key was already stored; Add then skips the COPY attempt.
	dups bool
	buf  []byte // the COPY's data, reused
}

// NewDedup returns a Dedup for tx.
func NewDedup(tx pgx.Tx) *Dedup {
	return &Dedup{tx: tx}
}

// Add inserts the keys (secs[i], keys[i]), which must be distinct and
// sorted by (time, key) so that concurrent transactions lock them in the
// same order and cannot deadlock, and returns those that were new; nil
// means all were. The months of the keys need their partitions
// (PartitionAttached, CreateMonthlyPartition).
func (d *Dedup) Add(ctx context.Context, secs []time.Time, keys []int64) (map[EventKey]bool, error) {
	if !d.dups {
		ok, err := d.copy(ctx, secs, keys)
		if err != nil {
			return nil, fmt.Errorf("dedup events: %w", err)
		}
		if ok {
			return nil, nil
		}
		d.dups = true
	}
	res, err := d.tx.Query(ctx, `
		INSERT INTO ingest_event_seen (event_time, event_key)
		SELECT t, k FROM unnest($1::timestamptz[], $2::bigint[]) AS u(t, k)
		ORDER BY t, k
		ON CONFLICT DO NOTHING
		RETURNING event_time, event_key`, secs, keys)
	if err != nil {
		return nil, fmt.Errorf("dedup events: %w", err)
	}
	fresh := make(map[EventKey]bool, len(secs))
	var t time.Time
	var k int64
	if _, err := pgx.ForEachRow(res, []any{&t, &k}, func() error {
		fresh[EventKey{t.Unix(), k}] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("dedup events: %w", err)
	}
	if len(fresh) == len(secs) {
		return nil, nil
	}
	return fresh, nil
}

// seenCopy is the COPY of Dedup.copy, in PostgreSQL's binary format.
var seenCopy = "COPY " + pgx.Identifier{EventSeenTable}.Sanitize() + " (event_time, event_key) FROM STDIN BINARY"

// pgEpoch is where PostgreSQL's binary timestamps count microseconds from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// appendCopyKeys appends the keys as the data of seenCopy: the binary
// COPY header, then per key a row of two 8-byte fields, the timestamptz
// (microseconds since 2000, as pgx encodes a time.Time) and the bigint,
// then the trailer. Encoding them here rather than through pgx's
// CopyFrom, which encodes each value through its type map, was 2% of
// ingest's CPU on churning logs, where every event is new.
func appendCopyKeys(b []byte, secs []time.Time, keys []int64) []byte {
	b = append(b, "PGCOPY\n\377\r\n\000"...)
	b = binary.BigEndian.AppendUint32(b, 0) // flags
	b = binary.BigEndian.AppendUint32(b, 0) // header extension length
	for i, t := range secs {
		us := (t.Unix()-pgEpoch)*1_000_000 + int64(t.Nanosecond())/1000
		b = binary.BigEndian.AppendUint16(b, 2) // fields
		b = binary.BigEndian.AppendUint32(b, 8)
		b = binary.BigEndian.AppendUint64(b, uint64(us))
		b = binary.BigEndian.AppendUint32(b, 8)
		b = binary.BigEndian.AppendUint64(b, uint64(keys[i]))
	}
	return binary.BigEndian.AppendUint16(b, 0xffff) // trailer: -1 fields
}

// copy tries the COPY; ok false means some key was stored already, and
// the COPY was rolled back.
func (d *Dedup) copy(ctx context.Context, secs []time.Time, keys []int64) (ok bool, err error) {
	if _, err := d.tx.Exec(ctx, "SAVEPOINT dedup"); err != nil {
		return false, err
	}
	d.buf = appendCopyKeys(d.buf[:0], secs, keys)
	_, err = d.tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(d.buf), seenCopy)
	if err == nil {
		_, err = d.tx.Exec(ctx, "RELEASE SAVEPOINT dedup")
		return err == nil, err
	}
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "23505" { // unique_violation
		return false, err
	}
	if _, err := d.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT dedup"); err != nil {
		return false, err
	}
	return false, nil
}

// RawEvent is a cloudtrail_event_raw row: a new event's JSON and the
// fields it is looked up by.
type RawEvent struct {
	Day             time.Time
	ID              [16]byte
	Time            time.Time
	Account, Region string
	Source, Name    string
	PrincipalARN    string
	JSON            []byte
}

var rawColumns = []string{"day", "event_id", "event_time", "account_id", "region", "event_source", "event_name", "principal_arn", "raw"}

// AddRawEvents copies raw events into cloudtrail_event_raw in tx. Should
// PostgreSQL refuse a value (a number beyond numeric's range, say: a data
// exception), the rows are copied one by one instead, and refused is
// called with the index and the error of each one it refuses, instead of
// the whole transaction failing.
func AddRawEvents(ctx context.Context, tx pgx.Tx, evs []RawEvent, refused func(i int, err error)) error {
	if err := copyRaw(ctx, tx, "raw", evs); err == nil || !isDataException(err) {
		return err
	}
	for i := range evs {
		err := copyRaw(ctx, tx, "raw_row", evs[i:i+1])
		if err == nil {
			continue
		}
		if !isDataException(err) {
			return err
		}
		refused(i, err)
	}
	return nil
}

// copyRaw copies evs under a savepoint, rolled back on a data exception.
func copyRaw(ctx context.Context, tx pgx.Tx, savepoint string, evs []RawEvent) error {
	if _, err := tx.Exec(ctx, "SAVEPOINT "+savepoint); err != nil {
		return err
	}
	row := make([]any, len(rawColumns))
	_, err := tx.CopyFrom(ctx, pgx.Identifier{EventRawTable}, rawColumns, pgx.CopyFromSlice(len(evs), func(i int) ([]any, error) {
		e := &evs[i]
		row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8] =
			e.Day, e.ID, e.Time, e.Account, e.Region, e.Source, e.Name, e.PrincipalARN, e.JSON
		return row, nil
	}))
	if err == nil {
		_, err = tx.Exec(ctx, "RELEASE SAVEPOINT "+savepoint)
		return err
	}
	if !isDataException(err) {
		return err
	}
	if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); rerr != nil {
		return rerr
	}
	return err
}

// isDataException reports a PostgreSQL error of class 22 (data exception):
// a value the column's type refuses.
func isDataException(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22")
}

// PartitionName is the name of parent's partition for the month of m:
// parent_pYYYYMM.
func PartitionName(parent string, m time.Time) string {
	return fmt.Sprintf("%s_p%04d%02d", parent, m.Year(), int(m.Month()))
}

// PartitionAttached reports whether parent (EventSeenTable or
// EventRawTable) has its partition for the month of m.
func PartitionAttached(ctx context.Context, tx pgx.Tx, parent string, m time.Time) (bool, error) {
	name := PartitionName(parent, m)
	var attached bool
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = to_regclass($2))`,
		name, parent).Scan(&attached)
	if err != nil {
		return false, fmt.Errorf("look up partition %s: %w", name, err)
	}
	return attached, nil
}

// PartitionsOf describes parent's attached partitions with their bounds,
// and the connection's search_path: what a "no partition of relation ...
// found for row" error is checked against when it is reported.
func PartitionsOf(ctx context.Context, db *store.DB, parent string) (string, error) {
	var desc string
	err := db.Pool.QueryRow(ctx, `
		SELECT 'search_path ' || current_setting('search_path') || '; ' || coalesce(string_agg(
			i.inhrelid::regclass::text || ' ' || pg_get_expr(c.relpartbound, c.oid), '; ' ORDER BY c.relname), 'no partitions')
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = to_regclass($1)`, parent).Scan(&desc)
	if err != nil {
		return "", fmt.Errorf("list partitions of %s: %w", parent, err)
	}
	return desc, nil
}

// CreateMonthlyPartition creates and attaches parent's partition for the
// month of m (a month's first instant, UTC) unless it is there, in its own
// short transaction, and reports whether it created it. ATTACH PARTITION
// takes a SHARE UPDATE EXCLUSIVE lock on the parent, which does not wait
// for other ingesters' inserts (CREATE TABLE ... PARTITION OF would take
// ACCESS EXCLUSIVE); an advisory lock makes concurrent creators of the
// same partition take turns.
func CreateMonthlyPartition(ctx context.Context, db *store.DB, parent string, m time.Time) (created bool, err error) {
	name := PartitionName(parent, m)
	err = pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		created = false
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('iamtrim-partition:' || current_schema() || '.' || $1))`, name); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		attached, err := PartitionAttached(ctx, tx, parent, m)
		if err != nil || attached {
			return err
		}
		// name is built from numbers only; parent is one of the
		// constants.
		id, pid := pgx.Identifier{name}.Sanitize(), pgx.Identifier{parent}.Sanitize()
		// Bounds in UTC, whatever the session's TimeZone: a bare date
		// would be read as local midnight for a timestamptz key, and
		// events of the first hours of a UTC month would fit no
		// partition. (A date key takes the date part.)
		const bound = "2006-01-02 15:04:05-07"
		from, to := m.Format(bound), m.AddDate(0, 1, 0).Format(bound)
		if _, err := tx.Exec(ctx, fmt.Sprintf(`
			CREATE TABLE IF NOT EXISTS %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
			ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM ('%s') TO ('%s')`, id, pid, pid, id, from, to)); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("create partition %s: %w", name, err)
	}
	return created, nil
}
