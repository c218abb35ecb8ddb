// Package authz is iamtrim's authorization inventory: what IAM grants.
//
// It reads the output of `aws iam get-account-authorization-details`
// (files, several pages or accounts merged; package ingest/iamsrc turns
// the live API into the same Details pages) into an Inventory of roles,
// users, groups and managed policies with every policy document parsed by
// package policy. Odd input (missing fields, a managed policy attached but
// not defined, documents that do not parse) is read as well as it can be
// and reported in Inventory.Warnings, never fatal.
//
// From the inventory it resolves each role's and user's PolicySet (inline
// and attached managed policies, the groups' policies for users, the
// permissions boundary) and expands it into Effective permissions: every
// action granted, with the statements that grant it (provenance), its
// resource scope and conditions, minus what an unconditional Deny removes,
// intersected with the boundary and any service control policies.
// Conditional Denies are kept as caveats on the grant. With an action
// catalog, patterns and NotAction expand to concrete actions; without one,
// the result stays at the level of the policy's patterns and says so.
//
// Inventories are stored in PostgreSQL as dated snapshots keyed by a digest
// of their content (SaveSnapshot, LoadSnapshot), so loading the same input
// twice is idempotent. The analyzer compares a snapshot's effective
// permissions with the actions CloudTrail shows in use.
package authz
