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
	c := &cobra.Command{Use: "catalog", Short: "Load, update or show the AWS action catalog (Service Reference layout)"}
	var u catalog.Updater
	c.AddCommand(command("load DIR", "Load a catalog directory (service-list.json and one JSON per service)", cobra.ExactArgs(1), func(ctx context.Context, args []string) error {
		cat, err := catalog.LoadDir(args[0])
		if err != nil {
			return err
		}
		return a.storeCatalog(ctx, cat, func(v catalog.Version) string { return fmt.Sprintf(", %s, from %s", v.Digest, v.Source) })
	}), command("update", "Download the catalog from AWS's Service Reference endpoint, refreshing only what changed", cobra.NoArgs, func(ctx context.Context, args []string) error {
		u.Log = a.log
		cat, st, err := u.Run(ctx)
		if err != nil {
			return err
		}
		return a.storeCatalog(ctx, cat, func(catalog.Version) string {
			return fmt.Sprintf(" (%d downloaded, %d changed, %d not modified, %d removed, %d bytes)", st.Downloaded, st.Changed, st.NotModified, st.Removed, st.Bytes)
		})
	}, u.AddFlags), command("status", "List the stored catalog versions and which is current", cobra.NoArgs, func(ctx context.Context, args []string) error {
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
	}))
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
