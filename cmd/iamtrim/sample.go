package main

import (
	"github.com/spf13/cobra"
)

func (a *app) sampleCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sample",
		Short: "Write a deterministic synthetic organisation: authz.json, CloudTrail logs, truth.json",
		Example: `  iamtrim sample --out /tmp/org
  iamtrim sample --out /tmp/big --events 1000000 --days 30 --files 1000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotBuilt("sample", "foundation (issue 2)")
		},
	}
	return c
}
