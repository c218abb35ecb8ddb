package main

import (
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
		{"analyze --as-of in the future", []string{"analyze", "--as-of", "9999-12-31"}, exitUsage, "--as-of: 9999-12-31 is after today"},
		{"recommend --as-of in the future", []string{"recommend", "x", "--as-of", "9999-12-31"}, exitUsage, "--as-of: 9999-12-31 is after today"},
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
