package sample

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A deliberately small IAM evaluator, enough to check that the sample is
// coherent: every action truth.json lists as used is allowed by the
// principal's policies (and boundary), and every denied attempt is not.
// Conditions are not evaluated: an Allow with a condition counts as
// allowing (the sample's calls are meant to satisfy them) and a Deny with a
// condition counts as not applying.

type evalStmt struct {
	Effect      string                    `json:"Effect"`
	Action      strOrList                 `json:"Action"`
	NotAction   strOrList                 `json:"NotAction"`
	Resource    strOrList                 `json:"Resource"`
	NotResource strOrList                 `json:"NotResource"`
	Condition   map[string]map[string]any `json:"Condition"`
}

type strOrList []string

func (s *strOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

func glob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// Iterative wildcard match for * and ?.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func anyGlob(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if glob(p, s, fold) {
			return true
		}
	}
	return false
}

func (st evalStmt) matches(action, resource, user string) bool {
	if len(st.Action) > 0 && !anyGlob(st.Action, action, true) {
		return false
	}
	if len(st.NotAction) > 0 && anyGlob(st.NotAction, action, true) {
		return false
	}
	var rs []string
	for _, r := range append(st.Resource, st.NotResource...) {
		rs = append(rs, strings.ReplaceAll(r, "${aws:username}", user))
	}
	if len(st.Resource) > 0 {
		return anyGlob(rs, resource, false)
	}
	return !anyGlob(rs, resource, false)
}

// decide returns "allow", "deny" (explicit) or "" (implicit deny).
func decide(stmts []evalStmt, action, resource, user string) string {
	out := ""
	for _, st := range stmts {
		if !st.matches(action, resource, user) {
			continue
		}
		if st.Effect == "Deny" && st.Condition == nil {
			return "deny"
		}
		if st.Effect == "Allow" {
			out = "allow"
		}
	}
	return out
}

func TestPoliciesExplainTruth(t *testing.T) {
	dir, _ := generate(t, Options{Seed: 1})
	var az authzFile
	readJSON(t, filepath.Join(dir, "authz.json"), &az, false)
	var tr Truth
	readJSON(t, filepath.Join(dir, "truth.json"), &tr, true)

	docStmts := func(d *doc) []evalStmt {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var parsed struct {
			Statement []evalStmt `json:"Statement"`
		}
		if err := json.Unmarshal(b, &parsed); err != nil {
			t.Fatal(err)
		}
		return parsed.Statement
	}
	managed := map[string][]evalStmt{}
	for _, p := range az.Policies {
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion {
				managed[p.Arn] = docStmts(v.Document)
			}
		}
	}
	groups := map[string][]evalStmt{}
	for _, g := range az.GroupDetailList {
		for _, ip := range g.GroupPolicyList {
			groups[g.GroupName] = append(groups[g.GroupName], docStmts(ip.PolicyDocument)...)
		}
		for _, a := range g.AttachedManagedPolicies {
			groups[g.GroupName] = append(groups[g.GroupName], managed[a.PolicyArn]...)
		}
	}
	type grants struct{ identity, boundary []evalStmt }
	who := map[string]grants{}
	for _, r := range az.RoleDetailList {
		var g grants
		for _, ip := range r.RolePolicyList {
			g.identity = append(g.identity, docStmts(ip.PolicyDocument)...)
		}
		for _, a := range r.AttachedManagedPolicies {
			g.identity = append(g.identity, managed[a.PolicyArn]...)
		}
		if r.PermissionsBoundary != nil {
			g.boundary = managed[r.PermissionsBoundary.PermissionsBoundaryArn]
		}
		who[r.Arn] = g
	}
	for _, u := range az.UserDetailList {
		var g grants
		for _, ip := range u.UserPolicyList {
			g.identity = append(g.identity, docStmts(ip.PolicyDocument)...)
		}
		for _, a := range u.AttachedManagedPolicies {
			g.identity = append(g.identity, managed[a.PolicyArn]...)
		}
		for _, gr := range u.GroupList {
			g.identity = append(g.identity, groups[gr]...)
		}
		if u.PermissionsBoundary != nil {
			g.boundary = managed[u.PermissionsBoundary.PermissionsBoundaryArn]
		}
		who[u.Arn] = g
	}

	allowed := func(g grants, action, resource, user string) bool {
		if decide(g.identity, action, resource, user) != "allow" {
			return false
		}
		return g.boundary == nil || decide(g.boundary, action, resource, user) == "allow"
	}
	checked := 0
	for _, p := range tr.Principals {
		g, ok := who[p.ARN]
		if !ok {
			t.Errorf("%s in truth.json but not in authz.json", p.ARN)
			continue
		}
		for _, u := range append(append([]TruthUse{}, p.Used...), p.UsedViaService...) {
			for _, r := range u.Resources {
				checked++
				if !allowed(g, u.Action, r, p.Name) {
					t.Errorf("%s used %s on %s, which its policies do not allow", p.Name, u.Action, r)
				}
			}
		}
		for _, u := range p.Unlogged {
			for _, r := range u.Resources {
				if !allowed(g, u.Action, r, p.Name) {
					t.Errorf("%s made unlogged calls %s on %s, which its policies do not allow", p.Name, u.Action, r)
				}
			}
		}
		for _, d := range p.Denied {
			for _, r := range d.Resources {
				checked++
				if allowed(g, d.Action, r, p.Name) {
					t.Errorf("%s was denied %s on %s, which its policies allow", p.Name, d.Action, r)
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d action/resource pairs checked", checked)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "anything", true},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"kms:GenerateDataKey*", "kms:GenerateDataKey", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
	}
	for _, tc := range tests {
		if got := glob(tc.pattern, tc.s, false); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
