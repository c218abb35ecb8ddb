package backtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Default window lengths, in days.
const (
	DefaultTrainDays = 60
	DefaultTestDays  = 30
)

// maxDenials bounds the denied calls listed per principal (the counts
// stay exact).
const maxDenials = 50

// Options configure Run.
type Options struct {
	// AsOf is the last day of the test window; the training window ends
	// the day before the test window starts.
	AsOf      time.Time
	TrainDays int
	TestDays  int
	// Principals are ARNs or names; empty means every role (as
	// `recommend --all`).
	Principals []string
	Thresholds *analyze.Thresholds // nil: analyze.DefaultThresholds
	// Recommend are the options the recommendations are made with.
	Recommend recommend.Options
}

// Validate names the first bad field.
func (o Options) Validate() error {
	if o.AsOf.IsZero() {
		return errors.New("as-of: not set")
	}
	if o.TrainDays <= 0 {
		return fmt.Errorf("train: want a positive number of days, got %d", o.TrainDays)
	}
	if o.TestDays <= 0 {
		return fmt.Errorf("test: want a positive number of days, got %d", o.TestDays)
	}
	return o.Recommend.Validate()
}

// Windows returns the training window and the test window that follows
// it, ending on AsOf.
func (o Options) Windows() (train, test analyze.Window) {
	test = analyze.NewWindow(o.AsOf, o.TestDays)
	train = analyze.NewWindow(test.From.AddDate(0, 0, -1), o.TrainDays)
	return train, test
}

// Span is a window as the report writes it.
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
}

func span(w analyze.Window) Span {
	return Span{From: w.From.Format(time.DateOnly), To: w.To.Format(time.DateOnly), Days: w.Days}
}

// Report is a backtest of every principal asked for. Its JSON fields are
// stable: added, never renamed or removed.
type Report struct {
	AsOf       string   `json:"as_of"`
	Train      Span     `json:"train"`
	Test       Span     `json:"test"`
	Principals []Result `json:"principals"`
	Totals     Totals   `json:"totals"`
}

// Totals sum the principals' results.
type Totals struct {
	Principals      int   `json:"principals"`
	Unproven        int   `json:"unproven"`
	TestCalls       int64 `json:"test_calls"`
	Denied          int64 `json:"denied"`
	DeniedTrained   int64 `json:"denied_trained"`
	DeniedUntrained int64 `json:"denied_untrained"`
	NotGranted      int64 `json:"not_granted"`
	Unmapped        int64 `json:"unmapped"`
	// Granted and Removed count granted actions over every principal;
	// RemovedShare is Removed / Granted.
	Granted      int     `json:"granted"`
	Removed      int     `json:"removed"`
	RemovedShare float64 `json:"removed_share"`
}

// Result is the backtest of one principal.
type Result struct {
	PrincipalARN string `json:"principal_arn"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	// Proven is the recommendation's proof on the training window.
	Proven bool `json:"proven"`
	// InsufficientEvidence: the training window's logs were too thin, so
	// the recommendation removes nothing.
	InsufficientEvidence bool `json:"insufficient_evidence"`
	// Granted counts the actions the current policies grant; Removed those
	// the recommendation removes; RemovedShare is Removed / Granted.
	Granted      int     `json:"granted"`
	Removed      int     `json:"removed"`
	RemovedShare float64 `json:"removed_share"`
	// KeptUnobservable counts unobservable actions the recommendation
	// keeps: what neither training nor test logs can show.
	KeptUnobservable int `json:"kept_unobservable"`
	// TestCalls are the successful calls of the test window replayed;
	// Allowed and Denied split them; DeniedTrained are denied calls of
	// actions used in training (a defect of the tool), DeniedUntrained of
	// actions never used in training (seasonal or new work).
	TestCalls       int64 `json:"test_calls"`
	Allowed         int64 `json:"allowed"`
	Denied          int64 `json:"denied"`
	DeniedTrained   int64 `json:"denied_trained"`
	DeniedUntrained int64 `json:"denied_untrained"`
	// NotGranted are test calls the current identity policies do not
	// allow (a resource policy did): not counted in TestCalls.
	NotGranted int64 `json:"not_granted"`
	// Unmapped are successful test calls no IAM action is known for: they
	// cannot be replayed.
	Unmapped      int64          `json:"unmapped"`
	Denials       []Denial       `json:"denials,omitempty"`
	UnmappedCalls []UnmappedCall `json:"unmapped_calls,omitempty"`
}

// Broken reports whether the recommendation denies a test call of an
// action used in training.
func (r Result) Broken() bool { return r.DeniedTrained > 0 }

// Denial is a test call the recommendation denies.
type Denial struct {
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	Calls    int64  `json:"calls"`
	// Trained is true when the action was used in training.
	Trained bool `json:"trained"`
	// Training is what the training analysis said of the action: used,
	// unused, "unobservable (REASON)" or not-granted.
	Training string `json:"training"`
	// Cause, for an action used in training, says what the
	// recommendation missed: CauseMinted, CauseSeen, CauseNoResource,
	// CauseNewResource or CauseFolded; "" for actions never used in
	// training.
	Cause string `json:"cause,omitempty"`
	// Reason is the evaluator's.
	Reason string `json:"reason"`
}

// Causes of a denied call of an action used in training.
const (
	// CauseMinted: the resource is one the workload mints as it runs
	// (package lifecycle's table): a lifecycle defect.
	CauseMinted = "minted-resource"
	// CauseSeen: the same action on the same resource succeeded in
	// training: a logging or mapping defect.
	CauseSeen = "resource-seen-in-training"
	// CauseNoResource: the call named no resource.
	CauseNoResource = "no-resource-named"
	// CauseNewResource: a stable resource the principal did not touch in
	// training: the recommendation kept the resources seen (fewer than
	// --collapse-at of them) and this one is new work on an old resource.
	CauseNewResource = "stable-resource-not-seen-in-training"
	// CauseFolded: the call is on a fold pattern (a test day touched
	// more than ingest's --collapse-at resources of one kind) that the
	// recommendation does not allow whole: it kept the resources seen in
	// training, and some of the pattern's may be new.
	CauseFolded = "folded-resources"
)

// UnmappedCall is an event name of the test window with no known action.
type UnmappedCall struct {
	EventSource string `json:"event_source"`
	EventName   string `json:"event_name"`
	Calls       int64  `json:"calls"`
}

// Broken counts the principals whose recommendation denies test calls of
// actions used in training.
func (r *Report) Broken() int {
	n := 0
	for _, p := range r.Principals {
		if p.Broken() {
			n++
		}
	}
	return n
}

// Run recommends for each principal from the training window, exactly as
// `iamtrim recommend` does, and replays the test window's calls against
// the recommendation. Nothing is stored (see Save).
func Run(ctx context.Context, db *store.DB, ev analyze.Evidence, opts Options, log *slog.Logger) (*Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	started := time.Now()
	var err error
	if opts.Recommend, err = opts.Recommend.AtStoredDepth(ctx, db, log); err != nil {
		return nil, err
	}
	train, test := opts.Windows()
	results, err := trainingResults(ctx, db, ev, opts, train, log)
	if err != nil {
		return nil, err
	}
	arns := make([]string, len(results))
	for i, r := range results {
		arns[i] = r.PrincipalARN
	}
	calls, err := LoadTestCalls(ctx, db, test, arns)
	if err != nil {
		return nil, err
	}
	unmapped, err := LoadUnmapped(ctx, db, test, arns)
	if err != nil {
		return nil, err
	}
	remapTestCalls(ev.Catalog, calls, unmapped)

	exp := ev.NewExpander()
	byARN := map[string]authz.Principal{}
	for _, p := range ev.Inventory.Principals() {
		byARN[p.ARN] = p
	}
	resolve := analyze.Input{PathlessARNs: analyze.PathlessARNs(ev.Inventory), ProfileRoles: analyze.ProfileRoles(ev.Inventory)}
	rep := &Report{AsOf: test.To.Format(time.DateOnly), Train: span(train), Test: span(test), Principals: make([]Result, 0, len(results))}
	for _, r := range results {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := byARN[r.PrincipalARN]
		eff, err := exp.Expand(ctx, p)
		if err != nil {
			return nil, err
		}
		in := recommend.Input{Principal: p, Effective: eff, Result: r, Catalog: ev.Catalog}
		rec, err := recommend.Recommend(ctx, in, opts.Recommend)
		if err != nil {
			return nil, fmt.Errorf("recommend %s: %w", r.PrincipalARN, err)
		}
		res := replay(in, rec, calls[r.PrincipalARN], resolve)
		res.UnmappedCalls = unmapped[r.PrincipalARN]
		for _, u := range res.UnmappedCalls {
			res.Unmapped += u.Calls
		}
		rep.add(res)
	}
	log.Info("backtested", "principals", len(rep.Principals), "train", rep.Train.From+".."+rep.Train.To, "test", rep.Test.From+".."+rep.Test.To,
		"test_calls", rep.Totals.TestCalls, "denied_trained", rep.Totals.DeniedTrained, "denied_untrained", rep.Totals.DeniedUntrained,
		"elapsed", time.Since(started).Round(time.Millisecond))
	return rep, nil
}

func (rep *Report) add(r Result) {
	rep.Principals = append(rep.Principals, r)
	t := &rep.Totals
	t.Principals++
	if !r.Proven {
		t.Unproven++
	}
	t.TestCalls += r.TestCalls
	t.Denied += r.Denied
	t.DeniedTrained += r.DeniedTrained
	t.DeniedUntrained += r.DeniedUntrained
	t.NotGranted += r.NotGranted
	t.Unmapped += r.Unmapped
	t.Granted += r.Granted
	t.Removed += r.Removed
	t.RemovedShare = share(t.Removed, t.Granted)
}

func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// trainingResults analyzes the training window as `recommend` does: every
// role, or the principals named (roles or users), without storing a
// snapshot.
func trainingResults(ctx context.Context, db *store.DB, ev analyze.Evidence, opts Options, w analyze.Window, log *slog.Logger) ([]analyze.Result, error) {
	aopts := analyze.Options{AsOf: w.To, WindowDays: w.Days, Thresholds: opts.Thresholds, NoStore: true}
	if len(opts.Principals) == 0 {
		snap, err := analyze.Run(ctx, db, ev, aopts, log)
		if err != nil {
			return nil, err
		}
		var out []analyze.Result
		for _, r := range snap.Principals {
			if r.Type == authz.TypeRole {
				out = append(out, r)
			}
		}
		return out, nil
	}
	var out []analyze.Result
	seen := map[string]bool{}
	for _, name := range opts.Principals {
		aopts.Principal = name
		snap, err := analyze.Run(ctx, db, ev, aopts, log)
		if err != nil {
			return nil, err
		}
		for _, r := range snap.Principals {
			if !seen[r.PrincipalARN] {
				seen[r.PrincipalARN] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Call is one row of the test window's usage: successful calls of an
// action on a resource ("" when the events named none).
type Call struct {
	Action   string
	Resource string
	Calls    int64
}

// remapTestCalls moves each principal's unmapped test calls that map
// under cat (analyze.StoredActions, as the analysis of the training window
// maps them) to its calls, on no resource (the rollup kept none): they are
// replayed, as those of training counted as used. The others stay
// unmapped.
func remapTestCalls(cat *catalog.Catalog, calls map[string][]Call, unmapped map[string][]UnmappedCall) {
	for arn, us := range unmapped {
		var still []UnmappedCall
		added := false
		for _, u := range us {
			acts := analyze.StoredActions(cat, u.EventSource, u.EventName)
			if len(acts) == 0 {
				still = append(still, u)
				continue
			}
			for _, a := range acts {
				calls[arn] = append(calls[arn], Call{Action: a, Calls: u.Calls})
			}
			added = true
		}
		if !added {
			continue
		}
		slices.SortStableFunc(calls[arn], func(a, b Call) int {
			return cmp.Or(strings.Compare(a.Action, b.Action), strings.Compare(a.Resource, b.Resource))
		})
		if len(still) == 0 {
			delete(unmapped, arn)
		} else {
			unmapped[arn] = still
		}
	}
}

// replay checks each test call against the recommended policies.
func replay(in recommend.Input, rec *recommend.Recommendation, calls []Call, resolve analyze.Input) Result {
	r := in.Result
	res := Result{PrincipalARN: r.PrincipalARN, Name: r.Name, Type: r.Type, Proven: rec.Proof.Proven,
		InsufficientEvidence: !r.Coverage.Sufficient,
		Granted:              rec.Proof.Kept + rec.Proof.Removed, Removed: rec.Proof.Removed}
	res.RemovedShare = share(res.Removed, res.Granted)
	for _, n := range rec.Statements {
		if n.Kind == "unobservable" {
			res.KeptUnobservable += n.Actions
		}
	}
	seenRes := map[string]bool{}
	for _, u := range r.Used {
		for _, x := range u.Resources {
			seenRes[strings.ToLower(u.Action)+"|"+x] = true
		}
	}
	training := map[string]string{}
	for _, a := range r.Unused {
		training[strings.ToLower(a)] = "unused"
	}
	for _, u := range r.Unobservable {
		training[strings.ToLower(u.Action)] = "unobservable (" + u.Reason + ")"
	}
	for _, u := range r.Used {
		training[strings.ToLower(u.Action)] = "used"
	}
	grants := make(map[string]*authz.Grant, len(in.Effective.Grants))
	for a, g := range in.Effective.Grants {
		grants[strings.ToLower(a)] = g
	}
	newSet := policy.PolicySet{}
	for i, d := range rec.Policies {
		newSet.Identity = append(newSet.Identity, policy.NamedPolicy{Name: fmt.Sprintf("recommended-%d", i+1), Kind: policy.KindManaged, Doc: d})
	}
	cur := policy.PolicySet{Identity: in.Principal.Policies.Identity}
	check := recommend.NewPatternCheck(cur, newSet)

	denials := map[[2]string]*Denial{}
	for _, c := range calls {
		resources := []string{""}
		// The rollup's overflow row (calls beyond the cap of distinct
		// resources) names no resource: replayed as such.
		if c.Resource != "" && c.Resource != queries.MoreResources {
			resolved, ok := analyze.ResolveResource(resolve, c.Action, c.Resource)
			if ok && len(resolved) > 0 {
				resources = resolved
			} else {
				resources = []string{c.Resource}
			}
		}
		for _, rs := range resources {
			granted, allowed, reason := decide(cur, newSet, check, grants[strings.ToLower(c.Action)], c.Action, rs)
			if !granted {
				res.NotGranted += c.Calls
				continue
			}
			res.TestCalls += c.Calls
			if allowed {
				res.Allowed += c.Calls
				continue
			}
			res.Denied += c.Calls
			status, ok := training[strings.ToLower(c.Action)]
			if !ok {
				status = "not-granted"
			}
			trained := status == "used"
			if trained {
				res.DeniedTrained += c.Calls
			} else {
				res.DeniedUntrained += c.Calls
			}
			k := [2]string{c.Action, rs}
			if d := denials[k]; d != nil {
				d.Calls += c.Calls
				continue
			}
			d := &Denial{Action: c.Action, Resource: rs, Calls: c.Calls, Trained: trained, Training: status, Reason: reason}
			if trained {
				d.Cause = cause(seenRes, c.Action, rs)
			}
			denials[k] = d
		}
	}
	for _, d := range denials {
		res.Denials = append(res.Denials, *d)
	}
	sort.Slice(res.Denials, func(i, j int) bool {
		a, b := res.Denials[i], res.Denials[j]
		if a.Trained != b.Trained {
			return a.Trained
		}
		if a.Calls != b.Calls {
			return a.Calls > b.Calls
		}
		return a.Action+"|"+a.Resource < b.Action+"|"+b.Resource
	})
	if len(res.Denials) > maxDenials {
		res.Denials = res.Denials[:maxDenials]
	}
	return res
}

// cause says why a call of an action used in training was denied.
func cause(seen map[string]bool, action, resource string) string {
	switch {
	case resource == "":
		return CauseNoResource
	case seen[strings.ToLower(action)+"|"+resource]:
		return CauseSeen
	case analyze.IsResourcePattern(resource):
		return CauseFolded
	}
	if _, minted := lifecycle.Volatile(resource); minted {
		return CauseMinted
	}
	return CauseNewResource
}

// decide replays one call: granted is false when the current identity
// policies do not allow it (it is then no test of the recommendation);
// allowed says whether the recommended policies do, and reason why not.
func decide(cur, rec policy.PolicySet, check *recommend.PatternCheck, g *authz.Grant, action, resource string) (granted, allowed bool, reason string) {
	if resource == "" {
		// The events named no resource: the recommendation keeps such an
		// action on the current grant's scope, so the call is allowed when
		// the recommended policies allow the action on one of the current
		// grant's resource patterns.
		scopes := []string{"*"}
		if g != nil && len(g.Resources) > 0 && len(g.NotResources) == 0 {
			scopes = g.Resources
		}
		granted = g != nil
		for _, s := range scopes {
			req := policy.Request{Action: action, Resource: resourceOrEmpty(s)}
			if g == nil {
				if c := policy.Evaluate(cur, req); c.Effect == policy.Allow || c.Conditional {
					granted = true
				}
			}
			ok, why := allows(cur, rec, req)
			if ok {
				return granted, true, ""
			}
			reason = why
		}
		return granted, false, reason
	}
	if strings.ContainsAny(resource, "*?") {
		return decidePattern(cur, check, g, action, resource)
	}
	req := policy.Request{Action: action, Resource: resource}
	if c := policy.Evaluate(cur, req); c.Effect != policy.Allow && !c.Conditional {
		return false, false, ""
	}
	ok, why := allows(cur, rec, req)
	return true, ok, why
}

// decidePattern replays calls on a stored resource pattern: a fold
// pattern (a test day past ingest's --collapse-at resources of one kind)
// or another generalisation ingest stored, standing for calls on
// resources of it not known one by one. They are granted when the
// current grant could have allowed some resource of the pattern (one of
// its patterns overlaps it), and allowed only when the recommendation
// passes the proof's check of a stored pattern (recommend.PatternCheck:
// it allows the whole pattern, or each current grant pattern that
// overlaps it, under that grant's conditions), so that a call on any
// resource the pattern may stand for that the recommendation would deny
// counts as denied.
func decidePattern(cur policy.PolicySet, check *recommend.PatternCheck, g *authz.Grant, action, pattern string) (granted, allowed bool, reason string) {
	if g == nil {
		c := policy.Evaluate(cur, policy.Request{Action: action, Resource: pattern})
		granted = c.Effect == policy.Allow || c.Conditional
	} else {
		granted = len(g.NotResources) > 0
		for _, r := range g.Resources {
			granted = granted || policy.PatternsOverlap(r, pattern)
		}
	}
	if !granted {
		return false, false, ""
	}
	if why := check.Covered(g, action, pattern); why != "" {
		return true, false, why
	}
	return true, true, ""
}

// allows is the proof's rule for one request: allowed, or decided the
// same way by the same missing context key as the current policies.
func allows(cur, rec policy.PolicySet, req policy.Request) (bool, string) {
	d := policy.Evaluate(rec, req)
	if d.Effect == policy.Allow {
		return true, ""
	}
	if d.Conditional {
		if c := policy.Evaluate(cur, req); c.Conditional && c.Effect == d.Effect {
			return true, ""
		}
	}
	return false, d.Reason
}

func resourceOrEmpty(s string) string {
	if s == "*" {
		return ""
	}
	return s
}
