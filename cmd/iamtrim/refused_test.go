package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const oversizedARN = "arn:aws:iam::444455556666:role/oversized"

// oversizedAuthz writes an authorization file of another account whose one
// role holds more distinct condition sets than authz.MaxConditionSets.
func oversizedAuthz(t *testing.T) string {
	t.Helper()
	var stmts []string
	for i := range 300 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/t%d":"x"}}}`, i))
	}
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	details := map[string]any{
		"UserDetailList": []any{}, "GroupDetailList": []any{}, "Policies": []any{},
		"RoleDetailList": []any{map[string]any{
			"Path": "/", "RoleName": "oversized", "RoleId": "AROA4444", "Arn": oversizedARN, "CreateDate": "2025-01-01T00:00:00Z",
			"RolePolicyList": []any{map[string]any{"PolicyName": "p", "PolicyDocument": json.RawMessage(doc)}},
		}},
	}
	b, err := json.Marshal(details)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "oversized.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A principal refused by the limits, or a recommendation refused by the
// policy budget, is named and makes the exit code 3 (finished, some inputs
// rejected), the other principals done (issue 10, item 13: the exit code
// was 0).
func TestRefusedPrincipalsExitCode(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	oversized := oversizedAuthz(t)
	mustRun(t, env, exitOK, "ingest", "authz", oversized)

	t.Run("analyze", func(t *testing.T) {
		code, out, errOut := runCLI(t, env, "analyze", "--format", "json")
		if code != exitRejected || !strings.Contains(errOut, "1 principal(s) refused") || !strings.Contains(errOut, oversizedARN) {
			t.Fatalf("exit %d, want %d naming %s; stderr:\n%s", code, exitRejected, oversizedARN, errOut)
		}
		var snap struct {
			Principals []struct{ Name string } `json:"principals"`
			Refused    []struct {
				PrincipalARN string `json:"principal_arn"`
			} `json:"refused"`
		}
		if err := json.Unmarshal([]byte(out), &snap); err != nil {
			t.Fatalf("stdout is not the analysis: %v", err)
		}
		if len(snap.Principals) < 20 || len(snap.Refused) != 1 || snap.Refused[0].PrincipalARN != oversizedARN {
			t.Errorf("analysis of %d principals, refused %+v: want the sample's and the oversized one refused", len(snap.Principals), snap.Refused)
		}
	})
	t.Run("recommend --all", func(t *testing.T) {
		dir := t.TempDir()
		code, _, errOut := runCLI(t, env, "recommend", "--all", "--out-dir", dir, "--format", "json")
		if code != exitRejected || !strings.Contains(errOut, oversizedARN) {
			t.Fatalf("exit %d, want %d naming %s; stderr:\n%s", code, exitRejected, oversizedARN, errOut)
		}
		if files, _ := os.ReadDir(dir); len(files) < 15 {
			t.Errorf("%d files written, want the other roles'", len(files))
		}
	})
	t.Run("recommend the refused one", func(t *testing.T) {
		code, out, errOut := runCLI(t, env, "recommend", oversizedARN)
		if code != exitRejected || out != "" || !strings.Contains(errOut, oversizedARN) {
			t.Fatalf("exit %d, want %d naming %s; stdout %q, stderr:\n%s", code, exitRejected, oversizedARN, out, errOut)
		}
	})
	t.Run("recommend --all over the policy budget", func(t *testing.T) {
		dir := t.TempDir()
		code, _, errOut := runCLI(t, env, "recommend", "--all", "--out-dir", dir, "--format", "json", "--max-chars", "300", "--inline-chars", "300", "--max-policies", "1")
		if code != exitRejected || !strings.Contains(errOut, "need more policies than --max-policies allows") {
			t.Fatalf("exit %d, want %d naming the roles over the budget; stderr:\n%s", code, exitRejected, errOut)
		}
	})
	t.Run("recommend one role over the policy budget", func(t *testing.T) {
		code, out, errOut := runCLI(t, env, "recommend", "orders-api-lambda", "--max-chars", "300", "--inline-chars", "300", "--max-policies", "1")
		if code != exitRejected || out != "" || !strings.Contains(errOut, "orders-api-lambda: the recommendation needs") {
			t.Fatalf("exit %d, want %d naming the role; stdout %q, stderr:\n%s", code, exitRejected, out, errOut)
		}
	})
	t.Run("run", func(t *testing.T) {
		root, err := filepath.Abs("../..")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cfg := "out_dir: " + filepath.Join(dir, "out") + "\n" +
			"catalog:\n  source: " + filepath.Join(root, "testdata/catalog") + "\n" +
			"authz:\n  files: [" + filepath.Join(root, "testdata/sample/authz.json") + ", " + oversized + "]\n" +
			"trails:\n  file: " + filepath.Join(root, "testdata/sample/trails.json") + "\n" +
			"cloudtrail:\n  sources: [" + filepath.Join(root, "testdata/sample/AWSLogs") + "]\n" +
			"report:\n  formats: [json]\n"
		path := filepath.Join(dir, "iamtrim.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI(t, env, "run", "--config", path)
		if code != exitRejected || !strings.Contains(errOut, "status=partial") || !strings.Contains(errOut, "1 principal(s) refused") || !strings.Contains(errOut, oversizedARN) {
			t.Fatalf("exit %d, want %d with status=partial naming %s; stderr:\n%s", code, exitRejected, oversizedARN, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "out", "policies")); err != nil {
			t.Errorf("no policies written for the others: %v", err)
		}
	})
}
