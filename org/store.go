package org

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Save stores o unless the same organisation is already stored; it
// returns the snapshot's id and whether it was new. A stored organisation
// loaded again becomes the latest.
func Save(ctx context.Context, pool *pgxpool.Pool, o *Org) (id int64, created bool, err error) {
	body, err := json.Marshal(o.File)
	if err != nil {
		return 0, false, fmt.Errorf("encode organisation: %w", err)
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	err = pool.QueryRow(ctx, `
		INSERT INTO org_snapshot (source, digest, organization_id, management, accounts, body)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (digest) DO NOTHING RETURNING id`,
		o.Source, digest, o.File.Organization.ID, o.Management(), len(o.accounts), body).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("save organisation: %w", err)
	}
	if err := pool.QueryRow(ctx, `
		UPDATE org_snapshot SET taken_at = now() WHERE digest = $1 RETURNING id`, digest).Scan(&id); err != nil {
		return 0, false, fmt.Errorf("touch organisation: %w", err)
	}
	return id, false, nil
}

// LoadLatest returns the latest stored organisation and its id, or ErrNone.
// Problems holds what Build rejected of it, as when it was loaded.
func LoadLatest(ctx context.Context, pool *pgxpool.Pool) (*Org, int64, error) {
	var (
		id     int64
		source string
		body   []byte
	)
	err := pool.QueryRow(ctx, `SELECT id, source, body FROM org_snapshot ORDER BY taken_at DESC, id DESC LIMIT 1`).Scan(&id, &source, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, ErrNone
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load organisation: %w", err)
	}
	var f File
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, 0, fmt.Errorf("decode organisation %d: %w", id, err)
	}
	return Build(f, source), id, nil
}
