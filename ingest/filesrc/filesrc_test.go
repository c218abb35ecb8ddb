package filesrc_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest/filesrc"
)

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a/one.json":           "{}",
		"a/b/two.json.gz":      "x",
		"a/b/notes.txt":        "no",
		"c/three.json":         "[]",
		"c/four.JSON.bz2":      "no",
		"c/d/e/five.json.gz":   "gz",
		"top.json":             "{}",
		"archive.json.gz.part": "no",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, root string
		want       []string
	}{
		{name: "directory", root: dir, want: []string{"a/b/two.json.gz", "a/one.json", "c/d/e/five.json.gz", "c/three.json", "top.json"}},
		{name: "subdirectory", root: filepath.Join(dir, "c"), want: []string{"c/d/e/five.json.gz", "c/three.json"}},
		// A file named explicitly is taken whatever its name.
		{name: "file", root: filepath.Join(dir, "a/b/notes.txt"), want: []string{"a/b/notes.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := filesrc.Walk(context.Background(), tc.root, func(f filesrc.File) error {
				rel, err := filepath.Rel(dir, f.Path)
				if err != nil {
					return err
				}
				if want := int64(len(files[rel])); f.Size != want {
					t.Errorf("%s: size %d, want %d", rel, f.Size, want)
				}
				got = append(got, filepath.ToSlash(rel))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
	if err := filesrc.Walk(context.Background(), filepath.Join(dir, "missing"), func(filesrc.File) error { return nil }); err == nil {
		t.Errorf("Walk of a missing path: no error")
	}
}
