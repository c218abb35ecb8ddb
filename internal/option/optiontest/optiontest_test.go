package optiontest

import (
	"errors"
	"testing"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// recorder is a testing.TB that records a failure instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatal(...any)          { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestErr(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		want       string
		done, fail bool
	}{
		{"no error wanted, none", nil, "", false, false},
		{"no error wanted, one", errors.New("x"), "", false, true},
		{"option error wanted", option.Errorf("--x: bad"), "--x: bad", true, false},
		{"other message", option.Errorf("--x: worse"), "--x: bad", true, true},
		{"not an option error", errors.New("--x: bad"), "--x: bad", true, true},
		{"none given", nil, "--x: bad", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			if done := Err(r, tc.err, tc.want); done != tc.done || r.failed != tc.fail {
				t.Errorf("Err = %v (failed %v), want %v (failed %v)", done, r.failed, tc.done, tc.fail)
			}
		})
	}
}

func TestParse(t *testing.T) {
	var n int
	fs := Parse(t, func(fs *pflag.FlagSet) { fs.IntVar(&n, "n", 1, "") }, "--n", "3", "arg")
	if n != 3 || fs.NArg() != 1 {
		t.Errorf("n %d, args %v; want 3 and [arg]", n, fs.Args())
	}
}
