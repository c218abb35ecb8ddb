package lastaccess

import (
	"context"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Save stores r as a snapshot. When a snapshot with the same digest exists
// nothing new is stored and created is false. The principal's pending job
// row goes in the same transaction, so a run killed after the commit does
// not fetch the job again, and one killed before it does.
func Save(ctx context.Context, db *store.DB, r *Report) (id int64, created bool, err error) {
	s := queries.LastAccessSnapshot{PrincipalARN: r.PrincipalARN, AccountID: r.AccountID, Source: r.Source, JobID: r.JobID,
		Granularity: r.Granularity, TakenAt: r.TakenAt, TrackingStart: r.TrackingStart, Digest: r.Digest()}
	for _, sv := range r.Services {
		row := queries.LastAccessService{Service: sv.Namespace, ServiceName: sv.Name, LastAuthenticated: sv.LastAuthenticated,
			LastRegion: sv.Region, LastEntity: sv.Entity, TotalEntities: sv.TotalEntities, ActionLevel: sv.ActionLevel}
		for _, a := range sv.Actions {
			row.Actions = append(row.Actions, queries.LastAccessAction{Action: a.Name, LastAccessed: a.LastAccessed, LastRegion: a.Region})
		}
		s.Services = append(s.Services, row)
	}
	id, created, err = queries.SaveLastAccess(ctx, db, s)
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
	snaps, err := queries.LatestLastAccess(ctx, db, before, arns)
	if err != nil {
		return nil, fmt.Errorf("load last-accessed data: %w", err)
	}
	out := make(map[string]*Report, len(snaps))
	for _, s := range snaps {
		r := &Report{PrincipalARN: s.PrincipalARN, AccountID: s.AccountID, Source: s.Source, JobID: s.JobID,
			Granularity: s.Granularity, TakenAt: s.TakenAt, TrackingStart: s.TrackingStart}
		for _, sv := range s.Services {
			svc := Service{Namespace: sv.Service, Name: sv.ServiceName, LastAuthenticated: sv.LastAuthenticated,
				Region: sv.LastRegion, Entity: sv.LastEntity, TotalEntities: sv.TotalEntities, ActionLevel: sv.ActionLevel}
			for _, a := range sv.Actions {
				svc.Actions = append(svc.Actions, Action{Name: a.Action, LastAccessed: a.LastAccessed, Region: a.LastRegion})
			}
			r.Services = append(r.Services, svc)
		}
		out[r.PrincipalARN] = r
	}
	return out, nil
}

// Job is a GenerateServiceLastAccessedDetails job started for a principal
// and not yet stored.
type Job = queries.LastAccessJob

// PendingJob returns the principal's job started after notBefore, if any.
func PendingJob(ctx context.Context, db *store.DB, principal string, notBefore time.Time) (Job, bool, error) {
	j, ok, err := queries.PendingLastAccessJob(ctx, db, principal, notBefore)
	if err != nil {
		return j, false, fmt.Errorf("read pending last-accessed job of %s: %w", principal, err)
	}
	return j, ok, nil
}

// RecordJob remembers a started job, replacing an older one.
func RecordJob(ctx context.Context, db *store.DB, j Job) error {
	if err := queries.RecordLastAccessJob(ctx, db, j); err != nil {
		return fmt.Errorf("record last-accessed job of %s: %w", j.PrincipalARN, err)
	}
	return nil
}

// ForgetJob drops a principal's pending job (it FAILED or IAM no longer
// knows it).
func ForgetJob(ctx context.Context, db *store.DB, principal string) error {
	if err := queries.ForgetLastAccessJob(ctx, db, principal); err != nil {
		return fmt.Errorf("forget last-accessed job of %s: %w", principal, err)
	}
	return nil
}
