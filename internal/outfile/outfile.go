// Package outfile writes results atomically: to a temporary file beside the
// target, renamed into place on commit, so readers (and a run killed
// midway) never leave half a result under the real name.
package outfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Create returns where results go: stdout when path is "" or "-", else a
// temporary file next to path that commit renames into place.
func Create(stdout io.Writer, path string) (w io.Writer, commit func() error, err error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, nil
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, nil, fmt.Errorf("create output %s: %w", path, err)
	}
	committed := false
	commit = func() error {
		if committed {
			return nil
		}
		committed = true
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(f.Name())
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.Chmod(f.Name(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return os.Rename(f.Name(), path)
	}
	return f, commit, nil
}

// RemoveStale deletes the temporary files (.NAME.tmp-*) that Create leaves
// when a process is killed before commit, and returns their names. Call it
// only while no other writer can be active in dirs.
func RemoveStale(dirs ...string) []string {
	var removed []string
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, ".*.tmp-*"))
		for _, m := range matches {
			if err := os.Remove(m); err == nil {
				removed = append(removed, m)
			}
		}
	}
	return removed
}
