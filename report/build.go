package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/backtest"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Limits of the lists Data carries; totals are always complete.
const (
	topDenied     = 10
	maxFirstUsed  = 100
	maxCaveats    = 10
	unmappedLabel = "unmapped "
)

// Build reads everything the report shows for opts' period:
//
//   - the analysis snapshot: the latest organisation-wide one (scope ”)
//     with as_of in the period, else the latest before its end;
//   - the previous one: the latest before the period's start (and older
//     than the snapshot), for the change columns and removed principals;
//   - every snapshot of the period and each earlier quarter's latest,
//     for the trend;
//   - from the usage rollup (package ingest) over the period up to Now:
//     denied attempts, actions first used, and log coverage per account
//     and region. Without ingested logs for the period, denied attempts
//     and coverage come from the snapshot's own window instead, and first
//     use from comparing the two snapshots;
//   - whether a proven recommendation exists, from the recommendation
//     table for the snapshot's window (package recommend), else from a
//     recommendation_proven field in the stored result.
//
// It returns ErrNoSnapshot (wrapped) when there is nothing to report on.
func Build(ctx context.Context, db *store.DB, opts Options) (*Data, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	per, err := opts.period()
	if err != nil {
		return nil, err
	}
	b := &builder{db: db, acct: opts.Account, now: opts.Now.UTC(), per: per,
		from: parseDate(per.From), to: parseDate(per.To), exceptions: opts.Exceptions, exceptionsDay: opts.ExceptionsDay,
		policiesDir: strings.TrimSuffix(opts.PoliciesDir, "/"), policiesFormat: opts.PoliciesFormat}
	if b.exceptionsDay.IsZero() {
		b.exceptionsDay = b.now
	}
	b.d = &Data{Period: per, Account: opts.Account, GeneratedAt: b.now, SignOff: opts.SignOff, Methodology: methodology()}
	if err := b.build(ctx); err != nil {
		return nil, fmt.Errorf("build report for %s: %w", per.Label, err)
	}
	return b.d, nil
}

type builder struct {
	db       *store.DB
	acct     string
	now      time.Time
	per      Period
	from, to time.Time
	d        *Data
	// names are the accounts' names in the stored organisation.
	names map[string]string
	// cur and prev are the principals of the two snapshots.
	cur  []row
	prev map[string]row

	exceptions    *exception.Set
	exceptionsDay time.Time

	policiesDir, policiesFormat string
}

// row is one analysis_principal row with the parts of its result the
// report needs (never the full granted and unused lists).
type row struct {
	Principal
	risk     analyze.Risk
	denied   []analyze.DeniedAction
	unmapped []analyze.UnmappedCall
	seasonal []analyze.LastAccessedUse
	conflict []analyze.EvidenceConflict
	laInfo   *analyze.LastAccessedInfo
	coverage *analyze.Coverage
	caveats  []string
	unused   []string
}

func (b *builder) build(ctx context.Context) error {
	b.names = map[string]string{}
	switch o, _, err := org.LoadLatest(ctx, b.db); {
	case errors.Is(err, org.ErrNone):
	case err != nil:
		return err
	default:
		for _, a := range o.Accounts() {
			b.names[a.ID] = a.Name
		}
	}
	snap, err := b.snapshot(ctx, b.to, time.Time{}, 0)
	if err != nil {
		return err
	}
	if snap == nil {
		return fmt.Errorf("%w %s (scope: all principals%s): run iamtrim analyze", ErrNoSnapshot, b.per.To, b.acctText())
	}
	snap.InPeriod = !parseDate(snap.AsOf).Before(b.from)
	b.d.Snapshot = *snap
	if !snap.InPeriod {
		b.caveat(fmt.Sprintf("no analysis snapshot was taken in %s; the latest before it, as of %s, stands in", b.per.Label, snap.AsOf))
	}

	prevTo := parseDate(b.per.PreviousTo)
	prev, err := b.snapshot(ctx, prevTo, parseDate(snap.AsOf), snap.ID)
	if err != nil {
		return err
	}
	if prev != nil {
		prev.InPeriod = !parseDate(prev.AsOf).Before(parseDate(b.per.PreviousFrom))
		b.d.Previous = prev
		if !prev.InPeriod {
			b.caveat(fmt.Sprintf("no analysis snapshot was taken in the previous period %s; changes are measured from snapshot %d as of %s", b.per.PreviousLabel, prev.ID, prev.AsOf))
		}
	} else {
		b.caveat(fmt.Sprintf("no analysis snapshot before %s: there is no change to show", b.per.From))
	}

	if err := b.catalog(ctx); err != nil {
		return err
	}
	if b.cur, err = b.principals(ctx, snap.ID); err != nil {
		return err
	}
	if err := b.recommendations(ctx, snap); err != nil {
		return err
	}
	if err := b.backtests(ctx, snap); err != nil {
		return err
	}
	if prev != nil {
		rows, err := b.principals(ctx, prev.ID)
		if err != nil {
			return err
		}
		b.prev = make(map[string]row, len(rows))
		for _, r := range rows {
			b.prev[r.ARN] = r
		}
	}
	b.applyExceptions()
	b.principalsAndSummary()
	if err := b.details(ctx, snap.ID); err != nil {
		return err
	}
	if err := b.remediation(ctx); err != nil {
		return err
	}
	if err := b.evidence(ctx); err != nil {
		return err
	}
	b.unmappedCalls()
	b.lastAccessed()
	if err := b.trend(ctx); err != nil {
		return err
	}

	end := b.to
	if today := day(b.now); today.Before(end) {
		end = today
		b.caveat(fmt.Sprintf("the period runs to %s; logs are counted up to %s", b.per.To, dateString(end)))
	}
	logged := false
	if !end.Before(b.from) {
		if logged, err = b.usageCoverage(ctx, end); err != nil {
			return err
		}
	}
	if logged {
		if err := b.usageDenied(ctx, end); err != nil {
			return err
		}
		if err := b.usageFirstUsed(ctx, end); err != nil {
			return err
		}
	} else {
		b.caveat(fmt.Sprintf("no logs were ingested for %s to %s: denied attempts and log coverage are the analysis window's (%s to %s)",
			b.per.From, dateString(end), snap.WindowFrom, snap.AsOf))
		b.snapshotCoverage()
		b.snapshotDenied()
		if err := b.snapshotFirstUsed(ctx); err != nil {
			return err
		}
	}
	b.finishSummary()
	b.resultCaveats()
	return nil
}

// applyExceptions marks the findings the register's active entries accept
// and the principals whose exceptions have expired, and fills the
// register.
func (b *builder) applyExceptions() {
	if b.exceptions == nil {
		return
	}
	snap := &analyze.Snapshot{Principals: make([]analyze.Result, len(b.cur))}
	for i, r := range b.cur {
		snap.Principals[i] = analyze.Result{PrincipalARN: r.ARN, Type: r.Kind, Name: r.Name, Unused: r.unused,
			Flags: r.Flags, Risk: r.risk}
	}
	reg, probs := exception.Apply(snap, b.exceptions, b.exceptionsDay)
	for i := range b.cur {
		b.cur[i].Excepted = snap.Principals[i].Excepted
		b.cur[i].ExpiredExceptions = snap.Principals[i].ExpiredExceptions
		b.d.Summary.ExceptedFindings += len(b.cur[i].Excepted)
		if len(b.cur[i].ExpiredExceptions) > 0 {
			b.d.Summary.ExpiredExceptions++
		}
	}
	b.d.Exceptions = reg
	if b.d.Exceptions == nil {
		b.d.Exceptions = []exception.Registered{}
	}
	if b.acct != "" {
		probs = nil // the other accounts' principals are not read
	}
	for _, p := range probs {
		b.d.ExceptionProblems = append(b.d.ExceptionProblems, p.String())
		b.caveat("exception " + p.String())
	}
}

func (b *builder) acctText() string {
	if b.acct == "" {
		return ""
	}
	return ", account " + b.acct
}

func (b *builder) caveat(s string) { b.d.Caveats = append(b.d.Caveats, s) }

// snapshot finds the latest organisation-wide snapshot as of through,
// before (beforeAsOf, beforeID) when beforeID is not 0, that has
// principals of the account asked for.
func (b *builder) snapshot(ctx context.Context, through, beforeAsOf time.Time, beforeID int64) (*SnapshotInfo, error) {
	r, err := queries.LatestAnalysis(ctx, b.db, through, beforeAsOf, beforeID, b.acct)
	if r == nil || err != nil {
		return nil, err
	}
	s := SnapshotInfo{ID: r.ID, CreatedAt: r.CreatedAt, WindowDays: r.WindowDays, Scope: r.Scope}
	s.AsOf = dateString(r.AsOf)
	s.WindowFrom = dateString(r.AsOf.AddDate(0, 0, -(s.WindowDays - 1)))
	s.Quarter = QuarterOf(r.AsOf)
	return &s, nil
}

func (b *builder) catalog(ctx context.Context) error {
	c, err := queries.AnalysisCatalog(ctx, b.db, b.d.Snapshot.ID)
	if err != nil {
		return err
	}
	if c == nil {
		b.caveat("the analysis used no action catalog: wildcards were not expanded into counts")
		return nil
	}
	b.d.Catalog = &CatalogInfo{Version: c.ID, Source: c.Source, FetchedAt: c.FetchedAt, Digest: c.Digest, Services: c.Services, Actions: c.Actions}
	return nil
}

// principals reads a snapshot's principals. Used counts only granted
// actions (the used column also counts used actions no policy grants).
func (b *builder) principals(ctx context.Context, snapshot int64) ([]row, error) {
	stored, err := queries.ReportPrincipals(ctx, b.db, snapshot, b.acct)
	if err != nil {
		return nil, err
	}
	out := make([]row, 0, len(stored))
	for _, p := range stored {
		r := row{Principal: Principal{PrincipalRef: PrincipalRef{ARN: p.ARN, Kind: p.Kind, Account: p.Account, AccountName: b.names[p.Account], Name: p.Name}, Granted: p.Granted, Used: int(p.UsedGranted),
			Unused: p.Unused, Unobservable: p.Unobservable, Denied: p.Denied, RiskScore: p.Risk, HighRiskUnused: p.HighRiskUnused,
			Flags: p.Flags, LastActivity: p.LastUsed, UsedNotGranted: p.UsedNotGranted, BlockedBySCP: p.BlockedBySCP}}
		var cov analyze.Coverage
		for _, f := range []struct {
			what string
			b    []byte
			v    any
		}{
			{"workload", p.Workload, &r.Workload},
			{"recommendation_proven", p.RecommendationProven, &r.RecommendationProven},
			{"risk", p.RiskDetail, &r.risk},
			{"denied", p.DeniedDetail, &r.denied},
			{"coverage", p.Coverage, &cov},
			{"caveats", p.Caveats, &r.caveats},
			{"unmapped", p.Unmapped, &r.unmapped},
			{"unused", p.UnusedDetail, &r.unused},
			{"seasonal", p.Seasonal, &r.seasonal},
			{"evidence_conflicts", p.Conflicts, &r.conflict},
			{"last_accessed", p.LastAccessed, &r.laInfo},
		} {
			if len(f.b) == 0 || string(f.b) == "null" {
				continue
			}
			if err := json.Unmarshal(f.b, f.v); err != nil {
				return nil, fmt.Errorf("read analysis %d: %s of %s: %w", snapshot, f.what, r.ARN, err)
			}
		}
		if len(p.Coverage) > 0 && string(p.Coverage) != "null" {
			r.coverage = &cov
		}
		r.RiskLevel = r.risk.Level
		out = append(out, r)
	}
	return out, nil
}

// recommendations marks principals with a recommendation made for the
// snapshot's own window.
func (b *builder) recommendations(ctx context.Context, snap *SnapshotInfo) error {
	proven, err := queries.RecommendationsProven(ctx, b.db, parseDate(snap.AsOf), snap.WindowDays)
	if err != nil {
		return err
	}
	for i := range b.cur {
		if p, ok := proven[b.cur[i].ARN]; ok {
			b.cur[i].RecommendationProven = &p
		}
	}
	return nil
}

// backtests attaches each principal's latest backtest ending on or before
// the snapshot's as-of day.
func (b *builder) backtests(ctx context.Context, snap *SnapshotInfo) error {
	latest, err := backtest.Latest(ctx, b.db, parseDate(snap.AsOf))
	if err != nil {
		return err
	}
	for i := range b.cur {
		if s, ok := latest[b.cur[i].ARN]; ok {
			b.cur[i].Backtest = &Backtest{AsOf: s.AsOf.Format(time.DateOnly), TrainDays: s.TrainDays, TestDays: s.TestDays,
				TestCalls: s.TestCalls, Denied: s.Denied, DeniedTrained: s.DeniedTrained, Unmapped: s.Unmapped}
		}
	}
	return nil
}

// principalsAndSummary fills the detail rows (in risk order), their
// change, removed principals and the counts of the summary.
func (b *builder) principalsAndSummary() {
	d, s := b.d, &b.d.Summary
	accounts := map[string]bool{}
	d.UnusedPrincipals = []string{}
	d.Privileged = []Privileged{}
	d.HighRiskUnused = []HighRisk{}
	d.Principals = make([]Principal, 0, len(b.cur))
	seen := make(map[string]bool, len(b.cur))
	for _, r := range b.cur {
		p := r.Principal
		seen[p.ARN] = true
		accounts[p.Account] = true
		s.Principals++
		switch p.Kind {
		case "role":
			s.Roles++
		case "user":
			s.Users++
		}
		s.Granted += p.Granted
		s.Used += p.Used
		s.Unused += p.Unused
		s.Unobservable += p.Unobservable
		s.BlockedBySCP += p.BlockedBySCP
		s.HighRiskUnused += p.HighRiskUnused
		if slices.Contains(p.Flags, "unused-principal") {
			s.UnusedPrincipals++
			d.UnusedPrincipals = append(d.UnusedPrincipals, p.ARN)
		}
		if r.risk.Admin || len(r.risk.ServiceWildcards) > 0 {
			s.PrivilegedPrincipals++
			if r.risk.Admin {
				s.AdminPrincipals++
			}
			d.Privileged = append(d.Privileged, Privileged{PrincipalRef: p.PrincipalRef, Admin: r.risk.Admin,
				ServiceWildcards: nonNil(r.risk.ServiceWildcards), Workload: p.Workload})
		}
		if len(r.risk.HighRiskUnused) > 0 {
			d.HighRiskUnused = append(d.HighRiskUnused, HighRisk{PrincipalRef: p.PrincipalRef, Actions: r.risk.HighRiskUnused})
		}
		if p.RecommendationProven != nil {
			s.RecommendationsKnown = true
			if *p.RecommendationProven {
				s.ProvenRecommendations++
			}
		}
		if p.Flags == nil {
			p.Flags = []string{}
		}
		if b.d.Previous != nil {
			q, ok := b.prev[p.ARN]
			p.Change = &Change{New: !ok, Granted: p.Granted - q.Granted, Used: p.Used - q.Used,
				Unused: p.Unused - q.Unused, RiskScore: p.RiskScore - q.RiskScore}
		}
		d.Principals = append(d.Principals, p)
	}
	s.Accounts = len(accounts)
	if s.Granted > 0 {
		s.UnusedShare = float64(s.Unused) / float64(s.Granted)
	}
	sort.SliceStable(d.Principals, func(i, j int) bool {
		a, c := d.Principals[i], d.Principals[j]
		if a.RiskScore != c.RiskScore {
			return a.RiskScore > c.RiskScore
		}
		if a.Unused != c.Unused {
			return a.Unused > c.Unused
		}
		return a.ARN < c.ARN
	})
	sort.SliceStable(d.HighRiskUnused, func(i, j int) bool {
		a, c := d.HighRiskUnused[i], d.HighRiskUnused[j]
		if len(a.Actions) != len(c.Actions) {
			return len(a.Actions) > len(c.Actions)
		}
		return a.ARN < c.ARN
	})
	sort.SliceStable(d.Privileged, func(i, j int) bool {
		if d.Privileged[i].Admin != d.Privileged[j].Admin {
			return d.Privileged[i].Admin
		}
		return d.Privileged[i].ARN < d.Privileged[j].ARN
	})
	d.Removed = []PrincipalRef{}
	for arn, q := range b.prev {
		if !seen[arn] {
			d.Removed = append(d.Removed, q.PrincipalRef)
		}
	}
	sort.Slice(d.Removed, func(i, j int) bool { return d.Removed[i].ARN < d.Removed[j].ARN })
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Bounds of the trend: a quarter of nightly runs shows every run; a year's
// report shows MaxTrendPoints of them, evenly spaced.
const (
	MaxTrendPoints   = 92
	MaxTrendQuarters = 8
)

// trend totals every snapshot of the period up to the reported one, and
// each earlier quarter's latest.
func (b *builder) trend(ctx context.Context) error {
	rows, n, err := queries.AnalysisTrend(ctx, b.db, queries.TrendQuery{From: b.from, AsOf: parseDate(b.d.Snapshot.AsOf), ID: b.d.Snapshot.ID,
		Account: b.acct, MaxInPeriod: MaxTrendPoints, MaxQuarters: MaxTrendQuarters})
	if err != nil {
		return err
	}
	b.d.Trend, b.d.TrendSnapshots = []TrendPoint{}, n
	for _, r := range rows {
		b.d.Trend = append(b.d.Trend, TrendPoint{SnapshotID: r.SnapshotID, AsOf: dateString(r.AsOf), Quarter: QuarterOf(r.AsOf),
			WindowDays: int(r.WindowDays), InPeriod: r.InPeriod,
			Principals: int(r.Principals), Granted: int(r.Granted), Used: int(r.Used), Unused: int(r.Unused)})
	}
	return nil
}

// usageCoverage reads which days of from..end have logs, per account and
// region, and reports whether there were any.
func (b *builder) usageCoverage(ctx context.Context, end time.Time) (bool, error) {
	cov, err := queries.Coverage(ctx, b.db, b.from, end)
	if err != nil {
		return false, err
	}
	type key struct{ acct, region string }
	byRegion := map[key]map[string]bool{}
	byAcct := map[string]map[string]bool{}
	var regions []key
	for _, r := range cov {
		if b.acct != "" && r.Account != b.acct {
			continue
		}
		k := key{r.Account, r.Region}
		byRegion[k] = map[string]bool{}
		regions = append(regions, k)
		if byAcct[k.acct] == nil {
			byAcct[k.acct] = map[string]bool{}
		}
		for _, dy := range r.Days {
			ds := dateString(dy)
			byRegion[k][ds] = true
			byAcct[k.acct][ds] = true
		}
	}
	if len(regions) == 0 {
		return false, nil
	}
	c := &b.d.Coverage
	c.Source, c.From, c.To, c.Days = "usage", b.per.From, dateString(end), days(b.from, end)
	// Every account with principals is listed, with or without logs.
	for _, r := range b.cur {
		if byAcct[r.Account] == nil {
			byAcct[r.Account] = map[string]bool{}
		}
	}
	accts := make([]string, 0, len(byAcct))
	for a := range byAcct {
		accts = append(accts, a)
	}
	sort.Strings(accts)
	for _, a := range accts {
		ac := AccountCoverage{Account: a, AccountName: b.names[a], DaysWithLogs: len(byAcct[a]), Gaps: gaps(byAcct[a], b.from, end), Regions: []RegionCoverage{}}
		ac.Ratio = float64(ac.DaysWithLogs) / float64(c.Days)
		for _, k := range regions {
			if k.acct != a {
				continue
			}
			rc := RegionCoverage{Region: k.region, DaysWithLogs: len(byRegion[k]), Gaps: gaps(byRegion[k], b.from, end)}
			rc.Ratio = float64(rc.DaysWithLogs) / float64(c.Days)
			ac.Regions = append(ac.Regions, rc)
		}
		c.Accounts = append(c.Accounts, ac)
	}
	return true, nil
}

// gaps lists the runs of days in from..to missing from have.
func gaps(have map[string]bool, from, to time.Time) []DateRange {
	out := []DateRange{}
	var start string
	var last string
	for dy := from; !dy.After(to); dy = dy.AddDate(0, 0, 1) {
		ds := dateString(dy)
		if have[ds] {
			if start != "" {
				out = append(out, DateRange{From: start, To: last})
				start = ""
			}
			continue
		}
		if start == "" {
			start = ds
		}
		last = ds
	}
	if start != "" {
		out = append(out, DateRange{From: start, To: last})
	}
	return out
}

// usageDenied totals authorization failures in from..end by principal and
// action, counting events with no IAM action by their event name.
func (b *builder) usageDenied(ctx context.Context, end time.Time) error {
	denied, err := queries.DeniedCalls(ctx, b.db, b.from, end, b.acct, unmappedLabel)
	if err != nil {
		return err
	}
	pairs := make([]deniedPair, len(denied))
	for i, d := range denied {
		pairs[i] = deniedPair{arn: d.ARN, action: d.Action, n: d.Denied}
	}
	b.d.Denied = topDeniedOf("usage", pairs)
	return nil
}

type deniedPair struct {
	arn, action string
	n           int64
}

func topDeniedOf(source string, pairs []deniedPair) Denied {
	d := Denied{Source: source, TopPrincipals: []DeniedPrincipal{}, TopActions: []DeniedAction{}}
	byP := map[string]*DeniedPrincipal{}
	byA := map[string]*DeniedAction{}
	for _, p := range pairs {
		if p.n <= 0 {
			continue
		}
		d.Total += p.n
		if byP[p.arn] == nil {
			byP[p.arn] = &DeniedPrincipal{ARN: p.arn}
		}
		byP[p.arn].Count += p.n
		byP[p.arn].Actions++
		if byA[p.action] == nil {
			byA[p.action] = &DeniedAction{Action: p.action}
		}
		byA[p.action].Count += p.n
		byA[p.action].Principals++
	}
	for _, v := range byP {
		d.TopPrincipals = append(d.TopPrincipals, *v)
	}
	for _, v := range byA {
		d.TopActions = append(d.TopActions, *v)
	}
	sort.Slice(d.TopPrincipals, func(i, j int) bool {
		a, c := d.TopPrincipals[i], d.TopPrincipals[j]
		return a.Count > c.Count || (a.Count == c.Count && a.ARN < c.ARN)
	})
	sort.Slice(d.TopActions, func(i, j int) bool {
		a, c := d.TopActions[i], d.TopActions[j]
		return a.Count > c.Count || (a.Count == c.Count && a.Action < c.Action)
	})
	d.TopPrincipals = d.TopPrincipals[:min(len(d.TopPrincipals), topDenied)]
	d.TopActions = d.TopActions[:min(len(d.TopActions), topDenied)]
	return d
}

// usageFirstUsed lists principal and action pairs with a successful call
// of the principal's own (not a service's on its behalf) in from..end and
// none before from. It needs logs from before the period to compare with.
func (b *builder) usageFirstUsed(ctx context.Context, end time.Time) error {
	f := &b.d.FirstUsed
	f.Source, f.Items = "usage", []FirstUse{}
	before, err := queries.FirstLogDayBefore(ctx, b.db, b.from, b.acct)
	if err != nil {
		return err
	}
	if before == nil {
		f.Reason = "no logs before " + b.per.From + " to compare with"
		return nil
	}
	f.Available = true
	firsts, err := queries.FirstUses(ctx, b.db, b.from, end, b.acct)
	if err != nil {
		return err
	}
	for _, r := range firsts {
		f.Total++
		if len(f.Items) < maxFirstUsed {
			f.Items = append(f.Items, FirstUse{ARN: r.ARN, Action: r.Action, FirstDay: dateString(r.FirstDay), Calls: r.Calls})
		}
	}
	if f.Total > 0 && dateString(*before) > b.per.PreviousFrom {
		b.caveat(fmt.Sprintf("the logs begin on %s: an action last used before that day counts as first used in %s", dateString(*before), b.per.Label))
	}
	return b.markGranted(ctx)
}

// markGranted says, for each first-use item, whether the snapshot found
// the action granted.
func (b *builder) markGranted(ctx context.Context) error {
	f := &b.d.FirstUsed
	if len(f.Items) == 0 {
		return nil
	}
	arns := make([]string, 0, len(f.Items))
	for _, it := range f.Items {
		arns = append(arns, it.ARN)
	}
	used, err := queries.UsedActions(ctx, b.db, b.d.Snapshot.ID, "", arns)
	if err != nil {
		return err
	}
	granted := map[[2]string]bool{}
	for _, u := range used {
		granted[[2]string{u.ARN, strings.ToLower(u.Action)}] = u.Granted
	}
	for i, it := range f.Items {
		if g, ok := granted[[2]string{it.ARN, strings.ToLower(it.Action)}]; ok {
			f.Items[i].Granted = &g
		}
	}
	return nil
}

// snapshotCoverage takes coverage from the snapshot's results (one per
// account; the analysis measures it per account over its window).
func (b *builder) snapshotCoverage() {
	c := &b.d.Coverage
	seen := map[string]bool{}
	for _, r := range b.cur {
		if seen[r.Account] || r.coverage == nil {
			continue
		}
		seen[r.Account] = true
		cv := r.coverage
		if c.Source == "" {
			c.Source, c.From, c.To, c.Days = "snapshot", b.d.Snapshot.WindowFrom, b.d.Snapshot.AsOf, b.d.Snapshot.WindowDays
		}
		ac := AccountCoverage{Account: r.Account, AccountName: b.names[r.Account], DaysWithLogs: cv.DaysWithLogs, Ratio: cv.Ratio, Gaps: []DateRange{}, Regions: []RegionCoverage{}}
		for _, g := range cv.Gaps {
			ac.Gaps = append(ac.Gaps, DateRange{From: g.From, To: g.To})
		}
		regions := make([]string, 0, len(cv.Regions))
		for reg := range cv.Regions {
			regions = append(regions, reg)
		}
		sort.Strings(regions)
		for _, reg := range regions {
			n := cv.Regions[reg]
			rc := RegionCoverage{Region: reg, DaysWithLogs: n, GapsUnknown: n < c.Days}
			if c.Days > 0 {
				rc.Ratio = float64(n) / float64(c.Days)
			}
			ac.Regions = append(ac.Regions, rc)
		}
		c.Accounts = append(c.Accounts, ac)
	}
	sort.Slice(c.Accounts, func(i, j int) bool { return c.Accounts[i].Account < c.Accounts[j].Account })
}

// maxUnmappedItems bounds the unmapped calls the report lists.
const maxUnmappedItems = 100

// unmappedCalls lists the snapshot's successful calls that map to no IAM
// action, by principal, event source and name.
func (b *builder) unmappedCalls() {
	u := Unmapped{Items: []UnmappedCall{}}
	for _, r := range b.cur {
		for _, c := range r.unmapped {
			u.Total += c.Calls
			if len(u.Items) < maxUnmappedItems {
				u.Items = append(u.Items, UnmappedCall{ARN: r.ARN, EventSource: c.EventSource, EventName: c.EventName, Calls: c.Calls, LastSeen: c.LastSeen.UTC()})
			}
		}
	}
	b.d.Unmapped = u
}

// maxLastAccessedItems bounds the seasonal actions and conflicts listed.
const maxLastAccessedItems = 100

// lastAccessed lists the snapshot's seasonal actions and evidence
// conflicts, by principal.
func (b *builder) lastAccessed() {
	la := LastAccessedEvidence{SeasonalItems: []SeasonalAction{}, ConflictItems: []EvidenceConflict{}}
	for _, r := range b.cur {
		if r.laInfo != nil {
			la.PrincipalsWith++
		}
		for _, s := range r.seasonal {
			la.Seasonal++
			if len(la.SeasonalItems) < maxLastAccessedItems {
				la.SeasonalItems = append(la.SeasonalItems, SeasonalAction{ARN: r.ARN, Action: s.Action, LastAccessed: s.LastAccessed.UTC(), ActionLevel: s.ActionLevel})
			}
		}
		for _, c := range r.conflict {
			la.Conflicts++
			if len(la.ConflictItems) < maxLastAccessedItems {
				la.ConflictItems = append(la.ConflictItems, EvidenceConflict{ARN: r.ARN, Action: c.Action, Kind: c.Kind, Detail: c.Detail})
			}
		}
	}
	b.d.LastAccessed = la
}

func (b *builder) snapshotDenied() {
	var pairs []deniedPair
	for _, r := range b.cur {
		for _, d := range r.denied {
			pairs = append(pairs, deniedPair{arn: r.ARN, action: d.Action, n: d.Count})
		}
	}
	b.d.Denied = topDeniedOf("snapshot", pairs)
	if len(pairs) == 0 {
		b.d.Denied.Source = ""
	}
}

// snapshotFirstUsed compares the snapshot's used actions with the
// previous snapshot's: an action used now, first in the period, and not
// used then is new.
func (b *builder) snapshotFirstUsed(ctx context.Context) error {
	f := &b.d.FirstUsed
	f.Source, f.Items = "snapshot", []FirstUse{}
	if b.d.Previous == nil {
		f.Reason = "no logs before " + b.per.From + " and no earlier analysis snapshot to compare with"
		return nil
	}
	f.Available = true
	cur, err := queries.UsedActions(ctx, b.db, b.d.Snapshot.ID, b.acct, nil)
	if err != nil {
		return err
	}
	old, err := queries.UsedActions(ctx, b.db, b.d.Previous.ID, b.acct, nil)
	if err != nil {
		return err
	}
	before := make(map[[2]string]bool, len(old))
	for _, u := range old {
		before[[2]string{u.ARN, strings.ToLower(u.Action)}] = true
	}
	for _, u := range cur {
		if before[[2]string{u.ARN, strings.ToLower(u.Action)}] || u.FirstUsed.Before(b.from) || day(u.FirstUsed).After(b.to) {
			continue
		}
		f.Total++
		if len(f.Items) < maxFirstUsed {
			g := u.Granted
			f.Items = append(f.Items, FirstUse{ARN: u.ARN, Action: u.Action, FirstDay: dateString(u.FirstUsed), Calls: u.Calls, Granted: &g})
		}
	}
	return nil
}

func (b *builder) finishSummary() {
	s := &b.d.Summary
	s.DeniedAttempts = b.d.Denied.Total
	s.FirstUsedActions = b.d.FirstUsed.Total
	if b.d.Denied.TopPrincipals == nil {
		b.d.Denied.TopPrincipals, b.d.Denied.TopActions = []DeniedPrincipal{}, []DeniedAction{}
	}
	if b.d.FirstUsed.Items == nil {
		b.d.FirstUsed.Items = []FirstUse{}
	}
	if b.d.Coverage.Accounts == nil {
		b.d.Coverage.Accounts = []AccountCoverage{}
	}
	for i, a := range b.d.Coverage.Accounts {
		if i == 0 || a.Ratio < s.LogCoverage {
			s.LogCoverage = a.Ratio
		}
	}
}

// resultCaveats adds the analysis's own caveats, each once with the
// number of principals it applies to, most frequent first.
func (b *builder) resultCaveats() {
	count := map[string]int{}
	for _, r := range b.cur {
		for _, c := range r.caveats {
			count[c]++
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if count[keys[i]] != count[keys[j]] {
			return count[keys[i]] > count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for i, k := range keys {
		if i == maxCaveats {
			b.caveat(fmt.Sprintf("... and %d more kinds of caveat in the analysis results", len(keys)-maxCaveats))
			break
		}
		b.caveat(fmt.Sprintf("%s (%s)", k, plural(count[k], "principal")))
	}
	if b.d.Caveats == nil {
		b.d.Caveats = []string{}
	}
}
