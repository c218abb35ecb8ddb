package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"
)

// ErrLocked is returned by Lock when another process holds the lock.
var ErrLocked = errors.New("lock held by another process")

// LockOptions tune Lock.
type LockOptions struct {
	// Wait blocks until the lock is free instead of returning ErrLocked.
	Wait bool
	// Grace is how long a non-waiting Lock keeps trying before returning
	// ErrLocked: a process killed a moment ago holds its lock until the
	// server notices its connection is gone.
	Grace time.Duration
}

// Lock takes the session-level advisory lock called name (scoped to this
// schema) on a dedicated connection, which holds it until unlock is called
// or the process dies.
func (db *DB) Lock(ctx context.Context, name string, o LockOptions) (unlock func(), err error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	key := LockKey(name, db.Schema)
	var got bool
	for deadline := time.Now().Add(o.Grace); ; {
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
			conn.Release()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if got || o.Wait || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if !got {
		if !o.Wait {
			conn.Release()
			return nil, ErrLocked
		}
		if _, err := conn.Exec(ctx, `SET statement_timeout = 0`); err != nil {
			conn.Release()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			conn.Release()
			return nil, fmt.Errorf("wait for lock %s: %w", name, err)
		}
	}
	return func() {
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Release()
	}, nil
}

// LockKey is the advisory lock key of name in schema.
func LockKey(name, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name + ":" + schema))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}

// Waiters counts the sessions waiting for the advisory lock called name:
// a test's way to know a waiting Lock has reached the server.
func (db *DB) Waiters(ctx context.Context, name string) (int, error) {
	key := LockKey(name, db.Schema)
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
		AND ((classid::bigint << 32) | objid::bigint) = $1`, key).Scan(&n)
	return n, err
}
