// Package cloudtrail decodes CloudTrail log objects and normalizes each
// event into a Record: who called (Principal), which IAM actions the call
// needed (Actions, and Access pairing each action with the resources it
// touched), whether it got past authorization (Outcome), and the context
// kept for condition suggestions (Context).
//
// It is the first stage of the pipeline: package ingest fetches objects
// (files, S3, the CloudTrail API), hands each to ReadObject, and passes
// every record it yields to (*Mapper).Normalize before storing the Record.
// The package does no I/O of its own beyond the io.Reader it is given and
// has no database dependency.
//
// ReadObject accepts every shape CloudTrail logs come in: S3 delivery
// format ({"Records":[...]}), a bare JSON array of records, JSON Lines, and
// `aws cloudtrail lookup-events` output, gzip-compressed or not; digest and
// Insights files are recognised and skipped. Bad input is reported per
// record as "path:record N: reason" and the rest is still read. Objects
// are read as streams through a window that holds the record being cut out,
// so memory is bounded by the largest record, not by the object.
//
// Mapping from (eventSource, eventName) to IAM actions goes, in order,
// through: the permissionless calls (sts:GetCallerIdentity, console
// sign-in), the reviewed exceptions table (exceptions.go: renamed S3 and
// Lambda operations, KMS ReEncrypt, batch calls...), request-dependent
// rules (DynamoDB PartiQL, TransactWriteItems), and the naming rule
// (eventSource's label as the prefix, version suffixes stripped) checked
// against the action catalog when one is loaded, falling back on the
// catalog's published Operations. An event that maps to nothing is kept
// as Unmapped, never dropped. Calls that pass a role (Lambda CreateFunction,
// ECS RegisterTaskDefinition, CloudFormation with a service role, ...) get
// iam:PassRole on that role as an extra action.
//
// Resources come from resources[] and from requestParameters of the common
// services (S3 bucket and object, DynamoDB table, SQS queue from its URL,
// SNS topic, KMS key, Lambda function, Secrets Manager secret, SSM
// parameter, CloudWatch Logs group and stream), built with the catalog's
// ARN formats or the same built-in ones. Record.Access pairs each action
// with its resources.
//
// JSON is read by a small validating walker (scan.go) rather than a
// reflection decoder: it skips the many fields not needed without
// allocating, tolerates requestParameters whose types change between
// services, and rejects exactly what encoding/json rejects (the oracle and
// fuzz tests hold it to that). A Mapper is safe for concurrent use: its
// (eventSource, eventName) cache is bounded and its intern table of
// repeating strings is lock-free. An ObjectReader reuses its buffers and
// belongs to one goroutine.
package cloudtrail
