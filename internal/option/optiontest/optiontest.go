// Package optiontest helps the stage packages test their options: parse
// flags as a command would, and check an invalid option's error.
package optiontest

import (
	"testing"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// Parse registers flags with add on a new flag set and parses args; a
// parse error fails t.
func Parse(t testing.TB, add func(*pflag.FlagSet), args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet(t.Name(), pflag.ContinueOnError)
	add(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

// Err checks err against want: with want set, err must be an invalid
// option (option.Error) saying exactly want, and Err returns true (the
// case is done); with want empty, any error fails t.
func Err(t testing.TB, err error, want string) (done bool) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !option.IsInvalid(err) || err.Error() != want {
		t.Fatalf("error %v, want the option error %q", err, want)
	}
	return true
}
