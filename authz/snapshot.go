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
	"github.com/jackc/pgx/v5"
)

// ErrNoSnapshot is returned by LoadSnapshot when the database holds no
// authorization snapshot (or not the one asked for).
var ErrNoSnapshot = errors.New("no authorization inventory snapshot (run `iamtrim ingest authz FILE...` or `iamtrim ingest authz aws`)")

// SnapshotInfo describes a stored snapshot.
type SnapshotInfo struct {
	ID     int64
	Source string
	// Digest is "sha256:<hex>" over the inventory's content (not its
	// source, time or warnings): the snapshot's identity.
	Digest string
	// TakenAt is when the content was last observed: a re-load of the same
	// content moves it forward.
	TakenAt   time.Time
	CreatedAt time.Time
	Accounts  []string
	Warnings  []string
	Roles     int
	Users     int
	Groups    int
	Policies  int
}

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
	warnings := inv.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	warnJSON, err := json.Marshal(warnings)
	if err != nil {
		return 0, false, fmt.Errorf("save authorization snapshot: %w", err)
	}
	accounts := inv.Accounts
	if accounts == nil {
		accounts = []string{}
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// xmax = 0 only for a row this statement inserted.
		row := tx.QueryRow(ctx, `
			INSERT INTO authz_snapshot (source, digest, taken_at, accounts, warnings)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (digest) DO UPDATE SET taken_at = GREATEST(authz_snapshot.taken_at, EXCLUDED.taken_at)
			RETURNING id, xmax = 0`,
			source, digest, takenAt.UTC(), accounts, json.RawMessage(warnJSON))
		if err := row.Scan(&snapshotID, &created); err != nil {
			return fmt.Errorf("insert snapshot: %w", err)
		}
		if !created {
			return nil
		}
		return copySnapshot(ctx, tx, snapshotID, inv)
	})
	if err != nil {
		return 0, false, fmt.Errorf("save authorization snapshot: %w", err)
	}
	return snapshotID, created, nil
}

func copySnapshot(ctx context.Context, tx pgx.Tx, id int64, inv *Inventory) error {
	var principals, groups, members, policies, attachments [][]any
	inline := func(owner string, list []policy.NamedPolicy) error {
		for i, np := range list {
			docJSON, err := docJSON(np.Doc)
			if err != nil {
				return fmt.Errorf("%s inline policy %s: %w", owner, np.Name, err)
			}
			policies = append(policies, []any{id, "inline", owner, "", np.Name, i, "", "", "", false, docJSON})
		}
		return nil
	}
	attach := func(owner string, arns []string) {
		for i, a := range arns {
			attachments = append(attachments, []any{id, owner, a, i})
		}
	}
	for _, r := range inv.Roles {
		var trust any
		if r.Trust != nil {
			trust = r.Trust
		}
		principals = append(principals, []any{id, r.ARN, TypeRole, r.AccountID, r.Name, r.Path, r.RoleID,
			nullTime(r.CreateDate), trust, tagsJSON(r.Tags), r.LastUsed, r.LastUsedRegion, r.Boundary, nonNil(r.InstanceProfiles)})
		if err := inline(r.ARN, r.Inline); err != nil {
			return err
		}
		attach(r.ARN, r.Attached)
	}
	for _, u := range inv.Users {
		principals = append(principals, []any{id, u.ARN, TypeUser, u.AccountID, u.Name, u.Path, u.UserID,
			nullTime(u.CreateDate), nil, tagsJSON(u.Tags), nil, "", u.Boundary, []string{}})
		if err := inline(u.ARN, u.Inline); err != nil {
			return err
		}
		attach(u.ARN, u.Attached)
		for i, g := range u.Groups {
			members = append(members, []any{id, u.ARN, g, i})
		}
	}
	for _, g := range inv.Groups {
		groups = append(groups, []any{id, g.ARN, g.AccountID, g.Name, g.Path, g.GroupID, nullTime(g.CreateDate)})
		if err := inline(g.ARN, g.Inline); err != nil {
			return err
		}
		attach(g.ARN, g.Attached)
	}
	for _, arn := range sortedKeys(inv.Policies) {
		mp := inv.Policies[arn]
		docJSON, err := docJSON(mp.Doc)
		if err != nil {
			return fmt.Errorf("managed policy %s: %w", arn, err)
		}
		policies = append(policies, []any{id, "managed", "", arn, mp.Name, 0, mp.Path, mp.PolicyID, mp.DefaultVersion, mp.AWSManaged, docJSON})
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"authz_principal", []string{"snapshot_id", "arn", "kind", "account_id", "name", "path", "principal_id", "create_date", "trust_policy", "tags", "last_used", "last_used_region", "boundary_arn", "instance_profiles"}, principals},
		{"authz_group", []string{"snapshot_id", "arn", "account_id", "name", "path", "group_id", "create_date"}, groups},
		{"authz_membership", []string{"snapshot_id", "user_arn", "group_name", "ord"}, members},
		{"authz_policy", []string{"snapshot_id", "kind", "owner_arn", "arn", "name", "ord", "path", "policy_id", "default_version", "aws_managed", "document"}, policies},
		{"authz_attachment", []string{"snapshot_id", "owner_arn", "policy_arn", "ord"}, attachments},
	}
	for _, c := range copies {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return nil
}

// docJSON is a document's canonical JSON for a jsonb column; nil (SQL NULL)
// for a missing document.
func docJSON(d *policy.Document) (any, error) {
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ListSnapshots returns every stored snapshot, newest first, with counts.
func ListSnapshots(ctx context.Context, db *store.DB) ([]SnapshotInfo, error) {
	rows, err := db.Pool.Query(ctx, snapshotQuery+` ORDER BY s.taken_at DESC, s.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list authorization snapshots: %w", err)
	}
	infos, err := pgx.CollectRows(rows, scanInfo)
	if err != nil {
		return nil, fmt.Errorf("list authorization snapshots: %w", err)
	}
	return infos, nil
}

const snapshotQuery = `
	SELECT s.id, s.source, s.digest, s.taken_at, s.created_at, s.accounts, s.warnings,
	       (SELECT count(*) FROM authz_principal p WHERE p.snapshot_id = s.id AND p.kind = 'role'),
	       (SELECT count(*) FROM authz_principal p WHERE p.snapshot_id = s.id AND p.kind = 'user'),
	       (SELECT count(*) FROM authz_group g WHERE g.snapshot_id = s.id),
	       (SELECT count(*) FROM authz_policy p WHERE p.snapshot_id = s.id AND p.kind = 'managed')
	FROM authz_snapshot s`

func scanInfo(row pgx.CollectableRow) (SnapshotInfo, error) {
	var si SnapshotInfo
	var warnings []byte
	err := row.Scan(&si.ID, &si.Source, &si.Digest, &si.TakenAt, &si.CreatedAt, &si.Accounts, &warnings,
		&si.Roles, &si.Users, &si.Groups, &si.Policies)
	if err != nil {
		return si, err
	}
	si.TakenAt, si.CreatedAt = si.TakenAt.UTC(), si.CreatedAt.UTC()
	if err := json.Unmarshal(warnings, &si.Warnings); err != nil {
		return si, fmt.Errorf("snapshot %d warnings: %w", si.ID, err)
	}
	return si, nil
}

// LoadSnapshot reads snapshot id back into an Inventory (0 means the latest
// by TakenAt). Documents are re-parsed from their stored canonical JSON.
func LoadSnapshot(ctx context.Context, db *store.DB, id int64) (*Inventory, SnapshotInfo, error) {
	q := snapshotQuery + ` WHERE s.id = $1`
	args := []any{id}
	if id == 0 {
		q = snapshotQuery + ` ORDER BY s.taken_at DESC, s.id DESC LIMIT 1`
		args = nil
	}
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, SnapshotInfo{}, fmt.Errorf("load authorization snapshot: %w", err)
	}
	info, err := pgx.CollectExactlyOneRow(rows, scanInfo)
	if errors.Is(err, pgx.ErrNoRows) {
		if id != 0 {
			return nil, SnapshotInfo{}, fmt.Errorf("snapshot %d: %w", id, ErrNoSnapshot)
		}
		return nil, SnapshotInfo{}, ErrNoSnapshot
	}
	if err != nil {
		return nil, SnapshotInfo{}, fmt.Errorf("load authorization snapshot: %w", err)
	}
	inv, err := loadInventory(ctx, db, info)
	if err != nil {
		return nil, SnapshotInfo{}, fmt.Errorf("load authorization snapshot %d: %w", info.ID, err)
	}
	return inv, info, nil
}

func loadInventory(ctx context.Context, db *store.DB, info SnapshotInfo) (*Inventory, error) {
	id := info.ID
	inv := &Inventory{Accounts: info.Accounts, Warnings: info.Warnings, Policies: map[string]*ManagedPolicy{}}
	if len(inv.Accounts) == 0 {
		inv.Accounts = nil
	}
	if len(inv.Warnings) == 0 {
		inv.Warnings = nil
	}
	// Everything of the snapshot is read in one repeatable-read
	// transaction; snapshots are immutable, but the read should not
	// straddle a concurrent delete.
	return inv, pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		inline := map[string][]policy.NamedPolicy{}
		attached := map[string][]string{}
		members := map[string][]string{}

		rows, err := tx.Query(ctx, `SELECT kind, owner_arn, arn, name, path, policy_id, default_version, aws_managed, document
			FROM authz_policy WHERE snapshot_id = $1 ORDER BY kind, owner_arn, ord, arn`, id)
		if err != nil {
			return fmt.Errorf("policies: %w", err)
		}
		var kind, owner, arn, name, path, policyID, defVersion string
		var awsManaged bool
		var document []byte
		_, err = pgx.ForEachRow(rows, []any{&kind, &owner, &arn, &name, &path, &policyID, &defVersion, &awsManaged, &document}, func() error {
			var doc *policy.Document
			if document != nil {
				d, err := policy.ParseNamed(name, document)
				if err != nil {
					return fmt.Errorf("stored document of %s %s: %w", owner, name, err)
				}
				doc = d
			}
			if kind == "managed" {
				inv.Policies[arn] = &ManagedPolicy{ARN: arn, Name: name, Path: path, PolicyID: policyID, DefaultVersion: defVersion, Doc: doc, AWSManaged: awsManaged}
				return nil
			}
			inline[owner] = append(inline[owner], policy.NamedPolicy{Name: name, Kind: policy.KindInline, Doc: doc})
			return nil
		})
		if err != nil {
			return fmt.Errorf("policies: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT owner_arn, policy_arn FROM authz_attachment WHERE snapshot_id = $1 ORDER BY owner_arn, ord`, id)
		if err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		var policyARN string
		if _, err := pgx.ForEachRow(rows, []any{&owner, &policyARN}, func() error {
			attached[owner] = append(attached[owner], policyARN)
			return nil
		}); err != nil {
			return fmt.Errorf("attachments: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT user_arn, group_name FROM authz_membership WHERE snapshot_id = $1 ORDER BY user_arn, ord`, id)
		if err != nil {
			return fmt.Errorf("memberships: %w", err)
		}
		var group string
		if _, err := pgx.ForEachRow(rows, []any{&owner, &group}, func() error {
			members[owner] = append(members[owner], group)
			return nil
		}); err != nil {
			return fmt.Errorf("memberships: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT arn, account_id, name, path, group_id, create_date
			FROM authz_group WHERE snapshot_id = $1 ORDER BY arn`, id)
		if err != nil {
			return fmt.Errorf("groups: %w", err)
		}
		var g Group
		var created *time.Time
		if _, err := pgx.ForEachRow(rows, []any{&g.ARN, &g.AccountID, &g.Name, &g.Path, &g.GroupID, &created}, func() error {
			g.CreateDate = utc(created)
			g.Inline, g.Attached = inline[g.ARN], attached[g.ARN]
			inv.Groups = append(inv.Groups, g)
			return nil
		}); err != nil {
			return fmt.Errorf("groups: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT arn, kind, account_id, name, path, principal_id, create_date, trust_policy,
			tags, last_used, last_used_region, boundary_arn, instance_profiles
			FROM authz_principal WHERE snapshot_id = $1 ORDER BY arn`, id)
		if err != nil {
			return fmt.Errorf("principals: %w", err)
		}
		var accountID, principalID, region, boundary string
		var trust, tags []byte
		var lastUsed *time.Time
		var profiles []string
		_, err = pgx.ForEachRow(rows, []any{&arn, &kind, &accountID, &name, &path, &principalID, &created, &trust,
			&tags, &lastUsed, &region, &boundary, &profiles}, func() error {
			tagMap, err := decodeTags(tags)
			if err != nil {
				return fmt.Errorf("%s tags: %w", arn, err)
			}
			switch kind {
			case TypeRole:
				r := Role{AccountID: accountID, ARN: arn, Name: name, Path: path, RoleID: principalID,
					CreateDate: utc(created), Tags: tagMap, LastUsedRegion: region, Boundary: boundary,
					Inline: inline[arn], Attached: attached[arn]}
				if len(profiles) > 0 {
					r.InstanceProfiles = slices.Clone(profiles)
				}
				if lastUsed != nil {
					t := lastUsed.UTC()
					r.LastUsed = &t
				}
				if trust != nil {
					if r.Trust, err = canonicalObject(trust); err != nil {
						return fmt.Errorf("%s trust policy: %w", arn, err)
					}
				}
				inv.Roles = append(inv.Roles, r)
			case TypeUser:
				inv.Users = append(inv.Users, User{AccountID: accountID, ARN: arn, Name: name, Path: path, UserID: principalID,
					CreateDate: utc(created), Tags: tagMap, Boundary: boundary,
					Inline: inline[arn], Attached: attached[arn], Groups: members[arn]})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("principals: %w", err)
		}
		return nil
	})
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
