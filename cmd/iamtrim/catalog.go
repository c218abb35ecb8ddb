package main

import (
	"github.com/spf13/cobra"
)

func (a *app) catalogCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "catalog",
		Short: "Load or update the AWS action catalog (Service Reference layout)",
		Example: `  iamtrim catalog load testdata/catalog
  iamtrim catalog update`,
	}
	c.AddCommand(&cobra.Command{
		Use:     "load DIR",
		Short:   "Load a catalog directory (service-list.json and one JSON per service)",
		Example: "  iamtrim catalog load ../shared/catalog",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("catalog load", "catalog (issue 4)")
		},
	})
	c.AddCommand(&cobra.Command{
		Use:     "update",
		Short:   "Download the catalog from AWS's Service Reference endpoint, refreshing only what changed",
		Example: "  iamtrim catalog update",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("catalog update", "catalog (issue 4)")
		},
	})
	return c
}
