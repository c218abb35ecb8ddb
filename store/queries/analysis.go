package queries

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// AnalysisSnapshot is one row of analysis_snapshot: an analysis run, its
// window and the evidence it used (0 or nil: none).
type AnalysisSnapshot struct {
	AsOf           time.Time
	WindowDays     int
	CatalogVersion *int64
	AuthzSnapshot  int64
	TrailConfig    int64
	// Scope is the one principal analysed, empty for all.
	Scope  string
	Params []byte
	// Digest identifies the snapshot's evidence, parameters and results:
	// a snapshot with the same digest is stored once.
	Digest string
	// CreatedAt is the time of the run (IAMTRIM_NOW); zero: the server's
	// now().
	CreatedAt time.Time
}

// AnalysisPrincipal is one row of analysis_principal: the counts reports
// sort and compare on, and the full result.
type AnalysisPrincipal struct {
	ARN, Kind, Account, Name            string
	Granted, Used, Unused, Unobservable int
	Denied                              int64
	Risk                                float64
	HighRiskUnused                      int
	Flags                               []string
	LastUsed                            *time.Time
	Result                              []byte
}

// SaveAnalysis stores a snapshot and its principals in one transaction.
// When a snapshot with the same digest is stored already, nothing is
// written and that one's id and time are returned with created false.
func SaveAnalysis(ctx context.Context, db *store.DB, snap AnalysisSnapshot, principals []AnalysisPrincipal) (id int64, at time.Time, created bool, err error) {
	err = store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		created = false // a retry starts again
		err := tx.QueryRow(ctx, `
			INSERT INTO analysis_snapshot (as_of, window_days, catalog_version, authz_snapshot_id, trail_config_id, scope, params, digest, created_at)
			VALUES ($1, $2, $3, NULLIF($4, 0), NULLIF($5, 0), $6, $7, $8, COALESCE($9, now()))
			ON CONFLICT (digest) DO NOTHING RETURNING id, created_at`,
			snap.AsOf, snap.WindowDays, snap.CatalogVersion, snap.AuthzSnapshot, snap.TrailConfig, snap.Scope, snap.Params, snap.Digest, nowOrNil(snap.CreatedAt)).Scan(&id, &at)
		if errors.Is(err, pgx.ErrNoRows) {
			if err := tx.QueryRow(ctx, `SELECT id, created_at FROM analysis_snapshot WHERE digest = $1`, snap.Digest).Scan(&id, &at); err != nil {
				return fmt.Errorf("find snapshot: %w", err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("insert snapshot: %w", err)
		}
		rows := make([][]any, 0, len(principals))
		for _, p := range principals {
			rows = append(rows, []any{id, p.ARN, p.Kind, p.Account, p.Name, p.Granted, p.Used, p.Unused,
				p.Unobservable, p.Denied, p.Risk, p.HighRiskUnused, p.Flags, p.LastUsed, p.Result})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i][1].(string) < rows[j][1].(string) })
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"analysis_principal"},
			[]string{"snapshot_id", "principal_arn", "kind", "account_id", "name", "granted", "used", "unused", "unobservable", "denied", "risk", "high_risk_unused", "flags", "last_used", "result"},
			pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("save principals: %w", err)
		}
		created = true
		return nil
	})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("save analysis: %w", err)
	}
	return id, at, created, nil
}

// nowOrNil is t for a timestamp column, or nil (the server's now()) when
// zero.
func nowOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
