package org

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/untrusted"
)

// Policy types, as Organizations names them.
const (
	TypeSCP = "SERVICE_CONTROL_POLICY"
	TypeRCP = "RESOURCE_CONTROL_POLICY"
)

// File is the documented JSON layout of `iamtrim ingest org FILE`. Each key
// holds what an AWS CLI command prints (README "Organisation file"):
//
//	Organization        describe-organization .Organization (Id, MasterAccountId)
//	Roots               list-roots .Roots
//	OrganizationalUnits list-organizational-units-for-parent .OrganizationalUnits, each with its ParentId added
//	Accounts            list-accounts-for-parent .Accounts, each with its ParentId added
//	Policies            describe-policy .Policy of every SCP and RCP
//	Targets             target id (root, OU, account) -> list-policies-for-target .Policies[].Id, both filters
type File struct {
	Organization struct {
		ID              string `json:"Id"`
		MasterAccountID string `json:"MasterAccountId"`
	} `json:"Organization"`
	Roots []struct {
		ID   string `json:"Id"`
		Name string `json:"Name,omitempty"`
	} `json:"Roots"`
	OrganizationalUnits []Unit              `json:"OrganizationalUnits"`
	Accounts            []Account           `json:"Accounts"`
	Policies            []Policy            `json:"Policies"`
	Targets             map[string][]string `json:"Targets"`
}

// Unit is one organizational unit.
type Unit struct {
	ID       string `json:"Id"`
	Name     string `json:"Name"`
	ParentID string `json:"ParentId"`
}

// Account is one member account.
type Account struct {
	ID       string `json:"Id"`
	Name     string `json:"Name"`
	Status   string `json:"Status,omitempty"`
	ParentID string `json:"ParentId"`
}

// Policy is one SCP or RCP as describe-policy prints it.
type Policy struct {
	PolicySummary struct {
		ID         string `json:"Id"`
		ARN        string `json:"Arn,omitempty"`
		Name       string `json:"Name"`
		Type       string `json:"Type"`
		AWSManaged bool   `json:"AwsManaged,omitempty"`
	} `json:"PolicySummary"`
	Content string `json:"Content"`
}

// Org is a checked organisation: what Build could read of a File, the
// entries it could not named in Problems.
type Org struct {
	File File
	// Source says where it was read from (a file path, or the API).
	Source string
	// Problems name each rejected entry: "FILE: Policies[2] (p-1): ...".
	Problems []string

	root     string
	units    map[string]Unit
	accounts map[string]Account
	policies map[string]*compiled // by policy id
	// unread are targets with an attachment that could not be read.
	unread map[string]bool
	// paths holds each account's chain of targets, root first.
	paths map[string][]string
}

type compiled struct {
	p   Policy
	doc *policy.Document
}

// RejectedError is returned when a file holds nothing usable; Org.Problems
// holds the rejected entries of one that does.
type RejectedError struct{ Problems []string }

// RejectedInput marks it a rejected input (exit 3).
func (*RejectedError) RejectedInput() {}

var _ reject.Input = (*RejectedError)(nil)

func (e *RejectedError) Error() string { return strings.Join(e.Problems, "\n") }

// ProblemsErr says which entries were rejected while the rest was read
// (nil when none), each made safe for a terminal: they quote the file.
func (o *Org) ProblemsErr() error {
	if len(o.Problems) == 0 {
		return nil
	}
	lines := make([]string, len(o.Problems))
	for i, p := range o.Problems {
		lines[i] = untrusted.Terminal(p)
	}
	return fmt.Errorf("some entries were rejected, the rest is stored:\n%s", strings.Join(lines, "\n"))
}

// ParseFile reads an organisation file (layout File).
func ParseFile(path string) (*Org, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) { // a named input that is not there
		return nil, &RejectedError{Problems: []string{fmt.Sprintf("read %s: %v", path, err)}}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(data, path)
}

// MaxFileBytes bounds an organisation file: the largest organisations
// (thousands of accounts, SCPs of 5,120 characters) stay far below it.
const MaxFileBytes = 64 << 20

// Parse reads an organisation file's content; name is used in messages.
func Parse(data []byte, name string) (*Org, error) {
	if len(data) > MaxFileBytes {
		return nil, &RejectedError{[]string{fmt.Sprintf("%s: %d bytes, over the %d-byte limit of an organisation file", name, len(data), MaxFileBytes)}}
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, &RejectedError{[]string{fmt.Sprintf("%s: not an organisation file (README \"Organisation file\"): %v", name, err)}}
	}
	o := Build(f, name)
	if len(o.Roots()) == 0 && len(o.accounts) == 0 {
		return nil, &RejectedError{append(o.Problems, fmt.Sprintf("%s: no root and no account", name))}
	}
	return o, nil
}

// Roots returns the root id, if any, as a list.
func (o *Org) Roots() []string {
	if o.root == "" {
		return nil
	}
	return []string{o.root}
}

// Build checks f and returns what can be used of it. Entries that cannot
// be (a duplicate id, an OU or account whose parent is unknown or that
// sits in a parent cycle, an attachment of an unknown policy, a policy
// that does not parse) are named in Problems; the rest is kept.
func Build(f File, name string) *Org {
	o := &Org{Source: name, units: map[string]Unit{}, accounts: map[string]Account{}, policies: map[string]*compiled{},
		unread: map[string]bool{}, paths: map[string][]string{}}
	bad := func(format string, args ...any) {
		o.Problems = append(o.Problems, name+": "+fmt.Sprintf(format, args...))
	}
	switch len(f.Roots) {
	case 0:
		bad("Roots: none (every organisation has one root)")
	case 1:
		o.root = f.Roots[0].ID
	default:
		o.root = f.Roots[0].ID
		bad("Roots: %d roots, want 1: %s is used", len(f.Roots), o.root)
	}
	for i, u := range f.OrganizationalUnits {
		switch {
		case !strings.HasPrefix(u.ID, "ou-"):
			bad("OrganizationalUnits[%d] (%s): Id is not an OU id (ou-…)", i, u.ID)
		case o.units[u.ID].ID != "":
			bad("OrganizationalUnits[%d] (%s): listed twice", i, u.ID)
		default:
			o.units[u.ID] = u
		}
	}
	for i, a := range f.Accounts {
		switch {
		case len(a.ID) != 12 || strings.Trim(a.ID, "0123456789") != "":
			bad("Accounts[%d] (%s): Id is not a 12-digit account id", i, a.ID)
		case o.accounts[a.ID].ID != "":
			bad("Accounts[%d] (%s): listed twice", i, a.ID)
		default:
			o.accounts[a.ID] = a
		}
	}
	for i, p := range f.Policies {
		id := p.PolicySummary.ID
		switch {
		case id == "":
			bad("Policies[%d]: PolicySummary has no Id", i)
			continue
		case o.policies[id] != nil:
			bad("Policies[%d] (%s): listed twice", i, id)
			continue
		case p.PolicySummary.Type != TypeSCP && p.PolicySummary.Type != TypeRCP:
			bad("Policies[%d] (%s %q): Type %q: want %s or %s", i, id, p.PolicySummary.Name, p.PolicySummary.Type, TypeSCP, TypeRCP)
			continue
		}
		if p.PolicySummary.Type == TypeRCP {
			// A resource policy (Principal, no identity semantics): not
			// applied by the analysis, so only its shape is checked.
			var shape struct{ Statement json.RawMessage }
			if err := json.Unmarshal([]byte(p.Content), &shape); err != nil || len(shape.Statement) == 0 {
				bad("Policies[%d] (%s %q): Content: not a policy document with a Statement", i, id, p.PolicySummary.Name)
			}
			o.policies[id] = &compiled{p: p}
			continue
		}
		doc, err := policy.ParseNamed(p.PolicySummary.Name, []byte(p.Content))
		if err != nil {
			bad("Policies[%d] (%s %q): Content: %s", i, id, p.PolicySummary.Name, strings.ReplaceAll(err.Error(), "\n", "; "))
			o.policies[id] = &compiled{p: p} // known, unread
			continue
		}
		o.policies[id] = &compiled{p: p, doc: doc}
	}
	targets := make([]string, 0, len(f.Targets))
	for t := range f.Targets {
		targets = append(targets, t)
	}
	slices.Sort(targets)
	for _, t := range targets {
		if !o.isTarget(t) {
			bad("Targets[%s]: not the root, an OU or an account of the file", t)
			continue
		}
		for _, id := range f.Targets[t] {
			c := o.policies[id]
			switch {
			case c == nil:
				bad("Targets[%s]: policy %s is not in Policies: the SCPs attached there are not all known, so their Allows are not applied", t, id)
				o.unread[t] = true
			case c.doc == nil && c.p.PolicySummary.Type == TypeSCP:
				o.unread[t] = true
			}
		}
	}
	// Paths: walk each parent chain up to the root; a cycle or an unknown
	// parent leaves the levels reached so far (a subset of the real chain
	// restricts less, never more).
	unitPath := map[string][]string{}
	var walk func(id string, seen []string) ([]string, string)
	walk = func(id string, seen []string) ([]string, string) {
		if id == o.root {
			return []string{id}, ""
		}
		if p, ok := unitPath[id]; ok {
			return p, ""
		}
		u, ok := o.units[id]
		if !ok {
			return nil, fmt.Sprintf("parent %s is not the root or an OU of the file", id)
		}
		if slices.Contains(seen, id) {
			return nil, "parent cycle " + strings.Join(append(slices.Clone(seen[slices.Index(seen, id):]), id), " -> ")
		}
		if len(seen) >= maxDepth {
			return nil, fmt.Sprintf("nested more than %d OUs deep", maxDepth)
		}
		up, problem := walk(u.ParentID, append(seen, id))
		if problem != "" {
			return nil, problem
		}
		p := append(slices.Clip(up), id)
		unitPath[id] = p
		return p, ""
	}
	for i, u := range f.OrganizationalUnits {
		if o.units[u.ID].ID != u.ID {
			continue
		}
		if _, problem := walk(u.ID, nil); problem != "" {
			bad("OrganizationalUnits[%d] (%s %q): %s", i, u.ID, u.Name, problem)
		}
	}
	for i, a := range f.Accounts {
		if o.accounts[a.ID].ID != a.ID {
			continue
		}
		up, problem := walk(a.ParentID, nil)
		if problem != "" {
			bad("Accounts[%d] (%s %q): %s: only the root's and the account's own SCPs are applied to it", i, a.ID, a.Name, problem)
			up = o.Roots()
		}
		o.paths[a.ID] = append(slices.Clip(up), a.ID)
	}
	f.normalize()
	o.File = f
	return o
}

func (o *Org) isTarget(t string) bool {
	return t == o.root || o.units[t].ID != "" || o.accounts[t].ID != ""
}

// normalize sorts the lists, so the same organisation listed in another
// order has the same digest.
func (f *File) normalize() {
	f.OrganizationalUnits = slices.Clone(f.OrganizationalUnits)
	f.Accounts = slices.Clone(f.Accounts)
	f.Policies = slices.Clone(f.Policies)
	slices.SortStableFunc(f.OrganizationalUnits, func(a, b Unit) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(f.Accounts, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(f.Policies, func(a, b Policy) int { return strings.Compare(a.PolicySummary.ID, b.PolicySummary.ID) })
	targets := make(map[string][]string, len(f.Targets))
	for t, ids := range f.Targets {
		ids = slices.Clone(ids)
		slices.Sort(ids)
		targets[t] = slices.Compact(ids)
	}
	f.Targets = targets
}

// Management is the management account's id ("" when the file does not say).
func (o *Org) Management() string { return o.File.Organization.MasterAccountID }

// AccountName returns an account's name, "" when it is not in the
// organisation.
func (o *Org) AccountName(id string) string {
	if o == nil {
		return ""
	}
	return o.accounts[id].Name
}

// Accounts returns the accounts, by id.
func (o *Org) Accounts() []Account {
	out := make([]Account, 0, len(o.accounts))
	for _, a := range o.File.Accounts {
		if o.accounts[a.ID] == a {
			out = append(out, a)
		}
	}
	return out
}

// Counts are what a summary line says.
type Counts struct {
	Accounts, Units, SCPs, RCPs, Attachments int
}

// Counts counts what was kept.
func (o *Org) Counts() Counts {
	c := Counts{Accounts: len(o.accounts), Units: len(o.units)}
	for _, p := range o.policies {
		if p.p.PolicySummary.Type == TypeSCP {
			c.SCPs++
		} else {
			c.RCPs++
		}
	}
	for _, ids := range o.File.Targets {
		c.Attachments += len(ids)
	}
	return c
}

// label names a target for people.
func (o *Org) label(t string) string {
	switch {
	case t == o.root:
		return "root " + t
	case o.units[t].ID != "":
		return fmt.Sprintf("OU %s (%s)", o.units[t].Name, t)
	}
	if n := o.accounts[t].Name; n != "" {
		return fmt.Sprintf("account %s (%s)", n, t)
	}
	return "account " + t
}

// policiesAt returns the readable policies of type typ attached at t, each
// named "Name (id)".
func (o *Org) policiesAt(t, typ string) []policy.NamedPolicy {
	var out []policy.NamedPolicy
	for _, id := range o.File.Targets[t] {
		c := o.policies[id]
		if c == nil || c.doc == nil || c.p.PolicySummary.Type != typ {
			continue
		}
		out = append(out, policy.NamedPolicy{Name: c.p.PolicySummary.Name + " (" + id + ")", ARN: c.p.PolicySummary.ARN, Kind: policy.KindSCP, Doc: c.doc})
	}
	return out
}

// SCPChain returns the SCP levels that apply to the principals of account:
// the root, each OU on its path and the account itself. The management
// account is exempt from SCPs, and an account the organisation does not
// list gets none (with a note).
func (o *Org) SCPChain(account string) authz.SCPChain {
	if account == o.Management() {
		return authz.SCPChain{Note: "management account " + account + ": SCPs do not apply"}
	}
	path, ok := o.paths[account]
	if !ok {
		return authz.SCPChain{Note: "account " + account + " is not in the stored organisation: no SCPs applied"}
	}
	var ch authz.SCPChain
	for _, t := range path {
		ch.Levels = append(ch.Levels, authz.SCPLevel{Name: o.label(t), Policies: o.policiesAt(t, TypeSCP), Unread: o.unread[t]})
	}
	return ch
}

// RCPs names the resource control policies that apply to account's
// resources, root first: "OrgOnlyS3 (p-1) at root r-1". The analysis does
// not apply them (README "Organisation"): it models what a principal may
// do, and an RCP limits who may reach a resource.
func (o *Org) RCPs(account string) []string {
	if o == nil || account == o.Management() {
		return nil
	}
	var out []string
	for _, t := range o.paths[account] {
		for _, id := range o.File.Targets[t] {
			if c := o.policies[id]; c != nil && c.p.PolicySummary.Type == TypeRCP {
				out = append(out, c.p.PolicySummary.Name+" ("+id+") at "+o.label(t))
			}
		}
	}
	return out
}

// maxDepth bounds the OU nesting Build follows (AWS allows five levels).
const maxDepth = 64

// ErrNone is returned by LoadLatest when no organisation is stored.
var ErrNone = errors.New("no organisation stored (load one with 'iamtrim ingest org')")
