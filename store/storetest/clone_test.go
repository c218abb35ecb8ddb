package storetest_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

// A clone holds the source's rows, in partitions made at run time too, its
// identity and bigserial columns go on from where the source's were, and
// writes to either schema do not show in the other.
func TestClone(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	exec := func(schema, q string) {
		t.Helper()
		if _, err := src.Pool.Exec(ctx, "SET search_path TO "+pgx.Identifier{schema}.Sanitize()+"; "+q); err != nil {
			t.Fatalf("%s: %s: %v", schema, q, err)
		}
	}
	// state is what a schema holds: rows of an identity-keyed table and
	// the table referencing it (action_key is a generated column), of a
	// bigserial-keyed one and of a partitioned one, in a fixed order.
	state := func(schema string) []string {
		t.Helper()
		rows, err := src.Pool.Query(ctx, `SELECT x FROM (
			SELECT 1 AS o, 'version '  || id || ' ' || digest AS x FROM `+pgx.Identifier{schema, "catalog_version"}.Sanitize()+`
			UNION ALL SELECT 2, 'service ' || version_id || ' ' || service FROM `+pgx.Identifier{schema, "catalog_service"}.Sanitize()+`
			UNION ALL SELECT 3, 'action '  || version_id || ' ' || action_key FROM `+pgx.Identifier{schema, "catalog_action"}.Sanitize()+`
			UNION ALL SELECT 4, 'run '     || id || ' ' || command FROM `+pgx.Identifier{schema, "run"}.Sanitize()+`
			UNION ALL SELECT 5, 'seen '    || event_key FROM `+pgx.Identifier{schema, "ingest_event_seen"}.Sanitize()+`
		) s ORDER BY o, x`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	exec(src.Schema, `
		INSERT INTO catalog_version (source, fetched_at, digest, services, actions) VALUES ('a', now(), 'd1', 1, 1), ('b', now(), 'd2', 1, 1);
		DELETE FROM catalog_version WHERE digest = 'd1';
		INSERT INTO catalog_service VALUES (2, 's3', 'v1');
		INSERT INTO catalog_action (version_id, service, action, access_level, resource_types, condition_keys) VALUES (2, 's3', 'GetObject', 'Read', '{}', '{}');
		INSERT INTO run (command, version) VALUES ('one', 'v'), ('two', 'v'), ('three', 'v');
		CREATE TABLE ingest_event_seen_p202610 PARTITION OF ingest_event_seen FOR VALUES FROM ('2026-10-01 00:00:00+00') TO ('2026-11-01 00:00:00+00');
		INSERT INTO ingest_event_seen VALUES ('2026-10-05T10:00:00Z', 1)`)
	want := state(src.Schema)

	c := storetest.Clone(t, src.Schema)
	clone := c.Schema
	if diff := cmp.Diff(want, state(clone)); diff != "" {
		t.Fatalf("clone's rows (-source +clone):\n%s", diff)
	}

	// The next ids are the ones the source would give, and a row of the
	// source's month finds its partition.
	exec(clone, `
		INSERT INTO catalog_version (source, fetched_at, digest, services, actions) VALUES ('c', now(), 'd3', 1, 1);
		INSERT INTO run (command, version) VALUES ('four', 'v');
		INSERT INTO ingest_event_seen VALUES ('2026-10-06T10:00:00Z', 2)`)
	cloned := state(clone)
	if diff := cmp.Diff([]string{"version 2 d2", "version 3 d3", "service 2 s3", "action 2 s3:getobject",
		"run 1 one", "run 2 two", "run 3 three", "run 4 four",
		"seen 1", "seen 2"}, cloned); diff != "" {
		t.Errorf("clone after writes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, state(src.Schema)); diff != "" {
		t.Errorf("writes to the clone changed the source (-before +after):\n%s", diff)
	}

	exec(src.Schema, `INSERT INTO run (command, version) VALUES ('five', 'v')`)
	if diff := cmp.Diff(cloned, state(clone)); diff != "" {
		t.Errorf("writes to the source changed the clone (-before +after):\n%s", diff)
	}

	// Restore undoes the clone's writes, a partition made since included,
	// and takes in the source's.
	exec(clone, `
		CREATE TABLE ingest_event_seen_p202611 PARTITION OF ingest_event_seen FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');
		INSERT INTO ingest_event_seen VALUES ('2026-11-06T10:00:00Z', 3);
		DELETE FROM catalog_version`)
	c.Restore(t)
	if diff := cmp.Diff(state(src.Schema), state(clone)); diff != "" {
		t.Errorf("restored clone (-source +clone):\n%s", diff)
	}
	var partitions int
	if err := src.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass($1)`, clone+".ingest_event_seen").Scan(&partitions); err != nil {
		t.Fatal(err)
	}
	if partitions != 1 {
		t.Errorf("restored clone has %d partitions of ingest_event_seen, want the source's 1", partitions)
	}
	exec(clone, `INSERT INTO run (command, version) VALUES ('six', 'v')`)
	exec(src.Schema, `INSERT INTO run (command, version) VALUES ('six', 'v')`)
	if diff := cmp.Diff(state(src.Schema), state(clone)); diff != "" {
		t.Errorf("restored clone's next id (-source +clone):\n%s", diff)
	}
}

// A partition's index is a partition too (of the parent's index), but it
// comes with its table: Clone makes tables only. Renamed, so that the
// clone's own index has another name, it used to be made as a table
// with no bound: a syntax error (TestCLIOrder met it once, by plan).
func TestCloneIndexPartition(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	if _, err := src.Pool.Exec(ctx, "SET search_path TO "+pgx.Identifier{src.Schema}.Sanitize()+`;
		CREATE TABLE ingest_event_seen_p202610 PARTITION OF ingest_event_seen FOR VALUES FROM ('2026-10-01 00:00:00+00') TO ('2026-11-01 00:00:00+00');
		ALTER INDEX ingest_event_seen_p202610_pkey RENAME TO seen_october;
		INSERT INTO ingest_event_seen VALUES ('2026-10-05T10:00:00Z', 1)`); err != nil {
		t.Fatal(err)
	}
	c := storetest.Clone(t, src.Schema)
	var n int
	if err := src.Pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{c.Schema, "ingest_event_seen"}.Sanitize()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("clone holds %d rows, want the source's 1", n)
	}
	c.Restore(t)
}
