package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	clidoc "github.com/iamtrim/iamtrim/docs/cli"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/internal/logging"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/job"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/localpg"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, documented in README.md.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitRejected = 3 // finished, but some inputs were rejected
	exitFindings = 4 // findings above the threshold the user set
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// exitErr carries a specific exit code out of a command.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

// rejected makes err (when not nil) exit 3: the command finished, but
// some inputs were rejected.
func rejected(err error) error {
	if err == nil {
		return nil
	}
	return &exitErr{code: exitRejected, err: err}
}

// app is what every subcommand shares: streams, global options, logger.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string

	db      store.Options
	logging logging.Flags
	// keepServer leaves the private store running when the command ends.
	keepServer bool

	log *slog.Logger
	// clock is IAMTRIM_NOW when set: the time every command takes as now.
	clock time.Time
}

// now is the current time, or IAMTRIM_NOW's: a run pinned to one day
// gives the same quarter-to-date report and date checks whatever day it
// is repeated on (reproducible audits, and the golden CLI cases).
func (a *app) now() time.Time {
	if !a.clock.IsZero() {
		return a.clock
	}
	return time.Now()
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv}
	if v := getenv("IAMTRIM_NOW"); v != "" {
		t, err := period.Instant(v)
		if err != nil {
			fmt.Fprintf(stderr, "iamtrim: IAMTRIM_NOW %v\n", err)
			return exitUsage
		}
		a.clock = t.UTC()
	}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "iamtrim: interrupted")
		return exitError
	}
	// AWS failures a user can act on (no credentials, AccessDenied) in one
	// line, whichever command met them.
	fmt.Fprintf(stderr, "iamtrim: %v\n", awsconf.Explain(err))
	if code == exitUsage {
		fmt.Fprintln(stderr, "run 'iamtrim --help' for usage")
	}
	return code
}

// exitCode is the exit code of err, decided by its type: a command's
// *exitErr, an invalid option, a principal or snapshot named on the
// command line that does not exist, a request that cannot be met as given
// (usage), inputs rejected (any stage's, reject.Input), findings above
// the threshold.
func exitCode(err error) int {
	var ee *exitErr
	switch {
	case errors.As(err, &ee):
		return ee.code
	case option.IsInvalid(err), errors.Is(err, analyze.ErrNoPrincipal), errors.Is(err, authz.ErrNoPrincipal), errors.Is(err, authz.ErrAmbiguousPrincipal),
		errors.Is(err, snapdiff.ErrNoSnapshot), errors.Is(err, recommend.ErrSplitPolicy), errors.Is(err, ingest.ErrWindowOverlap):
		return exitUsage
	case reject.Is(err):
		return exitRejected
	case errors.As(err, new(*job.FindingsError)):
		return exitFindings
	}
	return exitError
}

// command is a command that runs: its use line and summary as cobra
// shows them (the description and examples come from docs/cli), its
// argument validator, what it runs, and the flags each add registers.
func command(use, short string, args cobra.PositionalArgs, run func(ctx context.Context, args []string) error, add ...func(*pflag.FlagSet)) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: args, RunE: func(c *cobra.Command, args []string) error { return run(c.Context(), args) }}
	for _, f := range add {
		f(c.Flags())
	}
	return c
}

// usageArgs makes an argument validator's errors usage errors (exit 2).
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return &exitErr{code: exitUsage, err: err}
		}
		return nil
	}
}

// subcommandArgs is the validator of a command that only groups others:
// any argument is an unknown subcommand.
func subcommandArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return &exitErr{code: exitUsage, err: errors.New(msg)}
	}
	return nil
}

// rootCmd is the command tree with each command's help from the CLI
// reference (docs/cli).
func (a *app) rootCmd() *cobra.Command {
	root := a.commands()
	describe(root)
	return root
}

// describe gives c and its subcommands their description and examples from
// their pages of the CLI reference. The pages are embedded: one missing or
// malformed is a defect of the build, which TestCLIReference reports.
func describe(c *cobra.Command) {
	d, err := clidoc.Lookup(c.CommandPath())
	if err != nil {
		panic(err)
	}
	c.Long, c.Example = d.Long, d.Example
	for _, s := range c.Commands() {
		describe(s)
	}
}

// commands is the command tree without the help text of docs/cli.
func (a *app) commands() *cobra.Command {
	root := &cobra.Command{
		Use:           "iamtrim",
		Short:         "Find the IAM permissions AWS roles hold but never use, and write the tightened policy",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.setup()
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitErr{code: exitUsage, err: err}
	})
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	a.db.AddFlags(pf)
	a.logging.AddFlags(pf, a.getenv)
	keep := a.getenv("IAMTRIM_KEEP_SERVER")
	pf.BoolVar(&a.keepServer, "keep-server", keep != "" && keep != "0", "leave the private store running when the command ends ('iamtrim server stop' stops it; env IAMTRIM_KEEP_SERVER=1)")

	root.AddCommand(
		a.versionCmd(),
		a.migrateCmd(),
		a.catalogCmd(),
		a.ingestCmd(),
		a.authzCmd(),
		a.analyzeCmd(),
		a.recommendCmd(),
		a.backtestCmd(),
		a.reportCmd(),
		a.diffCmd(),
		a.jobCmd(),
		a.sampleCmd(),
		a.trimCmd(),
		a.serverCmd(),
	)
	// Every command validates its arguments with a typed error (cobra's
	// fallback returns a plain one).
	var typed func(c *cobra.Command)
	typed = func(c *cobra.Command) {
		if c.HasSubCommands() {
			// Runnable, so that cobra validates the arguments instead of
			// printing help for an unknown subcommand.
			c.Args = subcommandArgs
			c.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
		} else if c.Args != nil {
			c.Args = usageArgs(c.Args)
		}
		for _, s := range c.Commands() {
			typed(s)
		}
	}
	typed(root)
	return root
}

func (a *app) setup() (err error) {
	if a.log, err = a.logging.Logger(a.stderr); err != nil {
		return err
	}
	return a.db.ValidateURL()
}

// openDB connects (creating the database on first use) and migrates.
func (a *app) openDB(ctx context.Context) (*store.DB, error) {
	o := a.db
	o.Getenv, o.Schema, o.Logger = a.getenv, a.getenv("IAMTRIM_SCHEMA"), a.log
	o.Fallback = localpg.Fallback(localpg.Options{Getenv: a.getenv, Log: a.log}, a.keepServer)
	return store.Open(ctx, o)
}

// withDB opens the database for fn and closes it after.
func (a *app) withDB(ctx context.Context, fn func(db *store.DB) error) error {
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}
