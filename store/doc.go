// Package store is iamtrim's PostgreSQL connection: where to connect (the
// --db flag, DATABASE_URL, the libpq environment, then the local server's
// defaults), the pgx pool with application_name and a statement timeout,
// creating the database on first use, and applying the embedded migrations
// under an advisory lock so that two processes starting at once never both
// migrate.
//
// Every stage of the pipeline (ingest, analyze, recommend, report) receives a
// *DB from the command line wiring; none of them opens its own connection.
package store
