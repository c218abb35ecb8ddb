// Package policy is iamtrim's model of the IAM policy language for
// identity-based policies: it parses documents, matches actions and
// resources, evaluates requests as AWS does, and proves that one set of
// permissions contains another.
//
// It sits under the pipeline's analysis and recommendation stages: ingest
// and authz hand it the documents they collected, analyze asks Evaluate
// what a principal may do, and recommend uses AllowsAll (with Covers and
// Overlaps) to prove that a recommended policy allows nothing the current
// one does not, then writes it out with MarshalIndent and checks its size
// with CharCount. It does no I/O and holds no state.
//
// # Parsing
//
// Parse and ParseNamed accept Version 2012-10-17 and 2008-10-17 (or none,
// meaning 2008-10-17), Statement as an object or a list, Sid, Effect,
// Action/NotAction and Resource/NotResource as a string or a list, and
// Condition with every documented operator, the IfExists suffix and the
// ForAllValues:/ForAnyValue: qualifiers. Input may be the JSON object, the
// URL-encoded JSON the IAM API returns, or a JSON string holding either.
// An invalid document yields a *ParseError listing every problem, each
// naming the policy and statement: "policy NAME: statement 2: Effect must
// be Allow or Deny, not \"allow\"". As in IAM, Sids must be unique and
// alphanumeric, Resource values "*" or an ARN, and Principal and
// NotPrincipal are rejected: they belong to resource-based policies.
//
// # Matching
//
// Actions match case-insensitively, resources case-sensitively, both with
// '*' (any run of characters, ':' and '/' included) and '?' (one
// character). In 2012-10-17 documents, resources and condition values may
// hold policy variables — ${aws:username}, ${aws:PrincipalTag/team},
// ${key, 'default'} — substituted from the request context, and the escapes
// ${*}, ${?} and ${$} for literal characters. A variable with no value (an
// absent or multi-valued key, no default) makes its pattern match nothing.
// In 2008-10-17 documents "${…}" is literal text.
//
// Covers and Overlaps decide inclusion and intersection of two wildcard
// patterns exactly (by automata, not by heuristics); with policy variables
// they stay sound (see each).
//
// # Evaluation
//
// Evaluate follows AWS's documented logic for a principal in its own
// account: an applicable Deny anywhere wins; otherwise every SCP must
// allow, the permissions boundary (if any) must allow, and an identity
// policy must allow; anything else is an implicit deny. The Decision names
// the statement that decided and says (Conditional) when the outcome rests
// on context keys the caller did not supply. Resource-based policies,
// session policies and cross-account access are out of scope.
//
// EvaluateCondition implements every condition operator: String*,
// Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress (IPv4 and
// IPv6 CIDR), Arn* (matched part by part), Null, …IfExists, and the set
// qualifiers, with AWS's rules for absent keys.
//
// # Proving
//
// AllowsAll (and AllowsAllWhen, for conditional statements) answers "does
// this set allow this action on every resource this pattern matches, in
// every request?" It never answers yes wrongly; it may answer no when only
// several statements together cover the pattern, or when only a
// conditional Allow does. Its documentation lists the exact rules.
package policy
