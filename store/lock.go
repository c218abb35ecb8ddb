package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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
// schema) on a dedicated connection of the pool (Claims), which holds it
// until unlock is called or the process dies.
func (db *DB) Lock(ctx context.Context, name string, o LockOptions) (unlock func(), err error) {
	c, err := db.OpenClaims(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	var got bool
	for deadline := time.Now().Add(o.Grace); ; {
		if got, err = c.TryLock(ctx, name); err != nil {
			c.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if got || o.Wait || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			c.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if !got {
		if !o.Wait {
			c.Close()
			return nil, ErrLocked
		}
		if err := c.wait(ctx, name); err != nil {
			c.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", name, err)
		}
	}
	return c.Close, nil
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

// Claims are advisory locks a process takes and gives back one by one on
// one connection of the pool, held for them: a claim lasts until Unlock,
// Close, or the process's death. Safe for concurrent use (calls take
// turns on the connection).
type Claims struct {
	mu     sync.Mutex
	conn   *pgxpool.Conn
	schema string
	waited bool // the statement timeout is off (wait)
}

// OpenClaims takes a connection from the pool for a set of claims (the
// caller leaves the pool room for it).
func (db *DB) OpenClaims(ctx context.Context) (*Claims, error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("a connection for claims: %w", err)
	}
	return &Claims{conn: conn, schema: db.Schema}, nil
}

// TryLock claims name (scoped to the schema) unless another session holds
// it; got says whether this one does now.
func (c *Claims) TryLock(ctx context.Context, name string) (got bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	err = c.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, LockKey(name, c.schema)).Scan(&got)
	return got, err
}

// wait claims name, waiting (without a statement timeout) for the
// session holding it to give it back.
func (c *Claims) wait(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.conn.Exec(ctx, `SET statement_timeout = 0`); err != nil {
		return err
	}
	c.waited = true
	_, err := c.conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, LockKey(name, c.schema))
	return err
}

// Unlock gives back a claim TryLock took.
func (c *Claims) Unlock(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, LockKey(name, c.schema))
	return err
}

// Close gives back every claim and the connection to the pool (which
// drops it if it broke).
func (c *Claims) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Given back before the connection returns to the pool, so that
	// they are free when Close returns and the next user of the
	// connection holds none.
	_, err := c.conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
	if err == nil && c.waited {
		// The pool's next user gets the configured timeout back.
		_, err = c.conn.Exec(ctx, `RESET statement_timeout`)
	}
	if err != nil {
		_ = c.conn.Conn().Close(ctx)
	}
	c.conn.Release()
}
