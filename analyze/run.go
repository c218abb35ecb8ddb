package analyze

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/iamtrim/iamtrim/lastaccess"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/trails"
)

// ErrNoPrincipal is returned (in an *authz.NameError that suggests the
// closest names) when --principal names nothing in the inventory; a name
// that matches several principals gives authz.ErrAmbiguousPrincipal.
var ErrNoPrincipal = authz.ErrNoPrincipal

// Evidence is what an analysis reads besides the usage rollup.
type Evidence struct {
	Inventory     *authz.Inventory
	AuthzSnapshot int64
	Catalog       *catalog.Catalog // nil: pattern level only
	Trails        *trails.Config
	TrailsID      int64
	SCPs          []policy.NamedPolicy
	// Org is the latest stored organisation (nil when none), OrgID its
	// snapshot.
	Org   *org.Org
	OrgID int64
}

// Options configure Run.
type Options struct {
	AsOf       time.Time
	WindowDays int
	// Principal limits the analysis to one principal (ARN or name).
	Principal string
	// Thresholds: nil means DefaultThresholds.
	Thresholds *Thresholds
	// NoStore skips writing the analysis snapshot.
	NoStore bool
	// Now is the clock AsOf is checked against: a window cannot end after
	// today. Zero skips the check.
	Now time.Time
}

// checkAsOf says whether AsOf is after Now's day (a zero Now checks
// nothing).
func (o Options) checkAsOf() error {
	if today := o.Now.UTC().Format(time.DateOnly); !o.Now.IsZero() && o.AsOf.UTC().Format(time.DateOnly) > today {
		return fmt.Errorf("%s is after today (%s): the window cannot end in the future", o.AsOf.UTC().Format(time.DateOnly), today)
	}
	return nil
}

// Validate names the first bad field.
func (o Options) Validate() error {
	if o.WindowDays <= 0 {
		return fmt.Errorf("window: want a positive number of days, got %d", o.WindowDays)
	}
	if o.AsOf.IsZero() {
		return errors.New("as-of: not set")
	}
	if err := o.checkAsOf(); err != nil {
		return fmt.Errorf("as-of: %w", err)
	}
	if th := o.Thresholds.OrDefault(); !(th.MinCoverage >= 0 && th.MinCoverage <= 1) { // NaN too
		return fmt.Errorf("min-coverage: want 0..1, got %v", th.MinCoverage)
	} else if th.MinDays < 0 {
		return fmt.Errorf("min-days: want 0 or more, got %d", th.MinDays)
	}
	return nil
}

// ParseWindow reads a window as a number of days: "90d", "12w", "2160h" or
// "90" (see package period).
func ParseWindow(s string) (int, error) {
	return period.Days(s)
}

// Run analyzes every principal of the inventory (or the one named) and
// stores the result as an analysis snapshot. Running it again on the same
// evidence finds the same snapshot instead of writing another.
func Run(ctx context.Context, db *store.DB, ev Evidence, opts Options, log *slog.Logger) (*Snapshot, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	w := NewWindow(opts.AsOf, opts.WindowDays)
	principals := ev.Inventory.Principals()
	if opts.Principal != "" {
		p, err := authz.ResolvePrincipal(principals, opts.Principal)
		if err != nil {
			return nil, err
		}
		principals = []authz.Principal{p}
	}
	var arns []string
	if opts.Principal != "" {
		for _, p := range principals {
			arns = append(arns, p.ARN)
		}
	}
	started := time.Now()
	usage, err := LoadUsage(ctx, db, w, arns)
	if err != nil {
		return nil, err
	}
	seen, err := LoadSeenServices(ctx, db, w)
	if err != nil {
		return nil, err
	}
	cov, err := LoadCoverage(ctx, db, w)
	if err != nil {
		return nil, err
	}
	// Last-accessed reports up to the day after the window: a later one
	// would let what happened after the window decide it (backtests).
	la, err := lastaccess.LoadLatest(ctx, db, w.To.AddDate(0, 0, 2), arns)
	if err != nil {
		return nil, err
	}
	log.Debug("evidence loaded", "principals", len(principals), "with_usage", len(usage), "elapsed", time.Since(started))

	exp := ev.NewExpander()
	pathless := PathlessARNs(ev.Inventory)
	profiles := ProfileRoles(ev.Inventory)
	snap := &Snapshot{
		AsOf: w.To.Format(time.DateOnly), WindowDays: w.Days,
		From: w.From.Format(time.DateOnly), To: w.To.Format(time.DateOnly),
		AuthzSnapshot: ev.AuthzSnapshot, Trails: ev.Trails.Summary(),
		Principals: make([]Result, 0, len(principals)),
	}
	if ev.Catalog != nil {
		snap.CatalogVersion = ev.Catalog.Version().Digest
	}
	for _, p := range principals {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, ok := cov[p.AccountID]
		if !ok {
			c = EmptyCoverage(w)
		}
		eff, err := exp.Expand(ctx, p)
		if le := (*authz.LimitError)(nil); errors.As(err, &le) {
			// One oversized principal must not stop the others.
			log.Error("principal refused: its policies exceed the limits", "principal", p.ARN, "statements", le.Statements, "chars", le.Chars, "condition_sets", le.ConditionSets)
			snap.Refused = append(snap.Refused, Refused{PrincipalARN: p.ARN, Reason: le.Error()})
			continue
		}
		if err != nil {
			return nil, err
		}
		r := Principal(Input{
			Principal: p, Effective: eff, Usage: usage[p.ARN], Catalog: ev.Catalog,
			Trails: ev.Trails.ForAccount(p.AccountID), Seen: seen[p.AccountID], Coverage: c, Window: w, Thresholds: opts.Thresholds,
			PathlessARNs: pathless, ProfileRoles: profiles, LastAccessed: la[p.ARN],
		})
		snap.Principals = append(snap.Principals, r)
	}
	SortByRisk(snap.Principals)
	log.Info("analyzed", "principals", len(snap.Principals), "refused", len(snap.Refused), "window", fmt.Sprintf("%s..%s", snap.From, snap.To), "elapsed", time.Since(started).Round(time.Millisecond))
	if opts.NoStore {
		return snap, nil
	}
	if err := saveSnapshot(ctx, db, snap, ev, opts); err != nil {
		return nil, err
	}
	return snap, nil
}

// stored is what analysis_principal.result keeps of a Result: everything
// but the Granted and Unobservable lists, which the authorization snapshot,
// catalog and trail configuration the snapshot names determine, and which
// run to tens of thousands of actions for administrators (their counts are
// columns of the row, and Unobservable is summarised by reason, with at
// most MaxStoredUnobservable of its actions listed).
type stored struct {
	Result
	Granted            []string       `json:"granted,omitempty"`
	Unobservable       []Unobservable `json:"unobservable,omitempty"`
	UnobservableCounts map[string]int `json:"unobservable_by_reason"`
	// UnobservableListed lists unobservable actions with their reason
	// (never their resources), bounded by listUnobservable; the counts by
	// reason say how many more each reason has.
	UnobservableListed []StoredUnobservable `json:"unobservable_listed,omitempty"`
	// Evidence is rebuilt like Granted; its counts by source are kept.
	Evidence       []ActionEvidence `json:"evidence,omitempty"`
	EvidenceCounts map[string]int   `json:"evidence_by_source,omitempty"`
}

// StoredJSON is r as analysis_principal.result keeps it.
func StoredJSON(r Result) ([]byte, error) {
	s := stored{Result: r, UnobservableCounts: map[string]int{}}
	for _, u := range r.Unobservable {
		s.UnobservableCounts[u.Reason]++
	}
	s.UnobservableListed = listUnobservable(r.Unobservable)
	if r.LastAccessed != nil {
		s.EvidenceCounts = map[string]int{}
		for _, e := range r.Evidence {
			s.EvidenceCounts[e.Source+"/"+e.Class]++
		}
	}
	return json.Marshal(s)
}

// MaxStoredUnobservable bounds the unobservable actions a snapshot lists
// per principal: an administrator whose data events go unlogged has
// thousands, and the snapshot keeps one row per principal per run.
const MaxStoredUnobservable = 800

// StoredUnobservable is one listed unobservable action of a stored
// analysis (analysis_principal.result->'unobservable_listed').
type StoredUnobservable struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

// listUnobservable picks at most MaxStoredUnobservable of us, sorted by
// reason then action, sharing the cap between reasons: each reason gets
// its first actions in turn, so a reason with a few actions is listed
// whole next to one with thousands.
func listUnobservable(us []Unobservable) []StoredUnobservable {
	if len(us) == 0 {
		return nil
	}
	by := map[string][]string{}
	for _, u := range us {
		by[u.Reason] = append(by[u.Reason], u.Action)
	}
	reasons := make([]string, 0, len(by))
	for r, acts := range by {
		reasons = append(reasons, r)
		sort.Strings(acts)
	}
	sort.Strings(reasons)
	take := map[string]int{}
	for n, more := 0, true; more && n < MaxStoredUnobservable; {
		more = false
		for _, r := range reasons {
			if take[r] < len(by[r]) && n < MaxStoredUnobservable {
				take[r]++
				n++
				more = true
			}
		}
	}
	out := make([]StoredUnobservable, 0, min(len(us), MaxStoredUnobservable))
	for _, r := range reasons {
		for _, a := range by[r][:take[r]] {
			out = append(out, StoredUnobservable{Action: a, Reason: r})
		}
	}
	return out
}

func saveSnapshot(ctx context.Context, db *store.DB, snap *Snapshot, ev Evidence, opts Options) error {
	bodies := make([][]byte, len(snap.Principals))
	params, _ := json.Marshal(map[string]any{"min_coverage": opts.Thresholds.OrDefault().MinCoverage, "min_days": opts.Thresholds.OrDefault().MinDays})
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%s|%s|%d|%d|%s|", snap.AsOf, snap.WindowDays, opts.Principal, snap.CatalogVersion, ev.AuthzSnapshot, ev.TrailsID, params)
	if ev.OrgID != 0 {
		fmt.Fprintf(h, "org %d|", ev.OrgID)
	}
	for i, r := range snap.Principals {
		b, err := StoredJSON(r)
		if err != nil {
			return fmt.Errorf("encode analysis of %s: %w", r.PrincipalARN, err)
		}
		bodies[i] = b
		h.Write(b)
	}
	digest := hex.EncodeToString(h.Sum(nil))

	var catID *int64
	if ev.Catalog != nil && ev.Catalog.Version().ID != 0 {
		id := ev.Catalog.Version().ID
		catID = &id
	}
	rows := make([]queries.AnalysisPrincipal, 0, len(snap.Principals))
	for i, r := range snap.Principals {
		var denied int64
		for _, d := range r.Denied {
			denied += d.Count
		}
		rows = append(rows, queries.AnalysisPrincipal{ARN: r.PrincipalARN, Kind: r.Type, Account: r.AccountID, Name: r.Name,
			Granted: len(r.Granted), Used: len(r.Used), Unused: len(r.Unused), Unobservable: len(r.Unobservable), Denied: denied,
			Risk: r.Risk.Score, HighRiskUnused: len(r.Risk.HighRiskUnused), Flags: r.Flags, LastUsed: r.LastUsed.Any, Result: bodies[i]})
	}
	asOf, err := time.Parse(time.DateOnly, snap.AsOf)
	if err != nil {
		return fmt.Errorf("save analysis: as_of %q: %w", snap.AsOf, err)
	}
	var created bool
	snap.ID, snap.CreatedAt, created, err = queries.SaveAnalysis(ctx, db, queries.AnalysisSnapshot{
		AsOf: asOf, WindowDays: snap.WindowDays, CatalogVersion: catID, AuthzSnapshot: ev.AuthzSnapshot,
		TrailConfig: ev.TrailsID, Scope: opts.Principal, Params: params, Digest: digest, CreatedAt: opts.Now,
	}, rows)
	snap.Reused = !created
	return err
}
