package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// MaxAttempts is how many times Retry and InTx try before giving up.
const MaxAttempts = 8

// Retryable reports whether err is a deadlock or a serialization failure:
// PostgreSQL aborted the transaction because of a concurrent one, and the
// same work run again can succeed.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40P01", "40001": // deadlock_detected, serialization_failure
			return true
		}
	}
	return false
}

// Retry runs fn, and again (with a growing pause, up to MaxAttempts in all)
// while it fails with a deadlock or serialization failure. fn must be a
// whole transaction: everything it wrote was rolled back when it failed.
// Every write iamtrim makes goes through Retry or InTx, so that concurrent
// processes (two ingesters, an ingest beside the nightly job) never fail
// on each other.
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := range MaxAttempts {
		if err = fn(); err == nil || !Retryable(err) {
			return err
		}
		if attempt == MaxAttempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
		}
	}
	return err
}

// Beginner starts transactions: a *pgxpool.Pool or a *pgx.Conn.
type Beginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// InTx runs fn in a transaction with the given options and commits it;
// on a deadlock or serialization failure (of fn or of the commit) the
// transaction is rolled back and run again, as Retry does.
func InTx(ctx context.Context, db Beginner, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	return Retry(ctx, func() error {
		return pgx.BeginTxFunc(ctx, db, opts, fn)
	})
}
