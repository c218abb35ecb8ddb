package main

import (
	"errors"

	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/spf13/cobra"
)

func (a *app) diffCmd() *cobra.Command {
	var (
		from, to int64
		format   string
		output   string
	)
	c := &cobra.Command{
		Use:   "diff",
		Short: "What changed between two analysis snapshots",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if format != "table" && format != "json" {
				return usageErr("--format %q: want table or json", format)
			}
			if from < 0 || to < 0 {
				return usageErr("--from and --to are analysis snapshot ids (positive)")
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := snapdiff.Compare(ctx, db, from, to)
			if errors.Is(err, snapdiff.ErrNoSnapshot) {
				return usageErr("%v", err)
			}
			if err != nil {
				return err
			}
			w, commit, err := a.output(output)
			if err != nil {
				return err
			}
			if format == "json" {
				err = snapdiff.WriteJSON(w, res)
			} else {
				err = snapdiff.WriteTable(w, res)
			}
			if err != nil {
				return err
			}
			return commit()
		},
	}
	f := c.Flags()
	f.Int64Var(&from, "from", 0, "the older analysis snapshot's id (default: the one before --to's)")
	f.Int64Var(&to, "to", 0, "the newer analysis snapshot's id (default: the newest)")
	f.StringVar(&format, "format", "table", "table or json")
	f.StringVarP(&output, "output", "o", "", "write the result to FILE instead of stdout")
	return c
}
