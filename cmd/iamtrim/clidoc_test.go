package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	clidoc "github.com/iamtrim/iamtrim/docs/cli"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const cliIndex = "../../docs/cli/README.md"

const cliIndexHead = `# Command reference

One page per command with what ` + "`iamtrim COMMAND --help`" + ` prints above
its flags: the description and examples. The binary embeds these pages
(package ` + "`clidoc`" + `, [doc.go](doc.go) says how a page is laid out);
` + "`--help`" + ` also lists each command's flags.

`

// Every command has a page in docs/cli, every page there belongs to a
// command, and the index lists each command's page with its one-line
// summary (-update rewrites the index).
func TestCLIReference(t *testing.T) {
	root := (&app{getenv: func(string) string { return "" }}).commands()
	commands := map[string]bool{}
	var index strings.Builder
	index.WriteString(cliIndexHead)
	var walk func(c *cobra.Command, depth int)
	walk = func(c *cobra.Command, depth int) {
		path := c.CommandPath()
		commands[path] = true
		if _, err := clidoc.Lookup(path); err != nil {
			t.Error(err)
		}
		fmt.Fprintf(&index, "%s- [`%s`](%s): %s\n", strings.Repeat("  ", depth), path, clidoc.Page(path), c.Short)
		for _, s := range c.Commands() {
			walk(s, depth+1)
		}
	}
	walk(root, 0)
	paths, err := clidoc.Paths()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if !commands[p] {
			t.Errorf("docs/cli/%s belongs to no command (there is no %q)", clidoc.Page(p), p)
		}
	}
	if *update {
		if err := os.WriteFile(cliIndex, []byte(index.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(cliIndex)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(index.String(), string(got)); diff != "" {
		t.Errorf("%s is not the index of the commands (-want +got; -update rewrites it):\n%s", cliIndex, diff)
	}
}

// Every flag's value name in --help (pflag takes the first `quoted` word
// of the usage, else the value's type) is a type (string, int, ...) or a
// placeholder in capitals (FILE), never a word of the prose such as
// "exceptions:"; a flag that takes a file says FILE.
func TestFlagValueNames(t *testing.T) {
	root := (&app{getenv: func(string) string { return "" }}).rootCmd()
	placeholder := regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	wantName := map[string]string{"exceptions": "FILE"}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if name == "" { // a bool
				return
			}
			if want, ok := wantName[f.Name]; ok && name != want {
				t.Errorf("%s --%s: value name %q, want %q", c.CommandPath(), f.Name, name, want)
			}
			if strings.Contains(f.Usage, "`") && !placeholder.MatchString(name) {
				t.Errorf("%s --%s: value name %q (quoted in the usage) is not a placeholder such as FILE", c.CommandPath(), f.Name, name)
			}
		})
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}
