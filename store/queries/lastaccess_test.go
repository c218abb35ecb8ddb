package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func TestLastAccessQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const a, b = "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	used := day(3)
	snap := func(arn string, taken time.Time, digest string) queries.LastAccessSnapshot {
		return queries.LastAccessSnapshot{PrincipalARN: arn, AccountID: "1", Source: "f.json", JobID: "j", Granularity: "ACTION_LEVEL",
			TakenAt: taken, TrackingStart: taken.AddDate(0, 0, -400), Digest: digest,
			Services: []queries.LastAccessService{
				{Service: "s3", ServiceName: "Amazon S3", LastAuthenticated: &used, LastRegion: "us-east-1", LastEntity: arn, TotalEntities: 1, ActionLevel: true,
					Actions: []queries.LastAccessAction{{Action: "GetObject", LastAccessed: &used, LastRegion: "us-east-1"}, {Action: "PutObject"}}},
				{Service: "sqs", ServiceName: "Amazon SQS"},
			}}
	}
	// A pending job is dropped by saving the principal's data.
	if err := queries.RecordLastAccessJob(ctx, db, queries.LastAccessJob{PrincipalARN: a, JobID: "j1", Granularity: "ACTION_LEVEL"}); err != nil {
		t.Fatalf("RecordLastAccessJob: %v", err)
	}
	if err := queries.RecordLastAccessJob(ctx, db, queries.LastAccessJob{PrincipalARN: b, JobID: "j2", Granularity: "SERVICE_LEVEL"}); err != nil {
		t.Fatal(err)
	}
	if j, ok, err := queries.PendingLastAccessJob(ctx, db, a, day(1)); err != nil || !ok || j.JobID != "j1" {
		t.Fatalf("PendingLastAccessJob: %+v, %v, %v; want j1", j, ok, err)
	}
	if _, ok, err := queries.PendingLastAccessJob(ctx, db, a, time.Now().Add(time.Hour)); err != nil || ok {
		t.Errorf("PendingLastAccessJob started before notBefore: %v, %v; want none", ok, err)
	}
	old, created, err := queries.SaveLastAccess(ctx, db, snap(a, day(5), "d1"))
	if err != nil || !created {
		t.Fatalf("SaveLastAccess: %d, %v, %v", old, created, err)
	}
	if _, ok, err := queries.PendingLastAccessJob(ctx, db, a, day(1)); err != nil || ok {
		t.Errorf("a's job after SaveLastAccess: %v, %v; want dropped", ok, err)
	}
	if again, created, err := queries.SaveLastAccess(ctx, db, snap(a, day(5), "d1")); err != nil || created || again != old {
		t.Errorf("SaveLastAccess again: %d, %v, %v; want %d, not created", again, created, err, old)
	}
	newer := snap(a, day(9), "d2")
	newer.Services = newer.Services[1:]
	if _, _, err := queries.SaveLastAccess(ctx, db, newer); err != nil {
		t.Fatal(err)
	}
	if _, _, err := queries.SaveLastAccess(ctx, db, snap(b, day(6), "d3")); err != nil {
		t.Fatal(err)
	}
	if err := queries.ForgetLastAccessJob(ctx, db, b); err != nil {
		t.Fatalf("ForgetLastAccessJob: %v", err)
	}
	if _, ok, err := queries.PendingLastAccessJob(ctx, db, b, day(1)); err != nil || ok {
		t.Errorf("b's job after ForgetLastAccessJob: %v, %v; want none", ok, err)
	}
	got, err := queries.LatestLastAccess(ctx, db, time.Time{}, nil)
	if err != nil {
		t.Fatalf("LatestLastAccess: %v", err)
	}
	if diff := cmp.Diff([]queries.LastAccessSnapshot{newer, snap(b, day(6), "d3")}, got); diff != "" {
		t.Errorf("LatestLastAccess (-want +got):\n%s", diff)
	}
	got, err = queries.LatestLastAccess(ctx, db, day(9), []string{a})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]queries.LastAccessSnapshot{snap(a, day(5), "d1")}, got); diff != "" {
		t.Errorf("LatestLastAccess before day 9, a only (-want +got):\n%s", diff)
	}
}
