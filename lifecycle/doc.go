// Package lifecycle knows which parts of a resource ARN a workload mints as
// it runs (log streams, instance ids, task ids, execution ids, build ids,
// date-partitioned S3 keys, …) and the stable parent a policy should be
// scoped to instead.
//
// An identifier a workload mints is different tomorrow: a policy that
// names the log streams, tasks or executions seen in an observation window
// denies the next one. The reviewed table (Rules) lists, per resource type
// of the action catalog (by its ARN format), the volatile segments and how
// each is cut back: replaced whole by "*", cut to the leading path segments
// or name tokens that do not look minted, or kept only when it is not a
// version number.
//
// Generalize applies the table to one ARN; CommonPrefix is the
// lifecycle-safe longest common prefix of many (it never ends in a date or
// a number, so "2025/12/31/…" does not become "2025/*"); CollapsePattern
// is the one pattern many resources of one kind collapse to, built on it.
// recommend uses them to scope observed resources (--collapse-at); ingest
// folds stored resources through the same CollapsePattern, so that the
// fold and recommend cannot drift apart.
package lifecycle
