package lastaccess

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// Save stores r as a snapshot. When a snapshot with the same digest exists
// nothing new is stored and created is false. The principal's pending job
// row (lastaccess_job) goes in the same transaction, so a run killed after
// the commit does not fetch the job again, and one killed before it does.
func Save(ctx context.Context, db *store.DB, r *Report) (id int64, created bool, err error) {
	digest := r.Digest()
	err = store.InTx(ctx, db.Pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		created = false // a retry starts again
		if _, err := tx.Exec(ctx, `DELETE FROM lastaccess_job WHERE principal_arn = $1`, r.PrincipalARN); err != nil {
			return fmt.Errorf("clear job: %w", err)
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO lastaccess_snapshot (principal_arn, account_id, source, job_id, granularity, taken_at, tracking_start, digest)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (digest) DO NOTHING RETURNING id`,
			r.PrincipalARN, r.AccountID, r.Source, r.JobID, r.Granularity, r.TakenAt, r.TrackingStart, digest).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return tx.QueryRow(ctx, `SELECT id FROM lastaccess_snapshot WHERE digest = $1`, digest).Scan(&id)
		}
		if err != nil {
			return err
		}
		created = true
		var svcs, acts [][]any
		for _, s := range r.Services {
			svcs = append(svcs, []any{id, s.Namespace, s.Name, s.LastAuthenticated, s.Region, s.Entity, s.TotalEntities, s.ActionLevel})
			for _, a := range s.Actions {
				acts = append(acts, []any{id, s.Namespace, a.Name, a.LastAccessed, a.Region})
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
	if err != nil {
		return 0, false, fmt.Errorf("save last-accessed data of %s: %w", r.PrincipalARN, err)
	}
	return id, created, nil
}

// LoadLatest returns, per principal, the newest snapshot taken before
// before (zero: any), for the principals arns names (nil: all). An analysis
// passes the day after its window so that data from after the window does
// not decide it (a backtest's training window must not see its test calls).
func LoadLatest(ctx context.Context, db *store.DB, before time.Time, arns []string) (map[string]*Report, error) {
	var lim any
	if !before.IsZero() {
		lim = before.UTC()
	}
	var filter any
	if arns != nil {
		filter = arns
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (principal_arn) id, principal_arn, account_id, source, job_id, granularity, taken_at, tracking_start
		FROM lastaccess_snapshot
		WHERE ($1::timestamptz IS NULL OR taken_at < $1) AND ($2::text[] IS NULL OR principal_arn = ANY($2))
		ORDER BY principal_arn, taken_at DESC, id DESC`, lim, filter)
	if err != nil {
		return nil, fmt.Errorf("load last-accessed snapshots: %w", err)
	}
	byID := map[int64]*Report{}
	out := map[string]*Report{}
	var ids []int64
	for rows.Next() {
		var id int64
		r := &Report{}
		if err := rows.Scan(&id, &r.PrincipalARN, &r.AccountID, &r.Source, &r.JobID, &r.Granularity, &r.TakenAt, &r.TrackingStart); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load last-accessed snapshots: %w", err)
		}
		byID[id], out[r.PrincipalARN] = r, r
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load last-accessed snapshots: %w", err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	svcIndex := map[int64]map[string]int{}
	rows, err = db.Pool.Query(ctx, `
		SELECT snapshot_id, service, service_name, last_authenticated, last_region, last_entity, total_entities, action_level
		FROM lastaccess_service WHERE snapshot_id = ANY($1) ORDER BY snapshot_id, service`, ids)
	if err != nil {
		return nil, fmt.Errorf("load last-accessed services: %w", err)
	}
	for rows.Next() {
		var id int64
		var s Service
		if err := rows.Scan(&id, &s.Namespace, &s.Name, &s.LastAuthenticated, &s.Region, &s.Entity, &s.TotalEntities, &s.ActionLevel); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load last-accessed services: %w", err)
		}
		r := byID[id]
		if svcIndex[id] == nil {
			svcIndex[id] = map[string]int{}
		}
		svcIndex[id][s.Namespace] = len(r.Services)
		r.Services = append(r.Services, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load last-accessed services: %w", err)
	}
	rows, err = db.Pool.Query(ctx, `
		SELECT snapshot_id, service, action, last_accessed, last_region
		FROM lastaccess_action WHERE snapshot_id = ANY($1) ORDER BY snapshot_id, service, action`, ids)
	if err != nil {
		return nil, fmt.Errorf("load last-accessed actions: %w", err)
	}
	for rows.Next() {
		var id int64
		var svc string
		var a Action
		if err := rows.Scan(&id, &svc, &a.Name, &a.LastAccessed, &a.Region); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load last-accessed actions: %w", err)
		}
		s := &byID[id].Services[svcIndex[id][svc]]
		s.Actions = append(s.Actions, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load last-accessed actions: %w", err)
	}
	for _, r := range out {
		r.TakenAt, r.TrackingStart = r.TakenAt.UTC(), r.TrackingStart.UTC()
		for i := range r.Services {
			if t := r.Services[i].LastAuthenticated; t != nil {
				*t = t.UTC()
			}
			for j := range r.Services[i].Actions {
				if t := r.Services[i].Actions[j].LastAccessed; t != nil {
					*t = t.UTC()
				}
			}
		}
	}
	return out, nil
}

// Job is a GenerateServiceLastAccessedDetails job started for a principal
// and not yet stored.
type Job struct {
	PrincipalARN, JobID, Granularity string
	StartedAt                        time.Time
}

// PendingJob returns the principal's job started after notBefore, if any.
func PendingJob(ctx context.Context, db *store.DB, principal string, notBefore time.Time) (Job, bool, error) {
	j := Job{PrincipalARN: principal}
	err := db.Pool.QueryRow(ctx, `SELECT job_id, granularity, started_at FROM lastaccess_job WHERE principal_arn = $1 AND started_at >= $2`,
		principal, notBefore.UTC()).Scan(&j.JobID, &j.Granularity, &j.StartedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, false, nil
	}
	if err != nil {
		return j, false, fmt.Errorf("read pending last-accessed job of %s: %w", principal, err)
	}
	return j, true, nil
}

// RecordJob remembers a started job, replacing an older one.
func RecordJob(ctx context.Context, db *store.DB, j Job) error {
	err := store.Retry(ctx, func() error {
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO lastaccess_job (principal_arn, job_id, granularity, started_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (principal_arn) DO UPDATE SET job_id = EXCLUDED.job_id, granularity = EXCLUDED.granularity, started_at = EXCLUDED.started_at`,
			j.PrincipalARN, j.JobID, j.Granularity)
		return err
	})
	if err != nil {
		return fmt.Errorf("record last-accessed job of %s: %w", j.PrincipalARN, err)
	}
	return nil
}

// ForgetJob drops a principal's pending job (it FAILED or IAM no longer
// knows it).
func ForgetJob(ctx context.Context, db *store.DB, principal string) error {
	if err := store.Retry(ctx, func() error {
		_, err := db.Pool.Exec(ctx, `DELETE FROM lastaccess_job WHERE principal_arn = $1`, principal)
		return err
	}); err != nil {
		return fmt.Errorf("forget last-accessed job of %s: %w", principal, err)
	}
	return nil
}
