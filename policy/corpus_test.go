package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// managedPolicy is one file of the AWS managed policy corpus.
type managedPolicy struct {
	PolicyName string
	Arn        string
	VersionID  string `json:"VersionId"`
	Document   json.RawMessage
}

func loadManaged(t testing.TB) []managedPolicy {
	t.Helper()
	dir := sharedDir(t, filepath.Join("data", "policies", "aws-managed"))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatalf("glob %s: %v", dir, err)
	}
	if len(files) == 0 {
		t.Skipf("no policies in %s", dir)
	}
	out := make([]managedPolicy, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		var mp managedPolicy
		if err := json.Unmarshal(data, &mp); err != nil {
			t.Fatalf("decode %s: %v", f, err)
		}
		out = append(out, mp)
	}
	return out
}

// TestParseManagedCorpus parses every AWS managed policy in the shared
// corpus: all must be valid.
func TestParseManagedCorpus(t *testing.T) {
	pols := loadManaged(t)
	var statements int
	for _, mp := range pols {
		doc, err := ParseNamed(mp.PolicyName, mp.Document)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		statements += len(doc.Statements)
	}
	t.Logf("parsed %d managed policies, %d statements", len(pols), statements)
}
