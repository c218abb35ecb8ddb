package snapdiff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// ErrTooFew is returned when fewer than two snapshots are stored and none
// were named.
var ErrTooFew = errors.New("fewer than two analysis snapshots are stored: run iamtrim analyze (or run) again after the evidence changes")

// Snapshot names one side of the comparison.
type Snapshot struct {
	ID            int64     `json:"id"`
	CreatedAt     time.Time `json:"created_at"`
	AsOf          string    `json:"as_of"`
	WindowDays    int       `json:"window_days"`
	AuthzSnapshot *int64    `json:"authz_snapshot"`
}

// Result is the change from From to To.
type Result struct {
	From              Snapshot `json:"from"`
	To                Snapshot `json:"to"`
	NewPrincipals     []string `json:"new_principals"`
	RemovedPrincipals []string `json:"removed_principals"`
	// Principals are those present in both with any change, by ARN.
	Principals []Change `json:"principals"`
	// Totals count the changes over all principals.
	Totals Totals `json:"totals"`
	// Notes say what could not be compared.
	Notes []string `json:"notes,omitempty"`
}

// Change is one principal's change.
type Change struct {
	ARN           string   `json:"arn"`
	GrantsAdded   []string `json:"grants_added"`
	GrantsRemoved []string `json:"grants_removed"`
	NewlyUsed     []string `json:"newly_used"`
	NewlyUnused   []string `json:"newly_unused"`
	RiskFrom      Risk     `json:"risk_from"`
	RiskTo        Risk     `json:"risk_to"`
}

// Risk is a principal's risk in one snapshot.
type Risk struct {
	Level string  `json:"level"`
	Score float64 `json:"score"`
}

// Totals count a Result's changes.
type Totals struct {
	NewPrincipals     int `json:"new_principals"`
	RemovedPrincipals int `json:"removed_principals"`
	GrantsAdded       int `json:"grants_added"`
	GrantsRemoved     int `json:"grants_removed"`
	NewlyUsed         int `json:"newly_used"`
	NewlyUnused       int `json:"newly_unused"`
	RiskChanges       int `json:"risk_changes"`
}

// Empty reports whether nothing changed.
func (r *Result) Empty() bool { return r.Totals == Totals{} }

// side is what one snapshot says of each principal.
type side struct {
	snap    Snapshot
	catalog *int64
	risk    map[string]Risk
	used    map[string][]string // granted actions used
	unused  map[string][]string
	granted map[string][]string // nil entry: not in the authorization snapshot
}

// Compare compares snapshot from with snapshot to; zero ids mean the
// newest snapshot (to) and the one before it (from).
func Compare(ctx context.Context, db *store.DB, from, to int64) (*Result, error) {
	if to == 0 {
		ids, err := newest(ctx, db)
		if err != nil {
			return nil, err
		}
		to = ids[0]
		if from == 0 {
			from = ids[1]
		}
	}
	b, err := load(ctx, db, to) // first: an unknown --to is named as such
	if err != nil {
		return nil, err
	}
	if from == 0 {
		prev, err := queries.AnalysisBefore(ctx, db, to)
		if errors.Is(err, queries.ErrNotFound) {
			return nil, ErrTooFew
		}
		if err != nil {
			return nil, err
		}
		from = prev
	}
	a, err := load(ctx, db, from)
	if err != nil {
		return nil, err
	}
	res := &Result{From: a.snap, To: b.snap, NewPrincipals: []string{}, RemovedPrincipals: []string{}, Principals: []Change{}}
	for arn := range b.risk {
		if _, ok := a.risk[arn]; !ok {
			res.NewPrincipals = append(res.NewPrincipals, arn)
		}
	}
	for arn := range a.risk {
		if _, ok := b.risk[arn]; !ok {
			res.RemovedPrincipals = append(res.RemovedPrincipals, arn)
		}
	}
	sort.Strings(res.NewPrincipals)
	sort.Strings(res.RemovedPrincipals)
	var both []string
	for arn := range b.risk {
		if _, ok := a.risk[arn]; ok {
			both = append(both, arn)
		}
	}
	sort.Strings(both)
	notCompared := 0
	for _, arn := range both {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := Change{ARN: arn, RiskFrom: a.risk[arn], RiskTo: b.risk[arn]}
		ga, gb := a.granted[arn], b.granted[arn]
		if ga != nil && gb != nil {
			c.GrantsAdded, c.GrantsRemoved = minus(gb, ga), minus(ga, gb)
		} else {
			notCompared++
		}
		c.NewlyUsed = minus(b.used[arn], a.used[arn])
		c.NewlyUnused = minus(b.unused[arn], a.unused[arn])
		riskChanged := c.RiskFrom != c.RiskTo
		if len(c.GrantsAdded)+len(c.GrantsRemoved)+len(c.NewlyUsed)+len(c.NewlyUnused) == 0 && !riskChanged {
			continue
		}
		t := &res.Totals
		t.GrantsAdded += len(c.GrantsAdded)
		t.GrantsRemoved += len(c.GrantsRemoved)
		t.NewlyUsed += len(c.NewlyUsed)
		t.NewlyUnused += len(c.NewlyUnused)
		if riskChanged {
			t.RiskChanges++
		}
		res.Principals = append(res.Principals, c)
	}
	res.Totals.NewPrincipals, res.Totals.RemovedPrincipals = len(res.NewPrincipals), len(res.RemovedPrincipals)
	if notCompared > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("grants of %d principal(s) not compared: not in the authorization snapshot one of the analyses names (an account loaded in a snapshot of its own)", notCompared))
	}
	if a.catalog == nil || b.catalog == nil {
		res.Notes = append(res.Notes, "an analysis used no action catalog: grants are compared as policy patterns")
	} else if *a.catalog != *b.catalog {
		res.Notes = append(res.Notes, fmt.Sprintf("the analyses used different catalog versions (%d, %d): actions AWS added or removed show as grants added or removed", *a.catalog, *b.catalog))
	}
	return res, nil
}

// minus is the sorted actions of a not in b; never nil.
func minus(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

func newest(ctx context.Context, db *store.DB) ([2]int64, error) {
	got, err := queries.NewestAnalyses(ctx, db, 2)
	if err != nil {
		return [2]int64{}, err
	}
	if len(got) < 2 {
		return [2]int64{}, ErrTooFew
	}
	return [2]int64{got[0], got[1]}, nil
}

// ErrNoSnapshot is returned for an id no snapshot has.
var ErrNoSnapshot = errors.New("no such analysis snapshot")

func load(ctx context.Context, db *store.DB, id int64) (*side, error) {
	s := &side{risk: map[string]Risk{}, used: map[string][]string{}, unused: map[string][]string{}, granted: map[string][]string{}}
	h, err := queries.AnalysisHeaderOf(ctx, db, id)
	if errors.Is(err, queries.ErrNotFound) {
		return nil, fmt.Errorf("%w: %d", ErrNoSnapshot, id)
	}
	if err != nil {
		return nil, err
	}
	s.snap = Snapshot{ID: h.ID, CreatedAt: h.CreatedAt, AsOf: h.AsOf.Format(time.DateOnly), WindowDays: h.WindowDays, AuthzSnapshot: h.AuthzSnapshot}
	s.catalog = h.CatalogVersion
	rows, err := queries.PrincipalChanges(ctx, db, id)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		arn := row.ARN
		r := Risk{Score: row.Risk}
		if row.Level != nil {
			r.Level = *row.Level
		}
		var u, n []string
		if err := json.Unmarshal(row.UsedGranted, &u); err != nil {
			return nil, fmt.Errorf("read analysis snapshot %d of %s: %w", id, arn, err)
		}
		if err := json.Unmarshal(row.Unused, &n); err != nil {
			return nil, fmt.Errorf("read analysis snapshot %d of %s: %w", id, arn, err)
		}
		slices.Sort(u)
		slices.Sort(n)
		s.risk[arn], s.used[arn], s.unused[arn] = r, slices.Compact(u), n
	}
	if s.snap.AuthzSnapshot == nil {
		return s, nil
	}
	inv, _, err := authz.LoadSnapshot(ctx, db, *s.snap.AuthzSnapshot)
	if err != nil {
		return nil, err
	}
	var cat *catalog.Catalog
	if s.catalog != nil {
		if cat, err = catalog.LoadVersion(ctx, db, *s.catalog); err != nil {
			return nil, err
		}
	}
	exp := authz.NewExpander(cat, nil)
	for _, p := range inv.Principals() {
		if _, ok := s.risk[p.ARN]; !ok {
			continue
		}
		eff, err := exp.Expand(ctx, p)
		var lim *authz.LimitError
		if errors.As(err, &lim) {
			continue // refused by the analysis too
		}
		if err != nil {
			return nil, err
		}
		g := make([]string, 0, len(eff.Grants))
		for k := range eff.Grants {
			g = append(g, k)
		}
		slices.Sort(g)
		s.granted[p.ARN] = g
	}
	return s, nil
}
