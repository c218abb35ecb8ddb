package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Clone gives the test a new schema holding a copy of src's rows (src a
// schema migrated by this build, e.g. a fixture built once for many
// tests), dropped at cleanup, and returns its name. Writes to either
// schema never show in the other, so tests that share a fixture do not
// see each other's writes.
//
// The new schema is migrated as New does; then, in one transaction, src's
// partitions are made in it, every table is emptied and filled from src
// (parents before the tables that reference them), and every sequence
// (bigserial and identity columns) is set to where src's is, so the next
// id is the one src would have given. Relations that hold state of their
// own and are not tables or sequences (materialized views, foreign
// tables) are not copied: the test fails if src has any.
func Clone(t testing.TB, src string) string {
	t.Helper()
	db := New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		return copySchema(ctx, tx, src, db.Schema)
	})
	if err != nil {
		t.Fatalf("clone schema %s: %v", src, err)
	}
	return db.Schema
}

// copySchema copies src's partitions, rows and sequence positions into
// dst, a schema with the same migrations applied. It reads the catalogs
// in a few queries and writes in one batch: a clone is made for every
// case of a golden suite, and a round trip per statement would be most of
// its cost.
func copySchema(ctx context.Context, tx pgx.Tx, src, dst string) error {
	var other []string
	if err := scanAll(ctx, tx, &other, `
		SELECT c.relname || ' (relkind ' || c.relkind::text || ')' FROM pg_class c
		WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('m', 'f') ORDER BY 1`, src); err != nil {
		return err
	}
	if len(other) > 0 {
		return fmt.Errorf("cannot copy %s", strings.Join(other, ", "))
	}
	var batch []string
	// Partitions are made at run time (monthly, on demand): make the
	// same ones, with the same bounds, before rows are routed to them.
	if err := scanAll(ctx, tx, &batch, `
		SELECT format('CREATE TABLE %I.%I PARTITION OF %I.%I %s', $2::text, c.relname, $2::text, p.relname, pg_get_expr(c.relpartbound, c.oid))
		FROM pg_class c
		JOIN pg_inherits i ON i.inhrelid = c.oid
		JOIN pg_class p ON p.oid = i.inhparent
		WHERE c.relnamespace = to_regnamespace($1) AND c.relispartition AND c.relkind IN ('r', 'p')
		  AND to_regclass(format('%I.%I', $2::text, c.relname)) IS NULL
		ORDER BY c.relname`, src, dst); err != nil {
		return fmt.Errorf("list partitions: %w", err)
	}
	tables, err := tablesInInsertOrder(ctx, tx, src)
	if err != nil {
		return err
	}
	// Empty what the migrations wrote (the version table, any seed rows),
	// children first, so that only src's rows are there. (DELETE, not
	// TRUNCATE: TRUNCATE makes new files for every table and its indexes,
	// ten times the cost on tables this small.)
	for i := len(tables) - 1; i >= 0; i-- {
		batch = append(batch, `DELETE FROM `+pgx.Identifier{dst, tables[i]}.Sanitize())
	}
	rows, err := tx.Query(ctx, `
		SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE c.relnamespace = to_regnamespace($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
		GROUP BY c.relname`, src)
	if err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	cols := map[string]string{}
	for rows.Next() {
		var table, list string
		if err := rows.Scan(&table, &list); err != nil {
			return err
		}
		cols[table] = list
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	for _, name := range tables {
		batch = append(batch, fmt.Sprintf(`INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s`,
			pgx.Identifier{dst, name}.Sanitize(), cols[name], cols[name], pgx.Identifier{src, name}.Sanitize()))
	}
	// The next id a bigserial or identity column gives is src's next.
	if err := scanAll(ctx, tx, &batch, `
		SELECT CASE WHEN last_value IS NULL THEN format('ALTER SEQUENCE %I.%I RESTART', $2::text, sequencename)
		            ELSE format('SELECT setval(%L, %s)', format('%I.%I', $2::text, sequencename), last_value) END
		FROM pg_sequences WHERE schemaname = $1 ORDER BY sequencename`, src, dst); err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	if _, err := tx.Exec(ctx, strings.Join(batch, ";\n")); err != nil {
		return fmt.Errorf("copy into %s: %w", dst, err)
	}
	return nil
}

// tablesInInsertOrder lists schema's tables (partitioned tables, not their
// partitions) so that a table comes after every table its foreign keys
// reference.
func tablesInInsertOrder(ctx context.Context, tx pgx.Tx, schema string) ([]string, error) {
	var all []string
	if err := scanAll(ctx, tx, &all, `
		SELECT relname FROM pg_class
		WHERE relnamespace = to_regnamespace($1) AND relkind IN ('r', 'p') AND NOT relispartition
		ORDER BY relname`, schema); err != nil {
		return nil, err
	}
	refs := map[string][]string{}
	rows, err := tx.Query(ctx, `
		SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND c.relnamespace = to_regnamespace($1) AND k.conparentid = 0`, schema)
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return nil, err
		}
		if from != to {
			refs[from] = append(refs[from], to)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("foreign keys of %s form a cycle", name)
		case 2:
			return nil
		}
		state[name] = 1
		for _, r := range refs[name] {
			if err := visit(r); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, name)
		return nil
	}
	for _, name := range all {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// scanAll runs a query of one text column and appends its values to out.
func scanAll(ctx context.Context, tx pgx.Tx, out *[]string, q string, args ...any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	*out = append(*out, vals...)
	return nil
}
