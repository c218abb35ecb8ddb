package queries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// The analysis snapshots as `iamtrim diff` compares them.

// NewestAnalyses returns the ids of the n newest organisation-wide
// analysis snapshots (of every principal, not one), newest first.
func NewestAnalyses(ctx context.Context, db *store.DB, n int) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id FROM analysis_snapshot WHERE scope = '' ORDER BY created_at DESC, id DESC LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("list analysis snapshots: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list analysis snapshots: %w", err)
	}
	return ids, nil
}

// AnalysisBefore returns the id of the organisation-wide analysis
// snapshot made just before snapshot id; ErrNotFound when there is none.
func AnalysisBefore(ctx context.Context, db *store.DB, id int64) (int64, error) {
	var prev int64
	err := db.Pool.QueryRow(ctx, `
		SELECT id FROM analysis_snapshot
		WHERE scope = '' AND (created_at, id) < (SELECT created_at, id FROM analysis_snapshot WHERE id = $1)
		ORDER BY created_at DESC, id DESC LIMIT 1`, id).Scan(&prev)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find the analysis before %d: %w", id, err)
	}
	return prev, nil
}

// AnalysisHeader is an analysis snapshot's identity and evidence.
type AnalysisHeader struct {
	ID         int64
	CreatedAt  time.Time
	AsOf       time.Time
	WindowDays int
	// AuthzSnapshot and CatalogVersion are nil when it used none.
	AuthzSnapshot, CatalogVersion *int64
}

// AnalysisHeaderOf returns analysis snapshot id's header; ErrNotFound when
// there is none.
func AnalysisHeaderOf(ctx context.Context, db *store.DB, id int64) (AnalysisHeader, error) {
	var h AnalysisHeader
	err := db.Pool.QueryRow(ctx, `SELECT id, created_at, as_of, window_days, authz_snapshot_id, catalog_version FROM analysis_snapshot WHERE id = $1`, id).
		Scan(&h.ID, &h.CreatedAt, &h.AsOf, &h.WindowDays, &h.AuthzSnapshot, &h.CatalogVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, ErrNotFound
	}
	if err != nil {
		return h, fmt.Errorf("read analysis snapshot %d: %w", id, err)
	}
	h.CreatedAt = h.CreatedAt.UTC()
	return h, nil
}

// PrincipalChangeRow is what `iamtrim diff` compares of a principal of an
// analysis snapshot: its risk (Level nil when the result has none), and
// as JSON lists the granted actions it used and the unused ones.
type PrincipalChangeRow struct {
	ARN                 string
	Risk                float64
	Level               *string
	UsedGranted, Unused []byte
}

// PrincipalChanges returns the principals of analysis snapshot id, in no
// particular order.
func PrincipalChanges(ctx context.Context, db *store.DB, id int64) ([]PrincipalChangeRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT principal_arn, risk, result->'risk'->>'level',
		       coalesce((SELECT jsonb_agg(u->>'action') FROM jsonb_array_elements(CASE jsonb_typeof(result->'used') WHEN 'array' THEN result->'used' ELSE '[]' END) u WHERE u->>'granted' = 'true'), '[]'),
		       coalesce(result->'unused', '[]')
		FROM analysis_principal WHERE snapshot_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("read analysis snapshot %d: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PrincipalChangeRow])
	if err != nil {
		return nil, fmt.Errorf("read analysis snapshot %d: %w", id, err)
	}
	return out, nil
}
