// Package migrations holds iamtrim's PostgreSQL schema as plain, ordered SQL
// files in goose format, embedded in the binary. Package store applies them.
//
// Numbering: 00001 core, 00002 catalog, 00003 authorization inventory,
// 00004 ingest (ledger, dedup, usage rollup), 00005 analysis snapshots; later
// changes take the next free number.
//
// Append-only: a released migration (listed in released.sha256) is never
// edited, since a database already at its version would never get the
// change; TestReleasedMigrationsUnchanged enforces it.
package migrations

import "embed"

// FS is the embedded migration files.
//
//go:embed *.sql
var FS embed.FS
