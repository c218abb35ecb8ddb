// Package report writes the quarterly permission audit: the last stage of
// the pipeline (ingest → analyze → recommend → report), reading what the
// others stored and changing nothing.
//
// Data assembly and rendering are separate. Build reads the database into
// a Data: the latest analysis snapshot of the period (package analyze
// stores them, immutable), the previous period's snapshot for the change
// columns, every snapshot of the period (thinned evenly beyond
// MaxTrendPoints) and each earlier quarter's latest for the trend, the
// recommendations package recommend stored for the snapshot's window, and
// the usage rollup and log coverage written by package ingest for denied
// attempts, actions first used in the period and the evidence's gaps
// (falling back on the snapshots when no logs were ingested). Render then
// writes a Data as a terminal table, Markdown, one self-contained HTML page
// (inline CSS, server-side SVG charts, a small inline sorting script, a
// print stylesheet and a Content-Security-Policy that admits only that
// script), CSV (one row per principal and finding), the trend as CSV
// (trend-csv) or JSON (all of Data).
//
// Every string that came from AWS or from logs is untrusted and escaped for
// the medium it is written to: html/template for HTML (control and
// bidirectional characters are also made visible), backslash escapes for
// Markdown, visible escapes of control characters (ANSI sequences
// included) for the terminal, and a leading quote for CSV cells a
// spreadsheet would run as a formula. JSON keeps strings as they are.
package report
