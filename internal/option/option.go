// Package option holds what the stages' command-line options share. Each
// stage package defines its options next to the code that uses them, with
// AddFlags (the flags and their defaults) and Validate; cmd/iamtrim only
// registers them and calls the stage. Validate returns an *Error, which the
// CLI maps to its usage exit code (2) by type, never by message text.
package option

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/iamtrim/iamtrim/internal/outfile"
	"github.com/spf13/pflag"
)

// Error is an invalid option value: a usage error, reported before any
// side effect.
type Error struct{ Err error }

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Named is a bad value of one option, which a stage's options can get from
// a flag or from the nightly job's configuration: the CLI names it by its
// flag (--max-resources -1: want ...), the job by its key under the
// stage's section (cloudtrail.max_resources: -1: want ...; see Keyed). Err
// says what is wrong, starting with the value.
type Named struct {
	// Flag is the option's flag without its dashes; "" for the command's
	// arguments (Err then names the argument).
	Flag string
	// Key is its configuration key when that is not Flag with _ for -
	// (the flag --account, the key accounts).
	Key string
	Err error
}

func (e *Named) Error() string {
	if e.Flag == "" {
		return e.Err.Error()
	}
	return "--" + e.Flag + " " + e.Err.Error()
}

func (e *Named) Unwrap() error { return e.Err }

// Keyed names err by the configuration key under section when it is, or
// wraps, a *Named (section.key: what is wrong), else by section alone.
func Keyed(section string, err error) error {
	if ne := (*Named)(nil); errors.As(err, &ne) {
		key := ne.Key
		if key == "" {
			key = strings.ReplaceAll(ne.Flag, "-", "_")
		}
		return fmt.Errorf("%s.%s: %w", section, key, ne.Err)
	}
	return fmt.Errorf("%s: %w", section, err)
}

// Errorf returns an *Error with the message fmt.Errorf makes.
func Errorf(format string, a ...any) error {
	return &Error{Err: fmt.Errorf(format, a...)}
}

// Invalid marks err (when not nil) as an invalid option value.
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err}
}

// IsInvalid reports whether err is, or wraps, an *Error.
func IsInvalid(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// OneOf checks a choice: nil when v is one of allowed, else an *Error
// saying `"v": want a, b or c`. The caller puts the name the option goes
// by where it was set in front: Errorf("--format %v", err) for a flag,
// "lock: " for a configuration key, so every choice is refused in the
// same words.
func OneOf[S ~string](v S, allowed ...S) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return Errorf("%q: want %s", v, Alternatives(names))
}

// Alternatives lists choices as a sentence does: "a", "a or b", "a, b or
// c".
func Alternatives(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// Output is the --format and -o of a command that writes a result: one of
// Formats, to stdout or to a file written atomically (or into a
// directory, with DirOK).
type Output struct {
	Format, Path string
	DirOK        bool
	// Formats are the accepted formats; the first is the default.
	Formats []string
}

// AddFlags registers --format, Formats[0] by default, and -o, with their
// usage texts.
func (o *Output) AddFlags(fs *pflag.FlagSet, format, output string) {
	fs.StringVar(&o.Format, "format", o.Formats[0], format)
	fs.StringVarP(&o.Path, "output", "o", "", output)
}

// Validate checks that Format is one of Formats and that Path can be
// written (OutputPath).
func (o *Output) Validate() error {
	if err := OneOf(o.Format, o.Formats...); err != nil {
		return Errorf("--format %v", err)
	}
	return OutputPath(o.Path, o.DirOK)
}

// IsDir reports whether path names a directory: an existing one, or one
// to create (a trailing "/").
func IsDir(path string) bool {
	if path == "" {
		return false
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator)) {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// OutputPath checks, before any work, that -o's path can be written: ""
// (stdout) or a file in an existing directory; with dirOK (commands that
// write into a directory too), also a directory, existing or named with a
// trailing "/". A path in a directory that is not there, or a directory
// where a file is wanted, is a usage error rather than a failure after the
// command did its work.
func OutputPath(path string, dirOK bool) error {
	if path == "" {
		return nil
	}
	if IsDir(path) {
		if dirOK {
			return nil
		}
		return Errorf("-o %s: a directory, not a file", path)
	}
	if _, err := os.Stat(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Errorf("-o %v", err) // cannot be looked at: cannot be written
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return Errorf("-o %s: directory %s does not exist", path, dir)
	} else if err != nil {
		return Errorf("-o %v", err)
	} else if !fi.IsDir() {
		return Errorf("-o %s: %s is not a directory", path, dir)
	}
	return nil
}

// Write writes what write writes to stdout, or to Path: a temporary file
// renamed into place once write succeeded, so a reader never sees half a
// result.
func (o *Output) Write(stdout io.Writer, write func(w io.Writer) error) error {
	return outfile.Write(stdout, o.Path, write)
}

// InputFile checks, before any work, that path names an input file that
// can be opened: one that is not there, cannot be opened (permissions) or
// is not a regular file (a directory, a FIFO) is a usage error (exit 2)
// naming the option by its flag, or by its configuration key through
// Keyed; key is "" when it is the flag's with _ for -. This is the rule
// every command taking files follows: a path that cannot be opened is the
// command line's (or the configuration's) fault, 2; a file that opens but
// whose content is rejected is bad input, 3.
func InputFile(flag, key, path string) error {
	named := func(err error) error { return Invalid(&Named{Flag: flag, Key: key, Err: err}) }
	st, err := os.Stat(path)
	if err != nil {
		return named(err)
	}
	if !st.Mode().IsRegular() {
		return named(fmt.Errorf("%s: not a regular file", path))
	}
	f, err := os.Open(path)
	if err != nil {
		return named(err)
	}
	return f.Close()
}
