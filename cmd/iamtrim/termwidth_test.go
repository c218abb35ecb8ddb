package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/internal/termwidth/termwidthtest"
	"github.com/mattn/go-runewidth"
)

// widestLine is the width of the widest line of a table in s (prose
// lines, which the terminal wraps itself, are not counted).
func widestLine(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.ContainsAny(l, "│─") {
			n = max(n, runewidth.StringWidth(l))
		}
	}
	return n
}

// The wide tables of analyze and report fit a terminal's width (issue 10,
// item 11: 187-236 columns); redirected, they keep every column at full
// width.
func TestTablesFitTheTerminal(t *testing.T) {
	env := testEnv(t)
	loadSample(t, env, "../../testdata/catalog")
	mustRun(t, env, exitOK, "analyze")
	for _, args := range [][]string{{"analyze"}, {"report"}} {
		t.Run(args[0], func(t *testing.T) {
			full := mustRun(t, env, exitOK, args...)
			if widestLine(full) <= 100 {
				t.Fatalf("redirected, the table is %d columns wide: not wide enough to test", widestLine(full))
			}
			for _, cols := range []int{100, 80} {
				term := termwidthtest.Open(t, cols)
				var errb bytes.Buffer
				code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), term.Out, &errb)
				out := term.Close()
				if code != exitOK {
					t.Fatalf("%d columns: exit %d\n%s", cols, code, errb.String())
				}
				if got := widestLine(out); got > cols {
					t.Errorf("%d columns: a line is %d wide:\n%s", cols, got, out)
				}
				prose := strings.Join(strings.Fields(out), " ")
				if strings.Contains(prose, "not shown") && !strings.Contains(prose, fmt.Sprintf("terminal is %d columns", cols)) {
					t.Errorf("%d columns: columns left out without saying so:\n%s", cols, out)
				}
				if strings.Count(out, "role/") < 20 {
					t.Errorf("%d columns: the principals are missing:\n%s", cols, out)
				}
			}
		})
	}
}
