package queries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// CatalogVersion is one row of catalog_version: a stored action catalog.
type CatalogVersion struct {
	ID        int64
	Source    string
	FetchedAt time.Time
	Digest    string
	Services  int
	Actions   int
	Current   bool
}

// CatalogRows are the rows of one catalog version, one slice per table.
type CatalogRows struct {
	Services      []CatalogService
	Actions       []CatalogAction
	Resources     []CatalogResource
	ConditionKeys []CatalogConditionKey
	Operations    []CatalogOperation
}

// CatalogService is a catalog_service row.
type CatalogService struct{ Service, DocVersion string }

// CatalogAction is a catalog_action row.
type CatalogAction struct {
	Service, Action, AccessLevel string
	ResourceTypes, ConditionKeys []string
	LastAccessedTracked          bool
}

// CatalogResource is a catalog_resource row.
type CatalogResource struct {
	Service, ResourceType     string
	ARNFormats, ConditionKeys []string
}

// CatalogConditionKey is a catalog_condition_key row.
type CatalogConditionKey struct {
	Service, Key string
	Types        []string
}

// CatalogOperation is a catalog_operation row.
type CatalogOperation struct {
	Service, Operation string
	AuthorizedActions  []string
}

const catalogVersionSelect = `SELECT id, source, fetched_at, digest, services, actions, is_current FROM catalog_version`

func scanCatalogVersion(row pgx.Row) (CatalogVersion, error) {
	var v CatalogVersion
	err := row.Scan(&v.ID, &v.Source, &v.FetchedAt, &v.Digest, &v.Services, &v.Actions, &v.Current)
	v.FetchedAt = v.FetchedAt.UTC()
	return v, err
}

// StoreCatalog makes the catalog version v describes current, storing it
// first (with rows(), read only then) unless a version with its digest is
// stored; it returns the stored version (the existing one keeps its
// source and fetch time). The id is one more than the highest stored, not
// the identity sequence's: a store killed after its INSERT rolls back but
// keeps the sequence value it used, and the same catalog would then be
// "version 2" in reports. Concurrent calls are serialized by a
// transaction-scoped advisory lock keyed on the schema, which also makes
// max+1 safe.
func StoreCatalog(ctx context.Context, db *store.DB, v CatalogVersion, rows func() *CatalogRows) (CatalogVersion, error) {
	given := v
	err := store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		v = given // a retry starts again from what was given
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('iamtrim.catalog:' || current_schema(), 0))`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		existing, err := scanCatalogVersion(tx.QueryRow(ctx, catalogVersionSelect+` WHERE digest = $1`, v.Digest))
		switch {
		case err == nil:
			v = existing
		case errors.Is(err, pgx.ErrNoRows):
			if err := tx.QueryRow(ctx, `
				INSERT INTO catalog_version (id, source, fetched_at, digest, services, actions)
				OVERRIDING SYSTEM VALUE
				SELECT COALESCE(max(id), 0) + 1, $1, $2, $3, $4, $5 FROM catalog_version
				RETURNING id`,
				v.Source, v.FetchedAt, v.Digest, v.Services, v.Actions).Scan(&v.ID); err != nil {
				return fmt.Errorf("insert version: %w", err)
			}
			if err := copyCatalogRows(ctx, tx, v.ID, rows()); err != nil {
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
		v.Current = true
		return nil
	})
	return v, err
}

// copyCatalogRows bulk-loads a catalog's rows under version id.
func copyCatalogRows(ctx context.Context, tx pgx.Tx, id int64, c *CatalogRows) error {
	var svcRows, actRows, resRows, keyRows, opRows [][]any
	for _, s := range c.Services {
		svcRows = append(svcRows, []any{id, s.Service, s.DocVersion})
	}
	for _, a := range c.Actions {
		actRows = append(actRows, []any{id, a.Service, a.Action, a.AccessLevel, nonNil(a.ResourceTypes), nonNil(a.ConditionKeys), a.LastAccessedTracked})
	}
	for _, r := range c.Resources {
		resRows = append(resRows, []any{id, r.Service, r.ResourceType, nonNil(r.ARNFormats), nonNil(r.ConditionKeys)})
	}
	for _, k := range c.ConditionKeys {
		keyRows = append(keyRows, []any{id, k.Service, k.Key, nonNil(k.Types)})
	}
	for _, o := range c.Operations {
		opRows = append(opRows, []any{id, o.Service, o.Operation, nonNil(o.AuthorizedActions)})
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

// CurrentCatalogVersion returns the current catalog version; ErrNotFound
// when none is.
func CurrentCatalogVersion(ctx context.Context, db *store.DB) (CatalogVersion, error) {
	return catalogVersionWhere(ctx, db, `WHERE is_current`)
}

// CatalogVersionByID returns catalog version id; ErrNotFound when there is
// none.
func CatalogVersionByID(ctx context.Context, db *store.DB, id int64) (CatalogVersion, error) {
	return catalogVersionWhere(ctx, db, `WHERE id = $1`, id)
}

func catalogVersionWhere(ctx context.Context, db *store.DB, where string, args ...any) (CatalogVersion, error) {
	v, err := scanCatalogVersion(db.Pool.QueryRow(ctx, catalogVersionSelect+" "+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// CatalogVersions lists every stored catalog version, newest first.
func CatalogVersions(ctx context.Context, db *store.DB) ([]CatalogVersion, error) {
	rows, err := db.Pool.Query(ctx, catalogVersionSelect+` ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CatalogVersion, error) { return scanCatalogVersion(r) })
}

// LoadCatalogRows reads version id's rows in one repeatable-read
// transaction, each table in an unspecified order.
func LoadCatalogRows(ctx context.Context, db *store.DB, id int64) (*CatalogRows, error) {
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	var c CatalogRows
	if c.Services, err = collect(ctx, tx, `SELECT service, doc_version FROM catalog_service WHERE version_id = $1`, id,
		func(r pgx.CollectableRow) (s CatalogService, err error) {
			err = r.Scan(&s.Service, &s.DocVersion)
			return s, err
		}); err != nil {
		return nil, err
	}
	if c.Actions, err = collect(ctx, tx, `SELECT service, action, access_level, resource_types, condition_keys, last_accessed_tracked FROM catalog_action WHERE version_id = $1`, id,
		func(r pgx.CollectableRow) (a CatalogAction, err error) {
			err = r.Scan(&a.Service, &a.Action, &a.AccessLevel, &a.ResourceTypes, &a.ConditionKeys, &a.LastAccessedTracked)
			return a, err
		}); err != nil {
		return nil, err
	}
	if c.Resources, err = collect(ctx, tx, `SELECT service, resource_type, arn_formats, condition_keys FROM catalog_resource WHERE version_id = $1`, id,
		func(r pgx.CollectableRow) (res CatalogResource, err error) {
			err = r.Scan(&res.Service, &res.ResourceType, &res.ARNFormats, &res.ConditionKeys)
			return res, err
		}); err != nil {
		return nil, err
	}
	if c.ConditionKeys, err = collect(ctx, tx, `SELECT service, key, types FROM catalog_condition_key WHERE version_id = $1`, id,
		func(r pgx.CollectableRow) (k CatalogConditionKey, err error) {
			err = r.Scan(&k.Service, &k.Key, &k.Types)
			return k, err
		}); err != nil {
		return nil, err
	}
	if c.Operations, err = collect(ctx, tx, `SELECT service, operation, authorized_actions FROM catalog_operation WHERE version_id = $1`, id,
		func(r pgx.CollectableRow) (o CatalogOperation, err error) {
			err = r.Scan(&o.Service, &o.Operation, &o.AuthorizedActions)
			return o, err
		}); err != nil {
		return nil, err
	}
	return &c, nil
}

// collect runs one query of a transaction and collects its rows.
func collect[T any](ctx context.Context, tx pgx.Tx, sql string, arg any, fn pgx.RowToFunc[T]) ([]T, error) {
	rows, err := tx.Query(ctx, sql, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, fn)
}
