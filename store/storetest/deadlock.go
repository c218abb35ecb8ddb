package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Deadlock makes the next transaction that inserts into or updates table
// (in schema) deadlock with a second, real transaction, so that PostgreSQL
// aborts it with deadlock_detected (40P01). It is how tests show a write
// path retries: no error is faked, the server's deadlock detector chooses.
//
// A statement trigger on table takes advisory lock (k,1) in the first
// writer's transaction (later writes pass untouched); a helper connection
// that holds (k,2) queues for (k,1); the trigger, once it sees the helper
// waiting, asks for (k,2). The writer has the shorter deadlock_timeout (50
// ms against a minute) and began waiting last, so its deadlock check finds
// the cycle and aborts it; the helper then gets (k,1) and releases both at
// once, and a retry of the writer goes through.
//
// The returned function waits for the fault to have fired, removes the
// trigger, and fails the test when no transaction wrote table (the helper
// gives up once the function is called, or after two minutes).
func Deadlock(t testing.TB, schema, table string) (done func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		t.Fatalf("deadlock fault: connect: %v", err)
	}
	key := rand.Int32N(1<<30) + 1
	fn := pgx.Identifier{schema, "iamtrim_fault_" + table}.Sanitize()
	seq := pgx.Identifier{schema, "iamtrim_fault_" + table + "_n"}.Sanitize()
	tbl := pgx.Identifier{schema, table}.Sanitize()
	for _, q := range []string{
		fmt.Sprintf(`CREATE SEQUENCE %s`, seq),
		fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Only the first write takes part (a sequence ignores rollbacks):
	-- other workers' writes and the retry go through untouched.
	IF nextval('%s') > 1 THEN
		RETURN NULL;
	END IF;
	BEGIN
		PERFORM set_config('deadlock_timeout', '50ms', true);
	EXCEPTION WHEN insufficient_privilege THEN
		NULL; -- not a superuser: both sides keep the server's timeout
	END;
	PERFORM pg_advisory_xact_lock(%[3]d, 1);
	-- Wait (a minute at most) for the helper to queue for (k,1) before
	-- asking for (k,2): the cycle is then closed when this transaction's
	-- one deadlock check runs, however loaded the machine.
	FOR i IN 1..12000 LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
			AND classid = %[3]d::bigint::oid AND objid = 1 AND objsubid = 2 AND NOT granted);
		PERFORM pg_sleep(0.005);
	END LOOP;
	PERFORM pg_advisory_xact_lock(%[3]d, 2);
	RETURN NULL;
END $$`, fn, seq, key),
		fmt.Sprintf(`CREATE TRIGGER iamtrim_fault AFTER INSERT OR UPDATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()`, tbl, fn),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			conn.Close(ctx)
			t.Fatalf("deadlock fault on %s: %v", table, err)
		}
	}
	_, _ = conn.Exec(ctx, `SET deadlock_timeout = '1min'`) // superuser only; see above
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, 2)`, key); err != nil {
		conn.Close(ctx)
		t.Fatalf("deadlock fault: lock: %v", err)
	}
	stop, cancel := context.WithTimeout(ctx, 2*time.Minute)
	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			for {
				var held bool
				if err := conn.QueryRow(stop, `
					SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
					   AND classid = $1::bigint::oid AND objid = 1 AND objsubid = 2 AND granted)`, key).Scan(&held); err != nil {
					if stop.Err() != nil {
						return fmt.Errorf("no transaction wrote %s", table)
					}
					return err
				}
				if held {
					break
				}
				select {
				case <-stop.Done():
					return fmt.Errorf("no transaction wrote %s", table)
				case <-time.After(5 * time.Millisecond):
				}
			}
			// The writer holds (k,1): queue for it. The writer sees that,
			// asks for (k,2), and the cycle is closed. This returns once the
			// writer's transaction is gone, which, blocked as it is, only
			// the deadlock detector can end.
			if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, 1)`, key); err != nil {
				_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`) // never leave the writer blocked
				return fmt.Errorf("the helper, not the writer, was aborted: %w", err)
			}
			_, err := conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`) // let a retry through
			return err
		}()
	}()
	return func() {
		t.Helper()
		cancel()
		err := <-errc
		if err != nil {
			_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
		}
		_, _ = conn.Exec(ctx, fmt.Sprintf(`DROP TRIGGER IF EXISTS iamtrim_fault ON %s`, tbl))
		_, _ = conn.Exec(ctx, fmt.Sprintf(`DROP FUNCTION IF EXISTS %s()`, fn))
		_, _ = conn.Exec(ctx, fmt.Sprintf(`DROP SEQUENCE IF EXISTS %s`, seq))
		conn.Close(ctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("deadlock fault on %s: %v", table, err)
		}
	}
}
