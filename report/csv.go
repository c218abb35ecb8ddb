package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvHeader is the CSV format's columns: one row per principal, each row
// carrying the period and snapshot so rows from several reports can be
// concatenated. The JSON format has everything else.
var csvHeader = []string{
	"period", "snapshot_id", "as_of", "principal_arn", "kind", "account_id", "name", "workload",
	"granted", "used", "used_not_granted", "unused", "unobservable", "high_risk_unused", "risk_score", "risk_level",
	"denied", "last_activity", "recommendation_proven", "flags",
	"change", "granted_change", "used_change", "unused_change", "risk_change",
	"backtest_test_calls", "backtest_denied", "backtest_denied_trained",
	"excepted", "expired_exceptions",
	"account_name", "blocked_by_scp",
}

// renderCSV writes one row per principal, in risk order. Strings from AWS
// or the logs go through csvSafe; numbers and dates iamtrim formats do not
// (a negative change stays a number).
func renderCSV(w io.Writer, d *Data) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, p := range d.Principals {
		last := ""
		if p.LastActivity != nil {
			last = p.LastActivity.UTC().Format(time.RFC3339)
		}
		proven := ""
		if p.RecommendationProven != nil {
			proven = strconv.FormatBool(*p.RecommendationProven)
		}
		change, dg, du, dn, dr := "", "", "", "", ""
		if c := p.Change; c != nil {
			change = "changed"
			switch {
			case c.New:
				change = "new"
			case changeText(c) == "unchanged":
				change = "unchanged"
			}
			dg, du, dn = itoa(c.Granted), itoa(c.Used), itoa(c.Unused)
			dr = strconv.FormatFloat(c.RiskScore, 'f', -1, 64)
		}
		bc, bd, bt := "", "", ""
		if b := p.Backtest; b != nil {
			bc, bd, bt = strconv.FormatInt(b.TestCalls, 10), strconv.FormatInt(b.Denied, 10), strconv.FormatInt(b.DeniedTrained, 10)
		}
		rec := []string{
			csvSafe(d.Period.Label), strconv.FormatInt(d.Snapshot.ID, 10), d.Snapshot.AsOf,
			csvSafe(p.ARN), csvSafe(p.Kind), csvSafe(p.Account), csvSafe(p.Name), strconv.FormatBool(p.Workload),
			itoa(p.Granted), itoa(p.Used), itoa(p.UsedNotGranted), itoa(p.Unused), itoa(p.Unobservable), itoa(p.HighRiskUnused),
			strconv.FormatFloat(p.RiskScore, 'f', -1, 64), csvSafe(p.RiskLevel),
			strconv.FormatInt(p.Denied, 10), last, proven, csvSafe(strings.Join(p.Flags, ";")),
			change, dg, du, dn, dr, bc, bd, bt,
			csvSafe(exceptedText(p)), csvSafe(expiredText(p)),
			csvSafe(p.AccountName), itoa(p.BlockedBySCP),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// exceptedText is "kind@file:line" per excepted finding; expiredText
// "file:line" per expired exception, ";"-separated.
func exceptedText(p Principal) string {
	var parts []string
	for _, e := range p.Excepted {
		parts = append(parts, e.Kind+"@"+e.Exception.File+":"+itoa(e.Exception.Line))
	}
	return strings.Join(parts, ";")
}

func expiredText(p Principal) string {
	var parts []string
	for _, e := range p.ExpiredExceptions {
		parts = append(parts, e.File+":"+itoa(e.Line))
	}
	return strings.Join(parts, ";")
}
