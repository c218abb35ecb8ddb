// Package catalog holds the IAM action catalog: every service prefix, every
// action with its access level, the resource types and condition keys it
// supports, and, where AWS publishes it, which actions each API operation
// authorizes.
//
// The catalog is read from AWS's Service Reference layout (service-list.json
// plus one JSON document per service) by LoadDir or Parse, or downloaded from
// AWS's published Service Reference endpoint by Update, which keeps a local
// cache and re-fetches only documents that changed. Store writes a catalog
// into PostgreSQL as a version (source, fetch time, content digest) and
// makes it current; LoadCurrent reads the current one back, so every later
// result can say which catalog it used.
//
// The rest of the pipeline uses a *Catalog to canonicalize action names
// ("S3:getobject" -> "s3:GetObject"), to expand wildcard patterns from
// policies into the actions they grant (Expand), to classify actions by
// access level, and to map CloudTrail operations to IAM actions
// (OperationActions). A *Catalog is immutable after load and safe for
// concurrent use. All its methods accept a nil receiver and then answer as
// if the catalog were empty, so callers can run without a catalog, with less
// (no wildcard expansion), provided they say so.
//
// Caution: Operations[].AuthorizedActions lists every action an operation
// may touch, across services; it is a superset of what a given call needs.
// Use it to learn names, not to grant all of them.
package catalog
