// Package queries is the SQL against the usage rollup (usage_principal,
// usage_daily, usage_unmapped_daily, usage_context_daily,
// log_coverage_daily), kept beside the schema in migrations/ so that every
// query is run by a test against the migrated schema: a renamed or dropped
// column fails `go test ./store/queries` instead of a documented feature in
// production.
//
// Functions return plain rows; the stages (analyze, recommend) aggregate
// them. Each takes the *store.DB and the window bounds as days.
//
// Not yet here (still next to their stage, each tested against the
// migrated schema by its own package): the rollup writes in ingest, the
// authorization snapshot tables (authz/snapshot.go), the analysis and
// recommendation tables (analyze/run.go, recommend/store.go,
// backtest/store.go) and the report's reads (report/build.go).
package queries
