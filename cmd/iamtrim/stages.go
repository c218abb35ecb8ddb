package main

import (
	"github.com/spf13/cobra"
)

// Stages whose packages are not built yet. Each says so plainly and exits 1;
// none prints fake output. They move to their own files as they are built.

func (a *app) jobCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "run",
		Short:   "The nightly job: migrate, refresh, ingest, analyze, recommend, report",
		Example: `  iamtrim run --config iamtrim.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("run", "report and batch job (issue 6)")
		},
	}
	c.Flags().String("config", "iamtrim.yaml", "configuration file")
	return c
}
