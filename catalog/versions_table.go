package catalog

import (
	"fmt"
	"io"
	"time"

	"github.com/olekukonko/tablewriter"
)

// WriteVersions writes the stored versions as a table, the current one
// (id cur) marked with *.
func WriteVersions(w io.Writer, vs []Version, cur int64) error {
	tw := tablewriter.NewWriter(w)
	tw.Header("version", "current", "services", "actions", "fetched", "source", "digest")
	for _, v := range vs {
		mark := ""
		if v.ID == cur {
			mark = "*"
		}
		if err := tw.Append(fmt.Sprint(v.ID), mark, fmt.Sprint(v.Services), fmt.Sprint(v.Actions), v.FetchedAt.UTC().Format(time.RFC3339), v.Source, v.Digest); err != nil {
			return err
		}
	}
	return tw.Render()
}
