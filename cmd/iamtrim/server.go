package main

import (
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/store/localpg"
	"github.com/spf13/cobra"
)

func (a *app) serverCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "server",
		Short: "Manage iamtrim's private PostgreSQL store",
	}
	c.AddCommand(a.serverStatusCmd(), a.serverStopCmd())
	return c
}

func (a *app) serverStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say where the private store is and whether it runs",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := localpg.GetStatus(cmd.Context(), localpg.Options{Getenv: a.getenv, Log: a.log})
			if err != nil && !errors.Is(err, localpg.ErrNoBinaries) {
				return err
			}
			st.Write(a.stdout, err != nil)
			return nil
		},
	}
}

func (a *app) serverStopCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: "Stop the private store (kept with --keep-server)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			stopped, err := localpg.Stop(cmd.Context(), localpg.Options{Getenv: a.getenv, Log: a.log})
			if err != nil {
				return err
			}
			if stopped {
				fmt.Fprintln(a.stdout, "stopped the private store")
			} else {
				fmt.Fprintln(a.stdout, "the private store was not running")
			}
			return nil
		},
	}
}
