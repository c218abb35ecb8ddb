// Package queries is iamtrim's SQL, kept beside the schema in migrations/
// so that every query is run by a test against the migrated schema: a
// renamed or dropped column fails `go test ./store/queries` instead of a
// documented feature in production.
//
// One file per group of tables: rollup.go (reads of the usage rollup:
// usage_principal, usage_daily, usage_unmapped_daily, usage_context_daily,
// log_coverage_daily), ingest.go (its writes, by ingest/rollup), ledger.go
// (ingest's ledger of objects and API cursors), dedup.go (the dedup table,
// raw events and their monthly partitions), pushdown.go (the ledger of
// queries pushed down to Athena or CloudTrail Lake), authz.go
// (the authorization snapshots), analysis.go, recommendation.go,
// backtest.go, trails.go, report.go and reportdetail.go (the quarterly
// report's reads), catalog.go (the action catalog's versions),
// lastaccess.go (IAM last-accessed data and its pending jobs), org.go (the
// organisation), snapshots.go (what `iamtrim diff` compares), run.go (the
// run table). Outside it, only store's connection, migration and advisory
// lock statements, which touch no table.
//
// Functions return plain rows; the stages (analyze, recommend, backtest,
// report) turn them into their own types. Each takes the *store.DB, or,
// where statements must share a transaction or a session with the
// caller's (ingest's), the pgx.Tx, the pooled connection or the pgx.Batch
// to queue into; windows are bounded by days.
package queries
