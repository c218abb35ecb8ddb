package main

import (
	"github.com/spf13/cobra"
)

// Stages whose packages are not built yet. Each says so plainly and exits 1;
// none prints fake output. They move to their own files as they are built.

func (a *app) recommendCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "recommend ROLE",
		Short: "Write a proven least-privilege policy for a role",
		Example: `  iamtrim recommend billing-api --window 90d
  iamtrim recommend --all --out-dir policies/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("recommend", "analyze/recommend (issue 5)")
		},
	}
	c.Flags().String("window", "90d", "analysis window, e.g. 90d")
	c.Flags().String("format", "json", "json, terraform or diff")
	c.Flags().StringP("output", "o", "", "write the policy to FILE instead of stdout")
	c.Flags().Bool("all", false, "every role, into --out-dir")
	c.Flags().String("out-dir", "", "directory for --all")
	return c
}

func (a *app) reportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "report",
		Short:   "The quarterly permission audit report",
		Example: `  iamtrim report --quarter 2026Q4 --format html -o audit.html`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("report", "report and batch job (issue 6)")
		},
	}
	c.Flags().String("quarter", "", "quarter, e.g. 2026Q4")
	c.Flags().String("format", "table", "table, md, html, csv or json")
	c.Flags().StringP("output", "o", "", "write the report to FILE instead of stdout")
	return c
}

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
