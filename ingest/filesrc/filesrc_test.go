package filesrc_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
			_, err := filesrc.Walk(context.Background(), tc.root, func(f filesrc.File) error {
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
	if _, err := filesrc.Walk(context.Background(), filepath.Join(dir, "missing"), func(filesrc.File) error { return nil }); err == nil {
		t.Errorf("Walk of a missing path: no error")
	}
}

// TestWalkReportsWhatItLeavesOut: files of other kinds in a directory are
// counted and named, special files (a FIFO here) are never opened, and a
// special file named as the root is refused at once instead of blocking.
func TestWalkReportsWhatItLeavesOut(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"logs/a.json": "{}", "logs/notes.txt": "x", "logs/b.json.bz2": "x",
		"logs/c.jsonl": "{}", "logs/d.ndjson.gz": "x", "logs/e.jsonl.gz": "x", "logs/f.ndjson": "{}"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fifo := filepath.Join(dir, "logs", "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	st, err := filesrc.Walk(ctx, filepath.Join(dir, "logs"), func(f filesrc.File) error {
		got = append(got, filepath.Base(f.Path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.json", "c.jsonl", "d.ndjson.gz", "e.jsonl.gz", "f.ndjson"}, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	want := filesrc.Stats{Files: 5, Ignored: 3, IgnoredNames: []string{
		filepath.Join(dir, "logs", "b.json.bz2") + " (not .json, .jsonl or .ndjson, optionally .gz)",
		filepath.Join(dir, "logs", "notes.txt") + " (not .json, .jsonl or .ndjson, optionally .gz)",
		fifo + " (named pipe, not a regular file)",
	}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	// Named directly: refused, without opening it (which would block).
	_, err = filesrc.Walk(ctx, fifo, func(filesrc.File) error { t.Error("fn called for a FIFO"); return nil })
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Walk(FIFO) = %v, want a not-a-regular-file error", err)
	}
	// Opened after listing (it became a FIFO in between): refused, not blocking.
	if _, err := filesrc.Open(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open(FIFO) = %v, want a not-a-regular-file error", err)
	}
}
