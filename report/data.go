package report

import (
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/exception"
)

// Data is everything a report shows, already computed, so that every format
// renders the same facts. It is also the JSON format's schema: field names
// are part of iamtrim's interface (add fields, never rename them).
//
// Strings that came from AWS or from logs (names, ARNs, actions, regions,
// caveats) are stored as they are; each renderer escapes them for its
// medium.
type Data struct {
	Period      Period    `json:"period"`
	Account     string    `json:"account,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
	// Snapshot is the analysis the report is about; Previous the one the
	// change columns compare with (nil when none is stored).
	Snapshot SnapshotInfo  `json:"snapshot"`
	Previous *SnapshotInfo `json:"previous,omitempty"`
	// Catalog is the action catalog the snapshot used (nil when unknown).
	Catalog *CatalogInfo `json:"catalog,omitempty"`

	Summary Summary `json:"summary"`
	// UnusedPrincipals are the ARNs flagged "unused-principal", sorted.
	UnusedPrincipals []string `json:"unused_principals"`
	// Privileged are principals allowed "*" or "service:*".
	Privileged []Privileged `json:"privileged"`
	// HighRiskUnused are the principals with unused privilege-escalation
	// permissions, most first.
	HighRiskUnused []HighRisk `json:"high_risk_unused"`
	Denied         Denied     `json:"denied"`
	// Unmapped are the successful calls of the analysis window that map to
	// no IAM action: uses no action list shows, by principal.
	Unmapped Unmapped `json:"unmapped"`
	// LastAccessed lists what IAM's last-accessed data changed: seasonal
	// actions (kept by default) and conflicts with CloudTrail.
	LastAccessed LastAccessedEvidence `json:"last_accessed"`
	FirstUsed    FirstUsed            `json:"first_used"`
	Coverage     Coverage             `json:"coverage"`
	// Principals are sorted by risk, highest first.
	Principals []Principal `json:"principals"`
	// Removed are principals of the previous snapshot that are gone.
	Removed []PrincipalRef `json:"removed"`
	// Trend is one point per organisation-wide analysis snapshot of the
	// period up to this one (every nightly run; beyond MaxTrendPoints,
	// that many evenly spaced, the first and last always kept), after the
	// latest snapshot of each earlier quarter for context (at most
	// MaxTrendQuarters), oldest first.
	Trend []TrendPoint `json:"trend"`
	// TrendSnapshots counts the period's snapshots before thinning.
	TrendSnapshots int `json:"trend_snapshots"`
	// Caveats say what limits the report's evidence.
	Caveats []string `json:"caveats"`
	// Exceptions is the register of accepted risks with each entry's
	// status on the report's day; nil when no register was given.
	Exceptions []exception.Registered `json:"exceptions,omitempty"`
	// ExceptionProblems are entries naming no principal of the analysis.
	ExceptionProblems []string `json:"exception_problems,omitempty"`

	// Details are the principals' evidence sections, in Principals order.
	Details []Detail `json:"details"`
	// Methodology states the rules, Evidence what the report stands on,
	// SignOff who prepared and reviewed it.
	Methodology Methodology `json:"methodology"`
	Evidence    Evidence    `json:"evidence"`
	SignOff     SignOff     `json:"sign_off"`
	// Remediation counts what became of the previous period's
	// recommendations (each principal's status is Principal.Remediation).
	Remediation *RemediationSummary `json:"remediation"`
}

// Period is the reported span of days.
type Period struct {
	// Label is the quarter ("2026Q4") or "FROM to TO".
	Label string `json:"label"`
	// Quarter is set when the period is exactly one quarter.
	Quarter string `json:"quarter,omitempty"`
	From    string `json:"from"`
	To      string `json:"to"`
	Days    int    `json:"days"`
	// The previous period, which the change columns compare with.
	PreviousLabel string `json:"previous_label"`
	PreviousFrom  string `json:"previous_from"`
	PreviousTo    string `json:"previous_to"`
}

// SnapshotInfo describes one stored analysis run.
type SnapshotInfo struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	AsOf       string    `json:"as_of"`
	WindowDays int       `json:"window_days"`
	// WindowFrom..AsOf is the analysed window.
	WindowFrom string `json:"window_from"`
	Quarter    string `json:"quarter"`
	// InPeriod is false when no snapshot was taken in the period and an
	// older one stands in.
	InPeriod bool   `json:"in_period"`
	Scope    string `json:"scope,omitempty"`
}

// CatalogInfo identifies an action catalog version.
type CatalogInfo struct {
	Version   int64     `json:"version"`
	Source    string    `json:"source"`
	FetchedAt time.Time `json:"fetched_at"`
	Digest    string    `json:"digest"`
	Services  int       `json:"services"`
	Actions   int       `json:"actions"`
}

// Summary is the one-page view. Granted, Used, Unused and Unobservable are
// summed over principals (one per principal and action).
type Summary struct {
	Accounts   int `json:"accounts"`
	Principals int `json:"principals"`
	Roles      int `json:"roles"`
	Users      int `json:"users"`

	Granted      int `json:"granted"`
	Used         int `json:"used"`
	Unused       int `json:"unused"`
	Unobservable int `json:"unobservable"`
	// BlockedBySCP counts actions the identity policies grant that the
	// organisation's SCPs take away (not in Granted).
	BlockedBySCP int `json:"blocked_by_scp"`
	// UnusedShare is Unused / Granted (0 when nothing is granted).
	UnusedShare float64 `json:"unused_share"`

	UnusedPrincipals     int   `json:"unused_principals"`
	PrivilegedPrincipals int   `json:"privileged_principals"`
	AdminPrincipals      int   `json:"admin_principals"`
	HighRiskUnused       int   `json:"high_risk_unused"`
	DeniedAttempts       int64 `json:"denied_attempts"`
	FirstUsedActions     int   `json:"first_used_actions"`
	// ProvenRecommendations counts principals whose analysis says a proven
	// recommendation exists; RecommendationsKnown is false when no result
	// carries the recommendation_proven field yet.
	ProvenRecommendations int  `json:"proven_recommendations"`
	RecommendationsKnown  bool `json:"recommendations_known"`
	// LogCoverage is the smallest share of the period's days with logs
	// over the accounts reported (0 to 1).
	LogCoverage float64 `json:"log_coverage"`
	// ExceptedFindings counts the findings active exceptions accept, and
	// ExpiredExceptions the principals with an exception past its expiry.
	ExceptedFindings  int `json:"excepted_findings"`
	ExpiredExceptions int `json:"expired_exceptions"`
}

// PrincipalRef names a principal.
type PrincipalRef struct {
	ARN     string `json:"arn"`
	Kind    string `json:"kind"`
	Account string `json:"account_id"`
	// AccountName is the account's name in the stored organisation
	// (iamtrim ingest org); empty when none is stored or it lacks the
	// account.
	AccountName string `json:"account_name,omitempty"`
	Name        string `json:"name"`
}

// Privileged is a principal allowed "*" on "*" or a whole service.
type Privileged struct {
	PrincipalRef
	Admin            bool     `json:"admin"`
	ServiceWildcards []string `json:"service_wildcards"`
	Workload         bool     `json:"workload"`
}

// HighRisk is a principal's unused privilege-escalation permissions.
type HighRisk struct {
	PrincipalRef
	Actions []string `json:"actions"`
}

// Denied summarises authorization failures in the period.
type Denied struct {
	// Source is "usage" (the daily usage rollup over the period) or
	// "snapshot" (the analysis snapshot's window), or "" when neither had
	// any data.
	Source        string            `json:"source"`
	Total         int64             `json:"total"`
	TopPrincipals []DeniedPrincipal `json:"top_principals"`
	TopActions    []DeniedAction    `json:"top_actions"`
}

// DeniedPrincipal is one principal's denied attempts.
type DeniedPrincipal struct {
	ARN     string `json:"arn"`
	Count   int64  `json:"count"`
	Actions int    `json:"actions"`
}

// DeniedAction is one action's denied attempts.
type DeniedAction struct {
	Action     string `json:"action"`
	Count      int64  `json:"count"`
	Principals int    `json:"principals"`
}

// Unmapped lists successful calls that map to no IAM action, from the
// analysis snapshot: Total counts every call, Items at most the first 100
// (event source and name) by principal.
type Unmapped struct {
	Total int64          `json:"total"`
	Items []UnmappedCall `json:"items"`
}

// LastAccessedEvidence is the seasonal actions and evidence conflicts of
// the snapshot, at most maxLastAccessedItems of each listed.
type LastAccessedEvidence struct {
	Seasonal       int                `json:"seasonal"`
	Conflicts      int                `json:"conflicts"`
	SeasonalItems  []SeasonalAction   `json:"seasonal_items"`
	ConflictItems  []EvidenceConflict `json:"conflict_items"`
	PrincipalsWith int                `json:"principals_with_data"`
}

// SeasonalAction is a granted action last accessed before the window.
type SeasonalAction struct {
	ARN          string    `json:"arn"`
	Action       string    `json:"action"`
	LastAccessed time.Time `json:"last_accessed"`
	ActionLevel  bool      `json:"action_level"`
}

// EvidenceConflict is a disagreement between CloudTrail and IAM's
// last-accessed data.
type EvidenceConflict struct {
	ARN    string `json:"arn"`
	Action string `json:"action"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// UnmappedCall is one principal's successful calls of one event name that
// map to no IAM action.
type UnmappedCall struct {
	ARN         string    `json:"arn"`
	EventSource string    `json:"event_source"`
	EventName   string    `json:"event_name"`
	Calls       int64     `json:"calls"`
	LastSeen    time.Time `json:"last_seen"`
}

// FirstUsed lists actions a principal used in the period and never before:
// new behaviour, which is either drift or misuse.
type FirstUsed struct {
	// Source is "usage" or "snapshot" (compared with the previous
	// snapshot); Available is false when there is no earlier evidence to
	// compare with, and Reason says why.
	Source    string `json:"source"`
	Available bool   `json:"available"`
	Reason    string `json:"reason,omitempty"`
	// Total counts every pair; Items holds at most the first 100, by
	// principal and action.
	Total int        `json:"total"`
	Items []FirstUse `json:"items"`
}

// FirstUse is a principal's first successful use of an action.
type FirstUse struct {
	ARN      string `json:"arn"`
	Action   string `json:"action"`
	FirstDay string `json:"first_day"`
	Calls    int64  `json:"calls"`
	// Granted tells whether the current analysis found the action granted
	// by identity policies (nil when it does not say).
	Granted *bool `json:"granted"`
}

// Coverage is the evidence: which days of the period have logs, per
// account and region.
type Coverage struct {
	// Source is "usage" (log_coverage_daily over From..To) or "snapshot"
	// (the analysis's own coverage of its window), "" when none.
	Source   string            `json:"source"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Days     int               `json:"days"`
	Accounts []AccountCoverage `json:"accounts"`
}

// AccountCoverage is one account's logs: any region, then each region.
type AccountCoverage struct {
	Account      string           `json:"account_id"`
	AccountName  string           `json:"account_name,omitempty"`
	DaysWithLogs int              `json:"days_with_logs"`
	Ratio        float64          `json:"ratio"`
	Gaps         []DateRange      `json:"gaps"`
	Regions      []RegionCoverage `json:"regions"`
}

// RegionCoverage is one region's logs in an account.
type RegionCoverage struct {
	Region       string      `json:"region"`
	DaysWithLogs int         `json:"days_with_logs"`
	Ratio        float64     `json:"ratio"`
	Gaps         []DateRange `json:"gaps"`
	// GapsUnknown is true when the source counted the region's days but
	// did not record which ones are missing (coverage from a snapshot).
	GapsUnknown bool `json:"gaps_unknown,omitempty"`
}

// DateRange is an inclusive range of days.
type DateRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Principal is one row of the detail table.
type Principal struct {
	PrincipalRef
	Workload bool `json:"workload"`
	// Granted are the actions the identity policies allow; Used, Unused
	// and Unobservable split them. UsedNotGranted counts actions used
	// that no identity policy grants (resource policies, revoked grants).
	Granted        int     `json:"granted"`
	Used           int     `json:"used"`
	UsedNotGranted int     `json:"used_not_granted"`
	Unused         int     `json:"unused"`
	Unobservable   int     `json:"unobservable"`
	BlockedBySCP   int     `json:"blocked_by_scp"`
	HighRiskUnused int     `json:"high_risk_unused"`
	RiskScore      float64 `json:"risk_score"`
	RiskLevel      string  `json:"risk_level"`
	Denied         int64   `json:"denied"`
	// LastActivity is the last successful call (nil: none in the window).
	LastActivity *time.Time `json:"last_activity"`
	Flags        []string   `json:"flags"`
	// RecommendationProven is nil when the analysis does not say.
	RecommendationProven *bool `json:"recommendation_proven"`
	// Backtest is the principal's latest backtest ending on or before the
	// snapshot's as-of day (iamtrim backtest); nil when there is none.
	Backtest *Backtest `json:"backtest"`
	// Change is nil when there is no previous snapshot.
	Change *Change `json:"change"`
	// Excepted are the findings an active exception accepts (still shown,
	// not counted toward --fail-on); ExpiredExceptions the principal's
	// exceptions past their expiry.
	Excepted          []analyze.ExceptedFinding `json:"excepted,omitempty"`
	ExpiredExceptions []analyze.ExceptionRef    `json:"expired_exceptions,omitempty"`
	// Remediation is the principal's status against the previous
	// period's recommendation; nil when it had none that removed anything.
	Remediation *Remediation `json:"remediation,omitempty"`
}

// Change is a principal's change since the previous snapshot.
type Change struct {
	// New is true when the previous snapshot did not have the principal;
	// the deltas are then its whole counts.
	New       bool    `json:"new"`
	Granted   int     `json:"granted"`
	Used      int     `json:"used"`
	Unused    int     `json:"unused"`
	RiskScore float64 `json:"risk_score"`
}

// TrendPoint is one analysis snapshot, totalled.
type TrendPoint struct {
	Quarter    string `json:"quarter"`
	SnapshotID int64  `json:"snapshot_id"`
	AsOf       string `json:"as_of"`
	WindowDays int    `json:"window_days"`
	// InPeriod is true for a snapshot of the report's period, false for
	// an earlier quarter's latest (context).
	InPeriod   bool `json:"in_period"`
	Principals int  `json:"principals"`
	Granted    int  `json:"granted"`
	Used       int  `json:"used"`
	Unused     int  `json:"unused"`
}

// Backtest is a principal's latest backtest: the successful calls of a test
// window replayed against the policy recommended from the window before it.
type Backtest struct {
	AsOf      string `json:"as_of"` // last day of the test window
	TrainDays int    `json:"train_days"`
	TestDays  int    `json:"test_days"`
	TestCalls int64  `json:"test_calls"`
	Denied    int64  `json:"denied"`
	// DeniedTrained are denied calls of actions used in training (a defect
	// of the recommendation); the rest were never used in training.
	DeniedTrained int64 `json:"denied_trained"`
	Unmapped      int64 `json:"unmapped"`
}
