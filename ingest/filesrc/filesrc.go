// Package filesrc finds CloudTrail log files on the local file system for
// package ingest: a named file is taken as is, a directory is walked
// recursively for log files (.json, .jsonl, .ndjson, each also gzipped), in
// lexical order. What a walk
// leaves out (files of other kinds, special files) is counted and named,
// and special files (FIFOs, devices, sockets) are never opened: reading a
// FIFO would block forever.
package filesrc

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
)

// File is one log file found.
type File struct {
	// Path is absolute and cleaned: the file's identity in the ledger.
	Path    string
	Size    int64
	ModTime time.Time
}

// LogExtensions are the names a directory walk takes
// (cloudtrail.LogExtensions).
var LogExtensions = cloudtrail.LogExtensions

// IsLogName reports whether a name looks like a CloudTrail log file.
func IsLogName(name string) bool { return cloudtrail.IsLogName(name) }

// Stats is what a walk found.
type Stats struct {
	// Files is how many log files were passed on.
	Files int
	// Ignored counts the files left out: other extensions, special files.
	Ignored int
	// IgnoredNames names the first MaxIgnoredNames of them, each with why.
	IgnoredNames []string
}

// MaxIgnoredNames bounds Stats.IgnoredNames.
const MaxIgnoredNames = 20

func (s *Stats) ignore(path, why string) {
	s.Ignored++
	if len(s.IgnoredNames) < MaxIgnoredNames {
		s.IgnoredNames = append(s.IgnoredNames, path+" ("+why+")")
	}
}

// kind names a file mode that is not a regular file.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file"
}

// Walk calls fn for root if it is a regular file, or for every log file
// below root if it is a directory, and returns what it found and left out.
// A root that is neither (a FIFO, a device) is refused. Symbolic links to
// directories are not followed.
func Walk(ctx context.Context, root string, fn func(File) error) (Stats, error) {
	var st Stats
	abs, err := filepath.Abs(root)
	if err != nil {
		return st, fmt.Errorf("walk %s: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return st, fmt.Errorf("walk %s: %w", root, err)
	}
	if !fi.IsDir() {
		if err := CheckRegular(abs, fi.Mode()); err != nil {
			return st, err
		}
		st.Files++
		return st, fn(File{Path: abs, Size: fi.Size(), ModTime: fi.ModTime()})
	}
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !IsLogName(d.Name()) {
			st.ignore(p, "not "+cloudtrail.LogNames)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		if !info.Mode().IsRegular() {
			st.ignore(p, kind(info.Mode())+", not a regular file")
			return nil
		}
		st.Files++
		return fn(File{Path: p, Size: info.Size(), ModTime: info.ModTime()})
	})
	return st, err
}

// CheckRegular refuses a path whose mode is not a regular file's.
func CheckRegular(path string, m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	return fmt.Errorf("%s: %s, not a regular file: refused", path, kind(m))
}

// Open opens a log file for reading without ever blocking on a special
// file that took its place since it was listed: the open does not wait for
// a FIFO's writer, and anything but a regular file is refused.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = CheckRegular(path, fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
