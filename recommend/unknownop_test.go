package recommend

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/trails"
)

// A grant under a condition operator the evaluator does not know (issue
// 10 item 20) is kept as a conditional statement: the recommendation
// carries the condition as written, carries the possible Deny, is proven,
// and grants nothing the current policies do not.
func TestUnknownOperatorCarriedAndProven(t *testing.T) {
	const doc = `{"UserDetailList":[],"GroupDetailList":[],"Policies":[],"RoleDetailList":[
	 {"Path":"/","RoleName":"reader","RoleId":"AROA8","Arn":"arn:aws:iam::111122223333:role/reader","CreateDate":"2025-01-01T00:00:00Z",
	  "RolePolicyList":[{"PolicyName":"data","PolicyDocument":{"Version":"2012-10-17","Statement":[
	   {"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*","Condition":{"StringEqualsFuture":{"aws:PrincipalTag/team":"data"}}},
	   {"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/*"},
	   {"Sid":"Hold","Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"legal-hold"}}}]}}]}]}`
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := authz.Parse(strings.NewReader(doc), "t.json")
	if err != nil {
		t.Fatalf("an unknown operator rejected the document: %v", err)
	}
	p, _ := inv.Principal("arn:aws:iam::111122223333:role/reader")
	eff := mustExpand(t, p, cat)
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	use := func(action, res string) *analyze.ActionUsage {
		return &analyze.ActionUsage{Action: action, Used: 3, Own: 3, FirstUsed: day, LastUsed: day, Via: map[string]int64{}, Resources: map[string]int64{res: 3}}
	}
	res := analyze.Principal(analyze.Input{
		Principal: p, Effective: eff, Catalog: cat, Trails: trails.UnknownConfig(),
		Usage: &analyze.PrincipalUsage{Actions: map[string]*analyze.ActionUsage{
			"s3:GetObject": use("s3:GetObject", "arn:aws:s3:::data/in/a.csv"),
			"s3:PutObject": use("s3:PutObject", "arn:aws:s3:::data/out/b.csv"),
		}},
		Seen:     map[string]bool{"s3": true},
		Coverage: analyze.Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1},
		Window:   analyze.NewWindow(day, 90),
	})
	rec, err := Recommend(context.Background(), Input{Principal: p, Effective: eff, Result: res, Catalog: cat}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Proof.Proven {
		t.Fatalf("not proven:\n%s", Summary(rec))
	}
	var getConds, denies int
	set := policy.PolicySet{}
	for _, d := range rec.Policies {
		set.Identity = append(set.Identity, policy.NamedPolicy{Name: "rec", Kind: policy.KindManaged, Doc: d})
		for _, st := range d.Statements {
			switch {
			case st.Effect == policy.EffectDeny:
				if len(st.Conditions) == 1 && st.Conditions[0].Unknown() {
					denies++
				}
			case len(st.Action) == 1 && st.Action[0] == "s3:GetObject":
				if len(st.Conditions) != 1 || st.Conditions[0].OperatorName() != "StringEqualsFuture" {
					t.Errorf("s3:GetObject statement %s: conditions %v, want the StringEqualsFuture one carried over", st.Sid, st.Conditions)
				}
				getConds++
			}
		}
		if _, err := d.MarshalIndent(); err != nil {
			t.Errorf("recommended policy does not validate: %v", err)
		}
	}
	if getConds != 1 || denies != 1 {
		t.Errorf("%d s3:GetObject statements and %d possible Denies carried, want 1 and 1:\n%s", getConds, denies, Summary(rec))
	}
	// Never broader: the read under the unknown condition is never an
	// unconditional Allow in the recommendation.
	if ok, _ := policy.AllowsAll(set, "s3:GetObject", "arn:aws:s3:::data/in/*"); ok {
		t.Error("the recommendation allows s3:GetObject unconditionally; the current grant does only under StringEqualsFuture")
	}
	if d := policy.Evaluate(set, policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/in/a.csv"}); d.Effect == policy.Allow || !d.Conditional {
		t.Errorf("s3:GetObject under the unknown operator: %v conditional %v, want an undecided (conditional) decision", d.Effect, d.Conditional)
	}
}
