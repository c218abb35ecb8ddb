package report

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/iamtrim/iamtrim/store/storetest"
)

// bigData is testData with n principals.
func bigData(n int) *Data {
	d := testData()
	base := d.Principals
	d.Principals = make([]Principal, 0, n)
	for i := range n {
		p := base[i%len(base)]
		p.ARN = fmt.Sprintf("%s-%d", p.ARN, i)
		p.Name = fmt.Sprintf("%s-%d", p.Name, i)
		d.Principals = append(d.Principals, p)
	}
	return d
}

func BenchmarkRender(b *testing.B) {
	d := bigData(2000)
	for _, f := range Formats() {
		b.Run(f, func(b *testing.B) {
			for b.Loop() {
				if err := Render(io.Discard, d, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuild builds a report over two snapshots of n principals, each
// result carrying 200 granted and 20 used actions.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db := storetest.New(b)
			ctx := context.Background()
			for _, asOf := range []string{"2026-09-28", "2026-12-30"} {
				_, err := db.Pool.Exec(ctx, `
					WITH s AS (INSERT INTO analysis_snapshot (as_of, window_days, digest) VALUES ($1::date, 90, $1::text) RETURNING id)
					INSERT INTO analysis_principal (snapshot_id, principal_arn, kind, account_id, name, granted, used, unused,
					    unobservable, denied, risk, high_risk_unused, flags, last_used, result)
					SELECT s.id, 'arn:aws:iam::111122223333:role/r' || i, 'role', '111122223333', 'r' || i, 200, 20, 170, 10, 0,
					       i % 500, 1, '{}', now(),
					       jsonb_build_object(
					         'granted', (SELECT jsonb_agg('svc:Action' || g) FROM generate_series(1, 200) g),
					         'used', (SELECT jsonb_agg(jsonb_build_object('action', 'svc:Action' || g, 'calls', 3, 'granted', true,
					                   'first_used', '2026-10-05T00:00:00Z', 'last_used', '2026-12-01T00:00:00Z')) FROM generate_series(1, 20) g),
					         'risk', jsonb_build_object('score', i % 500, 'level', 'high', 'admin', i % 100 = 0, 'high_risk_unused', jsonb_build_array('iam:PassRole')),
					         'coverage', jsonb_build_object('window_days', 90, 'days_with_logs', 90, 'ratio', 1, 'regions', jsonb_build_object('us-east-1', 90)))
					FROM s, generate_series(1, $2) i`, asOf, n)
				if err != nil {
					b.Fatal(err)
				}
			}
			now := mustTime("2027-01-05T00:00:00Z")
			for b.Loop() {
				d, err := Build(ctx, db, Options{Quarter: "2026Q4", Now: now})
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Principals) != n {
					b.Fatalf("%d principals, want %d", len(d.Principals), n)
				}
			}
		})
	}
}
