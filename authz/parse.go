package authz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/internal/reject"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/untrusted"
)

// ParseFile reads a file of `aws iam get-account-authorization-details`
// output. See Parse for what it accepts.
func ParseFile(path string) (*Inventory, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) { // a named input that is not there
		return nil, &RejectedError{Problems: []string{fmt.Sprintf("read %s: %v", path, err)}}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads `aws iam get-account-authorization-details` output named name
// (for messages): one JSON object, several concatenated (pages printed one
// after another, JSON Lines), or a JSON array of them. Policy documents may
// be JSON objects (as the CLI prints them) or strings holding URL-encoded
// JSON (as the API returns them).
//
// Malformed JSON rejects the input (a *RejectedError). Anything else odd
// (missing fields, a managed policy attached but absent from Policies,
// documents that do not parse, rows in cloudsplaining's results format
// instead of the CLI's) is read as well as it can be and reported in
// Inventory.Warnings.
func Parse(r io.Reader, name string) (*Inventory, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		// gzip (authz.json.gz), read transparently.
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	if bom, err := br.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		br.Discard(3) // a UTF-8 byte order mark, as Windows editors save
	}
	dec := json.NewDecoder(br)
	var pages []*Details
	var warnings, rejected []string
	var rows []flatRow
	values := 0
	for n := 1; ; n++ {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			// Malformed JSON: nothing after it can be read, and the
			// file is a rejected input, not a failure of iamtrim.
			return nil, &RejectedError{Problems: append(rejected, fmt.Sprintf("%s: value %d: %v", name, n, err))}
		}
		values++
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(v, &elems); err != nil {
				return nil, &RejectedError{Problems: append(rejected, fmt.Sprintf("%s: value %d: %v", name, n, err))}
			}
			for i, e := range elems {
				p, row, rej := decodeValue(e, fmt.Sprintf("%s: value %d[%d]", name, n, i))
				pages, rows, rejected = appendDecoded(pages, rows, rejected, p, row, rej)
			}
		default:
			p, row, rej := decodeValue(v, fmt.Sprintf("%s: value %d", name, n))
			pages, rows, rejected = appendDecoded(pages, rows, rejected, p, row, rej)
		}
	}
	if len(rows) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: %d rows in cloudsplaining's results format, not get-account-authorization-details output; read as principals with inline policies and unattached managed policies", name, len(rows)))
		pages = append(pages, rowsToDetails(rows))
	}
	if values == 0 {
		return nil, &RejectedError{Problems: []string{fmt.Sprintf("%s: empty: no get-account-authorization-details output", name)}}
	}
	if len(pages) == 0 {
		return nil, &RejectedError{Problems: rejected}
	}
	inv := NewInventory(name, pages...)
	inv.Warnings = append(warnings, inv.Warnings...)
	inv.Rejected = append(rejected, inv.Rejected...)
	return inv, nil
}

// RejectedError is an input Parse could read nothing from: empty, another
// kind of file (named by what it looks like), or values that are all
// malformed. Values and documents rejected beside readable ones are in
// Inventory.Rejected instead.
type RejectedError struct {
	// Problems are "name: value N: what is wrong", in input order.
	Problems []string
}

// RejectedInput marks it a rejected input (exit 3).
func (*RejectedError) RejectedInput() {}

var _ reject.Input = (*RejectedError)(nil)

func (e *RejectedError) Error() string { return strings.Join(e.Problems, "\n") }

func appendDecoded(pages []*Details, rows []flatRow, rejected []string, p *Details, row *flatRow, rej string) ([]*Details, []flatRow, []string) {
	if p != nil {
		pages = append(pages, p)
	}
	if row != nil {
		rows = append(rows, *row)
	}
	if rej != "" {
		rejected = append(rejected, rej)
	}
	return pages, rows, rejected
}

// detailKeys are the top-level keys of a get-account-authorization-details
// page; an object with none of them is something else.
var detailKeys = []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}

// decodeValue reads one top-level object: a page, a cloudsplaining row, or
// something it rejects, saying why (and what it looks like).
func decodeValue(v json.RawMessage, where string) (*Details, *flatRow, string) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(v, &keys); err != nil {
		return nil, nil, fmt.Sprintf("%s: %s, not an object", where, policy.JSONKind(v))
	}
	for _, k := range detailKeys {
		if _, ok := keys[k]; ok {
			var d Details
			if err := json.Unmarshal(v, &d); err != nil {
				return nil, nil, fmt.Sprintf("%s: %v", where, err)
			}
			return &d, nil, ""
		}
	}
	if _, ok := keys["PolicyDocument"]; ok {
		if _, ok := keys["Arn"]; ok {
			var row flatRow
			if err := json.Unmarshal(v, &row); err != nil {
				return nil, nil, fmt.Sprintf("%s: %v", where, err)
			}
			row.where = where
			return nil, &row, ""
		}
	}
	if kind := looksLike(keys); kind != "" {
		return nil, nil, fmt.Sprintf("%s: looks like %s", where, kind)
	}
	names := slices.Sorted(maps.Keys(keys))
	if len(names) > 5 {
		names = append(names[:5], "...")
	}
	return nil, nil, fmt.Sprintf("%s: an object with keys %s: none of %s", where, untrusted.Terminal(strings.Join(names, ", ")), strings.Join(detailKeys, ", "))
}

// looksLike names the kinds of JSON users give `ingest authz` by mistake,
// from an object's top-level keys, with the command that reads them.
func looksLike(keys map[string]json.RawMessage) string {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("Records"):
		return "a CloudTrail log file (Records), not get-account-authorization-details output; load it with 'iamtrim ingest cloudtrail'"
	case has("Events"):
		return "CloudTrail lookup-events output (Events), not get-account-authorization-details output; load it with 'iamtrim ingest cloudtrail'"
	case has("digestStartTime") || has("digestPublicKeyFingerprint"):
		return "a CloudTrail digest file, not get-account-authorization-details output"
	case has("eventVersion") || has("eventName"):
		return "a single CloudTrail event, not get-account-authorization-details output; load log files with 'iamtrim ingest cloudtrail'"
	case has("trailList") || has("TrailARN") || has("EventSelectors") || has("AdvancedEventSelectors"):
		return "a trail configuration (describe-trails); load it with 'iamtrim ingest trails'"
	case has("Statement"):
		return "an IAM policy document, not get-account-authorization-details output"
	}
	return ""
}

// flatRow is one row of cloudsplaining's results JSON: one principal (or
// managed policy) and one of its policies.
type flatRow struct {
	AccountID                string          `json:"AccountID"`
	ManagedBy                string          `json:"ManagedBy"`
	Name                     string          `json:"Name"`
	PolicyName               string          `json:"PolicyName"`
	Type                     string          `json:"Type"`
	Arn                      string          `json:"Arn"`
	PolicyDocument           json.RawMessage `json:"PolicyDocument"`
	AssumeRolePolicyDocument json.RawMessage `json:"AssumeRolePolicyDocument"`
	where                    string
}

// rowsToDetails turns cloudsplaining rows into one page. Its rows do not
// say which managed policies are attached where, so managed policies come
// out unattached and each principal row becomes an inline policy.
func rowsToDetails(rows []flatRow) *Details {
	d := &Details{}
	for _, r := range rows {
		inl := []InlinePolicy{{PolicyName: r.PolicyName, PolicyDocument: r.PolicyDocument}}
		switch strings.ToLower(r.Type) {
		case "role":
			d.RoleDetailList = append(d.RoleDetailList, RoleDetail{Arn: r.Arn, RoleName: r.Name, AssumeRolePolicyDocument: r.AssumeRolePolicyDocument, RolePolicyList: inl})
		case "user":
			d.UserDetailList = append(d.UserDetailList, UserDetail{Arn: r.Arn, UserName: r.Name, UserPolicyList: inl})
		case "group":
			d.GroupDetailList = append(d.GroupDetailList, GroupDetail{Arn: r.Arn, GroupName: r.Name, GroupPolicyList: inl})
		default: // "Policy"
			d.Policies = append(d.Policies, PolicyDetail{
				Arn: r.Arn, PolicyName: r.PolicyName, DefaultVersionID: "v1",
				PolicyVersionList: []PolicyVersion{{Document: r.PolicyDocument, VersionID: "v1", IsDefaultVersion: true}},
			})
		}
	}
	return d
}

// builder accumulates pages into an Inventory.
type builder struct {
	name     string
	inv      *Inventory
	roles    map[string]*Role
	users    map[string]*User
	groups   map[string]*Group
	rawRoles map[string]RoleDetail
	rawUsers map[string]UserDetail
	rawGrps  map[string]GroupDetail
	accounts map[string]bool
}

// NewInventory builds an Inventory from get-account-authorization-details
// pages (of one account or several). name labels warnings. Entities that
// appear on several pages are merged; managed policies that no page
// defines are reported.
func NewInventory(name string, pages ...*Details) *Inventory {
	b := &builder{
		name:     name,
		inv:      &Inventory{Policies: map[string]*ManagedPolicy{}},
		roles:    map[string]*Role{},
		users:    map[string]*User{},
		groups:   map[string]*Group{},
		rawRoles: map[string]RoleDetail{},
		rawUsers: map[string]UserDetail{},
		rawGrps:  map[string]GroupDetail{},
		accounts: map[string]bool{},
	}
	// Accounts first, so that entities missing an ARN can be given one
	// when the inventory holds a single account.
	for _, p := range pages {
		for _, r := range p.RoleDetailList {
			b.noteAccount(r.Arn)
		}
		for _, u := range p.UserDetailList {
			b.noteAccount(u.Arn)
		}
		for _, g := range p.GroupDetailList {
			b.noteAccount(g.Arn)
		}
		for _, pol := range p.Policies {
			b.noteAccount(pol.Arn)
		}
	}
	for _, p := range pages {
		for _, pol := range p.Policies {
			b.addPolicy(pol)
		}
	}
	for _, p := range pages {
		for _, g := range p.GroupDetailList {
			b.addGroup(g)
		}
		for _, r := range p.RoleDetailList {
			b.addRole(r)
		}
		for _, u := range p.UserDetailList {
			b.addUser(u)
		}
	}
	b.finish()
	return b.inv
}

func (b *builder) warnf(format string, args ...any) {
	b.inv.Warnings = append(b.inv.Warnings, b.name+": "+fmt.Sprintf(format, args...))
}

// rejectf records a policy document that could not be read: its
// permissions (a Deny among them) are missing, so the input counts as
// rejected, not merely odd.
func (b *builder) rejectf(format string, args ...any) {
	b.inv.Rejected = append(b.inv.Rejected, b.name+": "+fmt.Sprintf(format, args...))
}

func (b *builder) noteAccount(arn string) {
	if a := AccountOf(arn); a != "" && a != "aws" {
		b.accounts[a] = true
	}
}

// AccountOf returns the account field of an ARN ("123456789012", or "aws"
// for AWS managed policies), "" when arn is not an ARN.
func AccountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// soleAccount is the inventory's account when there is exactly one.
func (b *builder) soleAccount() string {
	if len(b.accounts) != 1 {
		return ""
	}
	for a := range b.accounts {
		return a
	}
	return ""
}

// entityARN checks an entity's ARN, or makes one from its name when the
// input left it out and the account is unambiguous.
func (b *builder) entityARN(kind, arn, path, name string) (string, bool) {
	if arn != "" {
		if AccountOf(arn) == "" {
			b.warnf("%s %q: Arn %q is not an ARN, skipped", kind, name, arn)
			return "", false
		}
		return arn, true
	}
	acct := b.soleAccount()
	if name == "" || acct == "" {
		b.warnf("%s %q: no Arn and no single account to derive it from, skipped", kind, name)
		return "", false
	}
	if path == "" {
		path = "/"
	}
	arn = "arn:aws:iam::" + acct + ":" + kind + path + name
	b.warnf("%s %q: no Arn, using %s", kind, name, arn)
	return arn, true
}

// nameFromARN returns the last path element of an IAM ARN's resource.
func nameFromARN(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return ""
}

func (b *builder) addPolicy(p PolicyDetail) {
	if p.Arn == "" || AccountOf(p.Arn) == "" {
		b.warnf("managed policy %q: missing or malformed Arn %q, skipped", p.PolicyName, p.Arn)
		return
	}
	mp := &ManagedPolicy{
		ARN:            p.Arn,
		Name:           p.PolicyName,
		Path:           p.Path,
		PolicyID:       p.PolicyID,
		DefaultVersion: p.DefaultVersionID,
		AWSManaged:     AccountOf(p.Arn) == "aws",
	}
	if mp.Name == "" {
		mp.Name = nameFromARN(p.Arn)
	}
	if mp.Path == "" {
		mp.Path = "/"
	}
	var def *PolicyVersion
	for i := range p.PolicyVersionList {
		v := &p.PolicyVersionList[i]
		if (mp.DefaultVersion != "" && v.VersionID == mp.DefaultVersion) || (mp.DefaultVersion == "" && v.IsDefaultVersion) {
			def = v
			break
		}
	}
	if def == nil {
		for i := range p.PolicyVersionList {
			if p.PolicyVersionList[i].IsDefaultVersion {
				def = &p.PolicyVersionList[i]
				b.warnf("managed policy %s: DefaultVersionId %q not among its versions, using %s (marked default)", p.Arn, mp.DefaultVersion, def.VersionID)
				break
			}
		}
	}
	if def == nil {
		b.warnf("managed policy %s: default version %q not in the input; its permissions are not counted", p.Arn, mp.DefaultVersion)
	} else {
		mp.DefaultVersion = def.VersionID
		doc, err := parseDocument(mp.Name, def.Document)
		if err != nil {
			b.rejectf("managed policy %s version %s: %v; its permissions are not counted", p.Arn, def.VersionID, err)
		}
		mp.Doc = doc
	}
	if old, ok := b.inv.Policies[mp.ARN]; ok {
		if !reflect.DeepEqual(old, mp) {
			b.warnf("managed policy %s appears twice with different content (versions %s and %s); keeping the first", mp.ARN, old.DefaultVersion, mp.DefaultVersion)
		}
		return
	}
	b.inv.Policies[mp.ARN] = mp
}

func (b *builder) addRole(d RoleDetail) {
	arn, ok := b.entityARN("role", d.Arn, d.Path, d.RoleName)
	if !ok {
		return
	}
	if old, dup := b.rawRoles[arn]; dup && reflect.DeepEqual(old, d) {
		return
	}
	b.rawRoles[arn] = d
	r := b.roles[arn]
	if r == nil {
		r = &Role{ARN: arn, AccountID: AccountOf(arn), Name: d.RoleName, Path: d.Path, RoleID: d.RoleID}
		if r.Name == "" {
			r.Name = nameFromARN(arn)
		}
		if r.Path == "" {
			r.Path = "/"
		}
		b.roles[arn] = r
	} else {
		b.warnf("role %s appears more than once; merging its policies", arn)
	}
	what := "role " + arn
	if r.CreateDate.IsZero() {
		r.CreateDate = b.date(what, "CreateDate", d.CreateDate)
	}
	if r.Trust == nil {
		trust, err := trustJSON(d.AssumeRolePolicyDocument)
		if err != nil {
			b.warnf("%s: trust policy: %v", what, err)
		}
		r.Trust = trust
	}
	r.Tags = addTags(r.Tags, d.Tags)
	if lu := d.RoleLastUsed; lu != nil && lu.LastUsedDate != "" && r.LastUsed == nil {
		t := b.date(what, "RoleLastUsed.LastUsedDate", lu.LastUsedDate)
		if !t.IsZero() {
			r.LastUsed = &t
			r.LastUsedRegion = lu.Region
		}
	}
	if pb := d.PermissionsBoundary; pb != nil && pb.PermissionsBoundaryArn != "" && r.Boundary == "" {
		r.Boundary = pb.PermissionsBoundaryArn
	}
	r.Inline = b.inline(what, r.Inline, d.RolePolicyList)
	r.Attached = b.attached(what, r.Attached, d.AttachedManagedPolicies)
	for _, ip := range d.InstanceProfileList {
		if ip.Arn != "" && !slices.Contains(r.InstanceProfiles, ip.Arn) {
			r.InstanceProfiles = append(r.InstanceProfiles, ip.Arn)
		}
	}
}

func (b *builder) addUser(d UserDetail) {
	arn, ok := b.entityARN("user", d.Arn, d.Path, d.UserName)
	if !ok {
		return
	}
	if old, dup := b.rawUsers[arn]; dup && reflect.DeepEqual(old, d) {
		return
	}
	b.rawUsers[arn] = d
	u := b.users[arn]
	if u == nil {
		u = &User{ARN: arn, AccountID: AccountOf(arn), Name: d.UserName, Path: d.Path, UserID: d.UserID}
		if u.Name == "" {
			u.Name = nameFromARN(arn)
		}
		if u.Path == "" {
			u.Path = "/"
		}
		b.users[arn] = u
	} else {
		b.warnf("user %s appears more than once; merging its policies", arn)
	}
	what := "user " + arn
	if u.CreateDate.IsZero() {
		u.CreateDate = b.date(what, "CreateDate", d.CreateDate)
	}
	u.Tags = addTags(u.Tags, d.Tags)
	if pb := d.PermissionsBoundary; pb != nil && pb.PermissionsBoundaryArn != "" && u.Boundary == "" {
		u.Boundary = pb.PermissionsBoundaryArn
	}
	u.Inline = b.inline(what, u.Inline, d.UserPolicyList)
	u.Attached = b.attached(what, u.Attached, d.AttachedManagedPolicies)
	for _, g := range d.GroupList {
		if g != "" && !slices.Contains(u.Groups, g) {
			u.Groups = append(u.Groups, g)
		}
	}
}

func (b *builder) addGroup(d GroupDetail) {
	arn, ok := b.entityARN("group", d.Arn, d.Path, d.GroupName)
	if !ok {
		return
	}
	if old, dup := b.rawGrps[arn]; dup && reflect.DeepEqual(old, d) {
		return
	}
	b.rawGrps[arn] = d
	g := b.groups[arn]
	if g == nil {
		g = &Group{ARN: arn, AccountID: AccountOf(arn), Name: d.GroupName, Path: d.Path, GroupID: d.GroupID}
		if g.Name == "" {
			g.Name = nameFromARN(arn)
		}
		if g.Path == "" {
			g.Path = "/"
		}
		b.groups[arn] = g
	} else {
		b.warnf("group %s appears more than once; merging its policies", arn)
	}
	what := "group " + arn
	if g.CreateDate.IsZero() {
		g.CreateDate = b.date(what, "CreateDate", d.CreateDate)
	}
	g.Inline = b.inline(what, g.Inline, d.GroupPolicyList)
	g.Attached = b.attached(what, g.Attached, d.AttachedManagedPolicies)
}

func (b *builder) inline(what string, have []policy.NamedPolicy, list []InlinePolicy) []policy.NamedPolicy {
	for i, p := range list {
		name := p.PolicyName
		if name == "" {
			name = fmt.Sprintf("inline-%d", i+1)
			b.warnf("%s: inline policy %d has no PolicyName, calling it %s", what, i+1, name)
		}
		if slices.ContainsFunc(have, func(np policy.NamedPolicy) bool { return np.Name == name }) {
			continue
		}
		doc, err := parseDocument(name, p.PolicyDocument)
		if err != nil || doc == nil {
			if err == nil {
				err = errors.New("no document")
			}
			b.rejectf("%s: inline policy %s: %v; its permissions are not counted", what, name, err)
			continue
		}
		have = append(have, policy.NamedPolicy{Name: name, Kind: policy.KindInline, Doc: doc})
	}
	return have
}

func (b *builder) attached(what string, have []string, list []AttachedPolicy) []string {
	for _, a := range list {
		arn := a.PolicyArn
		if arn == "" {
			if a.PolicyName == "" {
				b.warnf("%s: attached policy with neither PolicyArn nor PolicyName, skipped", what)
				continue
			}
			arn = b.policyByName(a.PolicyName)
			if arn == "" {
				b.warnf("%s: attached policy %q has no PolicyArn and no managed policy has that name, skipped", what, a.PolicyName)
				continue
			}
			b.warnf("%s: attached policy %q has no PolicyArn, using %s", what, a.PolicyName, arn)
		}
		if !slices.Contains(have, arn) {
			have = append(have, arn)
		}
	}
	return have
}

func (b *builder) policyByName(name string) string {
	var found []string
	for arn, p := range b.inv.Policies {
		if p.Name == name {
			found = append(found, arn)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

func addTags(m map[string]string, tags []Tag) map[string]string {
	for _, t := range tags {
		if m == nil {
			m = map[string]string{}
		}
		if _, ok := m[t.Key]; !ok {
			m[t.Key] = t.Value
		}
	}
	return m
}

// date parses the date formats the CLI and the API use.
func (b *builder) date(what, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		b.warnf("%s: %s %q is not a date, ignored", what, field, s)
	}
	return t
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognized date %q", s)
}

// finish checks references and fills the Inventory's slices in ARN order.
func (b *builder) finish() {
	inv := b.inv
	for a := range b.accounts {
		inv.Accounts = append(inv.Accounts, a)
	}
	slices.Sort(inv.Accounts)

	groupsByName := map[[2]string]bool{}
	for _, g := range sortedValues(b.groups) {
		inv.Groups = append(inv.Groups, *g)
		groupsByName[[2]string{g.AccountID, g.Name}] = true
	}
	for _, r := range sortedValues(b.roles) {
		inv.Roles = append(inv.Roles, *r)
	}
	for _, u := range sortedValues(b.users) {
		inv.Users = append(inv.Users, *u)
		for _, g := range u.Groups {
			if !groupsByName[[2]string{u.AccountID, g}] {
				b.warnf("user %s: member of group %q, which is not in the input; the group's permissions are not counted", u.ARN, g)
			}
		}
	}

	// One warning per missing managed policy, with who needs it.
	missing := map[string][]string{}
	note := func(owner string, arns []string) {
		for _, a := range arns {
			if _, ok := inv.Policies[a]; !ok {
				missing[a] = append(missing[a], owner)
			}
		}
	}
	for _, g := range inv.Groups {
		note(g.ARN, g.Attached)
	}
	for _, r := range inv.Roles {
		note(r.ARN, r.Attached)
		if r.Boundary != "" {
			note(r.ARN+" (boundary)", []string{r.Boundary})
		}
	}
	for _, u := range inv.Users {
		note(u.ARN, u.Attached)
		if u.Boundary != "" {
			note(u.ARN+" (boundary)", []string{u.Boundary})
		}
	}
	for _, arn := range sortedKeys(missing) {
		owners := missing[arn]
		b.warnf("managed policy %s is attached to %s but not in the input's Policies; its permissions are not counted", arn, summarize(owners))
	}
}

func summarize(list []string) string {
	if len(list) <= 3 {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:3], ", "), len(list)-3)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedValues[V any](m map[string]*V) []*V {
	out := make([]*V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// parseDocument decodes a policy document as files and the API carry it: a
// JSON object, or a JSON string holding URL-encoded (or plain) JSON text
// (policy.Parse unwraps both). A missing document (absent or null) is nil
// without error.
func parseDocument(name string, raw json.RawMessage) (*policy.Document, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	return policy.ParseNamed(name, raw)
}

// trustJSON returns a trust policy as compact JSON, undoing the API's
// string wrapping and URL encoding. Trust policies are not identity
// policies (they have a Principal), so they are checked as JSON only.
func trustJSON(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("decode document string: %w", err)
		}
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "{") {
			// IAM percent-encodes documents (RFC 3986); '+' is a literal
			// plus, so PathUnescape, not QueryUnescape.
			dec, err := url.PathUnescape(s)
			if err != nil {
				return nil, fmt.Errorf("URL-decode document: %w", err)
			}
			s = dec
		}
		raw = []byte(s)
	}
	return canonicalObject(raw)
}

// canonicalObject re-encodes a JSON object with sorted keys and no white
// space, so the same trust policy always has the same bytes (and digest),
// whether it came from a file, the API or the database.
func canonicalObject(raw []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("data after the JSON object")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
