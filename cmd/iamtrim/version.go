package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/iamtrim/iamtrim/internal/buildinfo"
	"github.com/spf13/cobra"
)

func (a *app) versionCmd() *cobra.Command {
	return command("version", "Print iamtrim's version", cobra.NoArgs, func(ctx context.Context, args []string) error {
		fmt.Fprintf(a.stdout, "iamtrim %s %s %s/%s\n", buildinfo.Version(version), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	})
}
