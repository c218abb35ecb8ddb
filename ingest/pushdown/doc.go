// Package pushdown has Athena or CloudTrail Lake do the heavy part of
// ingest: it writes one SQL query that groups a window of CloudTrail
// events by everything cloudtrail.Mapper reads from an event (account,
// principal with assumed-role sessions folded to their role, event source
// and name, outcome class, invoking service, day, the requestParameters
// members the mapper takes resources from, resources[], and the context
// the context rollup keeps), with a count and the first and last event
// time of each group. Each result row then becomes one synthetic
// CloudTrail record (Group.Record) that the Mapper normalizes like any
// other, and ingest adds it to the rollups Count times.
//
// One model (model.go) gives the query in three dialects: Athena (Trino,
// over the table AWS documents for CloudTrail, with partition projection
// or region/year/month/day partitions), CloudTrail Lake (its event data
// store schema), and PostgreSQL over raw events stored as jsonb, which is
// how the tests check that the rollup a query leads to equals, row for
// row, the one file ingest writes from the same events.
//
// The grouping is exact by construction: two events in one group agree on
// every field the Mapper reads, so the Mapper maps them alike, and the
// group's record stands for each of them. Fields are folded only where the
// fold cannot change what the Mapper returns (a session ARN becomes its
// role ARN, which the Mapper would derive anyway; an IPv4 source address
// becomes its /24's first address, the network the context rollup keeps;
// an errorCode becomes a code of the same outcome class), or what the
// rollup keeps of it (generalize.go: S3 object keys, in requestParameters
// and resources[], cut at their first minted segment and at the rollup's
// object prefix depth, Query.ObjectPrefixDepth; version ids, log stream
// names and single instance ids by stand-ins the lifecycle rules
// generalise alike; DynamoDB item keys and the address of a call through a
// VPC endpoint dropped), so that churning resources do not make a row per
// event.
package pushdown
