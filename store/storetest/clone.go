package storetest

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/store"
)

// A Copy is a schema holding a copy of another schema's rows: see Clone.
type Copy struct {
	Schema string
	src    string
	db     *store.DB
}

// Clone gives the test a new schema holding a copy of src's rows (src a
// schema migrated by this build, e.g. a fixture built once for many
// tests), dropped at cleanup. Writes to either schema never show in the
// other, so tests that share a fixture do not see each other's writes.
//
// The new schema is migrated as New does; then, in one transaction, src's
// partitions are made in it, every table is emptied and filled from src
// (parents before the tables that reference them), and every sequence
// (bigserial and identity columns) is set to where src's is, so the next
// id is the one src would have given. Relations that hold state of their
// own and are not tables or sequences (materialized views, foreign
// tables) are not copied: the test fails if src has any.
func Clone(t testing.TB, src string) *Copy {
	t.Helper()
	c := &Copy{db: New(t), src: src}
	c.Schema = c.db.Schema
	c.copy(t)
	return c
}

// Restore makes the copy hold what Clone gave it again, whatever was
// written to it since: src's rows, partitions (those made since are
// dropped) and sequence positions. It costs the copy without the
// migrations, a fraction of a new Clone: for tests run one after another
// on one copy. A table made since that is not a partition cannot be
// undone: the test fails.
func (c *Copy) Restore(t testing.TB) {
	t.Helper()
	c.copy(t)
}

var plainName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func (c *Copy) copy(t testing.TB) {
	t.Helper()
	for _, name := range []string{c.src, c.Schema} {
		if !plainName.MatchString(name) {
			t.Fatalf("copy schema %q: only names of lower-case letters, digits and _ are supported", name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// One statement, so one round trip: a suite copies once per test, and
	// a loaded machine makes each round trip of a niced test process cost
	// tens of milliseconds.
	if _, err := c.db.Pool.Exec(ctx, fmt.Sprintf(copySQL, c.src, c.Schema)); err != nil {
		t.Fatalf("copy schema %s into %s: %v", c.src, c.Schema, err)
	}
}

// copySQL makes schema dst (%[2]s), migrated as src (%[1]s) was, hold
// src's state: its partitions (dropping those src has not), its rows and
// its sequence positions. DELETE, not TRUNCATE: TRUNCATE makes new files
// for every table and index, ten times the cost on tables this small.
const copySQL = `DO $copy$
DECLARE
	src CONSTANT text := '%[1]s';
	dst CONSTANT text := '%[2]s';
	r record;
	tables text[];
	cols text;
BEGIN
	FOR r IN SELECT relname FROM pg_class WHERE relnamespace = src::regnamespace AND relkind IN ('m', 'f') LOOP
		RAISE EXCEPTION 'cannot copy %%.%% (a materialized view or foreign table)', src, r.relname;
	END LOOP;

	-- Partitions are made at run time (monthly, on demand): drop those src
	-- has not (made in dst since it was copied), make those it has. Only
	-- tables: an index's partitions are partitions too (relispartition,
	-- pg_inherits) but come with their table's; whether the to_regclass
	-- test saw one before or after its table was made depended on the
	-- plan, and when before, CREATE TABLE had no bound (a syntax error
	-- TestCLIOrder met once in its fixture's copy).
	FOR r IN SELECT c.relname, c.relispartition FROM pg_class c
		WHERE c.relnamespace = dst::regnamespace AND c.relkind IN ('r', 'p')
		  AND to_regclass(format('%%I.%%I', src, c.relname)) IS NULL
	LOOP
		IF NOT r.relispartition THEN
			RAISE EXCEPTION 'table %%.%% was made after the copy: cannot undo it', dst, r.relname;
		END IF;
		EXECUTE format('DROP TABLE %%I.%%I', dst, r.relname);
	END LOOP;
	FOR r IN SELECT c.relname, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
		FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent
		WHERE c.relnamespace = src::regnamespace AND c.relispartition AND c.relkind IN ('r', 'p')
		  AND to_regclass(format('%%I.%%I', dst, c.relname)) IS NULL
		ORDER BY c.relname
	LOOP
		EXECUTE format('CREATE TABLE %%I.%%I PARTITION OF %%I.%%I %%s', dst, r.relname, dst, r.parent, r.bound);
	END LOOP;

	-- Tables by depth: a table's depth is one more than the deepest table
	-- its foreign keys reference, so rows are inserted parents first and
	-- deleted children first.
	WITH RECURSIVE fk AS (
		SELECT conrelid AS child, confrelid AS parent FROM pg_constraint
		WHERE contype = 'f' AND connamespace = src::regnamespace AND conparentid = 0 AND conrelid <> confrelid
	), depth (rel, d) AS (
		SELECT oid, 0 FROM pg_class WHERE relnamespace = src::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
		UNION ALL
		SELECT fk.child, depth.d + 1 FROM depth JOIN fk ON fk.parent = depth.rel WHERE depth.d < 100
	)
	SELECT array_agg(relname ORDER BY d, relname) INTO tables
	FROM (SELECT c.relname, max(d) AS d FROM depth JOIN pg_class c ON c.oid = depth.rel GROUP BY c.relname) t;

	FOR i IN REVERSE cardinality(tables)..1 LOOP
		EXECUTE format('DELETE FROM %%I.%%I', dst, tables[i]);
	END LOOP;
	FOR i IN 1..cardinality(tables) LOOP
		SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
		WHERE attrelid = format('%%I.%%I', src, tables[i])::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
		EXECUTE format('INSERT INTO %%I.%%I (%%s) OVERRIDING SYSTEM VALUE SELECT %%s FROM %%I.%%I', dst, tables[i], cols, cols, src, tables[i]);
	END LOOP;

	-- The next id a bigserial or identity column gives is src's next.
	FOR r IN SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = src LOOP
		IF r.last_value IS NULL THEN
			EXECUTE format('ALTER SEQUENCE %%I.%%I RESTART', dst, r.sequencename);
		ELSE
			PERFORM setval(format('%%I.%%I', dst, r.sequencename), r.last_value);
		END IF;
	END LOOP;
END
$copy$`
