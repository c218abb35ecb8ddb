// Package rollup aggregates mapped CloudTrail events into the usage rollup
// (usage_daily, usage_unmapped_daily, usage_context_daily,
// log_coverage_daily, usage_principal) and writes a group's aggregates in
// the caller's transaction.
//
// It is shared by every way ingest reads events: package ingest feeds it
// one deduplicated record at a time (Count{N: 1}), the pushdown sources
// (Athena, CloudTrail Lake) one grouped row with its count. Both get the
// same bounds: resources generalised by package lifecycle and S3 keys cut
// to a prefix depth, resources of one kind beyond the first CollapseAt-1
// folded into one pattern (foldTracker), at most MaxResources distinct
// resources per principal, day, action, invoking service and account and
// MaxNetworks networks per principal and day, the rest counted in an
// overflow row (queries.MoreResources, queries.MoreNetworks).
//
// A Run holds what the groups of one ingest run share (the fold's and the
// caps' trackers, the principals already committed); a Batch is one group's
// aggregates, reused from group to group by a worker. The SQL is in
// store/queries (ingest.go).
package rollup
