package main

import (
	"context"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/sample"
	"github.com/spf13/cobra"
)

func (a *app) sampleCmd() *cobra.Command {
	var fl sample.Flags
	return command("sample", "Write a deterministic synthetic organisation: authz.json, trails.json, CloudTrail logs, truth.json", cobra.NoArgs, func(ctx context.Context, args []string) error {
		opts, err := fl.Complete()
		if err != nil {
			return err
		}
		began := time.Now()
		st, err := sample.Generate(ctx, opts, a.log)
		if err != nil {
			return err
		}
		el := time.Since(began)
		fmt.Fprintf(a.stdout, "wrote %s: %d events in %d files, %d roles, %d users, %d bytes in %s (%.0f events/s)\n",
			opts.Out, st.Events, st.Files, st.Roles, st.Users, st.Bytes, el.Round(time.Millisecond), float64(st.Events)/el.Seconds())
		return nil
	}, fl.AddFlags)
}
