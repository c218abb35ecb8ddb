package analyze

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// LoadUsage reads the unmapped rollup as ingest writes it: successful
// calls only (denied and unauthenticated ones are not uses), permission-less
// calls left out, each with its IAM service; LoadSeenServices names a
// service by its IAM prefix, not by the event source's first label.
func TestLoadUnmappedAndSeen(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const arn = "arn:aws:iam::111122223333:role/app/worker"
	exec(`INSERT INTO usage_principal (arn, account_id, type, name) VALUES ($1, '111122223333', 'AssumedRole', 'worker')`, arn)
	day := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	for _, r := range []struct {
		day                   time.Time
		kind, source, name    string
		calls, denied, unauth int64
		first, last           time.Time
	}{
		{day, "unmapped", "s3.amazonaws.com", "DeleteBucketThing", 6, 0, 0, at(1), at(2)},
		{day.AddDate(0, 0, -1), "unmapped", "s3.amazonaws.com", "DeleteBucketThing", 4, 0, 0, at(-20), at(-19)},
		{day, "unmapped", "monitoring.amazonaws.com", "DescribeNewThing", 5, 2, 0, at(3), at(4)},
		{day, "unmapped", "sqs.amazonaws.com", "OnlyDenied", 3, 3, 0, at(3), at(5)},
		{day, "unmapped", "sts.amazonaws.com", "Unauthenticated", 2, 0, 2, at(3), at(5)},
		{day, "permissionless", "signin.amazonaws.com", "ConsoleLogin", 1, 0, 0, at(3), at(3)},
		{day.AddDate(0, -6, 0), "unmapped", "ec2.amazonaws.com", "OutsideWindow", 1, 0, 0, at(-4000), at(-4000)},
	} {
		exec(`INSERT INTO usage_unmapped_daily (principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
		      VALUES ((SELECT id FROM usage_principal WHERE arn = $1), $2, $3, $4, $5, '', '111122223333', $6, $7, $8, $9, $10)`,
			arn, r.day, r.kind, r.source, r.name, r.calls, r.denied, r.unauth, r.first, r.last)
	}
	w := NewWindow(day, 30)
	usage, err := LoadUsage(ctx, db, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	pu := usage[arn]
	if pu == nil {
		t.Fatalf("no usage for %s: %v", arn, usage)
	}
	want := []UnmappedCall{
		{EventSource: "monitoring.amazonaws.com", EventName: "DescribeNewThing", Service: "cloudwatch", Calls: 3, LastSeen: at(4), FirstSeen: at(3)},
		{EventSource: "s3.amazonaws.com", EventName: "DeleteBucketThing", Service: "s3", Calls: 10, LastSeen: at(2), FirstSeen: at(-20)},
	}
	if diff := cmp.Diff(want, pu.Unmapped, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
	seen, err := LoadSeenServices(ctx, db, w)
	if err != nil {
		t.Fatal(err)
	}
	if !seen["111122223333"]["cloudwatch"] || seen["111122223333"]["monitoring"] {
		t.Errorf("seen services %v: want cloudwatch (monitoring.amazonaws.com), not monitoring", seen["111122223333"])
	}
}
