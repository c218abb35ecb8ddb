package clidoc

import (
	"strings"
	"testing"
)

// Every page reads (TestCLIReference in cmd/iamtrim checks that each
// belongs to a command and each command has one).
func TestPagesParse(t *testing.T) {
	paths, err := Paths()
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no pages embedded")
	}
	for _, p := range paths {
		d, err := Lookup(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if d.Example == "" {
			t.Errorf("%s: no example", p)
		}
	}
}

func TestLookupMissing(t *testing.T) {
	_, err := Lookup("iamtrim no such command")
	if err == nil || !strings.Contains(err.Error(), "docs/cli/iamtrim_no_such_command.md") {
		t.Fatalf("got %v, want an error naming the missing page", err)
	}
}

func TestParse(t *testing.T) {
	const path = "iamtrim x"
	tests := []struct {
		name, text string
		want       Doc
		err        string // in the error; "" for none
	}{
		{
			name: "description and examples",
			text: "# iamtrim x\n\nDoes x.\n\nMore on x.\n\n## Examples\n\n```text\niamtrim x\niamtrim x --y\n```\n",
			want: Doc{Long: "Does x.\n\nMore on x.", Example: "  iamtrim x\n  iamtrim x --y"},
		},
		{
			name: "no description",
			text: "# iamtrim x\n\n## Examples\n\n```text\niamtrim x\n```\n",
			want: Doc{Example: "  iamtrim x"},
		},
		{
			name: "indented description lines kept",
			text: "# iamtrim x\n\nStages:\n\n  a  first\n     more\n\n## Examples\n\n```text\niamtrim x\n```\n",
			want: Doc{Long: "Stages:\n\n  a  first\n     more", Example: "  iamtrim x"},
		},
		{name: "empty", text: "", err: ":1: want the title"},
		{name: "no final newline", text: "# iamtrim x\n\n## Examples\n\n```text\niamtrim x\n```", err: ":7: the page does not end with a newline"},
		{name: "wrong title", text: "# iamtrim y\n\n## Examples\n\n```text\niamtrim x\n```\n", err: `:1: want the title "# iamtrim x"`},
		{name: "no blank after title", text: "# iamtrim x\nDoes x.\n\n## Examples\n\n```text\niamtrim x\n```\n", err: ":2: want a blank line after the title"},
		{name: "no examples", text: "# iamtrim x\n\nDoes x.\n", err: `:3: no "## Examples" section`},
		{name: "other heading", text: "# iamtrim x\n\nDoes x.\n\n## Example\n\n```text\niamtrim x\n```\n", err: `:5: want the description or "## Examples"`},
		{name: "fence in description", text: "# iamtrim x\n\n```\nDoes x.\n```\n\n## Examples\n\n```text\niamtrim x\n```\n", err: ":3: want the description"},
		{name: "two blank lines before examples", text: "# iamtrim x\n\nDoes x.\n\n\n## Examples\n\n```text\niamtrim x\n```\n", err: ":5: want one blank line between"},
		{name: "no blank line before examples", text: "# iamtrim x\n\nDoes x.\n## Examples\n\n```text\niamtrim x\n```\n", err: ":3: want one blank line between"},
		{name: "blank line at description start", text: "# iamtrim x\n\n\nDoes x.\n\n## Examples\n\n```text\niamtrim x\n```\n", err: ":3: blank line at the start"},
		{name: "untagged fence", text: "# iamtrim x\n\n## Examples\n\n```\niamtrim x\n```\n", err: ":4: want a blank line and \"```text\""},
		{name: "no examples in fence", text: "# iamtrim x\n\n## Examples\n\n```text\n```\n", err: ":4: want a blank line and \"```text\""},
		{name: "unclosed fence", text: "# iamtrim x\n\n## Examples\n\n```text\niamtrim x\niamtrim x --y\n", err: ":7: want the page to end with the closing"},
		{name: "text after the examples", text: "# iamtrim x\n\n## Examples\n\n```text\niamtrim x\n```\n\nMore.\n", err: ":9: want the page to end with the closing"},
		{name: "blank example line", text: "# iamtrim x\n\n## Examples\n\n```text\niamtrim x\n\niamtrim y\n```\n", err: ":7: want an example command"},
		{name: "trailing space", text: "# iamtrim x\n\nDoes x. \n\n## Examples\n\n```text\niamtrim x\n```\n", err: ":3: trailing white space"},
		{name: "CRLF", text: "# iamtrim x\r\n\r\n## Examples\r\n\r\n```text\r\niamtrim x\r\n```\r\n", err: ":1: trailing white space"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse("p.md", path, tc.text)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), "docs/cli/p.md"+tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, "docs/cli/p.md"+tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if got != tc.want {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}
