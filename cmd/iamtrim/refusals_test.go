package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Inputs that used to give a quiet wrong result must be refused with a
// reason and the documented exit code.
func TestRefusals(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"analyze --as-of in the future", []string{"analyze", "--as-of", "9999-12-31"}, exitUsage, "--as-of 9999-12-31 is after today"},
		{"recommend --as-of in the future", []string{"recommend", "x", "--as-of", "9999-12-31"}, exitUsage, "--as-of 9999-12-31 is after today"},
		{"report --quarter in the future", []string{"report", "--quarter", "9999Q1"}, exitUsage, "--quarter: 9999Q1 begins on 9999-01-01, after today"},
		{"report --to in the future", []string{"report", "--from", "2026-01-01", "--to", "9999-01-01"}, exitUsage, "--to: 9999-01-01 is after today"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code: got %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.inStderr)
			}
		})
	}
}

// On a database with authorization data but no catalog and no logs,
// recommend printed an empty policy called PROVEN.
func TestRecommendWithoutCatalogRefuses(t *testing.T) {
	env := testEnv(t)
	mustRun(t, env, exitOK, "ingest", "authz", filepath.Join(sampleDir, "authz.json"))
	for _, format := range []string{"policy", "diff"} {
		code, out, errOut := runCLI(t, env, "recommend", "orders-api-lambda", "--format", format)
		if code != exitError {
			t.Errorf("--format %s: exit %d, want %d (stderr %q)", format, code, exitError, errOut)
		}
		if out != "" || strings.Contains(errOut, "PROVEN") {
			t.Errorf("--format %s: printed a result without a catalog:\nstdout %q\nstderr %q", format, out, errOut)
		}
		if !strings.Contains(errOut, "catalog load DIR") {
			t.Errorf("--format %s: stderr %q does not say how to load a catalog", format, errOut)
		}
	}
}

// One resolver for analyze --principal, recommend and authz list: a
// misspelt name gets the closest names with their paths, an ARN without
// its path is accepted.
func TestPrincipalNames(t *testing.T) {
	env := testEnv(t)
	mustRun(t, env, exitOK, "ingest", "authz", filepath.Join(sampleDir, "authz.json"))
	const suggestion = "did you mean orders-api-lambda (arn:aws:iam::111122223333:role/service-role/orders-api-lambda)?"
	for _, args := range [][]string{
		{"recommend", "orders-api-lamda"},
		{"analyze", "--principal", "orders-api-lamda"},
		{"authz", "list", "orders-api-lamda"},
	} {
		code, _, errOut := runCLI(t, env, args...)
		if code != exitUsage || !strings.Contains(errOut, suggestion) || strings.Contains(errOut, "[orders-api-lamda]") {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", args, code, errOut, exitUsage, suggestion)
		}
	}
	out := mustRun(t, env, exitOK, "authz", "list", "arn:aws:iam::111122223333:role/orders-api-lambda")
	if !strings.Contains(out, "arn:aws:iam::111122223333:role/service-role/orders-api-lambda") {
		t.Errorf("authz list of the ARN without its path lists:\n%s", out)
	}
	mustRun(t, env, exitOK, "analyze", "--principal", "arn:aws:iam::111122223333:role/orders-api-lambda")
}

// ingest authz names what a wrong file looks like, reads gzip, and counts
// files it can read nothing from as rejected (exit 3) instead of storing
// an empty snapshot with exit 0.
func TestIngestAuthzFileKinds(t *testing.T) {
	env := testEnv(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	authzJSON, err := os.ReadFile(filepath.Join(sampleDir, "authz.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(authzJSON)
	zw.Close()
	trail, err := filepath.Glob(filepath.Join(sampleDir, "AWSLogs", "*", "CloudTrail", "*", "*", "*", "*", "*.json.gz"))
	if err != nil || len(trail) == 0 {
		t.Fatalf("no sample CloudTrail file: %v", err)
	}
	tests := []struct {
		name     string
		file     string
		code     int
		inStderr string
	}{
		{"gzipped authorization details", write("authz.json.gz", gz.Bytes()), exitOK, ""},
		{"CloudTrail log", trail[0], exitRejected, "looks like a CloudTrail log file (Records)"},
		{"empty file", write("empty.json", nil), exitRejected, "empty: no get-account-authorization-details output"},
		{"wrongly typed field", write("typed.json", []byte(`{"RoleDetailList":[{"RoleName":5}]}`)), exitRejected, "cannot unmarshal number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env, "ingest", "authz", tc.file)
			if code != tc.code || !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("exit %d, want %d with %q; stderr:\n%s", code, tc.code, tc.inStderr, errOut)
			}
		})
	}
}

// The nightly job with an empty authorization file finished "ok" with 0
// principals; it is a rejected input now, and the run goes on with the
// snapshot stored before.
func TestJobEmptyAuthzFileRejected(t *testing.T) {
	env := testEnv(t)
	cfg, _ := jobConfigFor(t, "", "")
	mustRun(t, env, exitOK, "run", "--config", cfg)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join(sampleDir, "authz.json"))
	if err := os.WriteFile(cfg, bytes.Replace(b, []byte(abs), []byte(empty), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, env, "run", "--config", cfg)
	if code != exitRejected || !strings.Contains(errOut, "empty.json: empty") || !strings.Contains(errOut, "status=partial") {
		t.Fatalf("exit %d, want 3 naming the empty file with status=partial; stderr:\n%s", code, errOut)
	}
}

// Every AWS path ends in the same one line when no credentials are found.
func TestAWSWithoutCredentials(t *testing.T) {
	env := testEnv(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	for _, args := range [][]string{
		{"ingest", "trails", "aws", "--endpoint-url", "http://127.0.0.1:1"},
		{"ingest", "cloudtrail", "api", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"},
	} {
		code, _, errOut := runCLI(t, env, args...)
		if code == exitOK || !strings.Contains(errOut, "iamtrim: no AWS credentials found") || strings.Contains(errOut, "iamtrim: failed to refresh") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, errOut)
		}
	}
}
