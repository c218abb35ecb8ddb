package sample

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/sample and testdata/catalog from the generator")

// committedOptions are the options testdata/sample was generated with
// (also in testdata/sample/README.md). Regenerate with
//
//	go test ./sample -run 'TestCommittedSample|TestCatalogFixture' -update
var committedOptions = Options{Seed: 1, Events: 3000, Days: 90}

const committedSample = "../testdata/sample"

// committedMaxBytes keeps the committed sample small enough for the repo.
const committedMaxBytes = 1_500_000

// TestCommittedSample checks that testdata/sample is what the generator
// makes today. Log files are compared decompressed, so a change of gzip
// library alone does not fail it.
func TestCommittedSample(t *testing.T) {
	if *update {
		for _, f := range listFiles(t, committedSample) {
			if f != "README.md" {
				if err := os.Remove(filepath.Join(committedSample, f)); err != nil {
					t.Fatal(err)
				}
			}
		}
		opts := committedOptions
		opts.Out = committedSample
		generate(t, opts)
		removeEmptyDirs(t, committedSample)
	}
	fresh, _ := generate(t, committedOptions)
	want := listFiles(t, fresh)
	got := listFiles(t, committedSample)
	got = slicesDelete(got, "README.md")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("testdata/sample file list is stale (-generated +committed); rerun with -update:\n%s", diff)
	}
	var total int64
	stale := 0
	for _, f := range want {
		a, b := filepath.Join(fresh, f), filepath.Join(committedSample, f)
		var x, y []byte
		if strings.HasSuffix(f, ".gz") {
			x, y = gunzip(t, a), gunzip(t, b)
		} else {
			var err error
			if x, err = os.ReadFile(a); err != nil {
				t.Fatal(err)
			}
			if y, err = os.ReadFile(b); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(x, y) {
			if stale++; stale <= 5 {
				t.Errorf("testdata/sample/%s is stale; rerun with -update", f)
			}
		}
		fi, err := os.Stat(b)
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	if stale > 5 {
		t.Errorf("... and %d more stale files", stale-5)
	}
	if total > committedMaxBytes {
		t.Errorf("testdata/sample is %d bytes, over the %d budget", total, committedMaxBytes)
	}
}

func slicesDelete(s []string, v string) []string {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func removeEmptyDirs(t *testing.T, root string) {
	t.Helper()
	var dirs []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != root {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i]) // fails, harmlessly, on non-empty directories
	}
}
