// Package termwidth fits wide tables to the terminal they are printed on:
// Of says how wide the terminal behind a writer is (0 when the writer is
// not a terminal: files and pipes get every column at full width), and
// Fit wraps a table's cells so that the rendered table is no wider.
package termwidth

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"
)

// Of returns the width to fit output to w: 0 when w is not a terminal;
// else COLUMNS when it holds a positive number, else the terminal's own
// width (TIOCGWINSZ); 0 when neither is known.
func Of(w io.Writer, getenv func(string) string) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
		return n
	}
	return 0
}

// minColumn is the narrowest a column is wrapped to (or its natural width
// when narrower).
const minColumn = 5

// Fit returns header and rows with their cells wrapped (at spaces and
// after commas, long words broken) so that a table drawn with one space of
// padding each side and a rule between columns ("│ a │ b │") is at most
// width columns wide. The widest columns give way first, down to
// minColumn; when that is still too wide, the last columns are left out
// and named in dropped (callers say so under the table). A width of 0 or a
// table that already fits changes nothing.
func Fit(width int, header []string, rows [][]string) (fitHeader []string, fitRows [][]string, dropped []string) {
	n := len(header)
	if width <= 0 || n == 0 {
		return header, rows, nil
	}
	for n > 1 && n*(minColumn+3)+1 > width {
		n--
	}
	if n < len(header) {
		dropped = append(dropped, header[n:]...)
		header = header[:n]
		cut := make([][]string, len(rows))
		for i, r := range rows {
			cut[i] = r[:min(n, len(r))]
		}
		rows = cut
	}
	nat := make([]int, n)
	measure := func(cells []string) {
		for i, c := range cells {
			if i < n {
				for _, l := range strings.Split(c, "\n") {
					nat[i] = max(nat[i], runewidth.StringWidth(l))
				}
			}
		}
	}
	measure(header)
	for _, r := range rows {
		measure(r)
	}
	budget := width - 1 - 3*n
	widths := append([]int(nil), nat...)
	total := 0
	for _, w := range widths {
		total += w
	}
	if total <= budget {
		return header, rows, dropped
	}
	for total > budget {
		widest := -1
		for i, w := range widths {
			if w > minColumn && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // every column at its narrowest
		}
		widths[widest]--
		total--
	}
	wrapRow := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = c
			if i < n && widths[i] < nat[i] {
				out[i] = Wrap(c, widths[i])
			}
		}
		return out
	}
	fitted := make([][]string, len(rows))
	for i, r := range rows {
		fitted[i] = wrapRow(r)
	}
	return wrapRow(header), fitted, dropped
}

// Note says which columns Fit left out, for a line under the table; ""
// when none was.
func Note(dropped []string, width int) string {
	if len(dropped) == 0 {
		return ""
	}
	return Wrap(fmt.Sprintf("(%s not shown: the terminal is %d columns wide; redirect the output or use another --format to see every column)", strings.Join(dropped, ", "), width), width)
}

// Wrap breaks s into lines of at most width display columns, at spaces
// and after commas and slashes where it can, inside words where it must.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range words(para) {
			for runewidth.StringWidth(line+word) > width {
				if line != "" {
					out = append(out, strings.TrimRight(line, " "))
					line = ""
					word = strings.TrimLeft(word, " ")
					continue
				}
				head := runewidth.Truncate(word, width, "")
				if head == "" { // a rune wider than the column
					head = string([]rune(word)[:1])
				}
				out = append(out, head)
				word = word[len(head):]
			}
			line += word
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return strings.Join(out, "\n")
}

// words splits s after each space, comma and slash, keeping them.
func words(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == ' ' || r == ',' || r == '/' {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
