package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
)

// csvHeader is the CSV format's columns: one row per principal and
// finding, each row carrying the period, snapshot and principal so rows of
// several reports (or accounts) can be concatenated and filtered in a
// spreadsheet. The per-principal counts are in the JSON and Markdown
// formats; there is no separate summary CSV.
var csvHeader = []string{
	"period", "snapshot_id", "as_of", "principal_arn", "principal", "account_id", "account_name",
	"finding", "action", "detail", "access_level", "severity", "excepted", "exception_id", "last_used", "count",
}

// Finding kinds of the CSV format, documented in the README (The audit
// report as evidence: CSV).
const (
	findRisk           = "risk"
	findUnusedAction   = "unused-action"
	findHighRisk       = "high-risk-unused"
	findUnusedPrinc    = "unused-principal"
	findInsufficient   = "insufficient-evidence"
	findServiceWild    = "service-wildcard"
	findDenied         = "denied"
	findUnobservable   = "unobservable"
	findUnmapped       = "unmapped-call"
	findExpired        = "expired-exception"
	findRemediation    = "remediation"
	findStillGranted   = "not-remediated"
	findBacktest       = "backtest"
	severityInfo       = "info"
	moreNotListedWords = " more not listed (iamtrim analyze --principal ARN --format json lists all)"
)

// csvRow is one finding of one principal.
type csvRow struct {
	finding, action, detail, level, severity string
	// exceptKind is the analyze finding kind an active exception of the
	// principal must accept for the row to be excepted ("" never).
	exceptKind string
	exceptIDs  []string
	lastUsed   string
	count      string
}

// renderCSV writes one row per principal and finding, principals in risk
// order, each principal's rows in a fixed order of kinds (see
// principalFindings). Strings from AWS or the logs go through csvSafe;
// numbers and dates iamtrim formats do not.
func renderCSV(w io.Writer, d *Data) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	highRisk := map[string][]string{}
	for _, h := range d.HighRiskUnused {
		highRisk[h.ARN] = h.Actions
	}
	wildcards := map[string][]string{}
	for _, p := range d.Privileged {
		wildcards[p.ARN] = p.ServiceWildcards
	}
	for i, p := range d.Principals {
		var det *Detail
		if i < len(d.Details) && d.Details[i].ARN == p.ARN {
			det = &d.Details[i]
		}
		for _, r := range principalFindings(p, det, highRisk[p.ARN], wildcards[p.ARN]) {
			excepted, ids := "no", r.exceptIDs
			if r.exceptKind != "" {
				for _, e := range p.Excepted {
					if e.Kind == r.exceptKind {
						excepted = "yes"
						ids = append(ids, exceptionID(e.Exception))
					}
				}
			}
			rec := []string{
				csvSafe(d.Period.Label), strconv.FormatInt(d.Snapshot.ID, 10), d.Snapshot.AsOf,
				csvSafe(p.ARN), csvSafe(kindName(p.PrincipalRef)), csvSafe(p.Account), csvSafe(p.AccountName),
				r.finding, csvSafe(r.action), csvSafe(r.detail), csvSafe(r.level), csvSafe(r.severity),
				excepted, csvSafe(strings.Join(ids, ";")), r.lastUsed, r.count,
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// exceptionID names an exceptions file entry by file and line.
func exceptionID(e analyze.ExceptionRef) string { return e.File + ":" + itoa(e.Line) }

// principalFindings are p's rows: its risk level, each unused action (by
// access level, most dangerous first), each unused privilege-escalation
// action, the principal-wide flags, service wildcards, expired
// exceptions, denied actions, unobservable actions (by reason), unmapped
// calls, the latest backtest and the remediation of last period's
// recommendation. Lists the
// report bounds (Detail's maxDetailItems) end with a row counting the
// actions not listed.
func principalFindings(p Principal, det *Detail, highRisk, wildcards []string) []csvRow {
	sev := p.RiskLevel
	last := ""
	if p.LastActivity != nil {
		last = p.LastActivity.UTC().Format(time.RFC3339)
	}
	var out []csvRow
	more := func(finding, level, severity, exceptKind string, n int) {
		if n > 0 {
			out = append(out, csvRow{finding: finding, detail: itoa(n) + moreNotListedWords, level: level,
				severity: severity, exceptKind: exceptKind, count: itoa(n)})
		}
	}
	if p.RiskLevel != "" && p.RiskLevel != "none" {
		out = append(out, csvRow{finding: findRisk, detail: "score " + score(p.RiskScore), severity: sev,
			exceptKind: p.RiskLevel, lastUsed: last})
	}
	levelOf := map[string]string{}
	if det != nil {
		for _, g := range det.Unused {
			for _, a := range g.Actions {
				levelOf[a] = g.Name
				out = append(out, csvRow{finding: findUnusedAction, action: a, level: g.Name, severity: sev, exceptKind: p.RiskLevel})
			}
			more(findUnusedAction, g.Name, sev, p.RiskLevel, g.Total-len(g.Actions))
		}
	}
	for _, a := range highRisk {
		out = append(out, csvRow{finding: findHighRisk, action: a, detail: "privilege escalation", level: levelOf[a],
			severity: sev, exceptKind: findHighRisk})
	}
	for _, f := range p.Flags {
		switch f {
		case findUnusedPrinc:
			out = append(out, csvRow{finding: f, detail: "no successful call in the window", severity: sev, exceptKind: f, lastUsed: last})
		case "admin", "workload-admin":
			out = append(out, csvRow{finding: f, action: "*", detail: "allowed * on *", severity: sev, exceptKind: f, lastUsed: last})
		case findInsufficient:
			out = append(out, csvRow{finding: f, detail: "the logs cover too little of the window to call anything unused",
				severity: severityInfo, exceptKind: f, lastUsed: last})
		}
	}
	for _, w := range wildcards {
		out = append(out, csvRow{finding: findServiceWild, action: w + ":*", detail: "a whole service is allowed", severity: sev})
	}
	for _, e := range p.ExpiredExceptions {
		out = append(out, csvRow{finding: findExpired, detail: "expired " + e.Expires + ": " + e.Reason + " (owner " + e.Owner + ")",
			severity: sev, exceptIDs: []string{exceptionID(e)}})
	}
	if det != nil {
		for _, dn := range det.Denied {
			out = append(out, csvRow{finding: findDenied, action: dn.Action, detail: "granted: " + yesNo(dn.Granted),
				severity: severityInfo, lastUsed: rfc3339(dn.LastSeen), count: strconv.FormatInt(dn.Count, 10)})
		}
		more(findDenied, "", severityInfo, "", det.DeniedTotal-len(det.Denied))
		for _, g := range det.Unobservable {
			for _, a := range g.Actions {
				out = append(out, csvRow{finding: findUnobservable, action: a, detail: g.Name, severity: severityInfo})
			}
			if n := g.Total - len(g.Actions); n > 0 {
				out = append(out, csvRow{finding: findUnobservable, detail: g.Name + ": " + itoa(n) + moreNotListedWords,
					severity: severityInfo, count: itoa(n)})
			}
		}
		for _, u := range det.Unmapped {
			out = append(out, csvRow{finding: findUnmapped, action: u.EventSource + " " + u.EventName,
				detail: "maps to no IAM action", severity: severityInfo, lastUsed: rfc3339(u.LastSeen), count: strconv.FormatInt(u.Calls, 10)})
		}
	}
	if b := p.Backtest; b != nil {
		// A denied call of an action used in training is breakage
		// (--fail-on breakage): the recommendation would have broken it.
		sev := severityInfo
		if b.DeniedTrained > 0 {
			sev = "high"
		}
		out = append(out, csvRow{finding: findBacktest,
			detail: fmt.Sprintf("test window ending %s (%d days, trained on %d): %d test calls, %d denied, %d of them of actions used in training",
				b.AsOf, b.TestDays, b.TrainDays, b.TestCalls, b.Denied, b.DeniedTrained),
			severity: sev, count: strconv.FormatInt(b.Denied, 10)})
	}
	out = append(out, remediationRows(p.Remediation)...)
	return out
}

// remediationRows are a principal's remediation status and the removed
// actions its current policies still grant.
func remediationRows(r *Remediation) []csvRow {
	if r == nil {
		return nil
	}
	out := []csvRow{{finding: findRemediation, detail: r.Status + ": " + remediationText(*r), severity: severityInfo,
		count: itoa(r.StillGrantedTotal)}}
	for _, a := range r.StillGranted {
		out = append(out, csvRow{finding: findStillGranted, action: a, detail: "removed by the recommendation as of " + r.RecommendationAsOf + ", still granted",
			severity: severityInfo})
	}
	if n := r.StillGrantedTotal - len(r.StillGranted); n > 0 {
		out = append(out, csvRow{finding: findStillGranted, detail: itoa(n) + " more still granted, not listed", severity: severityInfo, count: itoa(n)})
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
