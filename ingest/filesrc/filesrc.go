// Package filesrc finds CloudTrail log files on the local file system for
// package ingest: a named file is taken as is, a directory is walked
// recursively for .json and .json.gz files, in lexical order.
package filesrc

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one log file found.
type File struct {
	// Path is absolute and cleaned: the file's identity in the ledger.
	Path    string
	Size    int64
	ModTime time.Time
}

// IsLogName reports whether a name looks like a CloudTrail log file.
func IsLogName(name string) bool {
	return strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".json")
}

// Walk calls fn for root if it is a file, or for every log file below root
// if it is a directory. Symbolic links to directories are not followed.
func Walk(ctx context.Context, root string, fn func(File) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	if !fi.IsDir() {
		return fn(File{Path: abs, Size: fi.Size(), ModTime: fi.ModTime()})
	}
	return filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !IsLogName(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		return fn(File{Path: p, Size: info.Size(), ModTime: info.ModTime()})
	})
}
