package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/authz"
)

// buildBinary builds iamtrim into a temporary directory: signal handling
// lives in main, which an in-process run does not exercise.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "iamtrim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSIGTERMStopsRecommend: SIGTERM stops `recommend --all` within 2 s
// while it works on roles whose inline policies have 10,000 statements
// each (issue 11: such a proof ran 725 s and ignored SIGTERM).
func TestSIGTERMStopsRecommend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and signals it")
	}
	bin := buildBinary(t)
	env := testEnv(t)
	const roles = 6
	var details authz.Details
	for r := range roles {
		stmts := make([]string, 10_000)
		for i := range stmts {
			stmts[i] = fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","sqs:SendMessage"],"Resource":"arn:aws:s3:::b%d/*"}`, i)
		}
		name := fmt.Sprintf("big%d", r)
		details.RoleDetailList = append(details.RoleDetailList, authz.RoleDetail{
			Path: "/", RoleName: name, RoleID: fmt.Sprintf("AROA%016d", r), Arn: "arn:aws:iam::111122223333:role/" + name, CreateDate: "2025-01-01T00:00:00Z",
			AssumeRolePolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[]}`),
			RolePolicyList:           []authz.InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)}},
		})
	}
	file := filepath.Join(t.TempDir(), "authz.json")
	data, err := json.Marshal(details)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, exitOK, "catalog", "load", "../../catalog/testdata/catalog")
	mustRun(t, env, exitOK, "ingest", "authz", file)

	out := t.TempDir()
	cmd := exec.Command(bin, "--log-level", "debug", "recommend", "--all", "--out-dir", out)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+env["DATABASE_URL"], "IAMTRIM_SCHEMA="+env["IAMTRIM_SCHEMA"])
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Signal once the first role's recommendation is made: the others are
	// still to do.
	var seen strings.Builder
	sc := bufio.NewScanner(stderr)
	signalled := false
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "msg=recommendation") {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			signalled = true
			break
		}
	}
	if !signalled {
		t.Fatalf("recommend never logged a recommendation; stderr:\n%s", seen.String())
	}
	sent := time.Now()
	go io.Copy(io.Discard, stderr)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err = <-waited:
	case <-time.After(2 * time.Second):
		t.Fatalf("recommend still running 2 s after SIGTERM; stderr so far:\n%s", seen.String())
	}
	t.Logf("exited %v after SIGTERM: %v", time.Since(sent).Round(time.Millisecond), err)
	if err == nil {
		t.Errorf("recommend exited 0 after SIGTERM, want an error exit")
	}
	// The signal landed mid-work: not every role was written.
	files, _ := os.ReadDir(out)
	if len(files) >= roles {
		t.Errorf("%d of %d roles written: the signal came after the work was done, the test proves nothing", len(files), roles)
	}
}
