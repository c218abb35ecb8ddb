// Package migrations holds iamtrim's PostgreSQL schema as plain, ordered SQL
// files in goose format, embedded in the binary. Package store applies them.
//
// Numbering: 00001 core, 00002 catalog, 00003 authorization inventory,
// 00004 ingest (ledger, dedup, usage rollup), 00005 analysis snapshots; later
// changes take the next free number.
package migrations

import "embed"

// FS is the embedded migration files.
//
//go:embed *.sql
var FS embed.FS
