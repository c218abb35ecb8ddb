package recommend

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/internal/sharedtest"
	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/trails"
)

// mintedARN is a random resource of a lifecycle rule's type: the stable
// values it was made from, and the fresh token every minted value holds.
type mintedARN struct {
	rule   lifecycle.Rule
	stable map[string]string
	arn    string
	token  string // in every minted segment; never in a recommendation
}

var tokenRE = regexp.MustCompile(`[0-9a-f]{12}|[0-9]{5}`)

// mint instantiates r with the given stable values and fresh minted ones.
func mint(rng *rand.Rand, r lifecycle.Rule, stable map[string]string) mintedARN {
	hex := fmt.Sprintf("%012x", rng.Uint64()&0xffffffffffff|0x100000000000)
	if !strings.ContainsAny(hex, "0123456789") {
		hex = "1" + hex[1:]
	}
	num := fmt.Sprint(10000 + rng.IntN(89999))
	date := fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
	vals := map[string]string{}
	for k, v := range stable {
		vals[k] = v
	}
	tok := hex
	for _, s := range r.Volatile {
		switch s.Cut {
		case lifecycle.Whole:
			vals[s.Variable] = pick(rng, []string{hex, "i-0" + hex, hex + "-aaaa-4bbb-8ccc-0d1e2f3a4b5c", strings.ReplaceAll(date, "-", "/") + "/[$LATEST]" + hex})
		case lifecycle.Number:
			vals[s.Variable], tok = num, num
		case lifecycle.Name:
			vals[s.Variable] = stable["prefix"] + date + "-" + hex
		case lifecycle.Path:
			vals[s.Variable] = map[string]string{
				"partitions": "events/dt=" + date + "/part-" + hex + ".parquet",
				"dates":      strings.ReplaceAll(date, "-", "/") + "/" + hex + ".json",
				"uploads":    "uploads/u-" + hex + ".png",
			}[stable["layout"]]
		case lifecycle.Qualifier:
			vals[s.Variable] = "api-ci:" + hex
		}
	}
	return mintedARN{rule: r, stable: stable, arn: r.Instantiate(vals), token: tok}
}

// TestRecommendationsHoldNoMintedIdentifiers generates random resources of
// the lifecycle table's types with random minted ids, random grants over
// them, and observed use; every proven recommendation must (1) name no
// minted id the current policies do not name themselves, (2) allow
// nothing the current policies do not, checked by brute force over the
// seen resources and fresh ones of the same types, and (3) allow
// tomorrow's resources (same stable parent, new ids) wherever the current
// policies do, for every action it keeps.
func TestRecommendationsHoldNoMintedIdentifiers(t *testing.T) {
	dir := os.Getenv("IAMTRIM_CATALOG")
	if dir == "" {
		dir = sharedtest.Dir(t, "catalog")
	}
	cat, err := catalog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The catalog actions authorised on each rule's resource type.
	type typed struct {
		rule    lifecycle.Rule
		actions []string
	}
	var types []typed
	byType := map[string]int{}
	for _, r := range lifecycle.Rules() {
		byType[r.Service+"|"+strings.ToLower(r.Type)] = len(types)
		types = append(types, typed{rule: r})
	}
	for _, a := range cat.Actions() {
		info, _ := cat.ActionInfo(a)
		for _, res := range info.Resources {
			if i, ok := byType[service(a)+"|"+strings.ToLower(res.Name)]; ok {
				types[i].actions = append(types[i].actions, a)
			}
		}
	}
	var usable []typed
	for _, ty := range types {
		if len(ty.actions) > 0 {
			usable = append(usable, ty)
		}
	}
	if len(usable) < 40 {
		t.Fatalf("only %d lifecycle types have catalog actions", len(usable))
	}

	rng := rand.New(rand.NewPCG(3, 5))
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	proven, survived := 0, 0
	const iterations = 400
	for iter := range iterations {
		// Resources of one to three types, a few each, sharing stable parents.
		var seen []mintedARN
		actionOf := map[string]string{}
		for range 1 + rng.IntN(3) {
			ty := pick(rng, usable)
			stable := map[string]string{"Partition": "aws", "Region": pick(rng, []string{"us-east-1", "eu-west-1"}), "Account": "111122223333", "AccountId": "111122223333",
				// How the workload names what it mints: a name prefix, a key layout.
				"prefix": pick(rng, []string{"nightly-", "churn-model-", ""}), "layout": pick(rng, []string{"partitions", "dates", "uploads"})}
			for _, v := range ty.rule.Variables() {
				if _, ok := stable[v]; !ok {
					stable[v] = pick(rng, []string{"orders", "web"})
				}
			}
			action := pick(rng, ty.actions)
			for range 1 + rng.IntN(4) {
				m := mint(rng, ty.rule, stable)
				seen = append(seen, m)
				actionOf[m.arn] = action
			}
		}
		// Grants: wide, service-wide, the stable parent, or exact ids.
		var stmts []string
		for i := range 1 + rng.IntN(3) {
			m := pick(rng, seen)
			parent, _, _ := lifecycle.Generalize(m.arn)
			res := pick(rng, []string{"*", "arn:aws:" + service(actionOf[m.arn]) + ":*", parent, parent, m.arn})
			act := pick(rng, []string{actionOf[m.arn], service(actionOf[m.arn]) + ":*"})
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":%q,"Resource":%q}`, i, act, res))
		}
		p, doc := randomRole(t, iter, stmts)
		cur := policy.PolicySet{Identity: p.Policies.Identity}
		eff := mustExpand(t, p, cat)
		usage := &analyze.PrincipalUsage{Actions: map[string]*analyze.ActionUsage{}}
		var used []mintedARN
		for _, m := range seen {
			a := actionOf[m.arn]
			if policy.Evaluate(cur, policy.Request{Action: a, Resource: m.arn}).Effect != policy.Allow {
				continue
			}
			used = append(used, m)
			addUse(usage, a, m.arn, day)
		}
		result := analyze.Principal(analyze.Input{
			Principal: p, Effective: eff, Usage: usage, Catalog: cat, Trails: trails.UnknownConfig(),
			Seen:     map[string]bool{},
			Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1},
			Window:   analyze.NewWindow(day, 90),
		})
		rec, err := Recommend(context.Background(), Input{Principal: p, Effective: eff, Result: result, Catalog: cat}, Options{Unobservable: UnobservableDrop})
		if err != nil {
			t.Fatalf("iteration %d: %v", iter, err)
		}
		newDoc, _ := json.Marshal(rec.Policies)
		if !rec.Proof.Proven {
			t.Errorf("iteration %d: not proven: %v %v\ncurrent: %s\nnew: %s", iter, rec.Proof.ObservedFailures, rec.Proof.BroaderFailures, doc, newDoc)
			continue
		}
		proven++
		newSet := policy.PolicySet{}
		for _, d := range rec.Policies {
			newSet.Identity = append(newSet.Identity, policy.NamedPolicy{Name: "new", Kind: policy.KindManaged, Doc: d})
		}
		// (1) No minted id the current policies do not name.
		for _, d := range rec.Policies {
			for _, st := range d.Statements {
				for _, r := range st.Resource {
					for _, tok := range tokenRE.FindAllString(r, -1) {
						if !strings.Contains(doc, tok) {
							t.Fatalf("iteration %d: %s names the minted %s\ncurrent: %s\nnew: %s", iter, r, tok, doc, newDoc)
						}
					}
				}
			}
		}
		// (2) and (3) over the seen resources and tomorrow's.
		universe := map[string]mintedARN{}
		for _, m := range seen {
			universe[m.arn] = m
			f := mint(rng, m.rule, m.stable)
			universe[f.arn] = f
		}
		for _, m := range seen {
			a := actionOf[m.arn]
			for arn := range universe {
				req := policy.Request{Action: a, Resource: arn}
				if policy.Evaluate(newSet, req).Effect == policy.Allow && policy.Evaluate(cur, req).Effect != policy.Allow {
					t.Fatalf("iteration %d: the recommendation allows %s on %s, the current policy does not\ncurrent: %s\nnew: %s", iter, a, arn, doc, newDoc)
				}
			}
		}
		for _, m := range used {
			a := actionOf[m.arn]
			f := mint(rng, m.rule, m.stable)
			req := policy.Request{Action: a, Resource: f.arn}
			if policy.Evaluate(cur, req).Effect != policy.Allow {
				continue
			}
			if policy.Evaluate(newSet, req).Effect != policy.Allow {
				t.Fatalf("iteration %d: tomorrow's %s on %s (used today on %s) is denied by the recommendation, the current policy allows it\ncurrent: %s\nnew: %s", iter, a, f.arn, m.arn, doc, newDoc)
			}
			survived++
		}
	}
	t.Logf("%d of %d recommendations proven; %d of tomorrow's calls allowed as today", proven, iterations, survived)
	if survived < iterations {
		t.Errorf("only %d calls of tomorrow checked: the generator is off", survived)
	}
}
