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
// dst, a schema with the same migrations applied.
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
	// Partitions are made at run time (monthly, on demand): make the
	// same ones, with the same bounds, before rows are routed to them.
	rows, err := tx.Query(ctx, `
		SELECT c.relname, p.relname, pg_get_expr(c.relpartbound, c.oid)
		FROM pg_class c
		JOIN pg_inherits i ON i.inhrelid = c.oid
		JOIN pg_class p ON p.oid = i.inhparent
		WHERE c.relnamespace = to_regnamespace($1) AND c.relispartition AND c.relkind IN ('r', 'p')
		  AND to_regclass(quote_ident($2) || '.' || quote_ident(c.relname)) IS NULL
		ORDER BY c.relname`, src, dst)
	if err != nil {
		return fmt.Errorf("list partitions: %w", err)
	}
	var parts [][3]string
	for rows.Next() {
		var p [3]string
		if err := rows.Scan(&p[0], &p[1], &p[2]); err != nil {
			return err
		}
		parts = append(parts, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list partitions: %w", err)
	}
	for _, p := range parts {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s PARTITION OF %s %s`,
			pgx.Identifier{dst, p[0]}.Sanitize(), pgx.Identifier{dst, p[1]}.Sanitize(), p[2])); err != nil {
			return fmt.Errorf("partition %s: %w", p[0], err)
		}
	}

	tables, err := tablesInInsertOrder(ctx, tx, src)
	if err != nil {
		return err
	}
	var missing []string
	if err := scanAll(ctx, tx, &missing, `
		SELECT t FROM unnest($1::text[]) t WHERE to_regclass(quote_ident($2) || '.' || quote_ident(t)) IS NULL`, tables, dst); err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("tables %s of %s are not in a schema migrated by this build", strings.Join(missing, ", "), src)
	}
	// Empty what the migrations wrote (the version table, any seed rows)
	// so that only src's rows are there.
	qualified := make([]string, len(tables))
	for i, name := range tables {
		qualified[i] = pgx.Identifier{dst, name}.Sanitize()
	}
	if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(qualified, ", ")); err != nil {
		return fmt.Errorf("empty %s: %w", dst, err)
	}
	for _, name := range tables {
		var cols []string
		if err := scanAll(ctx, tx, &cols, `
			SELECT quote_ident(attname) FROM pg_attribute
			WHERE attrelid = to_regclass(quote_ident($1) || '.' || quote_ident($2))
			  AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
			ORDER BY attnum`, src, name); err != nil {
			return err
		}
		list := strings.Join(cols, ", ")
		if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s`,
			pgx.Identifier{dst, name}.Sanitize(), list, list, pgx.Identifier{src, name}.Sanitize())); err != nil {
			return fmt.Errorf("copy %s: %w", name, err)
		}
	}

	rows, err = tx.Query(ctx, `SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = $1 ORDER BY 1`, src)
	if err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	type position struct {
		name string
		last *int64 // nil: never used
	}
	var seqs []position
	for rows.Next() {
		var s position
		if err := rows.Scan(&s.name, &s.last); err != nil {
			return err
		}
		seqs = append(seqs, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	for _, s := range seqs {
		seq := pgx.Identifier{dst, s.name}.Sanitize()
		q := `ALTER SEQUENCE ` + seq + ` RESTART`
		var args []any
		if s.last != nil {
			q, args = `SELECT setval($1::regclass, $2)`, []any{seq, *s.last}
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("sequence %s: %w", s.name, err)
		}
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
