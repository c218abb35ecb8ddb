package org_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func mustParse(t *testing.T, name string) *org.Org {
	t.Helper()
	o, err := org.ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestSCPChain(t *testing.T) {
	o := mustParse(t, "org.json")
	if len(o.Problems) > 0 {
		t.Fatalf("problems in a good file: %v", o.Problems)
	}
	levels := func(ch authz.SCPChain) []string {
		var out []string
		for _, l := range ch.Levels {
			var ps []string
			for _, p := range l.Policies {
				ps = append(ps, p.Name)
			}
			out = append(out, l.Name+": "+strings.Join(ps, ", "))
		}
		return out
	}
	tests := []struct {
		account  string
		want     []string
		wantNote string
	}{
		{"111122223333", []string{
			"root r-ex4m: FullAWSAccess (p-FullAWSAccess), DenyIAMExceptBreakGlass (p-denyiam1)",
			"OU Workloads (ou-ex4m-prod1111): ApprovedServices (p-apponly1), RegionLock (p-region11)",
			"account prod (111122223333): FullAWSAccess (p-FullAWSAccess)"}, ""},
		{"999988887777", nil, "management account 999988887777: SCPs do not apply"},
		{"444455556666", nil, "account 444455556666 is not in the stored organisation: no SCPs applied"},
	}
	for _, tc := range tests {
		t.Run(tc.account, func(t *testing.T) {
			ch := o.SCPChain(tc.account)
			if diff := cmp.Diff(tc.want, levels(ch)); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
			if ch.Note != tc.wantNote {
				t.Errorf("note = %q, want %q", ch.Note, tc.wantNote)
			}
		})
	}
	if got := o.AccountName("555566667777"); got != "sandbox" {
		t.Errorf("AccountName = %q, want sandbox", got)
	}
	if rcps := o.RCPs("111122223333"); !slices.Equal(rcps, []string{"OrgOnlyS3 (p-rcp11111) at root r-ex4m"}) {
		t.Errorf("RCPs = %+v, want OrgOnlyS3 at the root", rcps)
	}
}

func TestBadFile(t *testing.T) {
	o := mustParse(t, "bad.json")
	path := filepath.Join("testdata", "bad.json")
	want := []string{
		path + `: Policies[5] (p-broken11 "Broken"): Content: policy Broken: statement 1: needs an Action or NotAction element; policy Broken: statement 1: needs a Resource or NotResource element`,
		path + `: Targets[ou-ex4m-sand2222]: policy p-missing1 is not in Policies: the SCPs attached there are not all known, so their Allows are not applied`,
		path + `: OrganizationalUnits[2] (ou-ex4m-loopaaaa "LoopA"): parent cycle ou-ex4m-loopaaaa -> ou-ex4m-loopbbbb -> ou-ex4m-loopaaaa`,
		path + `: OrganizationalUnits[3] (ou-ex4m-loopbbbb "LoopB"): parent cycle ou-ex4m-loopbbbb -> ou-ex4m-loopaaaa -> ou-ex4m-loopbbbb`,
		path + `: Accounts[3] (222233334444 "lost"): parent cycle ou-ex4m-loopaaaa -> ou-ex4m-loopbbbb -> ou-ex4m-loopaaaa: only the root's and the account's own SCPs are applied to it`,
	}
	if diff := cmp.Diff(want, o.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// The rest is loaded: the good accounts keep their chains; a level with
	// an unreadable policy is marked, the lost account keeps root and self.
	ch := o.SCPChain("111122223333")
	if len(ch.Levels) != 3 || !ch.Levels[2].Unread || ch.Levels[0].Unread {
		t.Errorf("prod chain = %+v, want 3 levels, the account's unread", ch.Levels)
	}
	lost := o.SCPChain("222233334444")
	if len(lost.Levels) != 2 || lost.Levels[0].Name != "root r-ex4m" {
		t.Errorf("lost chain = %+v, want root and account", lost.Levels)
	}
	if o.AccountName("555566667777") != "sandbox" {
		t.Error("sandbox account lost")
	}
}

func TestRejected(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `[1,2]`, "x.json: not an organisation file"},
		{"unknown key", `{"Roots":[{"Id":"r-1"}],"Extra":1}`, `unknown field "Extra"`},
		{"empty", `{}`, "x.json: no root and no account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := org.Parse([]byte(tc.in), "x.json")
			var rej *org.RejectedError
			if !errors.As(err, &rej) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a RejectedError saying %q", err, tc.want)
			}
		})
	}
}

// TestExpandWithChain applies the organisation to principals of three
// accounts through authz.Expander, as the analysis does.
func TestExpandWithChain(t *testing.T) {
	cat, err := catalog.LoadDir(filepath.Join("..", "authz", "testdata", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := authz.ParseFile(filepath.Join("testdata", "authz.json"))
	if err != nil {
		t.Fatal(err)
	}
	o := mustParse(t, "org.json")
	x := authz.NewExpander(cat, nil).WithChains(o)
	got := map[string][]string{}
	for _, p := range inv.Principals() {
		eff, err := x.Expand(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for a, b := range eff.BlockedBySCP {
			lines = append(lines, a+": "+b.String())
		}
		slices.Sort(lines)
		for _, a := range eff.Actions() {
			g := eff.Grants[a]
			s := a
			for _, d := range g.ConditionalDeny {
				s += " | conditional deny " + authz.ShortRef(d)
			}
			lines = append(lines, s)
		}
		got[p.Name] = lines
	}
	want := map[string][]string{
		"app": {
			"ec2:DescribeInstances: not allowed by any SCP at OU Workloads (ou-ex4m-prod1111) (ApprovedServices (p-apponly1), RegionLock (p-region11))",
			"iam:AttachRolePolicy: denied by DenyIAMExceptBreakGlass (p-denyiam1) Sid DenyIAMWrites at root r-ex4m",
			"iam:GetRole",
			"s3:GetObject | conditional deny scp:RegionLock (p-region11)#1(OnlyEU)",
			"sqs:SendMessage | conditional deny scp:RegionLock (p-region11)#1(OnlyEU)",
		},
		// The Deny's condition excludes the break-glass role.
		"break-glass": {"iam:AttachRolePolicy", "iam:GetRole"},
		// The management account is exempt.
		"admin": {"ec2:DescribeInstances", "iam:AttachRolePolicy", "iam:GetRole", "s3:GetObject", "sqs:SendMessage"},
		// Not in the organisation: nothing applied.
		"outsider": {"ec2:DescribeInstances", "iam:AttachRolePolicy", "iam:GetRole", "s3:GetObject", "sqs:SendMessage"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("effective (-want +got):\n%s", diff)
	}
}

func TestSaveIdempotent(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	if _, _, err := org.LoadLatest(ctx, db); !errors.Is(err, org.ErrNone) {
		t.Fatalf("empty store: err = %v, want ErrNone", err)
	}
	o := mustParse(t, "org.json")
	id1, created1, err := org.Save(ctx, db, o)
	if err != nil || !created1 {
		t.Fatalf("first save: id %d created %v err %v", id1, created1, err)
	}
	again := mustParse(t, "org.json")
	id2, created2, err := org.Save(ctx, db, again)
	if err != nil || created2 || id2 != id1 {
		t.Fatalf("second save: id %d created %v err %v, want id %d not created", id2, created2, err, id1)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM org_snapshot`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d (%v), want 1", n, err)
	}
	got, id, err := org.LoadLatest(ctx, db)
	if err != nil || id != id1 {
		t.Fatalf("load: id %d err %v", id, err)
	}
	if diff := cmp.Diff(o.SCPChain("111122223333").Levels[1].Name, got.SCPChain("111122223333").Levels[1].Name); diff != "" {
		t.Errorf("round trip changed the chain: %s", diff)
	}
}

func TestProblemsErr(t *testing.T) {
	if err := (&org.Org{}).ProblemsErr(); err != nil {
		t.Errorf("ProblemsErr with no problems = %v", err)
	}
	o := &org.Org{Problems: []string{"x.json: Policies[2] (p-1): bad", "x.json: Accounts[0] (\x1b[31m1): cycle"}}
	want := "some entries were rejected, the rest is stored:\nx.json: Policies[2] (p-1): bad\nx.json: Accounts[0] (\\x1b[31m1): cycle"
	if err := o.ProblemsErr(); err == nil || err.Error() != want {
		t.Errorf("ProblemsErr = %q, want %q", err, want)
	}
}
