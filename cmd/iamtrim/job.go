package main

import (
	"errors"
	"strings"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/buildinfo"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/job"
	"github.com/spf13/cobra"
)

func (a *app) jobCmd() *cobra.Command {
	var (
		configPath string
		failOn     string
		outDir     string
		wait       bool
		excFile    string
	)
	c := &cobra.Command{
		Use:   "run",
		Short: "The nightly job: migrate, refresh, ingest, analyze, recommend, report",
		Long: `Runs every stage in order from one configuration file: migrate; refresh the
catalog when older than catalog.max_age; refresh the authorization inventory
and the trail configuration; ingest each CloudTrail source incrementally
(the ledger skips what is done); analyze; recommend a policy for every role
into OUT_DIR/policies; write the report (table on stdout, other formats into
OUT_DIR). One log line per stage with its timing, then one summary line.

The whole configuration, each stage's options included, is checked before
anything runs: a bad value exits 2 naming its key.

Safe to schedule: a second run while one is active exits with a message
(lock: fail) or waits (lock: wait, --wait), through a PostgreSQL advisory
lock; a killed run resumes cleanly on the next start; every output file is
written to a temporary name and renamed, so readers never see half a file;
a second run with no new input ingests nothing and writes the same outputs.

Exit codes: 0 ok; 1 error; 2 bad configuration; 3 some inputs were rejected
(still retried next time); 4 findings above --fail-on (e.g.
high-risk-unused, admin, critical). Configuration values may use ${VAR} to
take secrets from the environment; IAMTRIM_CONFIG, IAMTRIM_FAIL_ON and
IAMTRIM_OUT_DIR override the file, and flags override those.`,
		Example: `  iamtrim run --config /etc/iamtrim/iamtrim.yaml
  iamtrim run --config iamtrim.yaml --fail-on high-risk-unused,critical --log-format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("config") && a.getenv("IAMTRIM_CONFIG") != "" {
				configPath = a.getenv("IAMTRIM_CONFIG")
			}
			cfg, err := job.Load(configPath, a.getenv)
			if err != nil {
				return usageErr("%v", err)
			}
			if v := a.getenv("IAMTRIM_FAIL_ON"); v != "" {
				cfg.FailOn = v
			}
			if v := a.getenv("IAMTRIM_OUT_DIR"); v != "" {
				cfg.OutDir = v
			}
			if cmd.Flags().Changed("fail-on") {
				cfg.FailOn = failOn
			}
			if cmd.Flags().Changed("out-dir") {
				cfg.OutDir = outDir
			}
			if wait {
				cfg.Lock = "wait"
			}
			if excFile != "" {
				set, err := readExceptions(excFile)
				if err != nil {
					return err
				}
				cfg.UseExceptions(set)
			}
			if err := cfg.Validate(); err != nil {
				return usageErr("%s: %v", configPath, err)
			}
			if a.dbURL == "" {
				a.dbURL = cfg.Database
			}
			r := &job.Runner{Open: a.openDB, Log: a.log, Stdout: a.stdout, Columns: termwidth.Of(a.stdout, a.getenv), Version: buildinfo.Version(version), Now: a.now}
			_, err = r.Run(cmd.Context(), cfg)
			var rejected *job.RejectedError
			var findings *job.FindingsError
			switch {
			case errors.As(err, &rejected):
				return &exitErr{code: exitRejected, err: err}
			case errors.As(err, &findings):
				return &exitErr{code: exitFindings, err: err}
			}
			return err
		},
	}
	c.Flags().StringVar(&configPath, "config", "iamtrim.yaml", "configuration file (see docs/iamtrim.example.yaml)")
	c.Flags().StringVar(&failOn, "fail-on", "", "exit 4 when any principal has one of: "+strings.Join(analyze.FailOnKinds, ", ")+" (comma-separated; a risk level means that level or above)")
	c.Flags().StringVar(&outDir, "out-dir", "", "output directory (overrides out_dir)")
	c.Flags().BoolVar(&wait, "wait", false, "wait for a running job instead of exiting")
	c.Flags().StringVar(&excFile, "exceptions", "", "exceptions register (YAML): replaces the configuration's exceptions: list")
	return c
}
