package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Remediation statuses: whether the principal's policies in the period's
// newest authorization snapshot still grant what the previous period's
// recommendation removed.
const (
	Remediated          = "remediated"           // none of the removed actions is granted
	PartiallyRemediated = "partially-remediated" // some are
	NotRemediated       = "not-remediated"       // all are
	PrincipalDeleted    = "principal-deleted"    // the principal is gone: it grants nothing
	RemediationUnknown  = "unknown"              // no evidence to tell (Reason says why)
)

// Remediation is a principal's status against the previous period's
// recommendation.
type Remediation struct {
	Status string `json:"status"`
	// Reason says why Status is unknown.
	Reason string `json:"reason,omitempty"`
	// The recommendation: the newest of the previous period that removed
	// at least one action.
	RecommendationAsOf   string `json:"recommendation_as_of"`
	RecommendationDigest string `json:"recommendation_digest"`
	Removed              int    `json:"removed"`
	// StillGrantedTotal counts the removed actions the current policies
	// still grant; StillGranted lists at most maxDetailItems of them.
	StillGrantedTotal int      `json:"still_granted_total"`
	StillGranted      []string `json:"still_granted"`
	// AuthzSnapshot is the authorization snapshot checked (0 when none).
	AuthzSnapshot int64  `json:"authz_snapshot"`
	AuthzTakenAt  string `json:"authz_taken_at,omitempty"`
}

// RemediationSummary counts the principals of the previous period's
// recommendations by status.
type RemediationSummary struct {
	// Period is the period the recommendations were made in.
	Period string `json:"period"`
	// Recommendations counts the principals with a recommendation of the
	// period that removed something (the report's account only, when
	// given).
	Recommendations int `json:"recommendations"`
	// Remediated counts the principals whose current policies grant none
	// of the removed actions, Deleted among them.
	Remediated    int `json:"remediated"`
	Partial       int `json:"partially_remediated"`
	NotRemediated int `json:"not_remediated"`
	Deleted       int `json:"principal_deleted"`
	Unknown       int `json:"unknown"`
	// Other are the principals recommended for that the analysis does not
	// have (deleted, or left out of it), with their status.
	Other []RemediationOf `json:"other"`
}

// RemediationOf is the remediation of a principal the report's analysis
// does not have.
type RemediationOf struct {
	ARN string `json:"arn"`
	Remediation
}

// remediation compares each principal's recommendation of the previous
// period with its policies in the newest authorization snapshot taken in
// the period (per account), re-expanded against the analysis's catalog
// without SCPs: a removed action counts as still granted when the
// principal's identity policies allow it on any resource.
func (b *builder) remediation(ctx context.Context) error {
	sum := &RemediationSummary{Period: b.per.PreviousLabel, Other: []RemediationOf{}}
	b.d.Remediation = sum
	recs, err := queries.LatestRecommendations(ctx, b.db, parseDate(b.per.PreviousFrom), parseDate(b.per.PreviousTo))
	if err != nil {
		return err
	}
	if b.acct != "" {
		kept := recs[:0]
		for _, r := range recs {
			if accountOf(r.PrincipalARN) == b.acct {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	if len(recs) == 0 {
		return nil
	}
	// The newest snapshot taken in the period covering each account.
	snaps, err := authz.ListSnapshots(ctx, b.db)
	if err != nil {
		return err
	}
	end := b.to.AddDate(0, 0, 1)
	newest := map[string]authz.SnapshotInfo{}
	for _, s := range snaps { // newest first
		if s.TakenAt.Before(b.from) || !s.TakenAt.Before(end) {
			continue
		}
		for _, a := range s.Accounts {
			if _, ok := newest[a]; !ok {
				newest[a] = s
			}
		}
	}
	var cat *catalog.Catalog
	noCatalog := "the analysis used no action catalog to expand the current policies with"
	if b.d.Catalog != nil {
		if cat, err = catalog.LoadVersion(ctx, b.db, b.d.Catalog.Version); err != nil {
			if ctx.Err() != nil {
				return err
			}
			noCatalog = err.Error()
		}
	}
	invs := map[int64]*authz.Inventory{}
	exp := authz.NewExpander(cat, nil)
	byARN := map[string]*Principal{}
	for i := range b.d.Principals {
		byARN[b.d.Principals[i].ARN] = &b.d.Principals[i]
	}
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := Remediation{RecommendationAsOf: dateString(rec.AsOf), RecommendationDigest: rec.Digest, Removed: rec.Removed, StillGranted: []string{}}
		snap, ok := newest[accountOf(rec.PrincipalARN)]
		switch {
		case cat == nil:
			r.Status, r.Reason = RemediationUnknown, noCatalog
		case !ok:
			r.Status, r.Reason = RemediationUnknown, fmt.Sprintf("no authorization snapshot taken in %s covers account %s (iamtrim ingest authz)", b.per.Label, accountOf(rec.PrincipalARN))
		default:
			r.AuthzSnapshot, r.AuthzTakenAt = snap.ID, snap.TakenAt.UTC().Format(time.RFC3339)
			inv := invs[snap.ID]
			if inv == nil {
				if inv, _, err = authz.LoadSnapshot(ctx, b.db, snap.ID); err != nil {
					return err
				}
				invs[snap.ID] = inv
			}
			if err := stillGranted(ctx, exp, inv, rec, &r); err != nil {
				return err
			}
		}
		switch r.Status {
		case Remediated:
			sum.Remediated++
		case PartiallyRemediated:
			sum.Partial++
		case NotRemediated:
			sum.NotRemediated++
		case PrincipalDeleted: // it grants nothing: remediated
			sum.Remediated++
			sum.Deleted++
		default:
			sum.Unknown++
		}
		sum.Recommendations++
		if p := byARN[rec.PrincipalARN]; p != nil {
			p.Remediation = &r
		} else {
			sum.Other = append(sum.Other, RemediationOf{ARN: rec.PrincipalARN, Remediation: r})
		}
	}
	return nil
}

// stillGranted sets r's status from which of rec's removed actions the
// principal's policies in inv still grant.
func stillGranted(ctx context.Context, exp *authz.Expander, inv *authz.Inventory, rec queries.Recommendation, r *Remediation) error {
	var body recommend.Recommendation
	if err := json.Unmarshal(rec.Body, &body); err != nil {
		return fmt.Errorf("read the recommendation of %s as of %s: %w", rec.PrincipalARN, r.RecommendationAsOf, err)
	}
	var removed []string
	for _, acts := range body.Proof.RemovedByAccessLevel {
		removed = append(removed, acts...)
	}
	sort.Strings(removed)
	if len(removed) == 0 {
		r.Status, r.Reason = RemediationUnknown, "the stored recommendation does not list the actions it removed"
		return nil
	}
	p, ok := inv.Principal(rec.PrincipalARN)
	if !ok {
		r.Status = PrincipalDeleted
		return nil
	}
	eff, err := exp.Expand(ctx, p)
	var lim *authz.LimitError
	if errors.As(err, &lim) {
		r.Status, r.Reason = RemediationUnknown, "its current policies exceed the limits: "+lim.Error()
		return nil
	}
	if err != nil {
		return fmt.Errorf("expand the current policies of %s: %w", rec.PrincipalARN, err)
	}
	granted := make(map[string]bool, len(eff.Grants))
	for a := range eff.Grants {
		granted[strings.ToLower(a)] = true
	}
	for _, a := range removed {
		if granted[strings.ToLower(a)] {
			r.StillGrantedTotal++
			if len(r.StillGranted) < maxDetailItems {
				r.StillGranted = append(r.StillGranted, a)
			}
		}
	}
	switch {
	case r.StillGrantedTotal == 0:
		r.Status = Remediated
	case r.StillGrantedTotal < len(removed):
		r.Status = PartiallyRemediated
	default:
		r.Status = NotRemediated
	}
	return nil
}

// remediationText is a principal's remediation in one sentence.
func remediationText(r Remediation) string {
	rec := fmt.Sprintf("the recommendation as of %s removed %d action(s)", r.RecommendationAsOf, r.Removed)
	switch r.Status {
	case Remediated:
		return fmt.Sprintf("%s; authorization snapshot %d grants none of them", rec, r.AuthzSnapshot)
	case PartiallyRemediated, NotRemediated:
		s := fmt.Sprintf("%s; authorization snapshot %d still grants %d", rec, r.AuthzSnapshot, r.StillGrantedTotal)
		if len(r.StillGranted) > 0 {
			s += ": " + strings.Join(r.StillGranted, ", ")
			if more := r.StillGrantedTotal - len(r.StillGranted); more > 0 {
				s += fmt.Sprintf(" and %d more", more)
			}
		}
		return s
	case PrincipalDeleted:
		return fmt.Sprintf("%s; authorization snapshot %d no longer has the principal", rec, r.AuthzSnapshot)
	}
	return rec + "; status unknown: " + r.Reason
}

// remediationSummaryText is the summary card's line: of the principals
// the previous period's recommendations trimmed, how many are remediated.
func remediationSummaryText(s *RemediationSummary) string {
	if s.Recommendations == 0 {
		return "no recommendation of " + s.Period + " removed anything"
	}
	return fmt.Sprintf("%d of %d (%d by deleting the principal; %d partly, %d not, %d unknown)",
		s.Remediated, s.Recommendations, s.Deleted, s.Partial, s.NotRemediated, s.Unknown)
}
