// Package ingest loads CloudTrail into PostgreSQL: the first stage of the
// pipeline (ingest → analyze → recommend → report). `iamtrim ingest
// cloudtrail SOURCE...` calls Run.
//
// # Sources
//
// Each outside system has its own package: ingest/filesrc walks files and
// directories (.json, .jsonl, .ndjson, each also .gz), ingest/s3src lists a trail's bucket (only
// the day prefixes inside --since/--until, for the accounts and regions
// asked for), and ingest/apisrc pages through CloudTrail LookupEvents per
// region at the API's 2 requests/s, with backoff on throttling. All three
// yield "objects": a file, an S3 object, or an account × region × UTC day
// of the API. (RunPushdown is the other way in: Athena or CloudTrail Lake
// groups a window, ingest/pushdown writes the query and turns each
// grouped row into one record the Mapper maps, and the same rollups take
// it with its count; see that package.) cloudtrail.ReadObject splits an object into records (any
// shape: S3 delivery format, arrays, JSON Lines, lookup-events output;
// digest and Insights files are skipped), and cloudtrail.Mapper normalizes
// each record and maps it to IAM actions.
//
// # Guarantees
//
// Exactly once: each object is claimed in the ledger (ingest_object) with
// SELECT ... FOR UPDATE SKIP LOCKED, and its events' (eventTime to the
// second, 64 bits of the eventID) pairs are inserted into the dedup table
// (ingest_event_seen; queries.DedupKey), so only events never counted
// before are aggregated. The rollups and the ledger
// rows are written in the same transaction: a process killed at any moment
// leaves either all of an object or none of it, and the next run picks up
// what is missing. Several ingesters, on one machine or many, share a
// database by claiming different objects; an object another ingester
// holds is taken up again at the end of the run, waiting for that
// ingester to commit it or die, so a run ends with every object it listed
// settled. An event present in two objects (overlapping trails, files and
// the API) is counted by whichever commits first. Rows are written in key
// order so concurrent transactions take locks in the same order; a
// deadlock (possible only when two transactions hold overlapping events in
// several dedup batches) is retried.
//
// Bad input (corrupt gzip, truncated or invalid JSON, JSON that is not
// CloudTrail, records missing required fields, absurd sizes or dates) is
// reported as "path:record N: reason" in Summary.Errors; the object is
// marked failed in the ledger and retried on the next run, its good
// records are counted (dedup keeps re-runs exact), and the other objects
// are ingested. Summary.Rejected() > 0 means the CLI exits 3. Strings
// from logs are bounded in length, made valid UTF-8, and only ever passed
// as query parameters or COPY data.
//
// # Throughput and memory
//
// A worker takes the objects waiting in the queue (up to 32 objects or
// 4 MB listed) as one group and one transaction: rollup rows shared by
// its objects (same principal, day, action...) are written once. Records
// are checked against the dedup table 2,048 at a time: a COPY while the
// group's events are all new, INSERT ... ON CONFLICT DO NOTHING RETURNING
// once one was not. Aggregation happens in Go; only aggregates reach the
// database, as binary arrays upserted with INSERT ... SELECT FROM unnest
// ... ON CONFLICT DO UPDATE (temporary staging tables for COPY cost a file
// truncation per commit, more than the rest of a transaction).
// Synchronous commit is off for these transactions: a commit lost in a
// server crash loses its ledger rows too, so the objects are ingested
// again. Memory is bounded by the worker count, the 2,048 records held per
// worker, and a budget shared by the workers (Options.MemoryBudget) on what
// their object readers hold: objects stream through a bounded window, one
// record at a time, so what they decompress to does not count; `make bench` reports events/s and peak RSS on a
// generated 1,000,000-event corpus (BenchmarkIngest, IAMTRIM_BENCH_EVENTS).
//
// # Tables the analyzer reads
//
// Defined in migrations/00004_ingest.sql, where each column is described.
//
// usage_principal (id, arn UNIQUE, account_id, type, name): one row per
// identity. arn is the role ARN for assumed roles (never the session),
// "service:<host>" for AWS services calling on their own (type AWSService),
// "anonymous" for unauthenticated callers.
//
// usage_daily, PRIMARY KEY (principal_id, day, action, resource,
// invoked_by, account_id), with calls, denied, unauthenticated,
// first_seen, last_seen. One row per principal × UTC day × IAM action ×
// resource ARN (empty when unknown; for iam:PassRole through an EC2
// instance profile, the profile's ARN, which the analyzer resolves to its
// role) × invoking service (empty for
// the principal's own calls) × recipient account. Use of an action is
// calls - denied - unauthenticated > 0; a principal's own needs are the
// rows with an empty invoked_by. An event with several (action, resource)
// pairs adds one call to each pair's row. Typical query, "for principal P
// over [from, to], per action":
//
//	SELECT action, sum(calls) AS calls, sum(denied) AS denied, max(last_seen) AS last_seen
//	FROM usage_daily
//	WHERE principal_id = $1 AND day BETWEEN $2 AND $3 AND invoked_by = ''
//	GROUP BY action
//
// and "per account, all principals over a window" joins usage_principal on
// account_id (indexed) with the same day range.
//
// The aggregation and the rollup writes are package ingest/rollup's (the
// pushdown sources feed it grouped rows with their counts); its SQL is in
// store/queries (ingest.go). Resources are stored bounded: generalised by the lifecycle
// rules, S3 keys cut to Options.Bounds.ObjectPrefixDepth, resources of one kind
// beyond the first Options.Bounds.CollapseAt-1 folded into their common prefix
// then "*" (as recommend's --collapse-at would; per run, in memory), at
// most Options.Bounds.MaxResources per principal, day, action, invoker and account,
// the calls on others in one row whose resource is queries.MoreResources
// ("*"); the context rollup keeps at most Options.Bounds.MaxNetworks networks
// per principal and day (the rest under queries.MoreNetworks). The caps
// are applied within a run in memory and again against what is stored
// when the rows are written, so they hold across runs;
// ingest_rollup_bounds records how the rollup was bounded.
//
// usage_unmapped_daily, PRIMARY KEY (principal_id, day, kind,
// event_source, event_name, invoked_by, account_id): events with no IAM
// action. kind 'unmapped' (a proof gap to report: the principal did
// something iamtrim cannot name) or 'permissionless' (needs no permission,
// e.g. sts:GetCallerIdentity). Every event is in exactly one of
// usage_daily (mapped) or this table.
//
// usage_context_daily, PRIMARY KEY (principal_id, day, region,
// network, mfa, user_agent_class) → calls: where and how each principal
// called from (network: the VPC endpoint id, else the IPv4 /24 or IPv6 /48,
// else empty), for aws:SourceVpce, aws:SourceIp,
// aws:MultiFactorAuthPresent and aws:RequestedRegion suggestions.
//
// log_coverage_daily, PRIMARY KEY (account_id, region, day) → events,
// first_seen, last_seen: which days have logs, per account and region. A
// row with 0 events means an object or API window for that day was read
// and held nothing new. The observation window of an analysis is the set
// of covered days.
//
// Bookkeeping, not for analysis: ingest_object (the ledger: one row per
// object with its status, counts and first errors), ingest_event_seen
// (dedup, monthly partitions), ingest_api_cursor (newest
// event time read from the API per account and region), and, with
// --keep-raw, cloudtrail_event_raw (each new event's JSON, monthly
// partitions).
package ingest
