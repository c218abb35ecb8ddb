package queries

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// SaveTrailConfig stores a trail configuration (JSON) under its digest
// unless one with that digest is stored; it returns the row's id and
// whether it was new. A configuration loaded again becomes the newest.
func SaveTrailConfig(ctx context.Context, db *store.DB, source, digest string, config []byte) (id int64, created bool, err error) {
	err = store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO trail_config (source, digest, config) VALUES ($1, $2, $3)
			ON CONFLICT (digest) DO NOTHING RETURNING id`, source, digest, config).Scan(&id)
		created = err == nil
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id FROM trail_config WHERE digest = $1`, digest).Scan(&id); err != nil {
			return fmt.Errorf("find: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE trail_config SET taken_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("touch: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("save trail configuration: %w", err)
	}
	return id, created, nil
}

// TrailConfig is one stored trail configuration.
type TrailConfig struct {
	ID     int64
	Source string
	Config []byte
}

// TrailConfigs returns every stored trail configuration, newest first.
func TrailConfigs(ctx context.Context, db *store.DB) ([]TrailConfig, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, source, config FROM trail_config ORDER BY taken_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("load trail configurations: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TrailConfig])
	if err != nil {
		return nil, fmt.Errorf("load trail configurations: %w", err)
	}
	return out, nil
}
