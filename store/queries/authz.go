package queries

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// AuthzSnapshot is one row of authz_snapshot: one stored authorization
// inventory, identified by the digest of its content.
type AuthzSnapshot struct {
	ID     int64
	Source string
	Digest string
	// TakenAt is when the content was last observed.
	TakenAt   time.Time
	CreatedAt time.Time
	Accounts  []string
	Warnings  []string
	// Counts of the snapshot's rows (read only).
	Roles, Users, Groups, Policies int
}

// AuthzPrincipal is one row of authz_principal (a role or a user). JSON
// columns hold raw JSON; a nil TrustPolicy is SQL NULL.
type AuthzPrincipal struct {
	ARN, Kind, AccountID, Name, Path, PrincipalID string
	CreateDate                                    *time.Time
	TrustPolicy                                   json.RawMessage
	Tags                                          json.RawMessage
	LastUsed                                      *time.Time
	LastUsedRegion, BoundaryARN                   string
	InstanceProfiles                              []string
}

// AuthzGroup is one row of authz_group.
type AuthzGroup struct {
	ARN, AccountID, Name, Path, GroupID string
	CreateDate                          *time.Time
}

// AuthzMembership is one row of authz_membership: a user's Ord-th group.
type AuthzMembership struct {
	UserARN, GroupName string
	Ord                int
}

// AuthzPolicy is one row of authz_policy: an inline policy (Kind
// "inline", OwnerARN its principal or group, Ord its place) or a managed
// one (Kind "managed", ARN). A nil Document is SQL NULL.
type AuthzPolicy struct {
	Kind, OwnerARN, ARN, Name      string
	Ord                            int
	Path, PolicyID, DefaultVersion string
	AWSManaged                     bool
	Document                       json.RawMessage
}

// AuthzAttachment is one row of authz_attachment: the Ord-th managed
// policy attached to a principal or group.
type AuthzAttachment struct {
	OwnerARN, PolicyARN string
	Ord                 int
}

// AuthzContent is every row of a snapshot but its own.
type AuthzContent struct {
	Principals  []AuthzPrincipal
	Groups      []AuthzGroup
	Memberships []AuthzMembership
	Policies    []AuthzPolicy
	Attachments []AuthzAttachment
}

// SaveAuthzSnapshot stores snap and the rows content returns, in one
// transaction. When a snapshot with the same digest exists, content is not
// called: its id is returned with created false, and its TakenAt moves
// forward to snap's when later.
func SaveAuthzSnapshot(ctx context.Context, db *store.DB, snap AuthzSnapshot, content func() (*AuthzContent, error)) (id int64, created bool, err error) {
	accounts, warnings := snap.Accounts, snap.Warnings
	if accounts == nil {
		accounts = []string{}
	}
	if warnings == nil {
		warnings = []string{}
	}
	warnJSON, err := json.Marshal(warnings)
	if err != nil {
		return 0, false, fmt.Errorf("save authorization snapshot: %w", err)
	}
	err = store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		// xmax = 0 only for a row this statement inserted.
		row := tx.QueryRow(ctx, `
			INSERT INTO authz_snapshot (source, digest, taken_at, accounts, warnings)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (digest) DO UPDATE SET taken_at = GREATEST(authz_snapshot.taken_at, EXCLUDED.taken_at)
			RETURNING id, xmax = 0`,
			snap.Source, snap.Digest, snap.TakenAt.UTC(), accounts, json.RawMessage(warnJSON))
		if err := row.Scan(&id, &created); err != nil {
			return fmt.Errorf("insert snapshot: %w", err)
		}
		if !created {
			return nil
		}
		c, err := content()
		if err != nil {
			return err
		}
		return copyAuthz(ctx, tx, id, c)
	})
	if err != nil {
		return 0, false, fmt.Errorf("save authorization snapshot: %w", err)
	}
	return id, created, nil
}

// orNull makes a nil JSON value SQL NULL.
func orNull(j json.RawMessage) any {
	if j == nil {
		return nil
	}
	return j
}

func copyAuthz(ctx context.Context, tx pgx.Tx, id int64, c *AuthzContent) error {
	var principals, groups, members, policies, attachments [][]any
	for _, p := range c.Principals {
		profiles := p.InstanceProfiles
		if profiles == nil {
			profiles = []string{}
		}
		tags := p.Tags
		if tags == nil {
			tags = json.RawMessage("{}")
		}
		principals = append(principals, []any{id, p.ARN, p.Kind, p.AccountID, p.Name, p.Path, p.PrincipalID,
			p.CreateDate, orNull(p.TrustPolicy), tags, p.LastUsed, p.LastUsedRegion, p.BoundaryARN, profiles})
	}
	for _, g := range c.Groups {
		groups = append(groups, []any{id, g.ARN, g.AccountID, g.Name, g.Path, g.GroupID, g.CreateDate})
	}
	for _, m := range c.Memberships {
		members = append(members, []any{id, m.UserARN, m.GroupName, m.Ord})
	}
	for _, p := range c.Policies {
		policies = append(policies, []any{id, p.Kind, p.OwnerARN, p.ARN, p.Name, p.Ord, p.Path, p.PolicyID, p.DefaultVersion, p.AWSManaged, orNull(p.Document)})
	}
	for _, a := range c.Attachments {
		attachments = append(attachments, []any{id, a.OwnerARN, a.PolicyARN, a.Ord})
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

const authzSnapshotQuery = `
	SELECT s.id, s.source, s.digest, s.taken_at, s.created_at, s.accounts, s.warnings,
	       (SELECT count(*) FROM authz_principal p WHERE p.snapshot_id = s.id AND p.kind = 'role'),
	       (SELECT count(*) FROM authz_principal p WHERE p.snapshot_id = s.id AND p.kind = 'user'),
	       (SELECT count(*) FROM authz_group g WHERE g.snapshot_id = s.id),
	       (SELECT count(*) FROM authz_policy p WHERE p.snapshot_id = s.id AND p.kind = 'managed')
	FROM authz_snapshot s`

func scanAuthzSnapshot(row pgx.CollectableRow) (AuthzSnapshot, error) {
	var s AuthzSnapshot
	var warnings []byte
	err := row.Scan(&s.ID, &s.Source, &s.Digest, &s.TakenAt, &s.CreatedAt, &s.Accounts, &warnings,
		&s.Roles, &s.Users, &s.Groups, &s.Policies)
	if err != nil {
		return s, err
	}
	s.TakenAt, s.CreatedAt = s.TakenAt.UTC(), s.CreatedAt.UTC()
	if err := json.Unmarshal(warnings, &s.Warnings); err != nil {
		return s, fmt.Errorf("snapshot %d warnings: %w", s.ID, err)
	}
	return s, nil
}

// AuthzSnapshots returns every stored authorization snapshot with its
// counts, newest (by TakenAt) first.
func AuthzSnapshots(ctx context.Context, db *store.DB) ([]AuthzSnapshot, error) {
	rows, err := db.Pool.Query(ctx, authzSnapshotQuery+` ORDER BY s.taken_at DESC, s.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list authorization snapshots: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanAuthzSnapshot)
	if err != nil {
		return nil, fmt.Errorf("list authorization snapshots: %w", err)
	}
	return out, nil
}

// LoadAuthzSnapshot reads snapshot id (0: the newest by TakenAt) and all
// its rows in one read-only repeatable-read transaction, each list
// ordered as stored (policies by kind, owner and place). ErrNotFound when
// there is none.
func LoadAuthzSnapshot(ctx context.Context, db *store.DB, id int64) (AuthzSnapshot, *AuthzContent, error) {
	var snap AuthzSnapshot
	c := &AuthzContent{}
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		q, args := authzSnapshotQuery+` WHERE s.id = $1`, []any{id}
		if id == 0 {
			q, args = authzSnapshotQuery+` ORDER BY s.taken_at DESC, s.id DESC LIMIT 1`, nil
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		if snap, err = pgx.CollectExactlyOneRow(rows, scanAuthzSnapshot); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		id = snap.ID
		reads := []struct {
			what string
			sql  string
			read func(pgx.Rows) error
		}{
			{"policies", `SELECT kind, owner_arn, arn, name, ord, path, policy_id, default_version, aws_managed, document
				FROM authz_policy WHERE snapshot_id = $1 ORDER BY kind, owner_arn, ord, arn`,
				func(r pgx.Rows) (err error) {
					c.Policies, err = pgx.CollectRows(r, pgx.RowToStructByPos[AuthzPolicy])
					return
				}},
			{"attachments", `SELECT owner_arn, policy_arn, ord FROM authz_attachment WHERE snapshot_id = $1 ORDER BY owner_arn, ord`,
				func(r pgx.Rows) (err error) {
					c.Attachments, err = pgx.CollectRows(r, pgx.RowToStructByPos[AuthzAttachment])
					return
				}},
			{"memberships", `SELECT user_arn, group_name, ord FROM authz_membership WHERE snapshot_id = $1 ORDER BY user_arn, ord`,
				func(r pgx.Rows) (err error) {
					c.Memberships, err = pgx.CollectRows(r, pgx.RowToStructByPos[AuthzMembership])
					return
				}},
			{"groups", `SELECT arn, account_id, name, path, group_id, create_date FROM authz_group WHERE snapshot_id = $1 ORDER BY arn`,
				func(r pgx.Rows) (err error) {
					c.Groups, err = pgx.CollectRows(r, pgx.RowToStructByPos[AuthzGroup])
					return
				}},
			{"principals", `SELECT arn, kind, account_id, name, path, principal_id, create_date, trust_policy,
				tags, last_used, last_used_region, boundary_arn, instance_profiles
				FROM authz_principal WHERE snapshot_id = $1 ORDER BY arn`,
				func(r pgx.Rows) (err error) {
					c.Principals, err = pgx.CollectRows(r, pgx.RowToStructByPos[AuthzPrincipal])
					return
				}},
		}
		for _, rd := range reads {
			rows, err := tx.Query(ctx, rd.sql, id)
			if err != nil {
				return fmt.Errorf("%s: %w", rd.what, err)
			}
			if err := rd.read(rows); err != nil {
				return fmt.Errorf("%s: %w", rd.what, err)
			}
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return snap, nil, err
	}
	if err != nil {
		return snap, nil, fmt.Errorf("load authorization snapshot: %w", err)
	}
	return snap, c, nil
}
