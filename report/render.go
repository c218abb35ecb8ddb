package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/option"
)

// Render writes d in format: "table" (a terminal table), "md" (Markdown),
// "html" (one self-contained page), "csv" (one row per principal and
// finding) or
// "json" (all of Data).
func Render(w io.Writer, d *Data, format string) error { return RenderFit(w, d, format, 0) }

// RenderFit is Render with the table format's tables wrapped to width
// columns (termwidth.Fit; 0: full width). Other formats ignore width.
func RenderFit(w io.Writer, d *Data, format string, width int) error {
	var err error
	switch format {
	case "table":
		err = renderTable(w, d, width)
	case "md":
		err = renderMarkdown(w, d)
	case "html":
		err = renderHTML(w, d)
	case "csv":
		err = renderCSV(w, d)
	case "json":
		err = renderJSON(w, d)
	case "trend-csv":
		err = renderTrendCSV(w, d)
	default:
		return fmt.Errorf("render report: format %v", option.OneOf(format, formats...))
	}
	if err != nil {
		return fmt.Errorf("render %s report: %w", format, err)
	}
	return nil
}

func renderJSON(w io.Writer, d *Data) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// The helpers below turn Data into the text every human-readable format
// shows, unescaped; each format escapes their output.

const dash = "—"

func itoa(n int) string { return strconv.Itoa(n) }

func pct(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', 1, 64) + "%"
}

func score(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func signedScore(f float64) string {
	if f > 0 {
		return "+" + score(f)
	}
	return score(f)
}

func lastActivity(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return dateString(*t)
}

func provenText(p *bool) string {
	switch {
	case p == nil:
		return dash
	case *p:
		return "yes"
	default:
		return "no"
	}
}

// backtestText is "denied/test calls", with how many of the denied were
// of actions used in training: "0/127", "3/40 (1 trained)".
func backtestText(b *Backtest) string {
	if b == nil {
		return dash
	}
	s := strconv.FormatInt(b.Denied, 10) + "/" + strconv.FormatInt(b.TestCalls, 10)
	if b.Denied > 0 {
		s += " (" + strconv.FormatInt(b.DeniedTrained, 10) + " trained)"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// changeText is the change column: "—" without a previous snapshot.
func changeText(c *Change) string {
	if c == nil {
		return dash
	}
	if c.New {
		return "new"
	}
	var parts []string
	if c.Granted != 0 {
		parts = append(parts, "granted "+signed(c.Granted))
	}
	if c.Used != 0 {
		parts = append(parts, "used "+signed(c.Used))
	}
	if c.Unused != 0 {
		parts = append(parts, "unused "+signed(c.Unused))
	}
	if math.Abs(c.RiskScore) >= 0.05 {
		parts = append(parts, "risk "+signedScore(c.RiskScore))
	}
	if len(parts) == 0 {
		return "unchanged"
	}
	return strings.Join(parts, ", ")
}

func riskText(p Principal) string {
	return score(p.RiskScore) + " " + p.RiskLevel
}

// listLimit is how many gaps or actions a table cell of the text formats
// lists before saying how many more there are.
const listLimit = 6

// unmappedText says what the unmapped calls section means.
const unmappedText = "successful calls that map to no IAM action: recommend keeps the current grant of their service (KeptUnmapped) or, with --unmapped fail, fails its proof"

var unmappedHeader = []string{"Principal", "Event source", "Event name", "Calls", "Last seen"}

func unmappedRow(u UnmappedCall) []string {
	return []string{u.ARN, u.EventSource, u.EventName, strconv.FormatInt(u.Calls, 10), dateString(u.LastSeen)}
}

// lastAccessedText says what the last-accessed section means.
const lastAccessedText = "IAM last-accessed data: seasonal actions were last accessed before the window and inside IAM's 400-day tracking period (recommend keeps them with their current scope unless --seasonal drop); conflicts are where it and CloudTrail disagree"

var seasonalHeader = []string{"Principal", "Seasonal action", "Last accessed", "Level"}

func seasonalRow(s SeasonalAction) []string {
	level := "service"
	if s.ActionLevel {
		level = "action"
	}
	return []string{s.ARN, s.Action, dateString(s.LastAccessed), level}
}

var conflictHeader = []string{"Principal", "Action", "Conflict", "Detail"}

func conflictRow(c EvidenceConflict) []string {
	return []string{c.ARN, c.Action, c.Kind, c.Detail}
}

// gapsText names the gaps, the first limit of them (all when limit is 0).
func gapsText(gaps []DateRange, limit int) string {
	if len(gaps) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(gaps))
	for i, g := range gaps {
		if limit > 0 && i == limit {
			rest := 0
			for _, r := range gaps[i:] {
				rest += days(parseDate(r.From), parseDate(r.To))
			}
			parts = append(parts, fmt.Sprintf("and %d more (%s)", len(gaps)-i, plural(rest, "day")))
			break
		}
		if g.From == g.To {
			parts = append(parts, g.From)
		} else {
			parts = append(parts, g.From+" to "+g.To)
		}
	}
	return strings.Join(parts, ", ")
}

// listText joins items, the first limit of them (all when limit is 0).
func listText(items []string, limit int) string {
	if limit > 0 && len(items) > limit {
		return strings.Join(items[:limit], ", ") + fmt.Sprintf(", and %d more", len(items)-limit)
	}
	return strings.Join(items, ", ")
}

func highRiskRow(h HighRisk, limit int) []string {
	return []string{kindName(h.PrincipalRef), accountText(h.Account, h.AccountName), itoa(len(h.Actions)), listText(h.Actions, limit)}
}

var highRiskHeader = []string{"Principal", "Account", "Count", "Unused escalation permissions"}

func grantedText(g *bool) string {
	switch {
	case g == nil:
		return dash
	case *g:
		return "granted"
	default:
		return "not granted"
	}
}

func flagsText(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return strings.Join(f, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

func kindName(p PrincipalRef) string { return p.Kind + "/" + p.Name }

// accountText names an account by its name in the stored organisation,
// with its id: "acme-prod (111122223333)"; the id alone without a name.
func accountText(id, name string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}

// arnName is kind/name of an IAM principal ARN (the path left out), as
// kindName writes it; other ARNs (an account root, a service) are their
// resource part.
func arnName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	res := parts[5]
	if i := strings.IndexByte(res, '/'); i > 0 {
		kind := res[:i]
		if kind == "role" || kind == "user" {
			return kind + "/" + res[strings.LastIndexByte(res, '/')+1:]
		}
	}
	return res
}

// removedText is "N permissions management, N write, ..." in level order.
func removedText(by map[string]int) string {
	var parts []string
	for _, l := range levelOrder {
		if n := by[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(l)))
		}
	}
	if len(parts) == 0 {
		return "nothing removed"
	}
	return strings.Join(parts, ", ")
}

// evidenceLines are the evidence identifiers as label, value pairs.
func evidenceLines(d *Data) [][2]string {
	ev := d.Evidence
	authzLine := "none: the analysis read no authorization snapshot"
	if a := ev.AuthzSnapshot; a != nil {
		authzLine = fmt.Sprintf("snapshot %d, %s, accounts %s, from %s", a.ID, a.Digest, strings.Join(a.Accounts, ", "), a.Source)
	}
	trailsLine := "unknown: no trail configuration was loaded, so data events are assumed not logged"
	if t := ev.TrailConfig; t != nil {
		trailsLine = fmt.Sprintf("configuration %d, %s, from %s", t.ID, t.Digest, t.Source)
	}
	cat := "none: wildcards were not expanded"
	if c := d.Catalog; c != nil {
		cat = fmt.Sprintf("version %d, %s, fetched %s, %d services, %d actions", c.Version, c.Digest, dateString(c.FetchedAt), c.Services, c.Actions)
	}
	var objects, events int64
	for _, s := range ev.Sources {
		objects += s.Objects
		events += s.Events
	}
	return [][2]string{
		{"Authorization details", authzLine},
		{"What the trails log", trailsLine},
		{"Action catalog", cat},
		{"Analysis", fmt.Sprintf("snapshot %d, window %s to %s (%d days)", d.Snapshot.ID, d.Snapshot.WindowFrom, d.Snapshot.AsOf, d.Snapshot.WindowDays)},
		{"Log sources (ingest ledger)", fmt.Sprintf("%d objects, %d events ingested; by source and status below", objects, events)},
	}
}

// header lines shared by the text formats: label, value.
func headerLines(d *Data) [][2]string {
	acct := "all"
	if d.Account != "" {
		acct = d.Account
	}
	s := d.Snapshot
	snap := fmt.Sprintf("snapshot %d, as of %s, window %d days (%s to %s)", s.ID, s.AsOf, s.WindowDays, s.WindowFrom, s.AsOf)
	if !s.InPeriod {
		snap += ", taken before the period (none in it)"
	}
	prev := "no snapshot stored for the previous period, " + d.Period.PreviousLabel
	if p := d.Previous; p != nil {
		prev = fmt.Sprintf("snapshot %d, as of %s (previous period %s)", p.ID, p.AsOf, d.Period.PreviousLabel)
		if !p.InPeriod {
			prev = fmt.Sprintf("snapshot %d, as of %s (none in the previous period %s)", p.ID, p.AsOf, d.Period.PreviousLabel)
		}
	}
	cat := "unknown"
	if c := d.Catalog; c != nil {
		cat = fmt.Sprintf("version %d, %s, fetched %s, %d services, %d actions", c.Version, c.Digest, dateString(c.FetchedAt), c.Services, c.Actions)
	}
	return [][2]string{
		{"Period", d.Period.Label + " (" + d.Period.From + " to " + d.Period.To + ")"},
		{"Account", acct},
		{"Generated", d.GeneratedAt.UTC().Format("2006-01-02 15:04:05 MST")},
		{"Analysis", snap},
		{"Compared with", prev},
		{"Catalog", cat},
	}
}

// summaryLines is the summary as label, value pairs.
func summaryLines(d *Data) [][2]string {
	s := d.Summary
	rec := "not reported by the analysis"
	if s.RecommendationsKnown {
		rec = fmt.Sprintf("%d of %d principals", s.ProvenRecommendations, s.Principals)
	}
	first := dash
	if d.FirstUsed.Available {
		first = itoa(s.FirstUsedActions)
	} else if d.FirstUsed.Reason != "" {
		first = "not available: " + d.FirstUsed.Reason
	}
	denied := strconv.FormatInt(s.DeniedAttempts, 10)
	if d.Denied.Source == "snapshot" {
		denied += " (in the analysis window)"
	}
	cov := dash
	if len(d.Coverage.Accounts) > 0 {
		cov = pct(s.LogCoverage) + " of days (least-covered account)"
	}
	out := [][2]string{
		{"Accounts", itoa(s.Accounts)},
		{"Principals", fmt.Sprintf("%d (%s, %s)", s.Principals, plural(s.Roles, "role"), plural(s.Users, "user"))},
		{"Actions granted", itoa(s.Granted)},
		{"Actions used", itoa(s.Used)},
		{"Actions unused", fmt.Sprintf("%d (%s of granted)", s.Unused, pct(s.UnusedShare))},
		{"Unobservable in logs", fmt.Sprintf("%d (never counted as unused)", s.Unobservable)},
		{"Unused principals", itoa(s.UnusedPrincipals)},
		{"Admin or service-wide wildcards", fmt.Sprintf("%d (%d admin)", s.PrivilegedPrincipals, s.AdminPrincipals)},
		{"High-risk unused permissions", itoa(s.HighRiskUnused)},
		{"Denied attempts", denied},
		{"Actions first used this period", first},
		{"Proven recommendations", rec},
		{"Log coverage", cov},
	}
	if s.BlockedBySCP > 0 {
		// After the unobservable line: granted on paper, not effective.
		out = slices.Insert(out, 6, [2]string{"Blocked by SCPs", fmt.Sprintf("%d (granted by identity policies, taken away by the organisation's SCPs; not counted above)", s.BlockedBySCP)})
	}
	if d.Remediation != nil {
		out = append(out, [2]string{"Remediated since " + d.Remediation.Period, remediationSummaryText(d.Remediation)})
	}
	if d.Exceptions != nil {
		active := 0
		for _, e := range d.Exceptions {
			if e.Status == exception.Active {
				active++
			}
		}
		out = append(out, [2]string{"Exceptions", fmt.Sprintf("%d active, %d expired; %s accepted; %s with an expired exception",
			active, len(d.Exceptions)-active, plural(s.ExceptedFindings, "finding"), plural(s.ExpiredExceptions, "principal"))})
	}
	return out
}

// exceptionsText explains the register.
const exceptionsText = "Accepted risks: an active entry's findings stay listed, marked excepted, and do not count toward --fail-on; an expired entry accepts nothing and is a finding of its own (expired-exception)"

// exceptionHeader and exceptionRow are the exceptions register's table.
var exceptionHeader = []string{"Entry", "Principal pattern", "Actions", "Reason", "Owner", "Ticket", "Created", "Expires", "Status", "Principals", "Findings accepted"}

func exceptionRow(e exception.Registered) []string {
	acts := "all findings"
	if len(e.Actions) > 0 {
		acts = strings.Join(e.Actions, ", ")
	}
	ticket := e.Ticket
	if ticket == "" {
		ticket = dash
	}
	return []string{fmt.Sprintf("%s:%d", e.File, e.Line), e.Principal, acts, e.Reason, e.Owner, ticket, e.Created, e.Expires,
		e.Status, strings.Join(e.Principals, ", "), itoa(e.Excepted)}
}

// principalFlags are the flags, then the excepted findings and expired
// exceptions.
func principalFlags(p Principal) string {
	parts := slices.Clone(p.Flags)
	if len(p.Excepted) > 0 {
		parts = append(parts, "excepted ("+strings.Join(analyze.ExceptedKinds(p.Excepted), ", ")+")")
	}
	if len(p.ExpiredExceptions) > 0 {
		parts = append(parts, "exception expired")
	}
	return flagsText(parts)
}

// principalRow is the detail table's cells, in order, for the text
// formats.
var principalHeader = []string{"#", "Principal", "Account", "Granted", "Used", "Unused", "Unobs.", "High-risk", "Risk", "Last activity", "Proven rec.", "Backtest", "Change", "Flags"}

func principalRow(i int, p Principal) []string {
	return []string{
		itoa(i + 1), kindName(p.PrincipalRef), accountText(p.Account, p.AccountName),
		itoa(p.Granted), itoa(p.Used), itoa(p.Unused), itoa(p.Unobservable), itoa(p.HighRiskUnused),
		riskText(p), lastActivity(p.LastActivity), provenText(p.RecommendationProven), backtestText(p.Backtest),
		changeText(p.Change), principalFlags(p),
	}
}

// coverageRows are the coverage table's rows; limit caps the gaps named
// per row (0: all).
func coverageRows(c Coverage, limit int) [][]string {
	var rows [][]string
	for _, a := range c.Accounts {
		rows = append(rows, []string{accountText(a.Account, a.AccountName), "all regions", itoa(a.DaysWithLogs) + "/" + itoa(c.Days), pct(a.Ratio), gapsText(a.Gaps, limit)})
		for _, r := range a.Regions {
			g := gapsText(r.Gaps, limit)
			if r.GapsUnknown {
				g = "not recorded per region"
			}
			rows = append(rows, []string{accountText(a.Account, a.AccountName), r.Region, itoa(r.DaysWithLogs) + "/" + itoa(c.Days), pct(r.Ratio), g})
		}
	}
	return rows
}

func coverageTitle(c Coverage) string {
	src := ""
	switch c.Source {
	case "usage":
		src = "ingested logs"
	case "snapshot":
		src = "the analysis snapshot's window"
	}
	if c.From == "" {
		return "no log coverage recorded"
	}
	return fmt.Sprintf("%s to %s, %d days, from %s", c.From, c.To, c.Days, src)
}

func privilegedRow(p Privileged) []string {
	wild := strings.Join(p.ServiceWildcards, ", ")
	if wild == "" {
		wild = dash
	}
	return []string{kindName(p.PrincipalRef), accountText(p.Account, p.AccountName), yesNo(p.Admin), wild, yesNo(p.Workload)}
}

func deniedSourceText(src string) string {
	switch src {
	case "usage":
		return "from the usage rollup over the period"
	case "snapshot":
		return "from the analysis snapshot's window (no usage rollup for the period)"
	}
	return "no data"
}

func firstUsedSourceText(f FirstUsed) string {
	switch f.Source {
	case "usage":
		return "from the usage rollup: no successful call of the action by the principal before the period"
	case "snapshot":
		return "from analysis snapshots: used in this snapshot's window and not in the previous snapshot's"
	}
	return ""
}

func trendRow(t TrendPoint) []string {
	return []string{t.Quarter, trendKind(t), strconv.FormatInt(t.SnapshotID, 10), t.AsOf, itoa(t.Principals), itoa(t.Granted), itoa(t.Used), itoa(t.Unused)}
}

var trendHeader = []string{"Quarter", "Point", "Snapshot", "As of", "Principals", "Granted", "Used", "Unused"}

const trendAlign = "llrlrrrr"

// maxTableTrend bounds the period's points in the table format.
const maxTableTrend = 12

// trendKind says what a point stands for.
func trendKind(t TrendPoint) string {
	if t.InPeriod {
		return "in period"
	}
	return "quarter's latest"
}

// trendNote says what the trend's points are, and how many of the
// period's snapshots are shown of how many.
func trendNote(d *Data, shown int) string {
	s := "One point per analysis snapshot of the period (each run)"
	if shown < d.TrendSnapshots {
		s = fmt.Sprintf("%d of the period's %d analysis snapshots, evenly spaced (the first and the last always)", shown, d.TrendSnapshots)
	}
	return s + "; before the period, each quarter's latest snapshot."
}

// periodPoints counts the trend's points of the period.
func periodPoints(pts []TrendPoint) int {
	n := 0
	for _, p := range pts {
		if p.InPeriod {
			n++
		}
	}
	return n
}

// thinTrend keeps at most max of the period's points, evenly spaced with
// the first and last kept, and every context point.
func thinTrend(pts []TrendPoint, max int) []TrendPoint {
	var ctxPts, period []TrendPoint
	for _, p := range pts {
		if p.InPeriod {
			period = append(period, p)
		} else {
			ctxPts = append(ctxPts, p)
		}
	}
	out := ctxPts
	for _, i := range evenly(len(period), max) {
		out = append(out, period[i])
	}
	return out
}

// evenly is k evenly spaced indices of 0..n-1, the first and last
// included (all of them when n <= k); the same choice as the trend query.
func evenly(n, k int) []int {
	out := make([]int, 0, min(n, k))
	switch {
	case n <= k:
		for i := range n {
			out = append(out, i)
		}
	case k == 1:
		out = append(out, n-1)
	default:
		for g := range k {
			out = append(out, int(math.Round(float64(g*(n-1))/float64(k-1))))
		}
	}
	return out
}

// noUserRecommendation says why a user has no stored recommendation:
// recommend --all, which the nightly run uses, writes roles only.
const noUserRecommendation = "iamtrim run and recommend --all recommend for roles only; iamtrim recommend ARN makes one for a user"

// recommendationText is a principal's proof summary in one sentence.
func recommendationText(r *RecommendationInfo, kind string) string {
	if r == nil {
		if kind == "user" {
			return "none stored for this analysis window (" + noUserRecommendation + ")"
		}
		return "none stored for this analysis window (run iamtrim recommend)"
	}
	proven := "proven"
	if !r.Proven {
		proven = "NOT PROVEN"
	}
	s := fmt.Sprintf("%s: keeps %d of the granted actions and removes %d (%s); %d observed calls checked; %d wildcard(s) that may match future actions; digest %s",
		proven, r.Kept, r.Removed, removedText(r.RemovedByAccessLevel), r.ObservedCalls, r.Wildcards, r.Digest)
	if r.Link != "" {
		s += "; policy " + r.Link
	}
	return s
}

// groupText is "Name (N): a, b and M more".
func groupText(g ActionGroup) string {
	s := fmt.Sprintf("%s (%d)", g.Name, g.Total)
	if len(g.Actions) == 0 {
		return s
	}
	s += ": " + strings.Join(g.Actions, ", ")
	if more := g.Total - len(g.Actions); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

func resourcesText(u DetailUsed) string {
	s := strings.Join(u.Resources, ", ")
	if more := u.ResourcesTotal - len(u.Resources); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	if s == "" {
		return dash
	}
	return s
}

// signOffLines are the sign-off block's fields; blank ones are to be
// filled by hand.
func signOffLines(s SignOff) [][2]string {
	blank := func(v string) string {
		if v == "" {
			return "________________"
		}
		return v
	}
	return [][2]string{{"Prepared by", blank(s.PreparedBy)}, {"Reviewed by", blank(s.ReviewedBy)}, {"Date", blank(s.Date)}}
}

var ledgerHeader = []string{"Log source", "Status", "Objects", "Records", "Events", "Bad records"}

func ledgerRow(s SourceLedger) []string {
	return []string{s.Source, s.Status, strconv.FormatInt(s.Objects, 10), strconv.FormatInt(s.Records, 10), strconv.FormatInt(s.Events, 10), strconv.FormatInt(s.Errors, 10)}
}
