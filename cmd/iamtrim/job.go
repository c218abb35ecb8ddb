package main

import (
	"github.com/iamtrim/iamtrim/internal/buildinfo"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/job"
	"github.com/spf13/cobra"
)

func (a *app) jobCmd() *cobra.Command {
	var fl job.Flags
	c := &cobra.Command{
		Use:   "run",
		Short: "The nightly job: migrate, refresh, ingest, analyze, recommend, report",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := fl.Load(cmd.Flags(), a.getenv)
			if err != nil {
				return err
			}
			if a.dbURL == "" {
				a.dbURL = cfg.Database
			}
			r := &job.Runner{Open: a.openDB, Log: a.log, Stdout: a.stdout, Columns: termwidth.Of(a.stdout, a.getenv), Version: buildinfo.Version(version), Now: a.now}
			_, err = r.Run(cmd.Context(), cfg)
			return err
		},
	}
	fl.AddFlags(c.Flags())
	return c
}
