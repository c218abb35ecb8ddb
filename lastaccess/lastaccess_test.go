package lastaccess

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/store/storetest"
)

const (
	roleARN = "arn:aws:iam::111122223333:role/app/batch"
	userARN = "arn:aws:iam::111122223333:user/alice"
)

var principals = []authz.Principal{
	{ARN: roleARN, Name: "batch", Type: "role", AccountID: "111122223333"},
	{ARN: userARN, Name: "alice", Type: "user", AccountID: "111122223333"},
	{ARN: "arn:aws:iam::444455556666:role/batch", Name: "batch", Type: "role", AccountID: "444455556666"},
}

// report is a COMPLETED ACTION_LEVEL job: dynamodb tracked and used before,
// s3 accessed, sns never.
const report = `{
  "JobStatus": "COMPLETED",
  "JobType": "ACTION_LEVEL",
  "JobCreationDate": "2026-10-30T02:00:00.000000+00:00",
  "JobCompletionDate": "2026-10-30T02:00:05.123000+00:00",
  "ServicesLastAccessed": [
    {"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "LastAuthenticated": "2026-10-28T10:00:00+00:00",
     "LastAuthenticatedEntity": "arn:aws:iam::111122223333:role/app/batch", "LastAuthenticatedRegion": "us-east-1", "TotalAuthenticatedEntities": 1,
     "TrackedActionsLastAccessed": [{"ActionName": "ListAllMyBuckets", "LastAccessedEntity": "arn:aws:iam::111122223333:role/app/batch", "LastAccessedTime": "2026-10-28T10:00:00+00:00", "LastAccessedRegion": "us-east-1"}]},
    {"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb", "LastAuthenticated": "2026-07-31T03:00:00+00:00",
     "LastAuthenticatedEntity": "arn:aws:iam::111122223333:role/app/batch", "LastAuthenticatedRegion": "us-east-1", "TotalAuthenticatedEntities": 1,
     "TrackedActionsLastAccessed": [{"ActionName": "ExportTableToPointInTime", "LastAccessedEntity": "arn:aws:iam::111122223333:role/app/batch", "LastAccessedTime": "2026-07-31T03:00:00+00:00", "LastAccessedRegion": "us-east-1"}]},
    {"ServiceName": "Amazon SNS", "ServiceNamespace": "sns", "TotalAuthenticatedEntities": 0}
  ],
  "IsTruncated": false
}`

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "111122223333.batch.json", report)
	tests := []struct {
		name, file, body string
		wantARN          string
		wantErr          string
	}{
		{"account and name", "111122223333.batch.json", report, roleARN, ""},
		{"wrapper", "x.json", strings.Replace(report, "{", `{"PrincipalArn": "`+roleARN+`",`, 1), roleARN, ""},
		{"user by name", "alice.json", strings.ReplaceAll(report, roleARN, userARN), userARN, ""},
		{"ambiguous name", "batch.json", report, "", `entry file name: "batch" names several principals`},
		{"not in inventory", "carol.json", report, "", `entry file name: "carol" is not a role or user of the authorization inventory`},
		{"wrapper not in inventory", "y.json", strings.Replace(report, "{", `{"PrincipalArn": "arn:aws:iam::111122223333:role/gone",`, 1), "", "entry PrincipalArn: arn:aws:iam::111122223333:role/gone is not a role or user"},
		{"failed job", "111122223333.batch.json", `{"JobStatus": "FAILED", "JobCreationDate": "2026-10-30T02:00:00Z", "ServicesLastAccessed": [], "Error": {"Code": "ServiceFailure", "Message": "internal error"}}`, "", "entry JobStatus: the job FAILED: ServiceFailure internal error"},
		{"in progress", "111122223333.batch.json", `{"JobStatus": "IN_PROGRESS", "JobCreationDate": "2026-10-30T02:00:00Z", "ServicesLastAccessed": []}`, "", "entry JobStatus: the job is still IN_PROGRESS"},
		{"another account", "111122223333.batch.json", strings.Replace(report, `"LastAuthenticatedEntity": "arn:aws:iam::111122223333:role/app/batch"`, `"LastAuthenticatedEntity": "arn:aws:iam::999988887777:role/batch"`, 1), "", "entry ServicesLastAccessed[0] (s3): names arn:aws:iam::999988887777:role/batch of account 999988887777: the data is from another account"},
		{"another principal", "111122223333.batch.json", strings.Replace(report, `"LastAccessedEntity": "arn:aws:iam::111122223333:role/app/batch", "LastAccessedTime": "2026-07-31`, `"LastAccessedEntity": "arn:aws:iam::111122223333:role/other", "LastAccessedTime": "2026-07-31`, 1), "", "entry ServicesLastAccessed[1].TrackedActionsLastAccessed[0] (dynamodb:ExportTableToPointInTime): names arn:aws:iam::111122223333:role/other"},
		{"truncated", "111122223333.batch.json", strings.Replace(report, `"IsTruncated": false`, `"IsTruncated": true, "Marker": "m"`, 1), "", "entry IsTruncated"},
		{"not json", "111122223333.batch.json", `{"Records": [`, "", "not the JSON of `aws iam get-service-last-accessed-details`"},
		{"another document", "111122223333.batch.json", `{"RoleDetailList": []}`, "", "no JobStatus and no ServicesLastAccessed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := t.TempDir()
			p := write(t, sub, tc.file, tc.body)
			reps, errs := ReadFiles([]string{p, good}, principals)
			if tc.wantErr == "" {
				if len(errs) > 0 || len(reps) != 2 {
					t.Fatalf("got %d reports, errors %v; want 2, none", len(reps), errs)
				}
				if reps[0].PrincipalARN != tc.wantARN {
					t.Errorf("principal: got %s, want %s", reps[0].PrincipalARN, tc.wantARN)
				}
				return
			}
			if len(errs) != 1 || len(reps) != 1 {
				t.Fatalf("got %d reports, errors %v; want the good file read and one error", len(reps), errs)
			}
			var fe *FileError
			if !errors.As(errs[0], &fe) || fe.Path != p {
				t.Errorf("error %v does not name the file %s", errs[0], p)
			}
			if !strings.Contains(errs[0].Error(), tc.wantErr) {
				t.Errorf("error:\n got %v\nwant it to contain %q", errs[0], tc.wantErr)
			}
		})
	}
}

func TestConvertAndLookup(t *testing.T) {
	dir := t.TempDir()
	reps, errs := ReadFiles([]string{write(t, dir, "111122223333.batch.json", report)}, principals)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := reps[0]
	if got, want := r.TakenAt, day("2026-10-30T02:00:05.123Z"); !got.Equal(want) {
		t.Errorf("taken: got %v, want %v", got, want)
	}
	if got, want := r.TrackingStart, r.TakenAt.Add(-400*24*time.Hour); !got.Equal(want) {
		t.Errorf("tracking start: got %v, want %v", got, want)
	}
	at := func(s string) *time.Time { t := day(s); return &t }
	tests := []struct {
		action  string
		tracked bool
		want    Evidence
	}{
		{"dynamodb:ExportTableToPointInTime", true, Evidence{Known: true, ActionLevel: true, LastAccessed: at("2026-07-31T03:00:00Z"), Region: "us-east-1"}},
		{"dynamodb:DeleteTable", true, Evidence{Known: true, ActionLevel: true}},
		{"DynamoDB:exporttabletopointintime", true, Evidence{Known: true, ActionLevel: true, LastAccessed: at("2026-07-31T03:00:00Z"), Region: "us-east-1"}},
		{"dynamodb:GetItem", false, Evidence{Known: true, LastAccessed: at("2026-07-31T03:00:00Z"), Region: "us-east-1"}},
		{"sns:Publish", false, Evidence{Known: true}},
		{"sqs:SendMessage", false, Evidence{}},
	}
	for _, tc := range tests {
		if got := r.Lookup(tc.action, tc.tracked); !cmp.Equal(got, tc.want) {
			t.Errorf("Lookup(%s, %v): %s", tc.action, tc.tracked, cmp.Diff(tc.want, got))
		}
	}
	svc := *r
	svc.Granularity = ServiceLevel
	if got := svc.Lookup("dynamodb:DeleteTable", true); got.ActionLevel || got.LastAccessed == nil {
		t.Errorf("a SERVICE_LEVEL report decides by service: got %+v", got)
	}
}

func TestSaveAndLoad(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	dir := t.TempDir()
	reps, errs := ReadFiles([]string{write(t, dir, "111122223333.batch.json", report)}, principals)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := reps[0]
	if err := RecordJob(ctx, db, Job{PrincipalARN: r.PrincipalARN, JobID: "job-1", Granularity: ActionLevel}); err != nil {
		t.Fatal(err)
	}
	id, created, err := Save(ctx, db, r)
	if err != nil || !created {
		t.Fatalf("first save: id %d created %v err %v", id, created, err)
	}
	if _, ok, err := PendingJob(ctx, db, r.PrincipalARN, time.Time{}); err != nil || ok {
		t.Errorf("the job row survived the save (ok %v, err %v)", ok, err)
	}
	again, created, err := Save(ctx, db, r)
	if err != nil || created || again != id {
		t.Errorf("re-save: id %d created %v err %v; want %d, false", again, created, err, id)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM lastaccess_snapshot`).Scan(&n); err != nil || n != 1 {
		t.Errorf("snapshots: %d (%v), want 1", n, err)
	}
	got, err := LoadLatest(ctx, db, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := *r
	want.Source = r.Source
	if diff := cmp.Diff(&want, got[roleARN]); diff != "" {
		t.Errorf("loaded report (-want +got):\n%s", diff)
	}
	if got, err := LoadLatest(ctx, db, day("2026-10-30T00:00:00Z"), nil); err != nil || len(got) != 0 {
		t.Errorf("a report taken after the limit was loaded: %v (%v)", got, err)
	}
	if got, err := LoadLatest(ctx, db, time.Time{}, []string{userARN}); err != nil || len(got) != 0 {
		t.Errorf("another principal's report was loaded: %v (%v)", got, err)
	}
}
