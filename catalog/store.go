package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store writes a catalog into the database as a version and makes that
// version current. It is idempotent: a catalog whose digest is already
// stored is not written again; that version (with its original source and
// fetch time) becomes current and is returned. source overrides the
// catalog's own Version().Source when not empty.
//
// Concurrent Stores are serialized by a transaction-scoped advisory lock
// keyed on the current schema.
func Store(ctx context.Context, pool *pgxpool.Pool, c *Catalog, source string) (Version, error) {
	if c == nil {
		return Version{}, errors.New("store catalog: no catalog")
	}
	v := c.Version()
	if source != "" {
		v.Source = source
	}
	if v.FetchedAt.IsZero() {
		return Version{}, errors.New("store catalog: version has no fetch time")
	}
	v.FetchedAt = v.FetchedAt.UTC().Truncate(time.Microsecond)

	given := v
	err := store.InTx(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		v = given // a retry starts again from what was given
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('iamtrim.catalog:' || current_schema(), 0))`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}

		existing, err := scanVersion(tx.QueryRow(ctx, versionSelect+` WHERE digest = $1`, v.Digest))
		switch {
		case err == nil:
			v = existing
		case errors.Is(err, pgx.ErrNoRows):
			// The id is the next after the highest stored, not the identity
			// sequence's: a Store killed after its INSERT rolls back but keeps
			// the sequence value it used, and the same catalog would then be
			// "version 2" in reports. The advisory lock above makes max+1 safe.
			if err := tx.QueryRow(ctx, `
				INSERT INTO catalog_version (id, source, fetched_at, digest, services, actions)
				OVERRIDING SYSTEM VALUE
				SELECT COALESCE(max(id), 0) + 1, $1, $2, $3, $4, $5 FROM catalog_version
				RETURNING id`,
				v.Source, v.FetchedAt, v.Digest, v.Services, v.Actions).Scan(&v.ID); err != nil {
				return fmt.Errorf("insert version: %w", err)
			}
			if err := copyRows(ctx, tx, v.ID, c); err != nil {
				return err
			}
		default:
			return fmt.Errorf("find version: %w", err)
		}

		// Two statements: the one-current unique index is checked row by row.
		if _, err := tx.Exec(ctx, `UPDATE catalog_version SET is_current = false WHERE is_current AND id <> $1`, v.ID); err != nil {
			return fmt.Errorf("clear current: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE catalog_version SET is_current = true WHERE id = $1 AND NOT is_current`, v.ID); err != nil {
			return fmt.Errorf("set current: %w", err)
		}
		return nil
	})
	if err != nil {
		return Version{}, fmt.Errorf("store catalog: %w", err)
	}
	return v, nil
}

// copyRows bulk-loads a catalog's rows under version id.
func copyRows(ctx context.Context, tx pgx.Tx, id int64, c *Catalog) error {
	var svcRows, actRows, resRows, keyRows, opRows [][]any
	for _, s := range c.services {
		svcRows = append(svcRows, []any{id, s.name, s.docVersion})
		for _, a := range s.actions {
			actRows = append(actRows, []any{id, s.name, a.name, string(a.level), nonNil(a.resources), nonNil(a.conditionKeys), a.lastAccessed})
		}
		for _, r := range s.resources {
			resRows = append(resRows, []any{id, s.name, r.name, nonNil(r.arnFormats), nonNil(r.conditionKeys)})
		}
		for _, k := range s.conditionKeys {
			keyRows = append(keyRows, []any{id, s.name, k.Name, nonNil(k.Types)})
		}
		for _, o := range s.operations {
			opRows = append(opRows, []any{id, s.name, o.name, nonNil(o.authorized)})
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"catalog_service", []string{"version_id", "service", "doc_version"}, svcRows},
		{"catalog_action", []string{"version_id", "service", "action", "access_level", "resource_types", "condition_keys", "last_accessed_tracked"}, actRows},
		{"catalog_resource", []string{"version_id", "service", "resource_type", "arn_formats", "condition_keys"}, resRows},
		{"catalog_condition_key", []string{"version_id", "service", "key", "types"}, keyRows},
		{"catalog_operation", []string{"version_id", "service", "operation", "authorized_actions"}, opRows},
	} {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows))
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.table, err)
		}
		if int(n) != len(t.rows) {
			return fmt.Errorf("copy %s: wrote %d of %d rows", t.table, n, len(t.rows))
		}
	}
	return nil
}

// nonNil keeps NOT NULL array columns from receiving NULL for empty lists.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const versionSelect = `SELECT id, source, fetched_at, digest, services, actions FROM catalog_version`

func scanVersion(row pgx.Row) (Version, error) {
	var v Version
	err := row.Scan(&v.ID, &v.Source, &v.FetchedAt, &v.Digest, &v.Services, &v.Actions)
	v.FetchedAt = v.FetchedAt.UTC()
	return v, err
}

// CurrentVersion returns the current catalog version without loading it;
// ErrNoCatalog when none is loaded.
func CurrentVersion(ctx context.Context, pool *pgxpool.Pool) (Version, error) {
	v, err := scanVersion(pool.QueryRow(ctx, versionSelect+` WHERE is_current`))
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, ErrNoCatalog
	}
	if err != nil {
		return Version{}, fmt.Errorf("read current catalog version: %w", err)
	}
	return v, nil
}

// Versions lists every stored catalog version, newest first, and which one
// is current (0 when none).
func Versions(ctx context.Context, pool *pgxpool.Pool) (vs []Version, current int64, err error) {
	rows, err := pool.Query(ctx, `SELECT id, source, fetched_at, digest, services, actions, is_current FROM catalog_version ORDER BY id DESC`)
	if err != nil {
		return nil, 0, fmt.Errorf("list catalog versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v Version
		var cur bool
		if err := rows.Scan(&v.ID, &v.Source, &v.FetchedAt, &v.Digest, &v.Services, &v.Actions, &cur); err != nil {
			return nil, 0, fmt.Errorf("list catalog versions: %w", err)
		}
		v.FetchedAt = v.FetchedAt.UTC()
		if cur {
			current = v.ID
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list catalog versions: %w", err)
	}
	return vs, current, nil
}

// LoadCurrent reads the current catalog; ErrNoCatalog when none is loaded.
func LoadCurrent(ctx context.Context, pool *pgxpool.Pool) (*Catalog, error) {
	v, err := CurrentVersion(ctx, pool)
	if err != nil {
		return nil, err
	}
	return load(ctx, pool, v)
}

// LoadCurrentOrNil is LoadCurrent for commands that can work without a
// catalog: when none is loaded it logs a warning saying what is lost and
// returns (nil, nil). A nil *Catalog answers every question as "unknown".
func LoadCurrentOrNil(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (*Catalog, error) {
	c, err := LoadCurrent(ctx, pool)
	if errors.Is(err, ErrNoCatalog) {
		if log != nil {
			log.Warn("no action catalog loaded: wildcards are not expanded into counts, access levels and unknown actions are not checked; run `iamtrim catalog load DIR` or `iamtrim catalog update`")
		}
		return nil, nil
	}
	return c, err
}

// LoadVersion reads a stored catalog version by id, for reproducing a
// result made with an older catalog.
func LoadVersion(ctx context.Context, pool *pgxpool.Pool, id int64) (*Catalog, error) {
	v, err := scanVersion(pool.QueryRow(ctx, versionSelect+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("load catalog version %d: %w", id, ErrNoCatalog)
	}
	if err != nil {
		return nil, fmt.Errorf("load catalog version %d: %w", id, err)
	}
	return load(ctx, pool, v)
}

// load reads version v's rows in one repeatable-read transaction and checks
// that they still hash to the stored digest.
func load(ctx context.Context, pool *pgxpool.Pool, v Version) (*Catalog, error) {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("load catalog version %d: begin: %w", v.ID, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only

	bySvc := make(map[string]*service)
	var svcs []*service
	get := func(name string) (*service, error) {
		s := bySvc[name]
		if s == nil {
			return nil, fmt.Errorf("row for service %q, which has no catalog_service row", name)
		}
		return s, nil
	}
	queries := []struct {
		sql  string
		scan func(pgx.Rows) error
	}{
		{`SELECT service, doc_version FROM catalog_service WHERE version_id = $1`, func(r pgx.Rows) error {
			s := &service{}
			if err := r.Scan(&s.name, &s.docVersion); err != nil {
				return err
			}
			bySvc[s.name] = s
			svcs = append(svcs, s)
			return nil
		}},
		{`SELECT service, action, access_level, resource_types, condition_keys, last_accessed_tracked FROM catalog_action WHERE version_id = $1`, func(r pgx.Rows) error {
			var name, level string
			a := &action{}
			if err := r.Scan(&name, &a.name, &level, &a.resources, &a.conditionKeys, &a.lastAccessed); err != nil {
				return err
			}
			a.level = AccessLevel(level)
			if !a.level.valid() {
				return fmt.Errorf("action %s:%s: access level %q", name, a.name, level)
			}
			s, err := get(name)
			if err != nil {
				return err
			}
			s.actions = append(s.actions, a)
			return nil
		}},
		{`SELECT service, resource_type, arn_formats, condition_keys FROM catalog_resource WHERE version_id = $1`, func(r pgx.Rows) error {
			var name string
			res := &resource{}
			if err := r.Scan(&name, &res.name, &res.arnFormats, &res.conditionKeys); err != nil {
				return err
			}
			s, err := get(name)
			if err != nil {
				return err
			}
			s.resources = append(s.resources, res)
			return nil
		}},
		{`SELECT service, key, types FROM catalog_condition_key WHERE version_id = $1`, func(r pgx.Rows) error {
			var name string
			var k ConditionKey
			if err := r.Scan(&name, &k.Name, &k.Types); err != nil {
				return err
			}
			s, err := get(name)
			if err != nil {
				return err
			}
			s.conditionKeys = append(s.conditionKeys, k)
			return nil
		}},
		{`SELECT service, operation, authorized_actions FROM catalog_operation WHERE version_id = $1`, func(r pgx.Rows) error {
			var name string
			o := &operation{}
			if err := r.Scan(&name, &o.name, &o.authorized); err != nil {
				return err
			}
			s, err := get(name)
			if err != nil {
				return err
			}
			s.operations = append(s.operations, o)
			return nil
		}},
	}
	for _, q := range queries {
		rows, err := tx.Query(ctx, q.sql, v.ID)
		if err != nil {
			return nil, fmt.Errorf("load catalog version %d: %w", v.ID, err)
		}
		for rows.Next() {
			if err := q.scan(rows); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load catalog version %d: %w", v.ID, err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load catalog version %d: %w", v.ID, err)
		}
	}
	// Empty arrays come back as empty, not nil; the digest does not care.
	c, err := build(svcs, v)
	if err != nil {
		return nil, fmt.Errorf("load catalog version %d: %w", v.ID, err)
	}
	if got := c.version.Digest; got != v.Digest {
		return nil, fmt.Errorf("load catalog version %d: rows hash to %s, version says %s (the stored catalog was altered)", v.ID, got, v.Digest)
	}
	return c, nil
}
