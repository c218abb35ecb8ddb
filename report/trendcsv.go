package report

import (
	"encoding/csv"
	"io"
	"strconv"
)

// trendCSVHeader is the trend-csv format's columns: one row per point of
// the trend (every point, as md, html and json show them), each carrying
// the report's period so that files of several reports can be
// concatenated.
var trendCSVHeader = []string{
	"period", "quarter", "point", "snapshot_id", "as_of", "window_days", "in_period",
	"principals", "granted", "used", "unused", "period_snapshots",
}

// renderTrendCSV writes the trend, oldest point first.
func renderTrendCSV(w io.Writer, d *Data) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(trendCSVHeader); err != nil {
		return err
	}
	for _, p := range d.Trend {
		rec := []string{
			csvSafe(d.Period.Label), p.Quarter, trendKind(p), strconv.FormatInt(p.SnapshotID, 10), p.AsOf, itoa(p.WindowDays),
			strconv.FormatBool(p.InPeriod), itoa(p.Principals), itoa(p.Granted), itoa(p.Used), itoa(p.Unused), itoa(d.TrendSnapshots),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FileName is the name the nightly job gives the report in format:
// report-LABEL.EXT, and report-LABEL-trend.csv for trend-csv.
func FileName(label, format string) string {
	if format == "trend-csv" {
		return "report-" + label + "-trend.csv"
	}
	return "report-" + label + "." + format
}
