package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// The report's per-principal sections and its evidence block.

// DetailRow is the parts of a principal's stored analysis result its
// report section shows, as raw JSON (nil when absent).
type DetailRow struct {
	ARN                                          string
	Used, UnobservableByReason, Denied, Unmapped []byte
	// UnobservableListed: the unobservable actions by reason, bounded.
	UnobservableListed []byte
}

// AnalysisDetails returns the principals of analysis snapshot, of account
// when it is not empty, in no particular order.
func AnalysisDetails(ctx context.Context, db *store.DB, snapshot int64, account string) ([]DetailRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT principal_arn, result->'used', result->'unobservable_by_reason', result->'denied', result->'unmapped',
		       result->'unobservable_listed'
		FROM analysis_principal WHERE snapshot_id = $1 AND ($2 = '' OR account_id = $2)`, snapshot, account)
	if err != nil {
		return nil, fmt.Errorf("read analysis %d: %w", snapshot, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DetailRow])
	if err != nil {
		return nil, fmt.Errorf("read analysis %d: %w", snapshot, err)
	}
	return out, nil
}

// UnusedActionRow is an action an analysis found a principal does not
// use, with its access level in a catalog version ("Unknown" when the
// catalog does not list it).
type UnusedActionRow struct {
	ARN, AccessLevel, Action string
}

// UnusedByAccessLevel returns the unused actions of analysis snapshot's
// principals (of account when it is not empty) with their access level
// in catalog version catalogVersion, by principal and action.
func UnusedByAccessLevel(ctx context.Context, db *store.DB, snapshot int64, account string, catalogVersion int64) ([]UnusedActionRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.principal_arn, coalesce(ca.access_level, 'Unknown'), u.action
		FROM analysis_principal p
		CROSS JOIN LATERAL jsonb_array_elements_text(CASE jsonb_typeof(p.result->'unused') WHEN 'array' THEN p.result->'unused' ELSE '[]' END) AS u(action)
		LEFT JOIN catalog_action ca ON ca.version_id = $3 AND ca.action_key = lower(u.action)
		WHERE p.snapshot_id = $1 AND ($2 = '' OR p.account_id = $2)
		ORDER BY 1, 3`, snapshot, account, catalogVersion)
	if err != nil {
		return nil, fmt.Errorf("read unused actions of analysis %d: %w", snapshot, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[UnusedActionRow])
	if err != nil {
		return nil, fmt.Errorf("read unused actions of analysis %d: %w", snapshot, err)
	}
	return out, nil
}

// AnalysisAccounts counts the accounts of analysis snapshot's principals.
func AnalysisAccounts(ctx context.Context, db *store.DB, snapshot int64) (int, error) {
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(DISTINCT account_id) FROM analysis_principal WHERE snapshot_id = $1`, snapshot).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the accounts of analysis %d: %w", snapshot, err)
	}
	return n, nil
}

// Recommendations returns the recommendations made for the window of
// windowDays days ending on asOf, in no particular order.
func Recommendations(ctx context.Context, db *store.DB, asOf time.Time, windowDays int) ([]Recommendation, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT principal_arn, as_of, window_days, proven, kept, removed, digest, body
		FROM recommendation WHERE as_of = $1 AND window_days = $2`, asOf, windowDays)
	if err != nil {
		return nil, fmt.Errorf("read recommendations: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Recommendation])
	if err != nil {
		return nil, fmt.Errorf("read recommendations: %w", err)
	}
	return out, nil
}

// SnapshotRef names a stored authorization snapshot or trail
// configuration by id, digest and source.
type SnapshotRef struct {
	ID             int64
	Digest, Source string
}

// AnalysisEvidence is what an analysis snapshot was made from: its
// authorization snapshot (with its accounts) and trail configuration, nil
// when it used none.
type AnalysisEvidence struct {
	Authz         *SnapshotRef
	AuthzAccounts []string
	Trails        *SnapshotRef
}

// EvidenceOf returns what analysis snapshot was made from.
func EvidenceOf(ctx context.Context, db *store.DB, snapshot int64) (AnalysisEvidence, error) {
	var ev AnalysisEvidence
	var aid, tid *int64
	var aDigest, aSource, tDigest, tSource *string
	err := db.Pool.QueryRow(ctx, `
		SELECT a.id, a.digest, a.source, coalesce(a.accounts, '{}'), t.id, t.digest, t.source
		FROM analysis_snapshot s
		LEFT JOIN authz_snapshot a ON a.id = s.authz_snapshot_id
		LEFT JOIN trail_config t ON t.id = s.trail_config_id
		WHERE s.id = $1`, snapshot).Scan(&aid, &aDigest, &aSource, &ev.AuthzAccounts, &tid, &tDigest, &tSource)
	if err != nil {
		return ev, fmt.Errorf("read the evidence of analysis %d: %w", snapshot, err)
	}
	if aid != nil {
		ev.Authz = &SnapshotRef{ID: *aid, Digest: *aDigest, Source: *aSource}
	}
	if tid != nil {
		ev.Trails = &SnapshotRef{ID: *tid, Digest: *tDigest, Source: *tSource}
	}
	return ev, nil
}

// LedgerRow totals the ingest ledger's objects of one source in one
// status.
type LedgerRow struct {
	Source, Status                   string
	Objects, Records, Events, Errors int64
}

// IngestLedger totals the ingest ledger by source and status, in that
// order.
func IngestLedger(ctx context.Context, db *store.DB) ([]LedgerRow, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT source, status, count(*), sum(records)::bigint, sum(events)::bigint, sum(errors)::bigint
		FROM ingest_object GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("read the ingest ledger: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[LedgerRow])
	if err != nil {
		return nil, fmt.Errorf("read the ingest ledger: %w", err)
	}
	return out, nil
}
