package analyze

import (
	"fmt"
	"strings"
	"time"
)

// The JSON written by `iamtrim analyze --format json` and stored in
// analysis_principal.result. Field names are part of iamtrim's stable
// interface: add fields, never rename or remove them.

// Result is the analysis of one principal over one window.
type Result struct {
	PrincipalARN string `json:"principal_arn"`
	// Type is "role" or "user".
	Type      string `json:"type"`
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
	Path      string `json:"path,omitempty"`
	// Workload is true for roles assumed by AWS services or other
	// workloads rather than people (from the trust policy).
	Workload bool `json:"workload"`

	// Granted lists every action the effective policies allow (expanded
	// against the catalog), sorted, in catalog casing.
	Granted []string `json:"granted"`
	// GrantedPatterns is set instead of counts when no catalog is loaded.
	GrantedPatterns []string `json:"granted_patterns,omitempty"`
	// Used are the granted or not granted actions with successful calls.
	Used []UsedAction `json:"used"`
	// Unused are granted actions with no successful call in the window,
	// that CloudTrail could have shown.
	Unused []string `json:"unused"`
	// unusedByLevel groups Unused by catalog access level for the
	// one-principal table (the JSON keeps the flat list and the counts).
	unusedByLevel map[string][]string
	// Unobservable are granted actions CloudTrail could not have shown in
	// the window; they are never reported as unused.
	Unobservable []Unobservable `json:"unobservable"`
	// Denied are authorization failures, by action.
	Denied []DeniedAction `json:"denied"`
	// BlockedBySCP are actions the identity policies grant that the
	// organisation's service control policies take away (an SCP Deny, or
	// an SCP level that allows none of them): not effective grants, so
	// never counted used, unused or unobservable. Sorted by action.
	BlockedBySCP []BlockedAction `json:"blocked_by_scp,omitempty"`
	// UsedNotGranted are actions used successfully that the identity
	// policies do not grant (allowed by a resource policy, or by a grant
	// since removed).
	UsedNotGranted []string `json:"used_not_granted,omitempty"`

	// Unmapped are successful calls that map to no IAM action (unknown
	// event names, new APIs), by event source and name. They are uses the
	// analysis cannot attribute: never a silent hole in a recommendation.
	Unmapped []UnmappedCall `json:"unmapped,omitempty"`

	// LastAccessedUsed are granted actions CloudTrail shows no call of in
	// the window that IAM's last-accessed data reports accessed in it
	// (action-level data): used, source last-accessed.
	LastAccessedUsed []LastAccessedUse `json:"last_accessed_used,omitempty"`
	// Seasonal are granted actions IAM last saw accessed before the window
	// and inside its tracking period (a quarterly job): kept by default.
	Seasonal []LastAccessedUse `json:"seasonal,omitempty"`
	// Conflicts are the disagreements between CloudTrail and the
	// last-accessed data.
	Conflicts []EvidenceConflict `json:"evidence_conflicts,omitempty"`
	// LastAccessed names the last-accessed snapshot used, if any.
	LastAccessed *LastAccessedInfo `json:"last_accessed,omitempty"`
	// Evidence says, for every granted action, its class and which source
	// decided it (cloudtrail, last-accessed or none).
	Evidence []ActionEvidence `json:"evidence,omitempty"`

	LastUsed LastUsed `json:"last_used"`
	Coverage Coverage `json:"coverage"`
	Risk     Risk     `json:"risk"`
	// Flags: "unused-principal", "insufficient-evidence", "admin",
	// "workload-admin", "service-wildcard", "conditional-deny", "seasonal",
	// "evidence-conflict".
	Flags []string `json:"flags"`
	// Caveats explain what limits the result (conditional Deny statements,
	// unknown trail configuration, missing catalog, ...).
	Caveats []string `json:"caveats,omitempty"`

	// Excepted are the findings an active exception accepts, and
	// ExpiredExceptions the exceptions of the principal that have expired
	// (a finding of their own). Both are set when an exceptions file is
	// applied (package exception), never stored with the snapshot.
	Excepted          []ExceptedFinding `json:"excepted,omitempty"`
	ExpiredExceptions []ExceptionRef    `json:"expired_exceptions,omitempty"`
}

// ExceptionRef names one entry of an exceptions file.
type ExceptionRef struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Principal string   `json:"principal"`
	Actions   []string `json:"actions,omitempty"`
	Reason    string   `json:"reason"`
	Owner     string   `json:"owner"`
	Ticket    string   `json:"ticket,omitempty"`
	Created   string   `json:"created"`
	Expires   string   `json:"expires"`
}

// ExceptedFinding is a finding an active exception accepts: still shown,
// never counted toward --fail-on.
type ExceptedFinding struct {
	Kind      string       `json:"kind"`
	Exception ExceptionRef `json:"exception"`
}

// UsedAction is one action with successful calls.
type UsedAction struct {
	Action    string    `json:"action"`
	Calls     int64     `json:"calls"`
	FirstUsed time.Time `json:"first_used"`
	LastUsed  time.Time `json:"last_used"`
	// Resources are the ARNs the calls named (empty when the events name
	// none), sorted.
	Resources []string `json:"resources,omitempty"`
	// MoreResourceCalls counts successful calls on resources the rollup
	// did not keep (more distinct resources in a day than ingest's
	// --max-resources), and those remapped at analysis whose resources the
	// rollup did not keep (ActionUsage.Remapped): Resources is incomplete,
	// and a recommendation keeps the action's current scope.
	MoreResourceCalls int64 `json:"more_resource_calls,omitempty"`
	// ViaService lists AWS services that made calls on the principal's
	// behalf (invokedBy), when some calls were made so.
	ViaService []string `json:"via_service,omitempty"`
	Granted    bool     `json:"granted"`
}

// Unobservable is a granted action CloudTrail could not have shown.
type Unobservable struct {
	Action string `json:"action"`
	// Reason is one of "data-event-not-logged", "data-event-logging-unknown",
	// "data-event-partly-logged", "management-events-not-logged",
	// "permission-only", "service-not-in-logs", "insufficient-evidence",
	// "evidence-conflict" (IAM's last-accessed data shows the service used
	// in the window, CloudTrail shows nothing of it: kept).
	Reason string `json:"reason"`
	// Resources, for "data-event-partly-logged", are the resource patterns
	// of the current grant the trail's data event selectors do not cover
	// ("*" among them when the grant cannot leave the logged resources
	// out). A used action whose data events are partly logged is listed
	// here too: its calls on these resources could not have shown.
	Resources []string `json:"resources,omitempty"`
}

// UnmappedCall is the successful calls of one event source and name that
// map to no IAM action.
type UnmappedCall struct {
	EventSource string `json:"event_source"`
	EventName   string `json:"event_name"`
	// Service is the IAM service prefix of the event source ("" when it
	// cannot be told).
	Service  string    `json:"service,omitempty"`
	Calls    int64     `json:"calls"`
	LastSeen time.Time `json:"last_seen"`
	// FirstSeen is when the first of them was made, as the rollup read
	// for the analysis says (not kept in results).
	FirstSeen time.Time `json:"-"`
}

// BlockedAction is a granted action the SCPs take away, and which SCP
// statement or level does.
type BlockedAction struct {
	Action string `json:"action"`
	// Level is where the deciding SCPs are attached ("root r-ab12",
	// "OU Workloads (ou-…)", "account prod (111122223333)", or a --scp
	// file).
	Level string `json:"level"`
	// Policy and Sid name the SCP Deny statement that denies the action;
	// Policy is empty when no SCP at Level allows it.
	Policy    string `json:"policy,omitempty"`
	Sid       string `json:"sid,omitempty"`
	Statement int    `json:"statement,omitempty"` // 1-based, with Policy
	// Reason says it in words.
	Reason string `json:"reason"`
}

// DeniedAction is a set of authorization failures of one action.
type DeniedAction struct {
	Action   string    `json:"action"`
	Count    int64     `json:"count"`
	LastSeen time.Time `json:"last_seen"`
	Granted  bool      `json:"granted"`
}

// LastUsed is when the principal last made a successful call, overall and
// per service.
type LastUsed struct {
	Any      *time.Time           `json:"any"`
	Services map[string]time.Time `json:"services"`
}

// Coverage is how much of the window the logs really cover for the
// principal's account.
type Coverage struct {
	WindowDays   int     `json:"window_days"`
	DaysWithLogs int     `json:"days_with_logs"`
	Ratio        float64 `json:"ratio"`
	Sufficient   bool    `json:"sufficient"`
	// Regions maps each region with logs to its days with logs.
	Regions map[string]int `json:"regions"`
	// Gaps are the date ranges of the window with no logs at all.
	Gaps []DateRange `json:"gaps,omitempty"`
}

// DateRange is an inclusive range of days.
type DateRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Risk weighs the unused permissions.
type Risk struct {
	// Score sums, over unused actions, the access-level weight
	// (permissions management 8, write 4, tagging 2, list and read 1),
	// times 5 for privilege-escalation actions.
	Score float64 `json:"score"`
	// Level is "none", "low", "medium", "high" or "critical".
	Level string `json:"level"`
	// UnusedByAccessLevel counts unused actions per access level.
	UnusedByAccessLevel map[string]int `json:"unused_by_access_level"`
	// HighRiskUnused are unused privilege-escalation actions.
	HighRiskUnused []string `json:"high_risk_unused"`
	// UnmappedCalls counts successful calls that map to no IAM action:
	// uses the score cannot weigh.
	UnmappedCalls int64 `json:"unmapped_calls,omitempty"`
	// Admin is true when "*" is allowed on "*".
	Admin bool `json:"admin"`
	// ServiceWildcards are services granted as "service:*".
	ServiceWildcards []string `json:"service_wildcards,omitempty"`
}

// Snapshot is one stored analysis run.
type Snapshot struct {
	ID             int64     `json:"id"`
	CreatedAt      time.Time `json:"created_at"`
	AsOf           string    `json:"as_of"`
	WindowDays     int       `json:"window_days"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	CatalogVersion string    `json:"catalog_version"`
	AuthzSnapshot  int64     `json:"authz_snapshot"`
	Trails         string    `json:"trails"`
	Principals     []Result  `json:"principals"`
	// Refused are the principals left out because their policies exceed
	// authz's limits (authz.LimitError), each with why.
	Refused []Refused `json:"refused,omitempty"`
	// Reused is true when an identical analysis (same evidence, window
	// and options) was stored before and this is that one.
	Reused bool `json:"-"`
}

// Refused is a principal the analysis left out, and why.
type Refused struct {
	PrincipalARN string `json:"principal_arn"`
	Reason       string `json:"reason"`
}

// RefusedError says an analysis finished without some principals, each
// refused by the limits and named; the others were analyzed. Commands exit
// with the code for rejected input (3).
type RefusedError struct {
	Refused []Refused
}

func (e *RefusedError) Error() string {
	names := make([]string, len(e.Refused))
	for i, r := range e.Refused {
		names[i] = r.PrincipalARN
	}
	return fmt.Sprintf("%d principal(s) refused, their policies exceed the limits (see README: Limits); the others were analyzed: %s",
		len(e.Refused), strings.Join(names, ", "))
}

// RefusedErr is a *RefusedError naming s.Refused, or nil when none was.
func (s *Snapshot) RefusedErr() error {
	if len(s.Refused) == 0 {
		return nil
	}
	return &RefusedError{Refused: s.Refused}
}
