package lastaccessaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/lastaccess"
	"github.com/iamtrim/iamtrim/store"
)

// Source is what Fetch records as a snapshot's source.
const Source = "iam:GetServiceLastAccessedDetails"

// Defaults. IAM throttles its control plane per account at a few requests
// a second; a job takes IAM seconds to minutes. Four workers polling at
// most every 2 s (backing off to 15 s) keep about 2 requests a second in
// flight while four jobs run on IAM's side; throttling beyond that is
// retried by the SDK with exponential backoff (iamsrc.DefaultMaxAttempts).
const (
	DefaultWorkers      = 4
	DefaultPollInterval = 2 * time.Second
	DefaultMaxPoll      = 15 * time.Second
	DefaultJobTimeout   = 15 * time.Minute
	// DefaultResumeWithin is how old a recorded job may be and still be
	// fetched instead of generated anew.
	DefaultResumeWithin = 6 * time.Hour
)

// Options configure Fetch.
type Options struct {
	IAM iamsrc.Options
	// AssumeRoles are roles to assume, one per account; empty uses the
	// base credentials for every principal.
	AssumeRoles []string
	ExternalID  string
	Workers     int
	// PollInterval is the first wait between polls of a job; it doubles up
	// to MaxPoll.
	PollInterval, MaxPoll time.Duration
	JobTimeout            time.Duration
	ResumeWithin          time.Duration
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxPoll <= 0 {
		o.MaxPoll = DefaultMaxPoll
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = DefaultJobTimeout
	}
	if o.ResumeWithin <= 0 {
		o.ResumeWithin = DefaultResumeWithin
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Result is what a Fetch did.
type Result struct {
	Stored, Unchanged, Resumed int
	// Failed are the principals whose data could not be read, each with
	// why; the others were stored.
	Failed []error
}

// ErrJobFailed is wrapped by the error of a principal whose job FAILED.
var ErrJobFailed = errors.New("last-accessed job failed")

// Fetch reads and stores the last-accessed data of principals, grouped by
// account: the principals of an account --assume-role names go through
// that role, the others through the base credentials. One principal's
// failure does not stop the others; it is returned in Result.Failed.
func Fetch(ctx context.Context, db *store.DB, principals []authz.Principal, opts Options, log *slog.Logger) (Result, error) {
	opts.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	roleFor := map[string]string{}
	for _, r := range opts.AssumeRoles {
		roleFor[authz.AccountOf(r)] = r
	}
	clients := map[string]*iam.Client{}
	var res Result
	var mu sync.Mutex
	type task struct {
		p      authz.Principal
		client *iam.Client
	}
	var tasks []task
	for _, p := range principals {
		role := roleFor[p.AccountID]
		if len(opts.AssumeRoles) > 0 && role == "" {
			res.Failed = append(res.Failed, fmt.Errorf("%s: no --assume-role names account %s", p.ARN, p.AccountID))
			continue
		}
		c, ok := clients[role]
		if !ok {
			o := opts.IAM
			o.AssumeRole, o.ExternalID = role, opts.ExternalID
			if o.Log == nil {
				o.Log = log
			}
			var err error
			if c, err = iamsrc.NewClient(ctx, o); err != nil {
				return res, err
			}
			clients[role] = c
		}
		tasks = append(tasks, task{p, c})
	}
	work := make(chan task)
	var wg sync.WaitGroup
	for range min(opts.Workers, max(len(tasks), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range work {
				created, resumed, err := one(ctx, db, t.client, t.p, opts, log.With("principal", t.p.ARN))
				mu.Lock()
				switch {
				case err != nil:
					res.Failed = append(res.Failed, fmt.Errorf("%s: %w", t.p.ARN, err))
				case created:
					res.Stored++
				default:
					res.Unchanged++
				}
				if resumed {
					res.Resumed++
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range tasks {
		select {
		case work <- t:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// one reads one principal's data: its pending job when a recent one is
// recorded, else a new one.
func one(ctx context.Context, db *store.DB, client *iam.Client, p authz.Principal, opts Options, log *slog.Logger) (created, resumed bool, err error) {
	job, resumed, err := lastaccess.PendingJob(ctx, db, p.ARN, opts.Now().Add(-opts.ResumeWithin))
	if err != nil {
		return false, false, err
	}
	for attempt := 0; ; attempt++ {
		if !resumed || attempt > 0 {
			out, err := client.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
				Arn: aws.String(p.ARN), Granularity: types.AccessAdvisorUsageGranularityTypeActionLevel,
			})
			if err != nil {
				return false, false, fmt.Errorf("generate service last accessed details: %w", err)
			}
			job = lastaccess.Job{PrincipalARN: p.ARN, JobID: aws.ToString(out.JobId), Granularity: lastaccess.ActionLevel}
			if err := lastaccess.RecordJob(ctx, db, job); err != nil {
				return false, false, err
			}
			log.Debug("last-accessed job started", "job", job.JobID)
		} else {
			log.Info("resuming last-accessed job", "job", job.JobID)
		}
		out, err := poll(ctx, client, job.JobID, opts, log)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity" && resumed && attempt == 0 {
			// IAM no longer knows the recorded job: start a new one.
			log.Info("recorded last-accessed job unknown to IAM, starting a new one", "job", job.JobID)
			continue
		}
		if err != nil {
			return false, resumed, err
		}
		rep, err := lastaccess.Convert(out, p.ARN, Source)
		if err != nil {
			if out.JobStatus == "FAILED" {
				if ferr := lastaccess.ForgetJob(ctx, db, p.ARN); ferr != nil {
					return false, resumed, ferr
				}
				return false, resumed, fmt.Errorf("%w: job %s: %v", ErrJobFailed, job.JobID, err)
			}
			return false, resumed, fmt.Errorf("job %s: %w", job.JobID, err)
		}
		rep.JobID = job.JobID
		_, created, err := lastaccess.Save(ctx, db, rep)
		return created, resumed, err
	}
}

// poll waits for the job to leave IN_PROGRESS and returns every page of its
// result in the CLI's JSON shape.
func poll(ctx context.Context, client *iam.Client, jobID string, opts Options, log *slog.Logger) (*lastaccess.Output, error) {
	wait := opts.PollInterval
	deadline := opts.Now().Add(opts.JobTimeout)
	var all *lastaccess.Output
	var marker *string
	for {
		out, err := client.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobID), Marker: marker})
		if err != nil {
			return nil, fmt.Errorf("get service last accessed details (job %s): %w", jobID, err)
		}
		if out.JobStatus == types.JobStatusTypeInProgress {
			if opts.Now().After(deadline) {
				return nil, fmt.Errorf("job %s still IN_PROGRESS after %s: it is recorded, the next run resumes it", jobID, opts.JobTimeout)
			}
			log.Debug("last-accessed job in progress", "job", jobID, "wait", wait)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			wait = min(2*wait, opts.MaxPoll)
			continue
		}
		page := convert(out)
		if all == nil {
			all = page
		} else {
			all.ServicesLastAccessed = append(all.ServicesLastAccessed, page.ServicesLastAccessed...)
		}
		if !out.IsTruncated || out.JobStatus != types.JobStatusTypeCompleted {
			all.IsTruncated, all.Marker = false, ""
			return all, nil
		}
		if aws.ToString(out.Marker) == "" {
			return nil, fmt.Errorf("job %s: a truncated page without a Marker", jobID)
		}
		marker = out.Marker
	}
}

func convert(out *iam.GetServiceLastAccessedDetailsOutput) *lastaccess.Output {
	o := &lastaccess.Output{
		JobStatus: string(out.JobStatus), JobType: string(out.JobType),
		JobCreationDate: date(out.JobCreationDate), JobCompletionDate: date(out.JobCompletionDate),
		IsTruncated: out.IsTruncated, Marker: aws.ToString(out.Marker),
		ServicesLastAccessed: []lastaccess.OutputService{},
	}
	if out.Error != nil {
		o.Error = &lastaccess.OutputError{Code: aws.ToString(out.Error.Code), Message: aws.ToString(out.Error.Message)}
	}
	for _, s := range out.ServicesLastAccessed {
		os := lastaccess.OutputService{
			ServiceName: aws.ToString(s.ServiceName), ServiceNamespace: aws.ToString(s.ServiceNamespace),
			LastAuthenticated: date(s.LastAuthenticated), LastAuthenticatedEntity: aws.ToString(s.LastAuthenticatedEntity),
			LastAuthenticatedRegion: aws.ToString(s.LastAuthenticatedRegion),
		}
		if s.TotalAuthenticatedEntities != nil {
			n := int(*s.TotalAuthenticatedEntities)
			os.TotalAuthenticatedEntities = &n
		}
		if s.TrackedActionsLastAccessed != nil {
			os.TrackedActionsLastAccessed = []lastaccess.OutputAction{}
		}
		for _, a := range s.TrackedActionsLastAccessed {
			os.TrackedActionsLastAccessed = append(os.TrackedActionsLastAccessed, lastaccess.OutputAction{
				ActionName: aws.ToString(a.ActionName), LastAccessedEntity: aws.ToString(a.LastAccessedEntity),
				LastAccessedTime: date(a.LastAccessedTime), LastAccessedRegion: aws.ToString(a.LastAccessedRegion),
			})
		}
		o.ServicesLastAccessed = append(o.ServicesLastAccessed, os)
	}
	return o
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
