package cloudtrail

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrorClasses is how errorCode values sort into outcomes, as data, so
// that code outside Go (the SQL that ingest/pushdown sends to Athena and
// CloudTrail Lake) classifies exactly as classifyError does. A code is
// lower-cased and StripPrefixes are removed from its front, in order
// (EC2's Client./Server.); then, in this order: a member of Denied is
// denied, of Unauthenticated unauthenticated, a code ending in one of
// UnauthenticatedSuffixes unauthenticated, a code starting with one of
// DeniedPrefixes denied; any other code, and the empty code, is success.
type ErrorClasses struct {
	StripPrefixes           []string
	Denied                  []string
	Unauthenticated         []string
	UnauthenticatedSuffixes []string
	DeniedPrefixes          []string
}

// ErrorCodeClasses returns the classification classifyError applies.
func ErrorCodeClasses() ErrorClasses {
	return ErrorClasses{
		StripPrefixes: []string{"client.", "server."},
		Denied: []string{"accessdenied", "accessdeniedexception", "unauthorizedoperation",
			"unauthorized", "unauthorizedaccess", "unauthorizedexception",
			"unauthorizedaccessexception", "authorizationerror",
			"authorizationerrorexception", "authorizationexception",
			"forbidden", "forbiddenexception", "accessdeniedfault",
			"vpceaccessdenied", "insufficientpermissions",
			"insufficientpermissionsexception"},
		Unauthenticated: []string{"authfailure", "invalidclienttokenid", "expiredtoken",
			"expiredtokenexception", "signaturedoesnotmatch",
			"incompletesignature", "incompletesignatureexception",
			"missingauthenticationtoken", "missingauthenticationtokenexception",
			"invalidaccesskeyid", "invalidtoken", "unrecognizedclientexception",
			"invalidsignatureexception", "invalidsignature", "requestexpired",
			"tokenrefreshrequired", "invalidclienttokenidexception"},
		// Authentication failures some services name with their own prefix
		// (CloudTrailInvalidClientTokenIdException): the credentials were
		// refused before any authorization.
		UnauthenticatedSuffixes: []string{"invalidclienttokenidexception", "invalidclienttokenid",
			"expiredtokenexception", "unrecognizedclientexception",
			"invalidsignatureexception", "missingauthenticationtokenexception",
			"incompletesignatureexception", "signaturedoesnotmatch"},
		// Service-specific forms: "AccessDenied..." (AccessDeniedByPolicy...).
		// A code that only contains it, such as Lambda's
		// KMSAccessDeniedException, is a dependency of an authorized call
		// failing, so it is use.
		DeniedPrefixes: []string{"accessdenied", "unauthorizedoperation"},
	}
}

// errorClassSets is ErrorCodeClasses with its exact lists as sets.
var errorClassSets = sync.OnceValue(func() struct {
	ErrorClasses
	denied, unauth map[string]bool
} {
	c := ErrorCodeClasses()
	s := struct {
		ErrorClasses
		denied, unauth map[string]bool
	}{ErrorClasses: c, denied: map[string]bool{}, unauth: map[string]bool{}}
	for _, v := range c.Denied {
		s.denied[v] = true
	}
	for _, v := range c.Unauthenticated {
		s.unauth[v] = true
	}
	return s
})

// classifyError sorts an errorCode into an Outcome. An authorization
// failure is a denied attempt; a rejection of the credentials happened
// before authorization; every other error (NoSuchKey, ValidationException,
// ThrottlingException, ConditionalCheckFailedException, ...) happened after
// the call was authorized and counts as use.
func classifyError(code string) Outcome {
	if code == "" {
		return OutcomeSuccess
	}
	s := errorClassSets()
	c := strings.ToLower(code)
	for _, p := range s.StripPrefixes {
		c = strings.TrimPrefix(c, p)
	}
	switch {
	case s.denied[c]:
		return OutcomeDenied
	case s.unauth[c]:
		return OutcomeUnauthenticated
	case slices.ContainsFunc(s.UnauthenticatedSuffixes, func(x string) bool { return strings.HasSuffix(c, x) }):
		return OutcomeUnauthenticated
	case slices.ContainsFunc(s.DeniedPrefixes, func(x string) bool { return strings.HasPrefix(c, x) }):
		return OutcomeDenied
	}
	return OutcomeSuccess
}

// ClassifyErrorCode returns the outcome of a call logged with errorCode
// code ("" for none).
func ClassifyErrorCode(code string) Outcome { return classifyError(code) }

// ParseEventTime parses an eventTime as Normalize does: RFC 3339, or
// Athena's and CloudTrail Lake's zone-less "2025-01-21 17:49:47.000"
// (UTC).
func ParseEventTime(s string) (time.Time, error) { return parseTime([]byte(s)) }
