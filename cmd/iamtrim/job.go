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
		Args:  noArgs,
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
