package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/store/localpg"
	"github.com/spf13/cobra"
)

func (a *app) serverCmd() *cobra.Command {
	c := &cobra.Command{Use: "server", Short: "Manage iamtrim's private PostgreSQL store"}
	pg := localpg.Options{Getenv: a.getenv}
	c.AddCommand(command("status", "Say where the private store is and whether it runs", cobra.NoArgs, func(ctx context.Context, args []string) error {
		pg.Log = a.log
		st, err := localpg.GetStatus(ctx, pg)
		if err != nil && !errors.Is(err, localpg.ErrNoBinaries) {
			return err
		}
		st.Write(a.stdout, err != nil)
		return nil
	}), command("stop", "Stop the private store (kept with --keep-server)", cobra.NoArgs, func(ctx context.Context, args []string) error {
		pg.Log = a.log
		stopped, err := localpg.Stop(ctx, pg)
		if err != nil {
			return err
		}
		if stopped {
			fmt.Fprintln(a.stdout, "stopped the private store")
		} else {
			fmt.Fprintln(a.stdout, "the private store was not running")
		}
		return nil
	}))
	return c
}
