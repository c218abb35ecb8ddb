package cloudtrail

import "time"

// Outcome says whether a call got past authorization.
type Outcome uint8

const (
	// OutcomeSuccess is an authorized call: it succeeded, or failed for a
	// reason that arises only after authorization (NoSuchKey,
	// ValidationException, ConditionalCheckFailedException, throttling...).
	// Either way it is use of the permission.
	OutcomeSuccess Outcome = iota
	// OutcomeDenied is an authorization failure (AccessDenied,
	// UnauthorizedOperation, ...): an attempt, not use.
	OutcomeDenied
)

// PrincipalType names the kind of caller, as CloudTrail's userIdentity.type
// does, with SAML and web-identity sessions told apart.
type PrincipalType string

// Principal types.
const (
	PrincipalRole           PrincipalType = "AssumedRole"
	PrincipalUser           PrincipalType = "IAMUser"
	PrincipalRoot           PrincipalType = "Root"
	PrincipalFederated      PrincipalType = "FederatedUser"
	PrincipalSAML           PrincipalType = "SAMLUser"
	PrincipalWebIdentity    PrincipalType = "WebIdentityUser"
	PrincipalService        PrincipalType = "AWSService"
	PrincipalAccount        PrincipalType = "AWSAccount"
	PrincipalIdentityCenter PrincipalType = "IdentityCenterUser"
	PrincipalUnknown        PrincipalType = "Unknown"
)

// MappingKind says how an event was mapped to IAM actions.
type MappingKind uint8

const (
	// Mapped: Actions holds the IAM action(s) the call needs.
	Mapped MappingKind = iota
	// Unmapped: no IAM action could be determined; the event is kept and
	// counted by (EventSource, EventName), never dropped.
	Unmapped
	// Permissionless: the call needs no IAM permission
	// (sts:GetCallerIdentity, signin:ConsoleLogin, ...).
	Permissionless
)

// Principal is the IAM identity an event is attributed to.
type Principal struct {
	// ARN is the stable identity: for assumed roles the role ARN from
	// sessionContext.sessionIssuer (with its path), never the session ARN.
	ARN  string
	Type PrincipalType
	// AccountID is the principal's own account (userIdentity.accountId).
	AccountID string
	// Name is the role/user name (last ARN segment) or the service name.
	Name string
	// CrossAccount is true when AccountID differs from the event's
	// recipientAccountId.
	CrossAccount bool
}

// Context is what the call's surroundings tell, kept for condition
// suggestions later.
type Context struct {
	SourceIP       string // sourceIPAddress when it is an IP address
	VPCEndpointID  string
	MFA            bool   // sessionContext.attributes.mfaAuthenticated
	UserAgentClass string // e.g. "console", "cli", "sdk-go", "service", "other"
}

// Record is one CloudTrail event, normalized: who did what, to which
// resources, with what outcome.
type Record struct {
	EventID     string
	EventTime   time.Time
	EventSource string
	EventName   string
	// AccountID is recipientAccountId: the account the event was logged for.
	AccountID string
	Region    string
	Principal Principal
	// InvokedBy is the AWS service that made the call on the principal's
	// behalf (userIdentity.invokedBy), empty for the principal's own calls.
	InvokedBy string
	Mapping   MappingKind
	// Actions are IAM actions "service:Action" in catalog casing.
	Actions []string
	// Resources are ARNs the call touched (resources[] and those built from
	// requestParameters). Empty when none are known.
	Resources []string
	Outcome   Outcome
	ErrorCode string
	ReadOnly  bool
	// Management is managementEvent; false for data events.
	Management bool
	EventType  string
	Context    Context
}
