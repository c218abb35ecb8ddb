package untrusted

import (
	"fmt"
	"strings"
	"testing"
)

func TestTerminal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"role/app", "role/app"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"line\nbreak\ttab\r", `line\nbreak\ttab\r`},
		{`back\slash`, `back\\slash`},
		{"bidi\u202eevil", `bidi\u202eevil`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"c1\u009bcsi", `c1\u009bcsi`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"café ünïcode", "café ünïcode"},
	}
	for _, tc := range tests {
		if got := Terminal(tc.in); got != tc.want {
			t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTerminalWriter(t *testing.T) {
	var b strings.Builder
	w := TerminalWriter{W: &b}
	fmt.Fprintf(w, "role %s\n  on %s\n", "a\x1b]0;pwned\x07", "arn:aws:s3:::b")
	want := "role a\\x1b]0;pwned\\x07\n  on arn:aws:s3:::b\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
