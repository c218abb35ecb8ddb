// Package recommend turns an analysis result into a least-privilege policy
// for one role (or user) and proves it.
//
// The policy grants the actions the principal used, in catalog casing,
// grouped into statements by service, resource scope and carried-over
// conditions; resources are the ARNs the calls named, generalised by a
// documented rule (Generalize) but never beyond what the current policies
// grant. Granted actions CloudTrail could not have shown (unobservable) go
// in their own statement by default. Explicit Deny statements of the
// current policies that touch kept actions are carried over.
//
// Every recommendation carries a Proof computed with package policy's
// evaluator: (1) every successful call observed in the window is allowed by
// the new policy; (2) the new policy allows nothing the current identity
// policies do not; (3) what it removes, by access level. A recommendation
// whose proof fails is never presented as final.
package recommend
