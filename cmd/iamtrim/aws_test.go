package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/awstest"
)

// The local AWS endpoint of the golden cases ($AWS_ENDPOINT): the committed
// sample's S3 bucket, trails and authorization details, and recent events
// for LookupEvents.
const (
	sampleBucket  = "acme-cloudtrail-111122223333"
	sampleAccount = "111122223333"
	// apiEvents is how many events LookupEvents serves: two pages of 50 at
	// the API's 2 requests per second.
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
	return s
}

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
