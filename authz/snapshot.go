package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// ErrNoSnapshot is returned by LoadSnapshot when the database holds no
// authorization snapshot (or not the one asked for).
var ErrNoSnapshot = errors.New("no authorization inventory snapshot (run `iamtrim ingest authz FILE...` or `iamtrim ingest authz aws`)")

// SnapshotInfo describes a stored snapshot: its Digest is
// "sha256:<hex>" over the inventory's content (not its source, time or
// warnings), its identity; TakenAt is when the content was last observed
// (a re-load of the same content moves it forward).
type SnapshotInfo = queries.AuthzSnapshot

// Digest returns "sha256:<hex>" of the inventory's content: accounts,
// roles, users, groups and managed policies with their documents in
// canonical JSON. Warnings do not count.
func Digest(inv *Inventory) (string, error) {
	content := struct {
		Accounts []string
		Roles    []Role
		Users    []User
		Groups   []Group
		Policies map[string]*ManagedPolicy
	}{inv.Accounts, inv.Roles, inv.Users, inv.Groups, inv.Policies}
	b, err := json.Marshal(content)
	if err != nil {
		return "", fmt.Errorf("digest inventory: %w", err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// SaveSnapshot stores inv as a snapshot taken at takenAt from source (a
// file list, "iam:GetAccountAuthorizationDetails", …). When a snapshot with
// the same content digest exists, nothing new is stored: its ID is returned
// with created false, and its TakenAt moves forward to takenAt if later.
func SaveSnapshot(ctx context.Context, db *store.DB, inv *Inventory, source string, takenAt time.Time) (snapshotID int64, created bool, err error) {
	digest, err := Digest(inv)
	if err != nil {
		return 0, false, err
	}
	return queries.SaveAuthzSnapshot(ctx, db, queries.AuthzSnapshot{Source: source, Digest: digest, TakenAt: takenAt, Accounts: inv.Accounts, Warnings: inv.Warnings},
		func() (*queries.AuthzContent, error) { return snapshotRows(inv) })
}

// snapshotRows turns inv into the rows of its snapshot tables.
func snapshotRows(inv *Inventory) (*queries.AuthzContent, error) {
	c := &queries.AuthzContent{}
	inline := func(owner string, list []policy.NamedPolicy) error {
		for i, np := range list {
			docJSON, err := docJSON(np.Doc)
			if err != nil {
				return fmt.Errorf("%s inline policy %s: %w", owner, np.Name, err)
			}
			c.Policies = append(c.Policies, queries.AuthzPolicy{Kind: "inline", OwnerARN: owner, Name: np.Name, Ord: i, Document: docJSON})
		}
		return nil
	}
	attach := func(owner string, arns []string) {
		for i, a := range arns {
			c.Attachments = append(c.Attachments, queries.AuthzAttachment{OwnerARN: owner, PolicyARN: a, Ord: i})
		}
	}
	for _, r := range inv.Roles {
		c.Principals = append(c.Principals, queries.AuthzPrincipal{ARN: r.ARN, Kind: TypeRole, AccountID: r.AccountID, Name: r.Name, Path: r.Path,
			PrincipalID: r.RoleID, CreateDate: nullTime(r.CreateDate), TrustPolicy: r.Trust, Tags: tagsJSON(r.Tags), LastUsed: r.LastUsed,
			LastUsedRegion: r.LastUsedRegion, BoundaryARN: r.Boundary, InstanceProfiles: r.InstanceProfiles})
		if err := inline(r.ARN, r.Inline); err != nil {
			return nil, err
		}
		attach(r.ARN, r.Attached)
	}
	for _, u := range inv.Users {
		c.Principals = append(c.Principals, queries.AuthzPrincipal{ARN: u.ARN, Kind: TypeUser, AccountID: u.AccountID, Name: u.Name, Path: u.Path,
			PrincipalID: u.UserID, CreateDate: nullTime(u.CreateDate), Tags: tagsJSON(u.Tags), BoundaryARN: u.Boundary})
		if err := inline(u.ARN, u.Inline); err != nil {
			return nil, err
		}
		attach(u.ARN, u.Attached)
		for i, g := range u.Groups {
			c.Memberships = append(c.Memberships, queries.AuthzMembership{UserARN: u.ARN, GroupName: g, Ord: i})
		}
	}
	for _, g := range inv.Groups {
		c.Groups = append(c.Groups, queries.AuthzGroup{ARN: g.ARN, AccountID: g.AccountID, Name: g.Name, Path: g.Path, GroupID: g.GroupID, CreateDate: nullTime(g.CreateDate)})
		if err := inline(g.ARN, g.Inline); err != nil {
			return nil, err
		}
		attach(g.ARN, g.Attached)
	}
	for _, arn := range sortedKeys(inv.Policies) {
		mp := inv.Policies[arn]
		docJSON, err := docJSON(mp.Doc)
		if err != nil {
			return nil, fmt.Errorf("managed policy %s: %w", arn, err)
		}
		c.Policies = append(c.Policies, queries.AuthzPolicy{Kind: "managed", ARN: arn, Name: mp.Name, Path: mp.Path, PolicyID: mp.PolicyID,
			DefaultVersion: mp.DefaultVersion, AWSManaged: mp.AWSManaged, Document: docJSON})
	}
	return c, nil
}

// docJSON is a document's canonical JSON for a jsonb column; nil (SQL NULL)
// for a missing document.
func docJSON(d *policy.Document) (json.RawMessage, error) {
	if d == nil {
		return nil, nil
	}
	b, err := d.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

func tagsJSON(tags map[string]string) json.RawMessage {
	if len(tags) == 0 {
		return json.RawMessage("{}")
	}
	b, _ := json.Marshal(tags) // a map of strings always marshals
	return b
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ListSnapshots returns every stored snapshot, newest first, with counts.
func ListSnapshots(ctx context.Context, db *store.DB) ([]SnapshotInfo, error) {
	rows, err := queries.AuthzSnapshots(ctx, db)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// LoadSnapshot reads snapshot id back into an Inventory (0 means the latest
// by TakenAt). Documents are re-parsed from their stored canonical JSON.
func LoadSnapshot(ctx context.Context, db *store.DB, id int64) (*Inventory, SnapshotInfo, error) {
	info, c, err := queries.LoadAuthzSnapshot(ctx, db, id)
	if errors.Is(err, queries.ErrNotFound) {
		if id != 0 {
			return nil, SnapshotInfo{}, fmt.Errorf("snapshot %d: %w", id, ErrNoSnapshot)
		}
		return nil, SnapshotInfo{}, ErrNoSnapshot
	}
	if err != nil {
		return nil, SnapshotInfo{}, err
	}
	inv, err := inventory(info, c)
	if err != nil {
		return nil, SnapshotInfo{}, fmt.Errorf("load authorization snapshot %d: %w", info.ID, err)
	}
	return inv, info, nil
}

// inventory rebuilds the Inventory a snapshot's rows hold.
func inventory(info SnapshotInfo, c *queries.AuthzContent) (*Inventory, error) {
	inv := &Inventory{Accounts: info.Accounts, Warnings: info.Warnings, Policies: map[string]*ManagedPolicy{}}
	if len(inv.Accounts) == 0 {
		inv.Accounts = nil
	}
	if len(inv.Warnings) == 0 {
		inv.Warnings = nil
	}
	inline := map[string][]policy.NamedPolicy{}
	attached := map[string][]string{}
	members := map[string][]string{}
	for _, p := range c.Policies {
		var doc *policy.Document
		if p.Document != nil {
			d, err := policy.ParseNamed(p.Name, p.Document)
			if err != nil {
				return nil, fmt.Errorf("policies: stored document of %s %s: %w", p.OwnerARN, p.Name, err)
			}
			doc = d
		}
		if p.Kind == "managed" {
			inv.Policies[p.ARN] = &ManagedPolicy{ARN: p.ARN, Name: p.Name, Path: p.Path, PolicyID: p.PolicyID, DefaultVersion: p.DefaultVersion, Doc: doc, AWSManaged: p.AWSManaged}
			continue
		}
		inline[p.OwnerARN] = append(inline[p.OwnerARN], policy.NamedPolicy{Name: p.Name, Kind: policy.KindInline, Doc: doc})
	}
	for _, a := range c.Attachments {
		attached[a.OwnerARN] = append(attached[a.OwnerARN], a.PolicyARN)
	}
	for _, m := range c.Memberships {
		members[m.UserARN] = append(members[m.UserARN], m.GroupName)
	}
	for _, g := range c.Groups {
		inv.Groups = append(inv.Groups, Group{ARN: g.ARN, AccountID: g.AccountID, Name: g.Name, Path: g.Path, GroupID: g.GroupID,
			CreateDate: utc(g.CreateDate), Inline: inline[g.ARN], Attached: attached[g.ARN]})
	}
	for _, p := range c.Principals {
		tagMap, err := decodeTags(p.Tags)
		if err != nil {
			return nil, fmt.Errorf("principals: %s tags: %w", p.ARN, err)
		}
		switch p.Kind {
		case TypeRole:
			r := Role{AccountID: p.AccountID, ARN: p.ARN, Name: p.Name, Path: p.Path, RoleID: p.PrincipalID,
				CreateDate: utc(p.CreateDate), Tags: tagMap, LastUsedRegion: p.LastUsedRegion, Boundary: p.BoundaryARN,
				Inline: inline[p.ARN], Attached: attached[p.ARN]}
			if len(p.InstanceProfiles) > 0 {
				r.InstanceProfiles = slices.Clone(p.InstanceProfiles)
			}
			if p.LastUsed != nil {
				t := p.LastUsed.UTC()
				r.LastUsed = &t
			}
			if p.TrustPolicy != nil {
				if r.Trust, err = canonicalObject(p.TrustPolicy); err != nil {
					return nil, fmt.Errorf("principals: %s trust policy: %w", p.ARN, err)
				}
			}
			inv.Roles = append(inv.Roles, r)
		case TypeUser:
			inv.Users = append(inv.Users, User{AccountID: p.AccountID, ARN: p.ARN, Name: p.Name, Path: p.Path, UserID: p.PrincipalID,
				CreateDate: utc(p.CreateDate), Tags: tagMap, Boundary: p.BoundaryARN,
				Inline: inline[p.ARN], Attached: attached[p.ARN], Groups: members[p.ARN]})
		}
	}
	return inv, nil
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func decodeTags(b []byte) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
