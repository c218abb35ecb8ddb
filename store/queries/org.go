package queries

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// OrgSnapshot is a stored AWS Organizations organisation (org_snapshot):
// Body is its JSON, Digest identifies it.
type OrgSnapshot struct {
	ID                                         int64
	Source, Digest, OrganizationID, Management string
	Accounts                                   int
	Body                                       []byte
}

// SaveOrgSnapshot stores s unless an organisation with its digest is
// stored, which then becomes the latest; it returns the row's id and
// whether it was new.
func SaveOrgSnapshot(ctx context.Context, db *store.DB, s OrgSnapshot) (id int64, created bool, err error) {
	err = store.Retry(ctx, func() error {
		err := db.Pool.QueryRow(ctx, `
			INSERT INTO org_snapshot (source, digest, organization_id, management, accounts, body)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (digest) DO NOTHING RETURNING id`,
			s.Source, s.Digest, s.OrganizationID, s.Management, s.Accounts, s.Body).Scan(&id)
		created = err == nil
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := db.Pool.QueryRow(ctx, `UPDATE org_snapshot SET taken_at = now() WHERE digest = $1 RETURNING id`, s.Digest).Scan(&id); err != nil {
			return fmt.Errorf("touch: %w", err)
		}
		return nil
	})
	return id, created, err
}

// LatestOrgSnapshot returns the latest stored organisation (ID, Source and
// Body set); ErrNotFound when none is stored.
func LatestOrgSnapshot(ctx context.Context, db *store.DB) (OrgSnapshot, error) {
	var s OrgSnapshot
	err := db.Pool.QueryRow(ctx, `SELECT id, source, body FROM org_snapshot ORDER BY taken_at DESC, id DESC LIMIT 1`).Scan(&s.ID, &s.Source, &s.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}
