// Package analyze compares, for each role and user, what its effective
// policies grant (package authz, expanded against package catalog) with what
// it used in a window (the usage rollup written by package ingest), and says
// which granted permissions are used, unused, or unobservable: CloudTrail
// could not have shown them (data events not logged, permission-only
// actions, services absent from the logs), so they are never called unused.
//
// It also measures the evidence (days of logs per account and region in the
// window), flags unused principals and scores the risk of what is unused,
// and stores each run as an immutable analysis snapshot for the quarterly
// report. Package recommend turns a Result into a proven policy.
package analyze
