// Package job is the nightly job (`iamtrim run`): its configuration file
// (Config, with a Validate that checks every key and each stage's options
// before anything is touched), and a Runner that takes the job lock, records
// the run, and runs the stages in order: catalog refresh when stale,
// authorization inventory, trail configuration, CloudTrail ingest, analyze,
// recommend for every role, report, diff since the previous analysis; then,
// when the configuration names a webhook and the run crosses one of its
// thresholds, a notification (package notify), whose failure is logged and
// never changes the run's result.
//
// The command line only reads flags and environment overrides into a
// Config and maps the Runner's typed errors (RejectedError, FindingsError,
// ErrRunning) to exit codes; everything else is here, testable without it.
// The sources shared with the `ingest` subcommands (AuthzSource,
// TrailsSource, IngestCloudTrail) live here too.
package job
