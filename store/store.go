package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// DefaultDatabase is the database iamtrim uses when none is named.
const DefaultDatabase = "iamtrim"

// ErrNoServer is returned (wrapped in a *ConnectError) when no PostgreSQL
// server answered at any of the places tried.
var ErrNoServer = errors.New("no PostgreSQL server answered")

// Options configure Open.
type Options struct {
	// URL is the --db flag; empty means "resolve from the environment".
	URL string
	// Getenv reads the environment; nil means os.Getenv. Tests inject it.
	Getenv func(string) string
	// AppName is sent as application_name; default "iamtrim".
	AppName string
	// StatementTimeout bounds every statement; default 10 minutes, 0 keeps
	// the default, negative disables it.
	StatementTimeout time.Duration
	// MaxConns caps the pool; 0 lets pgx choose.
	MaxConns int32
	// Schema, when set, is created if missing and put first on the
	// search_path of every connection (tests use one schema each).
	Schema string
	// NoMigrate skips applying migrations on open.
	NoMigrate bool
	Logger    *slog.Logger
	// Fallback starts a server when no server is named (no URL,
	// DATABASE_URL, PGHOST, PGHOSTADDR, PGPORT or PGSERVICE) and none
	// answers at the local defaults: iamtrim's private store. It returns
	// the target for database and a release func that Close calls.
	Fallback func(ctx context.Context, database string) (Target, func(), error)
}

// DB is an open, migrated database.
type DB struct {
	Pool   *pgxpool.Pool
	Schema string
	Target Target
	log    *slog.Logger
	// release ends the use of a server Fallback started.
	release func()
}

// Close closes the pool and, for the private store, ends this process's
// use of it (stopping it when no other process uses it).
func (db *DB) Close() {
	db.Pool.Close()
	if db.release != nil {
		db.release()
		db.release = nil
	}
}

// Target is one place to try, with how it was chosen.
type Target struct {
	// ConnString is what pgx parses ("" means "the libpq environment").
	ConnString string
	// Origin says where it came from: "--db", "DATABASE_URL",
	// "libpq environment", "local socket", "local TCP".
	Origin string
	// Display is the target without its password, for messages.
	Display string
	// Local is set when no server was named, so a server of iamtrim's own
	// (Options.Fallback) may stand in when this one does not answer.
	Local bool
	// release ends the use of the private store (Options.Fallback).
	release func()
}

// Candidates lists, in order, the places Open tries: the --db URL, else
// DATABASE_URL, else the libpq variables when any is set, else the local
// server's Unix socket and then 127.0.0.1:5432, each with database iamtrim.
// PGDATABASE, PGUSER and PGPASSWORD alone name no server: those targets are
// Local, so the private store may stand in. IAMTRIM_DEFAULT_PGHOST, when
// set, replaces the local server's places (a host or socket directory,
// port 5432): tests point it at a closed port to act out "no server".
func Candidates(flagURL string, getenv func(string) string) []Target {
	if getenv == nil {
		getenv = os.Getenv
	}
	if flagURL != "" {
		return []Target{{ConnString: flagURL, Origin: "--db", Display: redact(flagURL)}}
	}
	if u := getenv("DATABASE_URL"); u != "" {
		return []Target{{ConnString: u, Origin: "DATABASE_URL", Display: redact(u)}}
	}
	local := true
	for _, k := range []string{"PGHOST", "PGHOSTADDR", "PGPORT", "PGSERVICE"} {
		if getenv(k) != "" {
			local = false
		}
	}
	hook := getenv("IAMTRIM_DEFAULT_PGHOST")
	for _, k := range []string{"PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGPASSWORD"} {
		if getenv(k) != "" {
			cs := ""
			if getenv("PGDATABASE") == "" && getenv("PGSERVICE") == "" {
				cs = "dbname=" + DefaultDatabase
			}
			if local && hook != "" {
				cs = strings.TrimSpace(cs + " host=" + quoteValue(hook) + " port=5432")
			}
			return []Target{{ConnString: cs, Origin: "libpq environment", Display: libpqDisplay(getenv), Local: local}}
		}
	}
	if hook != "" {
		cs := "host=" + quoteValue(hook) + " port=5432 dbname=" + DefaultDatabase
		return []Target{{ConnString: cs, Origin: "IAMTRIM_DEFAULT_PGHOST", Display: redact(cs), Local: true}}
	}
	return []Target{
		{ConnString: "host=/var/run/postgresql port=5432 dbname=" + DefaultDatabase, Origin: "local socket", Display: "/var/run/postgresql/.s.PGSQL.5432 database " + DefaultDatabase, Local: true},
		{ConnString: "host=127.0.0.1 port=5432 dbname=" + DefaultDatabase, Origin: "local TCP", Display: "127.0.0.1:5432 database " + DefaultDatabase, Local: true},
	}
}

// quoteValue quotes a keyword/value connection string value.
func quoteValue(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func libpqDisplay(getenv func(string) string) string {
	var parts []string
	for _, k := range []string{"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"} {
		if v := getenv(k); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// redact hides a password in a URL or keyword/value connection string.
func redact(cs string) string {
	cfg, err := pgconn.ParseConfig(cs)
	if err != nil {
		return "(unparsable connection string)"
	}
	host := cfg.Host
	if strings.HasPrefix(host, "/") {
		host = fmt.Sprintf("%s/.s.PGSQL.%d", host, cfg.Port)
	} else {
		host = net.JoinHostPort(host, fmt.Sprint(cfg.Port))
	}
	return fmt.Sprintf("%s user %s database %s", host, cfg.User, cfg.Database)
}

// ConnectError says what was tried and how to point iamtrim at a server.
type ConnectError struct {
	Tried []string
	Err   error
}

func (e *ConnectError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connect to PostgreSQL: %v\ntried:\n", e.Err)
	for _, t := range e.Tried {
		fmt.Fprintf(&b, "  - %s\n", t)
	}
	b.WriteString("point iamtrim at a server with --db postgres://USER@HOST:PORT/DB, DATABASE_URL, or the libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD)")
	return b.String()
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Open resolves the target, creates the database when it does not exist and
// the server allows it, opens the pool and applies pending migrations.
func Open(ctx context.Context, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var tried []string
	var lastErr error
	cands := Candidates(opts.URL, opts.Getenv)
	fellBack := false
	for i := 0; i < len(cands); i++ {
		t := cands[i]
		db, err := open(ctx, t, opts, log)
		if err == nil {
			return db, nil
		}
		var pe *phaseError
		if errors.As(err, &pe) {
			return nil, pe.err
		}
		tried = append(tried, fmt.Sprintf("%s (%s): %v", t.Display, t.Origin, shortErr(err)))
		lastErr = err
		if isAuthOrFatal(err) {
			return nil, &ConnectError{Tried: tried, Err: err}
		}
		if i == len(cands)-1 && !fellBack && opts.Fallback != nil && allLocal(cands) {
			fellBack = true
			database := DefaultDatabase
			if d := getenvOr(opts.Getenv)("PGDATABASE"); d != "" {
				database = d
			}
			ft, release, err := opts.Fallback(ctx, database)
			if err != nil {
				return nil, &ConnectError{Tried: tried, Err: fmt.Errorf("%w, and the private store cannot start: %w", ErrNoServer, err)}
			}
			ft.release = release
			cands = append(cands, ft)
		}
	}
	if lastErr == nil {
		lastErr = ErrNoServer
	}
	return nil, &ConnectError{Tried: tried, Err: fmt.Errorf("%w: %v", ErrNoServer, shortErr(lastErr))}
}

// phaseError is a failure after the connection succeeded (creating the
// database, the schema, migrating): trying another target will not help.
type phaseError struct{ err error }

func (e *phaseError) Error() string { return e.err.Error() }

func allLocal(ts []Target) bool {
	for _, t := range ts {
		if !t.Local {
			return false
		}
	}
	return true
}

func getenvOr(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}

// open connects to one target, creating its database when missing, and
// migrates. A target with a release func (the private store) has it called
// when open fails, or by Close.
func open(ctx context.Context, t Target, opts Options, log *slog.Logger) (db *DB, err error) {
	if t.release != nil {
		defer func() {
			if err != nil {
				t.release()
			}
		}()
	}
	cfg, err := poolConfig(t, opts)
	if err != nil {
		return nil, &phaseError{fmt.Errorf("parse %s connection string: %w", t.Origin, err)}
	}
	pool, err := connect(ctx, cfg, log)
	if err != nil && isMissingDatabase(err) {
		log.Info("creating database", "database", cfg.ConnConfig.Database, "origin", t.Origin)
		if cerr := createDatabase(ctx, cfg.ConnConfig); cerr != nil {
			return nil, &phaseError{fmt.Errorf("database %q does not exist and could not be created (create it, or name another with --db): %w", cfg.ConnConfig.Database, cerr)}
		}
		pool, err = connect(ctx, cfg, log)
	}
	if err != nil {
		return nil, err
	}
	db = &DB{Pool: pool, Schema: opts.Schema, Target: t, log: log, release: t.release}
	if opts.Schema != "" {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opts.Schema}.Sanitize()); err != nil && !isDuplicate(err) {
			pool.Close()
			return nil, &phaseError{fmt.Errorf("create schema %s: %w", opts.Schema, err)}
		}
	}
	if t.Local || t.release != nil {
		log.Info("using PostgreSQL", "store", t.Display, "origin", t.Origin)
	} else {
		log.Debug("connected", "target", t.Display, "origin", t.Origin)
	}
	if !opts.NoMigrate {
		if err := db.Migrate(ctx); err != nil {
			pool.Close()
			return nil, &phaseError{err}
		}
	}
	return db, nil
}

func shortErr(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s) > 160 {
		s = s[i+2:]
	}
	return s
}

func poolConfig(t Target, opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(t.ConnString)
	if err != nil {
		return nil, err
	}
	app := opts.AppName
	if app == "" {
		app = "iamtrim"
	}
	rp := cfg.ConnConfig.RuntimeParams
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = app
	}
	to := opts.StatementTimeout
	if to == 0 {
		to = 10 * time.Minute
	}
	if to > 0 {
		rp["statement_timeout"] = fmt.Sprint(to.Milliseconds())
	}
	if opts.Schema != "" {
		rp["search_path"] = pgx.Identifier{opts.Schema}.Sanitize() + ", public"
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	return cfg, nil
}

func connect(ctx context.Context, cfg *pgxpool.Config, log *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// isDuplicate recognises the error a concurrent CREATE ... IF NOT EXISTS
// can still raise when another session created the object first.
func isDuplicate(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P06")
}

func isMissingDatabase(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "3D000"
}

// isAuthOrFatal reports errors that trying the next candidate will not fix:
// the server answered and refused us.
func isAuthOrFatal(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr)
}

func createDatabase(ctx context.Context, target *pgx.ConnConfig) error {
	admin := target.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		admin.Database = "template1"
		if conn, err = pgx.ConnectConfig(ctx, admin); err != nil {
			return err
		}
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{target.Database}.Sanitize())
	if createdConcurrently(err) {
		return nil
	}
	return err
}

// createdConcurrently recognises a CREATE DATABASE that lost a race with
// another session creating the same database: 42P04 (duplicate_database)
// when the other one had committed, 23505 on pg_database_datname_index when
// both inserted the catalog row at once (parallel test packages on a fresh
// server do this).
func createdConcurrently(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == "42P04" || pgErr.Code == "23505" && pgErr.ConstraintName == "pg_database_datname_index"
}

// Migrate applies pending migrations. A PostgreSQL advisory lock, keyed on
// the schema, makes concurrent starts wait for the first to finish instead of
// both migrating.
func (db *DB) Migrate(ctx context.Context) error {
	schema := db.Schema
	if schema == "" {
		schema = "public"
	}
	h := fnv.New64a()
	h.Write([]byte("iamtrim-migrate:" + schema))
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64()&0x7fffffffffffffff)),
		lock.WithLockTimeout(1, 600), // retry every second for up to 10 minutes
	)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range res {
		db.log.Info("applied migration", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// MigrationStatus reports the applied version and the newest available.
func (db *DB) MigrationStatus(ctx context.Context) (current, latest int64, err error) {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, 0, fmt.Errorf("migrations: %w", err)
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read migration version: %w", err)
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return current, latest, nil
}
