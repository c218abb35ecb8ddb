// Package storetest gives each test its own freshly migrated PostgreSQL
// schema on a real server, dropped when the test ends (the River
// riverdbtest pattern). There are no database mocks in iamtrim's tests.
//
// The server is IAMTRIM_TEST_DATABASE_URL when set, else
// postgres://postgres@127.0.0.1:5432/test. When no server answers the test
// fails (it does not skip): make test and CI promise a real database.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// URL is the server tests use.
func URL() string {
	if u := os.Getenv("IAMTRIM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// SchemaName returns a unique schema name derived from the test's name.
func SchemaName(t testing.TB) string {
	name := nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 30 {
		name = name[:30]
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "t_" + name + "_" + hex.EncodeToString(b[:])
}

// New opens the test server with a new schema, migrated, and drops the
// schema at cleanup.
func New(t testing.TB) *store.DB {
	t.Helper()
	return NewWithOptions(t, store.Options{})
}

// NewWithOptions is New with extra options (Schema and URL are set by it
// unless given).
func NewWithOptions(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	if opts.Schema == "" {
		opts.Schema = SchemaName(t)
	}
	if opts.URL == "" {
		opts.URL = URL()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	schema := opts.Schema
	t.Cleanup(func() {
		db.Close()
		Drop(t, schema)
	})
	return db
}

// Drop removes a schema made for a test.
func Drop(t testing.TB, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		t.Logf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Logf("drop schema %s: %v", schema, err)
	}
}
