// Package snapdiff compares two stored analysis snapshots (package
// analyze): principals that appeared or went away, actions granted or no
// longer granted, actions newly used or newly unused, and risk changes.
// It answers "what changed since yesterday's run" for `iamtrim diff` and
// the nightly job. Grants are re-expanded from each snapshot's own
// authorization snapshot and catalog version, which the analysis names;
// the rest comes from the stored results.
package snapdiff
