package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secondAccount = "999988887777"

// copyAsAccount copies the sample file or tree at src to dst with every
// mention of the sample's account replaced by acct (in names and in
// contents, gzip included): the same organisation again, as another
// account.
func copyAsAccount(t *testing.T, src, dst, acct string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		out := filepath.Join(dst, strings.ReplaceAll(rel, "111122223333", acct))
		if fi.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		gz := strings.HasSuffix(path, ".gz")
		if gz {
			zr, err := gzip.NewReader(strings.NewReader(string(b)))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		b = []byte(strings.ReplaceAll(string(b), "111122223333", acct))
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		var w io.Writer = f
		var zw *gzip.Writer
		if gz {
			zw = gzip.NewWriter(f)
			w = zw
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		if zw != nil {
			return zw.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two accounts with roles of the same names: --all writes each account's
// files into a directory of its own, none overwriting another's.
func TestRecommendAllTwoAccounts(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	tmp := t.TempDir()
	copyAsAccount(t, filepath.Join(sampleDir, "authz.json"), filepath.Join(tmp, "authz-b.json"), secondAccount)
	copyAsAccount(t, filepath.Join(sampleDir, "trails.json"), filepath.Join(tmp, "trails-b.json"), secondAccount)
	copyAsAccount(t, filepath.Join(sampleDir, "AWSLogs"), filepath.Join(tmp, "AWSLogs"), secondAccount)
	mustRun(t, env, exitOK, "ingest", "authz", filepath.Join(sampleDir, "authz.json"), filepath.Join(tmp, "authz-b.json"))
	mustRun(t, env, exitOK, "ingest", "trails", filepath.Join(tmp, "trails-b.json"))
	mustRun(t, env, exitOK, "ingest", "cloudtrail", "--no-progress", filepath.Join(tmp, "AWSLogs"))

	out := filepath.Join(tmp, "out")
	mustRun(t, env, exitOK, "recommend", "--all", "--out-dir", out, "--format", "terraform")
	for _, acct := range []string{"111122223333", secondAccount} {
		matches, _ := filepath.Glob(filepath.Join(out, acct, "*.tf"))
		if len(matches) < 20 {
			t.Fatalf("%s: %d files, want one per role of the sample (>= 20)", acct, len(matches))
		}
		b, err := os.ReadFile(filepath.Join(out, acct, "orders-api-lambda.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:iam::" + acct + ":role/service-role/orders-api-lambda"; !strings.Contains(string(b), want) {
			t.Errorf("%s/orders-api-lambda.tf is not the policy of %s:\n%.400s", acct, want, b)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(out, "*.tf")); len(m) > 0 {
		t.Errorf("files outside the account directories: %v", m)
	}
}
