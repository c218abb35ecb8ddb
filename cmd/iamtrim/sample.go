package main

import (
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/sample"
	"github.com/spf13/cobra"
)

func (a *app) sampleCmd() *cobra.Command {
	var (
		opts  sample.Options
		start string
	)
	c := &cobra.Command{
		Use:   "sample",
		Short: "Write a deterministic synthetic organisation: authz.json, trails.json, CloudTrail logs, truth.json",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Out == "" {
				return usageErr("--out is required")
			}
			if start != "" {
				t, err := time.Parse("2006-01-02", start)
				if err != nil {
					return usageErr("--start %q: want YYYY-MM-DD", start)
				}
				opts.Start = t
			}
			began := time.Now()
			st, err := sample.Generate(cmd.Context(), opts, a.log)
			if err != nil {
				return err
			}
			el := time.Since(began)
			fmt.Fprintf(a.stdout, "wrote %s: %d events in %d files, %d roles, %d users, %d bytes in %s (%.0f events/s)\n",
				opts.Out, st.Events, st.Files, st.Roles, st.Users, st.Bytes, el.Round(time.Millisecond), float64(st.Events)/el.Seconds())
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Out, "out", "", "output directory (required)")
	f.IntVar(&opts.Events, "events", sample.DefaultEvents, "distinct CloudTrail events to write")
	f.Int64Var(&opts.Seed, "seed", 1, "random seed")
	f.IntVar(&opts.Days, "days", sample.DefaultDays, "days of logs")
	f.IntVar(&opts.Files, "files", 0, "approximate number of log files (0: one per region per day)")
	f.StringVar(&start, "start", "", "first day, YYYY-MM-DD (default "+sample.DefaultStart.Format("2006-01-02")+")")
	f.StringSliceVar(&opts.Regions, "regions", nil, "regions (default us-east-1,eu-west-1,us-west-2)")
	return c
}
