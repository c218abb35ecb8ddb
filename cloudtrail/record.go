package cloudtrail

import (
	"fmt"
	"strconv"
	"time"
)

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
	// OutcomeUnauthenticated is a call rejected before authorization
	// because the credentials were bad (ExpiredToken, InvalidClientTokenId,
	// SignatureDoesNotMatch, AuthFailure, ...): neither use nor a denied
	// attempt at the action. (Added by the cloudtrail package.)
	OutcomeUnauthenticated
)

func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "success"
	case OutcomeDenied:
		return "denied"
	case OutcomeUnauthenticated:
		return "unauthenticated"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

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
	// PrincipalAnonymous is an unauthenticated caller (userIdentity type
	// AWSAccount with accountId ANONYMOUS_PRINCIPAL, e.g. public S3 reads).
	// Its ARN is empty.
	PrincipalAnonymous PrincipalType = "Anonymous"
	PrincipalUnknown   PrincipalType = "Unknown"
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
	// (sts:GetCallerIdentity, signin:ConsoleLogin, ...). Actions is empty.
	Permissionless
)

func (k MappingKind) String() string {
	switch k {
	case Mapped:
		return "mapped"
	case Unmapped:
		return "unmapped"
	case Permissionless:
		return "permissionless"
	}
	return "mapping(" + strconv.Itoa(int(k)) + ")"
}

// Principal is the IAM identity an event is attributed to.
type Principal struct {
	// ARN is the stable identity: for assumed roles the role ARN from
	// sessionContext.sessionIssuer (with its path), never the session ARN.
	// Other types: IAMUser and Root their ARN; FederatedUser the IAM user
	// that called GetFederationToken (its permissions are the ones used);
	// AWSService the service principal ("lambda.amazonaws.com"); AWSAccount
	// the account's root ARN; SAMLUser the SAML provider ARN (else the
	// identityProvider); WebIdentityUser the identity provider;
	// IdentityCenterUser the identity store ARN + "/user/" + user ID;
	// Anonymous and Unknown "" unless the event gives one.
	ARN  string
	Type PrincipalType
	// AccountID is the principal's own account (userIdentity.accountId).
	AccountID string
	// Name is the role/user name (last ARN segment) or the service name.
	Name string
	// CrossAccount is true when AccountID differs from the event's
	// recipientAccountId.
	CrossAccount bool
	// SessionARN is userIdentity.arn when it names a session rather than
	// the principal (assumed-role and federated-user sessions); empty
	// otherwise. (Added by the cloudtrail package.)
	SessionARN string
	// Provider is the identity provider behind a SAML or web-identity
	// session (webIdFederationData.federatedProvider or
	// userIdentity.identityProvider), empty otherwise. (Added.)
	Provider string
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
	// Access pairs each action with each resource it was used on, so an
	// extra action (iam:PassRole on the passed role, s3:GetObject on a copy
	// source, kms:ReEncryptFrom on the source key) keeps its own resource.
	// Resource is "" when the call's resource is unknown. Actions holds the
	// distinct actions of Access; Resources holds the distinct resources of
	// Access plus every ARN in the event's resources[] (so unmapped events
	// keep theirs too). (Added by the cloudtrail package.)
	Access    []Access
	Outcome   Outcome
	ErrorCode string
	ReadOnly  bool
	// Management is managementEvent; false for data events.
	Management bool
	EventType  string
	Context    Context
}

// Access is one action used (or attempted) on one resource.
type Access struct {
	Action   string
	Resource string
	// Via is set when the resource is reached through another one the
	// event names instead: iam:PassRole in EC2 RunInstances and
	// AssociateIamInstanceProfile passes the role inside an instance
	// profile, so Resource is "" (the role is not logged) and Via is the
	// instance profile's ARN. (Added by the cloudtrail package.)
	Via string `json:",omitempty"`
}

// MarshalText encodes the outcome by name, so reports and JSON read well.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText decodes a name written by MarshalText.
func (o *Outcome) UnmarshalText(b []byte) error {
	for _, v := range []Outcome{OutcomeSuccess, OutcomeDenied, OutcomeUnauthenticated} {
		if v.String() == string(b) {
			*o = v
			return nil
		}
	}
	return fmt.Errorf("unknown outcome %q", b)
}

// MarshalText encodes the mapping kind by name.
func (k MappingKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a name written by MarshalText.
func (k *MappingKind) UnmarshalText(b []byte) error {
	for _, v := range []MappingKind{Mapped, Unmapped, Permissionless} {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown mapping kind %q", b)
}
