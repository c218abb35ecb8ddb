// Package outfile writes results atomically: to a temporary file beside the
// target, renamed into place on commit, so readers (and a run killed
// midway) never leave half a result under the real name.
package outfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Create returns where results go: stdout when path is "" or "-", else a
// temporary file next to path that commit renames into place.
func Create(stdout io.Writer, path string) (w io.Writer, commit func() error, err error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := createTemp(path)
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
		return os.Rename(f.Name(), path)
	}
	return f, commit, nil
}

// createTemp creates .NAME.tmp-RANDOM beside path with mode 0644, which
// the kernel narrows by the umask as for any file a program creates
// (os.CreateTemp's 0600 followed by a chmod to 0644 ignored the umask).
//
// github.com/google/renameio/v2 does the same with WithPermissions, but
// names its temporary files .NAME<digits>, which RemoveStale could not
// tell from a user's files, and by default puts them in $TMPDIR when it is
// on the same file system; these few lines keep the .tmp- marker.
// Write writes what write writes to stdout (path "" or "-", as Create),
// or to path atomically: nothing appears there unless write and the
// rename succeed.
func Write(stdout io.Writer, path string, write func(w io.Writer) error) error {
	w, commit, err := Create(stdout, path)
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		return err
	}
	return commit()
}

func createTemp(path string) (*os.File, error) {
	prefix := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	for range 100 {
		f, err := os.OpenFile(prefix+strconv.FormatUint(rand.Uint64(), 36), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no unused temporary name for %s", path)
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
