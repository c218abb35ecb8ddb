// Package org holds an AWS Organizations organisation as iamtrim uses it:
// its accounts (id, name, status), the OU tree, and the service control
// policies (SCPs) and resource control policies (RCPs) attached at the
// root, each OU and each account.
//
// It is read from a JSON file a team can assemble with the AWS CLI
// (ParseFile, layout in File) or live from the Organizations API
// (ingest/orgsrc), stored as a dated, content-keyed snapshot (Save,
// LoadLatest), and gives the analysis each account's SCP chain
// (Org.SCPChain, an authz.SCPChains) and each account's name for reports.
package org
