// Package trim is the engineer's one-command path, `iamtrim trim ROLE`:
// every stage of the pipeline for one role, in order, each logged with its
// time. It refreshes the action catalog when older than a week (cached,
// conditional requests; the last cached copy when offline), reads that
// role's policies (live, with the per-role IAM reads, or from an
// authorization-details file), the trail configuration, ingests the logs
// the window needs (S3 and the CloudTrail API for the window's days only;
// objects already ingested are skipped), analyzes the role and writes its
// proven recommendation. Everything it reads is stored, so `analyze`,
// `report` and a second `trim` reuse it.
//
// It orchestrates the pipeline's packages and holds no logic of theirs; the
// CLI (cmd/iamtrim/trim.go) only parses flags and opens the store.
package trim
