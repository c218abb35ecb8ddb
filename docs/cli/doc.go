// Package clidoc is iamtrim's command reference: one Markdown page per
// command path (iamtrim_ingest_cloudtrail.md for "iamtrim ingest
// cloudtrail"), written to be read on GitHub and embedded in the binary,
// where cmd/iamtrim takes each command's --help description and examples
// from it. The pages are the one copy of that text.
//
// A page is, line by line:
//
//	# iamtrim ingest cloudtrail
//	(blank)
//	the description, as --help prints it (optional; then no blank line
//	after it either)
//	(blank)
//	## Examples
//	(blank)
//	```text
//	one example command a line, printed indented by two spaces
//	```
//
// Anything else is an error naming the page and the line.
package clidoc

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed *.md
var pages embed.FS

// index is the page listing the others; it belongs to no command.
const index = "README.md"

// Doc is a command's help text, in the form cobra.Command's Long and
// Example fields take it.
type Doc struct {
	Long    string
	Example string
}

// Page is the file name of the page of the command path
// ("iamtrim ingest cloudtrail" -> "iamtrim_ingest_cloudtrail.md").
func Page(path string) string {
	return strings.ReplaceAll(path, " ", "_") + ".md"
}

// Lookup returns the help text of the command path ("iamtrim ingest
// cloudtrail", as cobra.Command.CommandPath gives it), read from its page.
func Lookup(path string) (Doc, error) {
	name := Page(path)
	b, err := pages.ReadFile(name)
	if err != nil {
		return Doc{}, fmt.Errorf("docs/cli/%s: no page for command %q", name, path)
	}
	return parse(name, path, string(b))
}

// Paths returns the command path of every page but the index, in file
// name order.
func Paths() ([]string, error) {
	entries, err := fs.ReadDir(pages, ".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Name() == index {
			continue
		}
		out = append(out, strings.ReplaceAll(strings.TrimSuffix(e.Name(), ".md"), "_", " "))
	}
	return out, nil
}

const (
	examplesHeading = "## Examples"
	fenceOpen       = "```text"
	fenceClose      = "```"
)

// parse reads the page name of the command path strictly (see the package
// comment).
func parse(name, path, text string) (Doc, error) {
	lines := strings.Split(text, "\n")
	fail := func(i int, format string, a ...any) (Doc, error) {
		return Doc{}, fmt.Errorf("docs/cli/%s:%d: %s", name, i+1, fmt.Sprintf(format, a...))
	}
	if lines[len(lines)-1] != "" {
		return fail(len(lines)-1, "the page does not end with a newline")
	}
	lines = lines[:len(lines)-1]
	for i, l := range lines {
		if l != strings.TrimRight(l, " \t\r") {
			return fail(i, "trailing white space")
		}
	}
	if want := "# " + path; len(lines) == 0 || lines[0] != want {
		return fail(0, "want the title %q", want)
	}
	if len(lines) < 2 || lines[1] != "" {
		return fail(1, "want a blank line after the title")
	}
	// The description runs to the examples heading.
	i := 2
	for i < len(lines) && lines[i] != examplesHeading {
		if strings.HasPrefix(lines[i], "#") || strings.HasPrefix(lines[i], fenceClose) {
			return fail(i, "want the description or %q, not %q", examplesHeading, lines[i])
		}
		i++
	}
	if i == len(lines) {
		return fail(len(lines)-1, "no %q section", examplesHeading)
	}
	var long string
	if desc := lines[2:i]; len(desc) > 0 {
		if desc[0] == "" {
			return fail(2, "blank line at the start of the description")
		}
		if len(desc) < 2 || desc[len(desc)-1] != "" || desc[len(desc)-2] == "" {
			return fail(i-1, "want one blank line between the description and %q", examplesHeading)
		}
		long = strings.Join(desc[:len(desc)-1], "\n")
	}
	rest := lines[i+1:]
	if len(rest) < 4 || rest[0] != "" || rest[1] != fenceOpen {
		return fail(i+1, "want a blank line and %q after %q", fenceOpen, examplesHeading)
	}
	if rest[len(rest)-1] != fenceClose {
		return fail(len(lines)-1, "want the page to end with the closing %q of the examples", fenceClose)
	}
	examples := rest[2 : len(rest)-1]
	for j, l := range examples {
		if l == "" || strings.HasPrefix(l, fenceClose) {
			return fail(i+3+j, "want an example command, not %q", l)
		}
		examples[j] = "  " + l
	}
	return Doc{Long: long, Example: strings.Join(examples, "\n")}, nil
}
