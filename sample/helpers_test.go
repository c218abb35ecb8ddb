package sample

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/internal/sharedtest"
)

// generate runs Generate into a fresh temp dir and fails the test on error.
func generate(t testing.TB, opts Options) (string, Stats) {
	t.Helper()
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	st, err := Generate(context.Background(), opts, nil)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return opts.Out, st
}

// sharedDir finds ../shared beside the repository (or $IAMTRIM_SHARED); ""
// when it is absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	d, _ := sharedtest.Find()
	return d
}

// listFiles returns the slash-separated relative paths of regular files
// under dir, sorted.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	sort.Strings(out)
	return out
}

func logFiles(t testing.TB, dir string) []string {
	var out []string
	for _, f := range listFiles(t, dir) {
		if strings.HasSuffix(f, ".json.gz") {
			out = append(out, f)
		}
	}
	return out
}

func gunzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("gunzip %s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip %s: %v", path, err)
	}
	return b
}

func readJSON(t testing.TB, path string, v any, strict bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}
