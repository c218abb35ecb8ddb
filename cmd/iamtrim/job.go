package main

import (
	"context"

	"github.com/iamtrim/iamtrim/internal/buildinfo"
	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/job"
	"github.com/spf13/cobra"
)

func (a *app) jobCmd() *cobra.Command {
	var fl job.Flags
	return command("run", "The nightly job: migrate, refresh, ingest, analyze, recommend, report", cobra.NoArgs, func(ctx context.Context, args []string) error {
		cfg, err := fl.Load(a.getenv)
		if err != nil {
			return err
		}
		if a.db.URL == "" {
			a.db.URL = cfg.Database
		}
		r := &job.Runner{Open: a.openDB, Log: a.log, Stdout: a.stdout, Columns: termwidth.Of(a.stdout, a.getenv), Version: buildinfo.Version(version), Now: a.now}
		_, err = r.Run(ctx, cfg)
		return err
	}, fl.AddFlags)
}
