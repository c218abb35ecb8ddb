package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store/queries"
)

// maxDetailItems bounds each list of a principal's section (used actions,
// each access level's unused actions, each reason's unobservable ones,
// denied, unmapped) and maxDetailResources the resources named per used
// action: a full catalog grants an administrator 20,000 actions, and a
// section per principal must stay readable and bounded. Totals are always
// complete; the analysis JSON has every item.
const (
	maxDetailItems     = 200
	maxDetailResources = 5
)

// Detail is one principal's evidence section.
type Detail struct {
	ARN    string `json:"arn"`
	Anchor string `json:"anchor"`
	// Used are the actions with successful calls (granted or not).
	Used      []DetailUsed `json:"used"`
	UsedTotal int          `json:"used_total"`
	// Unused groups the unused actions by access level; Unobservable
	// groups the unobservable ones by reason. A snapshot lists at most
	// analyze.MaxStoredUnobservable of a principal's unobservable actions
	// (each reason's Total is complete; snapshots stored before the list
	// was kept have none listed): iamtrim analyze --principal shows all.
	Unused       []ActionGroup          `json:"unused"`
	Unobservable []ActionGroup          `json:"unobservable"`
	Denied       []analyze.DeniedAction `json:"denied"`
	DeniedTotal  int                    `json:"denied_total"`
	Unmapped     []analyze.UnmappedCall `json:"unmapped"`
	// Recommendation is the principal's recommendation for the snapshot's
	// window (nil: none stored).
	Recommendation *RecommendationInfo `json:"recommendation"`
}

// DetailUsed is one used action.
type DetailUsed struct {
	Action         string   `json:"action"`
	Calls          int64    `json:"calls"`
	LastUsed       string   `json:"last_used"`
	Granted        bool     `json:"granted"`
	Resources      []string `json:"resources"`
	ResourcesTotal int      `json:"resources_total"`
}

// ActionGroup is a named group of actions, at most maxDetailItems of
// Total.
type ActionGroup struct {
	Name    string   `json:"name"`
	Total   int      `json:"total"`
	Actions []string `json:"actions"`
}

// RecommendationInfo is the proof summary of a stored recommendation and
// where its file is.
type RecommendationInfo struct {
	Proven  bool   `json:"proven"`
	Kept    int    `json:"kept"`
	Removed int    `json:"removed"`
	Digest  string `json:"digest"`
	// RemovedByAccessLevel counts the removed actions per access level.
	RemovedByAccessLevel map[string]int `json:"removed_by_access_level"`
	Wildcards            int            `json:"wildcards"`
	ObservedCalls        int64          `json:"observed_calls"`
	Failures             []string       `json:"failures,omitempty"`
	// Link is the file's path relative to the report (Options.PoliciesDir),
	// "" when not known.
	Link string `json:"link,omitempty"`
}

// anchor is the stable id of a principal's section.
func anchor(arn string) string {
	h := sha256.Sum256([]byte(arn))
	return "p-" + hex.EncodeToString(h[:6])
}

// details reads each principal's section from the snapshot (and the
// catalog for access levels, the recommendation table for the proof).
func (b *builder) details(ctx context.Context, snapID int64) error {
	byARN := map[string]*Detail{}
	b.d.Details = make([]Detail, 0, len(b.d.Principals))
	for _, p := range b.d.Principals {
		b.d.Details = append(b.d.Details, Detail{ARN: p.ARN, Anchor: anchor(p.ARN), Used: []DetailUsed{}, Unused: []ActionGroup{},
			Unobservable: []ActionGroup{}, Denied: []analyze.DeniedAction{}, Unmapped: []analyze.UnmappedCall{}})
	}
	for i := range b.d.Details {
		byARN[b.d.Details[i].ARN] = &b.d.Details[i]
	}
	rows, err := queries.AnalysisDetails(ctx, b.db, snapID, b.acct)
	if err != nil {
		return err
	}
	for _, row := range rows {
		arn := row.ARN
		d := byARN[arn]
		if d == nil {
			continue
		}
		var u []analyze.UsedAction
		var o map[string]int
		var den []analyze.DeniedAction
		var un []analyze.UnmappedCall
		var ls []analyze.StoredUnobservable
		for _, f := range []struct {
			b []byte
			v any
		}{{row.Used, &u}, {row.UnobservableByReason, &o}, {row.Denied, &den}, {row.Unmapped, &un}, {row.UnobservableListed, &ls}} {
			if len(f.b) > 0 && string(f.b) != "null" {
				if err := json.Unmarshal(f.b, f.v); err != nil {
					return fmt.Errorf("read analysis %d of %s: %w", snapID, arn, err)
				}
			}
		}
		sort.SliceStable(u, func(i, j int) bool { return u[i].Calls > u[j].Calls })
		d.UsedTotal = len(u)
		for i, x := range u {
			if i == maxDetailItems {
				break
			}
			du := DetailUsed{Action: x.Action, Calls: x.Calls, LastUsed: dateString(x.LastUsed), Granted: x.Granted,
				ResourcesTotal: len(x.Resources), Resources: x.Resources}
			if len(du.Resources) > maxDetailResources {
				du.Resources = du.Resources[:maxDetailResources]
			}
			if du.Resources == nil {
				du.Resources = []string{}
			}
			d.Used = append(d.Used, du)
		}
		// The snapshot counts unobservable actions by reason and lists
		// the first of each (analyze.MaxStoredUnobservable in all).
		listedBy := map[string][]string{}
		for _, x := range ls {
			listedBy[x.Reason] = append(listedBy[x.Reason], x.Action)
		}
		var reasons []string
		for r := range o {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			g := group(r, listedBy[r])
			g.Total = o[r]
			if g.Actions == nil {
				g.Actions = []string{}
			}
			d.Unobservable = append(d.Unobservable, g)
		}
		sort.SliceStable(den, func(i, j int) bool { return den[i].Count > den[j].Count })
		d.DeniedTotal = len(den)
		if len(den) > maxDetailItems {
			den = den[:maxDetailItems]
		}
		if den != nil {
			d.Denied = den
		}
		if len(un) > maxDetailItems {
			un = un[:maxDetailItems]
		}
		if un != nil {
			d.Unmapped = un
		}
	}
	if err := b.unusedByLevel(ctx, snapID, byARN); err != nil {
		return err
	}
	return b.recommendationDetails(ctx, byARN)
}

func group(name string, acts []string) ActionGroup {
	g := ActionGroup{Name: name, Total: len(acts), Actions: acts}
	if len(acts) > maxDetailItems {
		g.Actions = acts[:maxDetailItems]
	}
	return g
}

// levelOrder lists access levels most dangerous first.
var levelOrder = []string{string(catalog.PermissionsManagement), string(catalog.Write), string(catalog.Tagging), string(catalog.Read), string(catalog.List), "Unknown"}

// unusedByLevel groups each principal's unused actions by the access level
// the snapshot's catalog gives them.
func (b *builder) unusedByLevel(ctx context.Context, snapID int64, byARN map[string]*Detail) error {
	var version int64
	if b.d.Catalog != nil {
		version = b.d.Catalog.Version
	}
	rows, err := queries.UnusedByAccessLevel(ctx, b.db, snapID, b.acct, version)
	if err != nil {
		return err
	}
	type key struct{ arn, level string }
	acts := map[key][]string{}
	for _, r := range rows {
		k := key{r.ARN, r.AccessLevel}
		acts[k] = append(acts[k], r.Action)
	}
	for arn, d := range byARN {
		for _, lvl := range levelOrder {
			if a := acts[key{arn, lvl}]; len(a) > 0 {
				d.Unused = append(d.Unused, group(lvl, a))
			}
		}
	}
	return nil
}

// recommendationDetails reads the proof of each principal's
// recommendation for the snapshot's window, and names its file as
// recommend wrote it (recommend.FilePaths, per account when the snapshot
// has several).
func (b *builder) recommendationDetails(ctx context.Context, byARN map[string]*Detail) error {
	accounts, err := queries.AnalysisAccounts(ctx, b.db, b.d.Snapshot.ID)
	if err != nil {
		return err
	}
	recs, err := queries.Recommendations(ctx, b.db, parseDate(b.d.Snapshot.AsOf), b.d.Snapshot.WindowDays)
	if err != nil {
		return err
	}
	for _, r := range recs {
		arn := r.PrincipalARN
		d := byARN[arn]
		if d == nil {
			continue
		}
		var rec recommend.Recommendation
		if err := json.Unmarshal(r.Body, &rec); err != nil {
			return fmt.Errorf("read the recommendation of %s: %w", arn, err)
		}
		p := rec.Proof
		ri := RecommendationInfo{Proven: r.Proven, Kept: r.Kept, Removed: r.Removed, Digest: r.Digest,
			RemovedByAccessLevel: map[string]int{}, Wildcards: len(p.Wildcards), ObservedCalls: p.ObservedCalls}
		for lvl, a := range p.RemovedByAccessLevel {
			ri.RemovedByAccessLevel[lvl] = len(a)
		}
		for _, f := range [][]string{p.ObservedFailures, p.BroaderFailures, p.EvidenceFailures, p.UnmappedFailures} {
			ri.Failures = append(ri.Failures, f...)
		}
		if len(ri.Failures) > maxDetailResources {
			ri.Failures = ri.Failures[:maxDetailResources]
		}
		if b.policiesDir != "" && rec.Name != "" {
			dir := b.policiesDir
			if acct := accountOf(arn); accounts > 1 && acct != "" {
				dir = path.Join(dir, acct)
			}
			format := b.policiesFormat
			if format == "" {
				format = "policy"
			}
			if files := recommend.FilePaths(dir, &rec, format); len(files) > 0 {
				ri.Link = filepath.ToSlash(files[0])
			}
		}
		d.Recommendation = &ri
	}
	return nil
}

// accountOf is the account field of an ARN.
func accountOf(arn string) string {
	if p := strings.SplitN(arn, ":", 6); len(p) == 6 {
		return p[4]
	}
	return ""
}

// Methodology states the rules the report's figures follow, rendered from
// the analyzer's own constants.
type Methodology struct {
	LevelWeights     map[string]float64 `json:"level_weights"`
	EscalationFactor float64            `json:"escalation_factor"`
	HighScore        float64            `json:"high_score"`
	MediumScore      float64            `json:"medium_score"`
	MinCoverage      float64            `json:"min_coverage"`
	MinDays          int                `json:"min_days"`
}

func methodology() Methodology {
	m := Methodology{LevelWeights: map[string]float64{}, EscalationFactor: analyze.EscalationFactor,
		HighScore: analyze.HighScore, MediumScore: analyze.MediumScore,
		MinCoverage: analyze.DefaultThresholds.MinCoverage, MinDays: analyze.DefaultThresholds.MinDays}
	for _, l := range levelOrder[:5] {
		m.LevelWeights[l] = analyze.LevelWeight(catalog.AccessLevel(l))
	}
	return m
}

// methodologyText is the methodology in sentences, for every format.
func methodologyText(m Methodology) []string {
	return []string{
		"Granted: every action the principal's identity policies (inline, attached, group) allow after permissions boundaries, SCPs given with --scp and Deny statements, expanded against the action catalog named under Evidence.",
		"Used: a granted action with at least one successful call in the analysis window in the CloudTrail usage rollup (errors raised after authorization count as use; denied calls do not). Calls made by AWS services on the principal's behalf count.",
		"Unobservable: a granted action whose use CloudTrail could not have shown in the window: data events the trails did not log (or logged for some resources only), permission-only actions, services with no events in the account's logs (unless every management event is known to be logged), and everything of a principal whose account's logs cover too little of the window. Unobservable actions are never called unused.",
		"Unused: granted, observable, and not used in the window.",
		fmt.Sprintf("Window and coverage: the window ends on the newest day with logs (or --as-of). A principal whose account has logs on fewer than %.0f%% of the window's days, or on fewer than %d days (defaults; --min-coverage, --min-days), is insufficient-evidence: nothing of it is called unused and no risk is scored.", m.MinCoverage*100, m.MinDays),
		fmt.Sprintf("Risk score: the sum over unused actions of their access level's weight (Permissions management %g, Write %g, Tagging %g, Read %g, List %g), times %g for privilege-escalation actions.",
			m.LevelWeights["Permissions management"], m.LevelWeights["Write"], m.LevelWeights["Tagging"], m.LevelWeights["Read"], m.LevelWeights["List"], m.EscalationFactor),
		fmt.Sprintf("Risk level: critical for an administrator (* on *) that is a workload role, or that holds unused escalation actions and made no call in the window; high for any other administrator, any principal with unused escalation actions, or a score of %g or more; medium from %g; low above 0; none at 0. A level is not a ranking of scores: a principal with one unused escalation action is high with a low score.", m.HighScore, m.MediumScore),
		"Recommendation: a least-privilege policy per role, proven with the policy evaluator to allow every successful call of the window and to grant nothing the current policies do not; the proof summary and the policy file are linked from each principal's section.",
	}
}

// Evidence identifies what the report stands on: the authorization
// snapshot and trail configuration the analysis read (nil when it had
// none), and the ingest ledger. The catalog is Data.Catalog.
type Evidence struct {
	AuthzSnapshot *AuthzEvidence  `json:"authz_snapshot"`
	TrailConfig   *TrailsEvidence `json:"trail_config"`
	Sources       []SourceLedger  `json:"sources"`
}

// TrailsEvidence is the stored trail configuration the analysis read, by
// content digest.
type TrailsEvidence struct {
	ID     int64  `json:"id"`
	Digest string `json:"digest"`
	Source string `json:"source"`
}

// AuthzEvidence is the authorization snapshot the analysis used, by its
// content digest (its load time is left out: loading the same content
// again updates it, and a re-run must write the same report).
type AuthzEvidence struct {
	ID       int64    `json:"id"`
	Digest   string   `json:"digest"`
	Source   string   `json:"source"`
	Accounts []string `json:"accounts"`
}

// SourceLedger counts the ingest ledger's objects per kind of source and
// status.
type SourceLedger struct {
	Source  string `json:"source"`
	Status  string `json:"status"`
	Objects int64  `json:"objects"`
	Records int64  `json:"records"`
	Events  int64  `json:"events"`
	Errors  int64  `json:"errors"`
}

func (b *builder) evidence(ctx context.Context) error {
	ev := &b.d.Evidence
	ev.Sources = []SourceLedger{}
	src, err := queries.EvidenceOf(ctx, b.db, b.d.Snapshot.ID)
	if err != nil {
		return err
	}
	if r := src.Authz; r != nil {
		ev.AuthzSnapshot = &AuthzEvidence{ID: r.ID, Digest: r.Digest, Source: r.Source, Accounts: src.AuthzAccounts}
	}
	if r := src.Trails; r != nil {
		ev.TrailConfig = &TrailsEvidence{ID: r.ID, Digest: r.Digest, Source: r.Source}
	}
	ledger, err := queries.IngestLedger(ctx, b.db)
	if err != nil {
		return err
	}
	for _, r := range ledger {
		ev.Sources = append(ev.Sources, SourceLedger(r))
	}
	return nil
}

// SignOff is the report's sign-off block.
type SignOff struct {
	PreparedBy string `json:"prepared_by"`
	ReviewedBy string `json:"reviewed_by"`
	Date       string `json:"date"`
}
