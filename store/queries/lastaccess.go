package queries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// LastAccessSnapshot is one principal's IAM last-accessed data
// (lastaccess_snapshot with its lastaccess_service and lastaccess_action
// rows).
type LastAccessSnapshot struct {
	PrincipalARN, AccountID, Source, JobID, Granularity string
	TakenAt, TrackingStart                              time.Time
	// Digest identifies the content: saving it again stores nothing.
	Digest   string
	Services []LastAccessService
}

// LastAccessService is a lastaccess_service row and its actions.
type LastAccessService struct {
	Service, ServiceName   string
	LastAuthenticated      *time.Time
	LastRegion, LastEntity string
	TotalEntities          int
	ActionLevel            bool
	Actions                []LastAccessAction
}

// LastAccessAction is a lastaccess_action row.
type LastAccessAction struct {
	Action       string
	LastAccessed *time.Time
	LastRegion   string
}

// SaveLastAccess stores s unless a snapshot with its digest is stored,
// and drops the principal's pending job row in the same transaction (a
// run killed after the commit does not fetch the job again, one killed
// before it does). It returns the snapshot's id and whether it was new.
func SaveLastAccess(ctx context.Context, db *store.DB, s LastAccessSnapshot) (id int64, created bool, err error) {
	err = store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		created = false // a retry starts again
		if _, err := tx.Exec(ctx, `DELETE FROM lastaccess_job WHERE principal_arn = $1`, s.PrincipalARN); err != nil {
			return fmt.Errorf("clear job: %w", err)
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO lastaccess_snapshot (principal_arn, account_id, source, job_id, granularity, taken_at, tracking_start, digest)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (digest) DO NOTHING RETURNING id`,
			s.PrincipalARN, s.AccountID, s.Source, s.JobID, s.Granularity, s.TakenAt, s.TrackingStart, s.Digest).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return tx.QueryRow(ctx, `SELECT id FROM lastaccess_snapshot WHERE digest = $1`, s.Digest).Scan(&id)
		}
		if err != nil {
			return err
		}
		created = true
		var svcs, acts [][]any
		for _, sv := range s.Services {
			svcs = append(svcs, []any{id, sv.Service, sv.ServiceName, sv.LastAuthenticated, sv.LastRegion, sv.LastEntity, sv.TotalEntities, sv.ActionLevel})
			for _, a := range sv.Actions {
				acts = append(acts, []any{id, sv.Service, a.Action, a.LastAccessed, a.LastRegion})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"lastaccess_service"},
			[]string{"snapshot_id", "service", "service_name", "last_authenticated", "last_region", "last_entity", "total_entities", "action_level"},
			pgx.CopyFromRows(svcs)); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"lastaccess_action"},
			[]string{"snapshot_id", "service", "action", "last_accessed", "last_region"}, pgx.CopyFromRows(acts))
		return err
	})
	return id, created, err
}

// LatestLastAccess returns, per principal, the newest snapshot taken
// before before (zero: any), for the principals arns names (nil: all);
// services sorted by name, actions by service and name, times in UTC.
func LatestLastAccess(ctx context.Context, db *store.DB, before time.Time, arns []string) ([]LastAccessSnapshot, error) {
	var lim any
	if !before.IsZero() {
		lim = before.UTC()
	}
	var filter any
	if arns != nil {
		filter = arns
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (principal_arn) id, principal_arn, account_id, source, job_id, granularity, taken_at, tracking_start, digest
		FROM lastaccess_snapshot
		WHERE ($1::timestamptz IS NULL OR taken_at < $1) AND ($2::text[] IS NULL OR principal_arn = ANY($2))
		ORDER BY principal_arn, taken_at DESC, id DESC`, lim, filter)
	if err != nil {
		return nil, fmt.Errorf("snapshots: %w", err)
	}
	var out []LastAccessSnapshot
	var ids []int64
	byID := map[int64]int{}
	for rows.Next() {
		var id int64
		var s LastAccessSnapshot
		if err := rows.Scan(&id, &s.PrincipalARN, &s.AccountID, &s.Source, &s.JobID, &s.Granularity, &s.TakenAt, &s.TrackingStart, &s.Digest); err != nil {
			rows.Close()
			return nil, fmt.Errorf("snapshots: %w", err)
		}
		s.TakenAt, s.TrackingStart = s.TakenAt.UTC(), s.TrackingStart.UTC()
		byID[id] = len(out)
		out = append(out, s)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snapshots: %w", err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	svcIndex := map[int64]map[string]int{}
	rows, err = db.Pool.Query(ctx, `
		SELECT snapshot_id, service, service_name, last_authenticated, last_region, last_entity, total_entities, action_level
		FROM lastaccess_service WHERE snapshot_id = ANY($1) ORDER BY snapshot_id, service`, ids)
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	for rows.Next() {
		var id int64
		var s LastAccessService
		if err := rows.Scan(&id, &s.Service, &s.ServiceName, &s.LastAuthenticated, &s.LastRegion, &s.LastEntity, &s.TotalEntities, &s.ActionLevel); err != nil {
			rows.Close()
			return nil, fmt.Errorf("services: %w", err)
		}
		s.LastAuthenticated = utc(s.LastAuthenticated)
		snap := &out[byID[id]]
		if svcIndex[id] == nil {
			svcIndex[id] = map[string]int{}
		}
		svcIndex[id][s.Service] = len(snap.Services)
		snap.Services = append(snap.Services, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	rows, err = db.Pool.Query(ctx, `
		SELECT snapshot_id, service, action, last_accessed, last_region
		FROM lastaccess_action WHERE snapshot_id = ANY($1) ORDER BY snapshot_id, service, action`, ids)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	for rows.Next() {
		var id int64
		var svc string
		var a LastAccessAction
		if err := rows.Scan(&id, &svc, &a.Action, &a.LastAccessed, &a.LastRegion); err != nil {
			rows.Close()
			return nil, fmt.Errorf("actions: %w", err)
		}
		a.LastAccessed = utc(a.LastAccessed)
		s := &out[byID[id]].Services[svcIndex[id][svc]]
		s.Actions = append(s.Actions, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	return out, nil
}

func utc(t *time.Time) *time.Time {
	if t != nil {
		*t = t.UTC()
	}
	return t
}

// LastAccessJob is a GenerateServiceLastAccessedDetails job started for a
// principal and not yet stored (lastaccess_job).
type LastAccessJob struct {
	PrincipalARN, JobID, Granularity string
	StartedAt                        time.Time
}

// PendingLastAccessJob returns the principal's job started at or after
// notBefore, if any.
func PendingLastAccessJob(ctx context.Context, db *store.DB, principal string, notBefore time.Time) (LastAccessJob, bool, error) {
	j := LastAccessJob{PrincipalARN: principal}
	err := db.Pool.QueryRow(ctx, `SELECT job_id, granularity, started_at FROM lastaccess_job WHERE principal_arn = $1 AND started_at >= $2`,
		principal, notBefore.UTC()).Scan(&j.JobID, &j.Granularity, &j.StartedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, false, nil
	}
	return j, err == nil, err
}

// RecordLastAccessJob remembers a started job (started now), replacing
// the principal's older one.
func RecordLastAccessJob(ctx context.Context, db *store.DB, j LastAccessJob) error {
	return store.Retry(ctx, func() error {
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO lastaccess_job (principal_arn, job_id, granularity, started_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (principal_arn) DO UPDATE SET job_id = EXCLUDED.job_id, granularity = EXCLUDED.granularity, started_at = EXCLUDED.started_at`,
			j.PrincipalARN, j.JobID, j.Granularity)
		return err
	})
}

// ForgetLastAccessJob drops a principal's pending job.
func ForgetLastAccessJob(ctx context.Context, db *store.DB, principal string) error {
	return store.Retry(ctx, func() error {
		_, err := db.Pool.Exec(ctx, `DELETE FROM lastaccess_job WHERE principal_arn = $1`, principal)
		return err
	})
}
