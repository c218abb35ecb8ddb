package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/store"
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
			return a.storeCatalog(ctx, cat, func(v catalog.Version) string { return fmt.Sprintf(", %s, from %s", v.Digest, v.Source) })
		},
	})
	var u catalog.Updater
	up := &cobra.Command{
		Use:   "update",
		Short: "Download the catalog from AWS's Service Reference endpoint, refreshing only what changed",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			u.Log = a.log
			cat, st, err := u.Run(ctx)
			if err != nil {
				return err
			}
			return a.storeCatalog(ctx, cat, func(catalog.Version) string {
				return fmt.Sprintf(" (%d downloaded, %d changed, %d not modified, %d removed, %d bytes)", st.Downloaded, st.Changed, st.NotModified, st.Removed, st.Bytes)
			})
		},
	}
	u.AddFlags(up.Flags())
	c.AddCommand(up)
	c.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List the stored catalog versions and which is current",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withDB(ctx, func(db *store.DB) error {
				vs, cur, err := catalog.Versions(ctx, db)
				if err != nil {
					return err
				}
				if len(vs) == 0 {
					fmt.Fprintln(a.stdout, "no catalog loaded: run 'iamtrim catalog load DIR' or 'iamtrim catalog update'")
					return errors.New("no catalog loaded")
				}
				return catalog.WriteVersions(a.stdout, vs, cur)
			})
		},
	})
	return c
}

// storeCatalog stores cat as the current version and says so, followed
// by what detail says of it.
func (a *app) storeCatalog(ctx context.Context, cat *catalog.Catalog, detail func(catalog.Version) string) error {
	return a.withDB(ctx, func(db *store.DB) error {
		v, err := catalog.Store(ctx, db, cat, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "catalog version %d is current: %d services, %d actions%s\n", v.ID, v.Services, v.Actions, detail(v))
		return nil
	})
}
