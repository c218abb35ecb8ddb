// Package lastaccessaws reads IAM last-accessed data from the live IAM API:
// for each role and user, iam:GenerateServiceLastAccessedDetails with
// ACTION_LEVEL granularity, then iam:GetServiceLastAccessedDetails polled
// until the job leaves IN_PROGRESS and paged through (Marker/IsTruncated).
// Each completed job is converted to the CLI's JSON shape and goes through
// lastaccess.Convert, the same checks a file gets, and is stored as a
// snapshot.
//
// Job ids are recorded in the database as soon as IAM returns them and
// dropped in the transaction that stores the job's snapshot, so a run
// killed while IAM works resumes the same jobs. Throttling ("Rate
// exceeded") is retried by the SDK's retryer with exponential backoff; the
// principals are worked on by a few workers at once (see Options).
//
// It is the `aws` source of `iamtrim ingest lastaccessed`.
package lastaccessaws
