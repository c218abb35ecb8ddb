package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeadlockRetried forces a real deadlock between two transactions and
// shows that a plain transaction fails with it while InTx retries it.
func TestDeadlockRetried(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE fault_target (x int)`); err != nil {
		t.Fatal(err)
	}
	insert := func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO fault_target VALUES (1)`)
		return err
	}

	t.Run("without retry the deadlock fails the write", func(t *testing.T) {
		done := storetest.Deadlock(t, db.Schema, "fault_target")
		err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, insert)
		done()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			t.Fatalf("got %v, want deadlock_detected (40P01)", err)
		}
		if !store.Retryable(err) {
			t.Errorf("Retryable(%v) = false", err)
		}
		if n := countRows(t, db, "fault_target"); n != 0 {
			t.Fatalf("rows after the failed write: got %d, want 0", n)
		}
	})

	t.Run("InTx retries it", func(t *testing.T) {
		attempts := 0
		done := storetest.Deadlock(t, db.Schema, "fault_target")
		err := store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
			attempts++
			return insert(tx)
		})
		done()
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		if attempts != 2 {
			t.Errorf("attempts: got %d, want 2", attempts)
		}
		if n := countRows(t, db, "fault_target"); n != 1 {
			t.Fatalf("rows: got %d, want 1", n)
		}
	})
}

// TestSerializationFailureRetried runs two SERIALIZABLE transactions that
// each read what the other writes (write skew): PostgreSQL aborts one with
// serialization_failure, and InTx runs it again.
func TestSerializationFailureRetried(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE oncall (name text PRIMARY KEY, on_call bool NOT NULL);
		INSERT INTO oncall VALUES ('a', true), ('b', true)`); err != nil {
		t.Fatal(err)
	}
	var read sync.WaitGroup // both first attempts have read before either writes
	read.Add(2)
	var mu sync.Mutex
	attempts := map[string]int{}
	leave := func(name string) error {
		return store.InTx(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(tx pgx.Tx) error {
			mu.Lock()
			attempts[name]++
			first := attempts[name] == 1
			mu.Unlock()
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM oncall WHERE on_call`).Scan(&n); err != nil {
				return err
			}
			if first {
				read.Done()
				read.Wait()
			}
			if n < 2 {
				return nil // someone must stay on call
			}
			_, err := tx.Exec(ctx, `UPDATE oncall SET on_call = false WHERE name = $1`, name)
			return err
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"a", "b"} {
		wg.Go(func() { errs[i] = leave(name) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
	}
	var onCall int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM oncall WHERE on_call`).Scan(&onCall); err != nil {
		t.Fatal(err)
	}
	if onCall != 1 {
		t.Errorf("on call after both: got %d, want 1 (serializable)", onCall)
	}
	// The abort comes at the UPDATE or at COMMIT; either way one
	// transaction ran twice.
	if attempts["a"]+attempts["b"] != 3 {
		t.Errorf("attempts: got %v, want one retry in all", attempts)
	}
}

func TestRetryStops(t *testing.T) {
	ctx := context.Background()
	deadlock := &pgconn.PgError{Code: "40P01"}
	tests := []struct {
		name     string
		ctx      func() context.Context
		err      error
		attempts int
	}{
		{"not retryable", func() context.Context { return ctx }, errors.New("syntax"), 1},
		{"gives up after MaxAttempts", func() context.Context { return ctx }, deadlock, store.MaxAttempts},
		{"cancelled", func() context.Context {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return c
		}, deadlock, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := store.Retry(tc.ctx(), func() error { n++; return tc.err })
			if err == nil {
				t.Fatal("got nil error")
			}
			if n != tc.attempts {
				t.Errorf("attempts: got %d, want %d", n, tc.attempts)
			}
		})
	}
}
