// Package backtest measures whether a recommendation survives the next
// month: it recommends from a training window exactly as `iamtrim
// recommend` does (package analyze on the training window, then package
// recommend with its proof), then replays every successful call of the
// following test window, from the usage rollup, against the recommended
// policies with the project's evaluator (package policy).
//
// Per principal it reports the test calls the recommendation would have
// denied, split into actions used in training (a defect of the tool: a
// resource the workload mints as it runs, a partly logged data event, an
// event mapped to the wrong action) and actions never used in training
// (seasonal or new work, which no recommendation from logs can foresee),
// and the share of the current grant the recommendation removes.
//
// How calls count:
//
//   - A test call is a row of the usage rollup in the test window with
//     successful calls (calls - denied - unauthenticated), per action and
//     resource, the principal's own calls and those AWS services made with
//     its credentials (invokedBy) alike. An event that named k resources
//     counts once per resource, as in the rollup.
//   - Resources are read as the analysis reads them: each action's
//     resources folded into the widest fold pattern among them that
//     covers them (analyze.Subsume), so that the calls replayed do not
//     depend on which resources ingest kept exact beside a pattern, which
//     is the order it read the logs in.
//   - A call on a stored resource pattern (a fold pattern, a test day
//     past ingest's --collapse-at resources of one kind, or another
//     generalisation ingest stored) stands for calls on resources of it
//     not known one by one: it is granted when a current grant pattern
//     overlaps it, and allowed only when the recommendation passes the
//     proof's check of a stored pattern (recommend.PatternCheck: it allows
//     the whole pattern, or each current grant pattern that overlaps it,
//     under that grant's conditions), else denied, with cause
//     folded-resources for a fold pattern of an action used in training.
//   - Resources are resolved as the analysis resolves them (role paths
//     restored, instance profiles passed with iam:PassRole become their
//     roles).
//   - A call the current identity policies do not allow (a resource policy
//     allowed it) is counted as not granted, never as denied: the
//     recommendation is never meant to grant it.
//   - A call whose events name no resource is checked on the resource scope
//     of the current grant: it is allowed when the recommended policies
//     allow the action on at least one of the current Allow statements'
//     resource patterns (the recommendation keeps the current scope of such
//     actions).
//   - A decision that rests on a condition key the rollup does not keep
//     counts as allowed when the current policies decide the same way on
//     the same missing key (the proof's rule).
//   - Unobservable actions are kept by the recommendation by default
//     (--unobservable keep), so their calls are allowed; with drop or list
//     a denied call is counted like any other, and its training status
//     says "unobservable (reason)". CloudTrail does not log them in the test
//     window either, so a backtest cannot see what breaks there: the
//     number of kept unobservable actions is the measure of that blind spot.
//   - Unmapped calls (events no IAM action is known for) cannot be
//     replayed: they are counted and listed per principal as unmapped,
//     never as allowed. Those that map under the catalog of the backtest
//     (ingested under an older one) are replayed on no resource, as the
//     analysis counts them used (analyze.StoredActions).
//
// A denied call of an action used in training carries a cause: a resource
// the workload mints as it runs (package lifecycle's table: a lifecycle
// defect), the same action on the same resource succeeded in training (a
// logging or mapping defect), the call named no resource, a fold pattern
// the recommendation does not allow whole, or a stable
// resource the principal did not touch in training (the recommendation
// keeps the resources it saw, fewer than --collapse-at of them, so new
// work on an old resource is refused: least privilege on resources, but a
// break all the same).
//
// Results are stored one row per principal and window in backtest_result,
// which the quarterly report reads for its backtest column.
package backtest
