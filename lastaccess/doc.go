// Package lastaccess holds IAM's last-accessed data: for each role and user,
// when it last used each service its policies allow and, for the services
// IAM tracks action by action (the catalog's SupportedBy "IAM Action Last
// Accessed"), each tracked action, over IAM's 400-day tracking period.
//
// A Report is one principal's data as `aws iam
// get-service-last-accessed-details` prints it (ParseFile) or as the IAM
// API returns it (package ingest/lastaccessaws builds one). Save stores it
// as a dated snapshot identified by its content; LoadLatest reads the newest
// snapshot per principal for an analysis, and Report.Lookup answers what the
// data says of one action. Package analyze combines it with CloudTrail.
package lastaccess
