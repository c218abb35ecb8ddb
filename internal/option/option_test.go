package option

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestErrorIsInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"errorf", Errorf("--x %d: bad", 1), true},
		{"wrapped", fmt.Errorf("config: %w", Invalid(errors.New("bad"))), true},
		{"plain", errors.New("--x: bad"), false},
		{"nil", Invalid(nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsInvalid(tc.err); got != tc.want {
				t.Errorf("IsInvalid(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestOneOf(t *testing.T) {
	for _, tc := range []struct {
		v       string
		allowed []string
		want    string // error message, "" for none
	}{
		{"a", []string{"a"}, ""},
		{"b", []string{"a", "b", "c"}, ""},
		{"x", []string{"a"}, `"x": want a`},
		{"x", []string{"a", "b"}, `"x": want a or b`},
		{"x", []string{"a", "b", "c"}, `"x": want a, b or c`},
		{"", []string{"a", "b"}, `"": want a or b`},
	} {
		err := OneOf(tc.v, tc.allowed...)
		got := ""
		if err != nil {
			got = err.Error()
			if !IsInvalid(err) {
				t.Errorf("OneOf(%q, %q) error %v is not an *Error", tc.v, tc.allowed, err)
			}
		}
		if got != tc.want {
			t.Errorf("OneOf(%q, %q) = %q, want %q", tc.v, tc.allowed, got, tc.want)
		}
	}
}

func TestOutput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		formats []string
		args    []string
		want    string // error message, "" for none
	}{
		{"default", []string{"table", "json"}, nil, ""},
		{"two", []string{"table", "json"}, []string{"--format", "yaml"}, `--format "yaml": want table or json`},
		{"many", []string{"json", "policy", "diff"}, []string{"--format", "yaml"}, `--format "yaml": want json, policy or diff`},
		{"given", []string{"json", "policy", "diff"}, []string{"--format", "diff"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Output{Formats: tc.formats}
			fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
			o.AddFlags(fs, "the format", "write the result to FILE")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if tc.args == nil && o.Format != tc.formats[0] {
				t.Errorf("default format %q, want %q", o.Format, tc.formats[0])
			}
			err := o.Validate()
			got := ""
			if err != nil {
				got = err.Error()
				if !IsInvalid(err) {
					t.Errorf("Validate error %v is not an *Error", err)
				}
			}
			if got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOutputWrite(t *testing.T) {
	var stdout bytes.Buffer
	o := Output{}
	if err := o.Write(&stdout, func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "hello" {
		t.Errorf("stdout %q, want hello", stdout.String())
	}
	dir := t.TempDir()
	o.Path = filepath.Join(dir, "out.txt")
	stdout.Reset()
	fail := errors.New("render failed")
	if err := o.Write(&stdout, func(w io.Writer) error { io.WriteString(w, "half"); return fail }); !errors.Is(err, fail) {
		t.Fatalf("Write = %v, want %v", err, fail)
	}
	if _, err := os.Stat(o.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed write left %s (stat: %v)", o.Path, err)
	}
	if err := o.Write(&stdout, func(w io.Writer) error { _, err := io.WriteString(w, "whole"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(o.Path); err != nil || string(b) != "whole" || stdout.Len() != 0 {
		t.Errorf("file %q (%v), stdout %q; want the file to hold whole and stdout nothing", b, err, stdout.String())
	}
}

func TestInputFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(ok, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked.json")
	if err := os.WriteFile(locked, []byte("{}"), 0o000); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"readable", ok, ""},
		{"missing", filepath.Join(dir, "none.json"), "--scp stat " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		{"directory", dir, "--scp " + dir + ": not a regular file"},
		{"unreadable", locked, "--scp open " + locked + ": permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unreadable" && os.Geteuid() == 0 {
				t.Skip("root opens any file")
			}
			err := InputFile("scp", "scps", tc.path)
			got := ""
			if err != nil {
				got = err.Error()
				if !IsInvalid(err) {
					t.Errorf("InputFile error %v is not an *Error", err)
				}
				if k := Keyed("analyze", err).Error(); !strings.HasPrefix(k, "analyze.scps: ") {
					t.Errorf("Keyed(analyze, %v) = %q, want it named analyze.scps", err, k)
				}
			}
			if got != tc.want {
				t.Errorf("InputFile(%s) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}
