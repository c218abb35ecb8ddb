package queries_test

import (
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/migrations"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// august is the month the tests store their events in.
var august = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

// withAugust is a test's own schema with the August partition of table
// created, and that month.
func withAugust(t *testing.T, table string) (*store.DB, time.Time) {
	t.Helper()
	db := storetest.New(t)
	if _, err := queries.CreateMonthlyPartition(context.Background(), db, table, august); err != nil {
		t.Fatal(err)
	}
	return db, august
}

// TestPartitions creates a month's partitions of both partitioned tables,
// once however often asked, and finds them attached.
func TestPartitions(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	aug := august
	for _, parent := range []string{queries.EventSeenTable, queries.EventRawTable} {
		attached := func(m time.Time) bool {
			t.Helper()
			var ok bool
			err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
				var err error
				ok, err = queries.PartitionAttached(ctx, tx, parent, m)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if attached(aug) {
			t.Errorf("%s: August attached before it was created", parent)
		}
		for i, want := range []bool{true, false} {
			created, err := queries.CreateMonthlyPartition(ctx, db, parent, aug)
			if err != nil || created != want {
				t.Errorf("%s: creation %d: created %v, %v; want %v", parent, i+1, created, err, want)
			}
		}
		if !attached(aug) || attached(aug.AddDate(0, 1, 0)) {
			t.Errorf("%s: August attached %v, September %v; want true, false", parent, attached(aug), attached(aug.AddDate(0, 1, 0)))
		}
		if got, want := queries.PartitionName(parent, aug), parent+"_p202608"; got != want {
			t.Errorf("PartitionName = %q, want %q", got, want)
		}
		desc, err := queries.PartitionsOf(ctx, db, parent)
		if err != nil {
			t.Fatal(err)
		}
		if want := parent + "_p202608 FOR VALUES FROM ('2026-08-01"; !strings.Contains(desc, want) || !strings.HasPrefix(desc, "search_path ") {
			t.Errorf("PartitionsOf(%s) = %q, want the search path and %q", parent, desc, want)
		}
	}
}

// TestDedup adds event keys: all new through COPY, then a mix (the COPY
// meets a stored key, and the rest of the transaction uses ON CONFLICT),
// then only stored ones from another transaction; a key of a month with
// no partition is an error.
func TestDedup(t *testing.T) {
	ctx := context.Background()
	db, aug := withAugust(t, queries.EventSeenTable)
	at := func(s int) time.Time { return aug.Add(time.Duration(s) * time.Second) }
	id := func(n byte) int64 { return queries.DedupKey([16]byte{0: 0x80, 15: n}) }
	add := func(d *queries.Dedup, secs []time.Time, keys []int64) map[queries.EventKey]bool {
		t.Helper()
		fresh, err := d.Add(ctx, secs, keys)
		if err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	d := queries.NewDedup(tx)
	if fresh := add(d, []time.Time{at(1), at(2)}, []int64{id(1), id(2)}); fresh != nil {
		t.Errorf("new keys: fresh = %v, want nil (all new)", fresh)
	}
	// The COPY stores the keys as given (its binary encoding is ours).
	var stored []queries.EventKey
	rows, err := tx.Query(ctx, `SELECT event_time, event_key FROM ingest_event_seen ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var st time.Time
	var sk int64
	if _, err := pgx.ForEachRow(rows, []any{&st, &sk}, func() error {
		if !st.Equal(st.Truncate(time.Second)) {
			t.Errorf("stored time %v is not whole seconds", st)
		}
		stored = append(stored, queries.EventKey{Sec: st.Unix(), Key: sk})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []queries.EventKey{{Sec: at(1).Unix(), Key: id(1)}, {Sec: at(2).Unix(), Key: id(2)}}; !cmp.Equal(want, stored) {
		t.Errorf("stored by the COPY: %v, want %v", stored, want)
	}
	got := add(d, []time.Time{at(2), at(2), at(3)}, []int64{id(2), id(9), id(3)})
	want := map[queries.EventKey]bool{{Sec: at(2).Unix(), Key: id(9)}: true, {Sec: at(3).Unix(), Key: id(3)}: true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("a stored key among new ones: fresh (-want +got):\n%s", d)
	}
	if fresh := add(d, []time.Time{at(4)}, []int64{id(4)}); fresh != nil {
		t.Errorf("new key after a conflict: fresh = %v, want nil", fresh)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	err = pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		// The same eventID at another second is another event.
		got := add(queries.NewDedup(tx), []time.Time{at(1), at(5)}, []int64{id(1), id(1)})
		if want := map[queries.EventKey]bool{{Sec: at(5).Unix(), Key: id(1)}: true}; !cmp.Equal(want, got) {
			t.Errorf("from another transaction: fresh = %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ingest_event_seen WHERE event_time >= $1`, aug).Scan(&n); err != nil || n != 6 {
		t.Errorf("stored keys: %d, %v; want 6", n, err)
	}
	err = pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		_, err := queries.NewDedup(tx).Add(ctx, []time.Time{aug.AddDate(0, 1, 0)}, []int64{id(1)})
		return err
	})
	if err == nil {
		t.Errorf("a key in a month without a partition: no error")
	}
}

// TestRawEvents copies raw events; one PostgreSQL refuses is reported by
// its index and the others are stored.
func TestRawEvents(t *testing.T) {
	ctx := context.Background()
	db, aug := withAugust(t, queries.EventRawTable)
	ev := func(n byte, raw string) queries.RawEvent {
		return queries.RawEvent{Day: aug, ID: [16]byte{15: n}, Time: aug.Add(time.Hour), Account: "111122223333", Region: "us-east-1",
			Source: "s3.amazonaws.com", Name: "GetObject", PrincipalARN: "arn:aws:iam::111122223333:role/r", JSON: []byte(raw)}
	}
	for _, tc := range []struct {
		name        string
		evs         []queries.RawEvent
		wantRefused []int
	}{
		{"all good", []queries.RawEvent{ev(1, `{"a":1}`), ev(2, `{"a":2}`)}, nil},
		{"one refused", []queries.RawEvent{ev(3, `{"a":3}`), ev(4, `{"a":1e999999}`), ev(5, `{"a":5}`)}, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var refused []int
			err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
				return queries.AddRawEvents(ctx, tx, tc.evs, func(i int, err error) {
					if !isCode(err, "22003") {
						t.Errorf("row %d refused with %v; want numeric_value_out_of_range", i, err)
					}
					refused = append(refused, i)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(tc.wantRefused, refused) {
				t.Errorf("refused %v, want %v", refused, tc.wantRefused)
			}
		})
	}
	var ids []int
	rows, err := db.Pool.Query(ctx, `SELECT get_byte(uuid_send(event_id), 15) FROM cloudtrail_event_raw
		WHERE day = $1 AND account_id <> '' AND region <> '' AND event_source <> '' AND event_name <> '' AND principal_arn <> ''
		ORDER BY 1`, aug)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil || !cmp.Equal([]int{1, 2, 3, 5}, ids) {
		t.Errorf("stored events %v, %v; want 1, 2, 3, 5", ids, err)
	}
}

// TestEventSeenKeyMigration takes a schema back to the 128-bit dedup key
// (migration 12), stores UUIDs, and migrates up: each row's 64-bit key is
// the one ingest computes (queries.DedupKey) for its UUID, so that events
// counted before the migration stay duplicates after it.
func TestEventSeenKeyMigration(t *testing.T) {
	ctx := context.Background()
	db, aug := withAugust(t, queries.EventSeenTable)
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	uuids := []string{"6177ca7e-860e-482c-bde9-50c735af58d6", "ffffffff-ffff-4fff-bfff-ffffffffffff", "00000000-0000-4000-8000-000000000001"}
	want := map[int64]bool{}
	for _, u := range uuids {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO ingest_event_seen (event_time, event_id) VALUES ($1, $2)`, aug.Add(time.Second), u); err != nil {
			t.Fatal(err)
		}
		b, err := hex.DecodeString(strings.ReplaceAll(u, "-", ""))
		if err != nil {
			t.Fatal(err)
		}
		want[queries.DedupKey([16]byte(b))] = true
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT event_key FROM ingest_event_seen`)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, k := range keys {
		got[k] = true
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("keys after the migration (-want +got):\n%s", d)
	}
	// And ingest finds them stored.
	err = pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		k := make([]int64, 0, len(want))
		for key := range want {
			k = append(k, key)
		}
		slices.Sort(k)
		secs := slices.Repeat([]time.Time{aug.Add(time.Second)}, len(k))
		fresh, err := queries.NewDedup(tx).Add(ctx, secs, k)
		if err == nil && len(fresh) != 0 {
			t.Errorf("migrated events found new: %v", fresh)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
