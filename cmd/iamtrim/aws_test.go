package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/ingest/pushdown/pushdowntest"
	"github.com/iamtrim/iamtrim/internal/awstest"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// The local AWS endpoint of the golden cases ($AWS_ENDPOINT): the committed
// sample's S3 bucket, trails and authorization details, and recent events
// for LookupEvents.
const (
	sampleBucket  = "acme-cloudtrail-111122223333"
	sampleAccount = "111122223333"
	// apiEvents is how many events LookupEvents serves: two pages of 50 at
	// the API's 2 requests per second (one day window of the --since 2d of
	// the case).
	apiEvents = 100
)

// startLocalAWS starts the endpoint for the cases that name it.
func startLocalAWS(t *testing.T) *awstest.Server {
	t.Helper()
	s := awstest.New(sampleAccount)
	t.Cleanup(s.Close)
	sample := "../../testdata/sample"
	if err := s.PutDir(sampleBucket, "AWSLogs", filepath.Join(sample, "AWSLogs")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTrails(filepath.Join(sample, "trails.json")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAuthorizationDetails(filepath.Join(sample, "authz.json")); err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, goldenNow)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := recentRecords(filepath.Join(sample, "AWSLogs", sampleAccount, "CloudTrail", "us-east-1"), apiEvents, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddEvents("us-east-1", recs); err != nil {
		t.Fatal(err)
	}
	// Athena and CloudTrail Lake answer every query with the grouping of
	// the whole sample, computed by the query's PostgreSQL dialect over
	// its records (keys cut at the depth the cases run with).
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := pushdowntest.LoadRaw(ctx, db, "raw_events", filepath.Join(sample, "AWSLogs")); err != nil {
		t.Fatal(err)
	}
	sql, err := pushdown.Query{Dialect: pushdown.Postgres, Table: "raw_events", Since: sampleSince, Until: sampleUntil,
		ObjectPrefixDepth: ingest.DefaultObjectPrefixDepth}.SQL() // the cases' depth
	if err != nil {
		t.Fatal(err)
	}
	header, rows, err := pushdowntest.Rows(ctx, db, sql)
	if err != nil {
		t.Fatal(err)
	}
	s.SetQueryPlan(awstest.QueryPlan{
		Result:       awstest.QueryResult{Header: header, Rows: rows},
		LakeResult:   &awstest.QueryResult{Header: header, Rows: pushdowntest.LakeRows(header, rows)},
		Running:      2,
		BytesScanned: 734003200,
	})
	return s
}

// The window of the sample's events, which the golden Athena and Lake
// cases ask for.
var (
	sampleSince = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	sampleUntil = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

// recentRecords reads the first n records of the log files under dir and
// moves them to one second apart from start: LookupEvents serves only the
// last 90 days, so the sample's own times would age out of it (the cases'
// clock is goldenNow; within 90 days of it the real clock finds them too).
func recentRecords(dir string, n int, start time.Time) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || len(out) >= n {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(p, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				return err
			}
		}
		var log struct{ Records []map[string]any }
		if err := json.NewDecoder(r).Decode(&log); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, rec := range log.Records {
			if len(out) >= n {
				break
			}
			rec["eventTime"] = start.Add(time.Duration(len(out)) * time.Second).UTC().Format(time.RFC3339)
			var b bytes.Buffer
			if err := json.NewEncoder(&b).Encode(rec); err != nil {
				return err
			}
			out = append(out, json.RawMessage(bytes.TrimSpace(b.Bytes())))
		}
		return nil
	})
	if err == nil && len(out) < n {
		err = fmt.Errorf("%s: %d records, want %d", dir, len(out), n)
	}
	return out, err
}

// The AWS flags reach AWS as documented: --profile's credentials sign the
// calls, or the STS AssumeRole call when --assume-role is given, whose
// credentials then sign the rest; --region is the signing region of the
// CloudTrail API calls. The golden cases show the output; this shows who
// called what.
func TestAWSSourceFlags(t *testing.T) {
	srv := startLocalAWS(t)
	cfg, err := filepath.Abs("../../testdata/cli/ingest-cloudtrail-s3/aws-config")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": ""} {
		t.Setenv(k, v)
	}
	const (
		profileKey = "AKIAGOLDENPROFILE" // aws-config's profile golden
		assumedKey = "ASIAASSUMED"       // what the endpoint's AssumeRole hands out
		role       = "arn:aws:iam::111122223333:role/audit"
	)
	tests := []struct {
		name string
		args []string
		// want: operation prefix -> access key (and region, when not "")
		want map[string][2]string
	}{
		{"s3 with assume-role", []string{"ingest", "cloudtrail", "--no-progress", "s3://" + sampleBucket + "/AWSLogs", "--profile", "golden",
			"--assume-role", role, "--account", sampleAccount, "--region", "eu-west-1", "--endpoint-url", srv.URL},
			map[string][2]string{"sts:AssumeRole": {profileKey, ""}, "s3:": {assumedKey, ""}}},
		{"api with profile and region", []string{"ingest", "cloudtrail", "--no-progress", "api", "--since", "1d", "--profile", "golden", "--region", "eu-west-1", "--endpoint-url", srv.URL},
			map[string][2]string{"sts:GetCallerIdentity": {profileKey, ""}, "cloudtrail:LookupEvents": {profileKey, "eu-west-1"}}},
		{"authz with assume-role", []string{"ingest", "authz", "aws", "--profile", "golden", "--region", "eu-west-1", "--assume-role", role, "--external-id", "x", "--endpoint-url", srv.URL},
			map[string][2]string{"sts:AssumeRole": {profileKey, ""}, "iam:GetAccountAuthorizationDetails": {assumedKey, ""}}},
		{"trails with assume-role and region", []string{"ingest", "trails", "aws", "--profile", "golden", "--assume-role", role, "--region", "eu-west-1", "--endpoint-url", srv.URL},
			map[string][2]string{"sts:AssumeRole": {profileKey, "eu-west-1"}, "cloudtrail:": {assumedKey, "eu-west-1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			mustRun(t, testEnv(t), exitOK, tc.args...)
			seen := map[string]bool{}
			for _, r := range srv.Requests() {
				matched := false
				for prefix, want := range tc.want {
					if !strings.HasPrefix(r.Op, prefix) {
						continue
					}
					matched, seen[prefix] = true, true
					if r.AccessKey != want[0] || want[1] != "" && r.Region != want[1] {
						t.Errorf("%s signed by %s in %s, want %s in %q", r.Op, r.AccessKey, r.Region, want[0], want[1])
					}
				}
				if !matched {
					t.Errorf("unexpected call %+v", r)
				}
			}
			for prefix := range tc.want {
				if !seen[prefix] {
					t.Errorf("no %s call", prefix)
				}
			}
		})
	}
}
