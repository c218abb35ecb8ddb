package cloudtrail

import "strings"

// authFailureStems end the error codes of refused credentials, whatever
// service prefix comes before them.
var authFailureStems = []string{
	"invalidclienttokenidexception", "invalidclienttokenid",
	"expiredtokenexception", "unrecognizedclientexception",
	"invalidsignatureexception", "missingauthenticationtokenexception",
	"incompletesignatureexception", "signaturedoesnotmatch",
}

// classifyError sorts an errorCode into an Outcome. An authorization
// failure is a denied attempt; a rejection of the credentials happened
// before authorization; every other error (NoSuchKey, ValidationException,
// ThrottlingException, ConditionalCheckFailedException, ...) happened after
// the call was authorized and counts as use.
func classifyError(code string) Outcome {
	if code == "" {
		return OutcomeSuccess
	}
	c := strings.ToLower(code)
	// EC2 prefixes codes with Client./Server.
	c = strings.TrimPrefix(strings.TrimPrefix(c, "client."), "server.")
	switch c {
	case "accessdenied", "accessdeniedexception", "unauthorizedoperation",
		"unauthorized", "unauthorizedaccess", "unauthorizedexception",
		"unauthorizedaccessexception", "authorizationerror",
		"authorizationerrorexception", "authorizationexception",
		"forbidden", "forbiddenexception", "accessdeniedfault",
		"vpceaccessdenied", "insufficientpermissions",
		"insufficientpermissionsexception":
		return OutcomeDenied
	case "authfailure", "invalidclienttokenid", "expiredtoken",
		"expiredtokenexception", "signaturedoesnotmatch",
		"incompletesignature", "incompletesignatureexception",
		"missingauthenticationtoken", "missingauthenticationtokenexception",
		"invalidaccesskeyid", "invalidtoken", "unrecognizedclientexception",
		"invalidsignatureexception", "invalidsignature", "requestexpired",
		"tokenrefreshrequired", "invalidclienttokenidexception":
		return OutcomeUnauthenticated
	}
	// Authentication failures some services name with their own prefix
	// (CloudTrailInvalidClientTokenIdException): the credentials were
	// refused before any authorization.
	for _, stem := range authFailureStems {
		if strings.HasSuffix(c, stem) {
			return OutcomeUnauthenticated
		}
	}
	// Service-specific forms: "AccessDenied..." (AccessDeniedByPolicy...).
	// A code that only contains it, such as Lambda's
	// KMSAccessDeniedException, is a dependency of an authorized call
	// failing, so it is use.
	if strings.HasPrefix(c, "accessdenied") || strings.HasPrefix(c, "unauthorizedoperation") {
		return OutcomeDenied
	}
	return OutcomeSuccess
}
