package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/spf13/cobra"
)

func (a *app) catalogCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "catalog",
		Short: "Load, update or show the AWS action catalog (Service Reference layout)",
	}
	c.AddCommand(&cobra.Command{
		Use:   "load DIR",
		Short: "Load a catalog directory (service-list.json and one JSON per service)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cat, err := catalog.LoadDir(args[0])
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := catalog.Store(ctx, db, cat, "")
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "catalog version %d is current: %d services, %d actions, %s, from %s\n", v.ID, v.Services, v.Actions, v.Digest, v.Source)
			return nil
		},
	})
	var baseURL, cacheDir string
	var timeout time.Duration
	up := &cobra.Command{
		Use:   "update",
		Short: "Download the catalog from AWS's Service Reference endpoint, refreshing only what changed",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cat, st, err := catalog.Update(ctx, &http.Client{Timeout: timeout}, baseURL, cacheDir, a.log)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := catalog.Store(ctx, db, cat, "")
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "catalog version %d is current: %d services, %d actions (%d downloaded, %d changed, %d not modified, %d removed, %d bytes)\n",
				v.ID, v.Services, v.Actions, st.Downloaded, st.Changed, st.NotModified, st.Removed, st.Bytes)
			return nil
		},
	}
	up.Flags().StringVar(&baseURL, "base-url", catalog.DefaultBaseURL, "Service Reference endpoint")
	up.Flags().StringVar(&cacheDir, "cache-dir", "", "cache directory (default: the user cache directory)/iamtrim/service-reference")
	up.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "timeout of each HTTP request")
	c.AddCommand(up)
	c.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List the stored catalog versions and which is current",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			vs, cur, err := catalog.Versions(ctx, db)
			if err != nil {
				return err
			}
			if len(vs) == 0 {
				fmt.Fprintln(a.stdout, "no catalog loaded: run 'iamtrim catalog load DIR' or 'iamtrim catalog update'")
				return errors.New("no catalog loaded")
			}
			return catalog.WriteVersions(a.stdout, vs, cur)
		},
	})
	return c
}
