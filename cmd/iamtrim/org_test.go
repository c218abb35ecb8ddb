package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/ingest/orgsrc/orgtest"
)

// TestIngestOrgAWS runs `ingest org aws` end to end against a local
// Organizations endpoint through the real SDK: stored once, unchanged the
// second time, and a clear message when Organizations refuses.
func TestIngestOrgAWS(t *testing.T) {
	f, err := orgtest.ReadFile(filepath.Join("..", "..", "org", "testdata", "org.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := orgtest.New(f)
	defer srv.Close()
	srv.ThrottleEvery.Store(4)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	env := testEnv(t)
	args := []string{"ingest", "org", "aws", "--region", "us-east-1", "--endpoint-url", srv.URL}
	if out := mustRun(t, env, exitOK, args...); !strings.Contains(out, "organisation 1 (new): o-ex4mple, management account 999988887777, 3 accounts, 2 OUs, 4 SCPs, 1 RCPs, 9 attachments, 0 rejected") {
		t.Errorf("first load: %q", out)
	}
	if out := mustRun(t, env, exitOK, args...); !strings.Contains(out, "organisation 1 (unchanged)") {
		t.Errorf("second load: %q", out)
	}
	// The same organisation from its file is the same snapshot.
	if out := mustRun(t, env, exitOK, "ingest", "org", filepath.Join("..", "..", "org", "testdata", "org.json")); !strings.Contains(out, "organisation 1 (unchanged)") {
		t.Errorf("file load: %q", out)
	}
	srv.Deny.Store(true)
	code, _, errOut := runCLI(t, env, args...)
	if code != exitError || !strings.Contains(errOut, "management account or of a delegated administrator") {
		t.Errorf("denied: exit %d, stderr %q", code, errOut)
	}
}
