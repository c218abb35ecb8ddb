package main

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/recommend"
)

// unmappedTrail writes one CloudTrail file with a successful S3 call by
// thumbnailer-lambda whose event name maps to no IAM action.
func unmappedTrail(t *testing.T) string {
	t.Helper()
	rec := map[string]any{
		"eventVersion": "1.10",
		"userIdentity": map[string]any{"type": "AssumedRole", "principalId": "AROAR7E2LQ5XKTHUMB01:thumbnailer",
			"arn": "arn:aws:sts::111122223333:assumed-role/thumbnailer-lambda/thumbnailer", "accountId": "111122223333",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAR7E2LQ5XKTHUMB01",
				"arn": "arn:aws:iam::111122223333:role/service-role/thumbnailer-lambda", "accountId": "111122223333", "userName": "thumbnailer-lambda"}}},
		"eventTime": "2026-10-28T04:45:53Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketFutureFeature",
		"awsRegion": "us-east-1", "sourceIPAddress": "3.83.93.100", "userAgent": "Boto3/1.37.3",
		"requestParameters": map[string]any{"bucketName": "acme-data-prod"}, "requestID": "UNMAPPED0001",
		"eventID": "0b6c1c0e-5a2d-4c35-9f53-000000000001", "readOnly": false, "eventType": "AwsApiCall",
		"managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management",
	}
	dir := filepath.Join(t.TempDir(), "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "10", "28")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "111122223333_CloudTrail_us-east-1_20261028T0445Z_unmapped0001.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": []any{rec}}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A successful call that maps to no IAM action shows in analyze, keeps the
// current grant of its service in the recommendation (and the proof names
// it), or with --unmapped fail fails the proof with exit 1.
func TestUnmappedCallsEndToEnd(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	mustRun(t, env, exitOK, "ingest", "cloudtrail", "--no-progress", unmappedTrail(t))

	var snap analyze.Snapshot
	if err := json.Unmarshal([]byte(mustRun(t, env, exitOK, "analyze", "--format", "json")), &snap); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range snap.Principals {
		if r.Name != "thumbnailer-lambda" {
			continue
		}
		for _, u := range r.Unmapped {
			if u.EventSource == "s3.amazonaws.com" && u.EventName == "PutBucketFutureFeature" && u.Calls == 1 && u.Service == "s3" {
				found = true
			}
		}
		if r.Risk.UnmappedCalls != 1 {
			t.Errorf("risk unmapped calls %d, want 1", r.Risk.UnmappedCalls)
		}
	}
	if !found {
		t.Fatalf("analyze does not list thumbnailer-lambda's unmapped call")
	}

	out := filepath.Join(t.TempDir(), "rec.json")
	mustRun(t, env, exitOK, "recommend", "thumbnailer-lambda", "--format", "json", "-o", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rec recommend.Recommendation
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if !rec.Proof.Proven || !rec.Proof.UnmappedKept || len(rec.Proof.Unmapped) != 1 {
		t.Errorf("proof %+v: want proven, naming the unmapped call and keeping its service", rec.Proof)
	}
	kept := false
	for _, n := range rec.Statements {
		kept = kept || n.Kind == "unmapped" && strings.Contains(n.Evidence, "PutBucketFutureFeature")
	}
	if !kept {
		t.Errorf("no KeptUnmapped statement naming the call: %+v", rec.Statements)
	}

	code, _, errOut := runCLI(t, env, "recommend", "thumbnailer-lambda", "--unmapped", "fail")
	if code != exitError || !strings.Contains(errOut, "PutBucketFutureFeature") {
		t.Errorf("--unmapped fail: exit %d, want %d, stderr naming the call:\n%s", code, exitError, errOut)
	}
	if code, _, _ := runCLI(t, env, "recommend", "thumbnailer-lambda", "--unmapped", "maybe"); code != exitUsage {
		t.Errorf("--unmapped maybe: exit %d, want %d", code, exitUsage)
	}
}
