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
		Long: `When no server is named (--db, DATABASE_URL, PGHOST, PGHOSTADDR, PGPORT,
PGSERVICE) and no local server answers, every command starts a private
PostgreSQL of its own from the PostgreSQL binaries on the machine, with its
data in $XDG_DATA_HOME/iamtrim/pg (~/.local/share/iamtrim/pg;
~/Library/Application Support/iamtrim/pg on macOS), on a Unix socket only,
and stops it when the command ends. --keep-server (or IAMTRIM_KEEP_SERVER=1)
leaves it running for a series of commands; 'server stop' stops it.`,
		Example: `  iamtrim server status
  iamtrim server stop`,
	}
	c.AddCommand(a.serverStatusCmd(), a.serverStopCmd())
	return c
}

func (a *app) serverStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Short:   "Say where the private store is and whether it runs",
		Example: "  iamtrim server status",
		Args:    noArgs,
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
		Use:     "stop",
		Short:   "Stop the private store (kept with --keep-server)",
		Example: "  iamtrim --keep-server trim my-role && iamtrim analyze && iamtrim server stop",
		Args:    noArgs,
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
