package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/localpg"
	"github.com/spf13/cobra"
)

// privateStore is store.Options.Fallback: iamtrim's private PostgreSQL,
// started when no server is named and none answers locally.
func (a *app) privateStore(ctx context.Context, database string) (store.Target, func(), error) {
	o := localpg.Options{Getenv: a.getenv, Log: a.log}
	s, err := localpg.Acquire(ctx, o, a.keepServer)
	if err != nil {
		return store.Target{}, nil, err
	}
	if s.Started {
		a.log.Info("started the private store", "dir", s.Dir)
	}
	release := func() {
		stopped, err := s.Release(ctx)
		if err != nil {
			a.log.Warn("private store", "dir", s.Dir, "err", err)
		} else if stopped {
			a.log.Info("stopped the private store", "dir", s.Dir)
		}
	}
	return store.Target{
		ConnString: s.ConnString(database),
		Origin:     "private store",
		Display:    fmt.Sprintf("%s (socket only) database %s", s.Dir, database),
	}, release, nil
}

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
			w := a.stdout
			fmt.Fprintf(w, "directory: %s\n", st.Dir)
			switch {
			case !st.Exists:
				fmt.Fprintln(w, "state:     not created (the first command that needs it creates it)")
			case st.Running:
				fmt.Fprintf(w, "state:     running (PostgreSQL %d, pid %d)\n", st.Version, st.PID)
				fmt.Fprintf(w, "socket:    %s (no TCP port)\n", st.Socket)
			default:
				fmt.Fprintf(w, "state:     stopped (PostgreSQL %d)\n", st.Version)
			}
			if st.Kept {
				fmt.Fprintln(w, "kept:      yes (--keep-server; 'iamtrim server stop' stops it)")
			}
			if st.InUse {
				fmt.Fprintln(w, "in use:    yes, by another iamtrim command")
			}
			if err != nil {
				fmt.Fprintf(w, "binaries:  none: %s\n", localpg.InstallHint)
			}
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
