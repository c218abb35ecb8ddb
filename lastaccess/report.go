package lastaccess

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TrackingPeriod is how far back IAM's last-accessed data reaches: 400 days
// before the report. "Not accessed" means not since TakenAt - TrackingPeriod.
const TrackingPeriod = 400 * 24 * time.Hour

// Granularities of a GenerateServiceLastAccessedDetails job.
const (
	ActionLevel  = "ACTION_LEVEL"
	ServiceLevel = "SERVICE_LEVEL"
)

// Report is one principal's last-accessed data.
type Report struct {
	PrincipalARN string
	AccountID    string
	// Source is the file read, or "iam:GetServiceLastAccessedDetails".
	Source string
	JobID  string
	// Granularity is ActionLevel or ServiceLevel.
	Granularity string
	// TakenAt is when IAM produced the report (JobCompletionDate);
	// TrackingStart is TakenAt - TrackingPeriod.
	TakenAt, TrackingStart time.Time
	// Services are sorted by namespace.
	Services []Service
}

// Service is one service the principal's policies allow.
type Service struct {
	Namespace string // IAM prefix: "s3"
	Name      string // "Amazon S3"
	// LastAuthenticated is nil when the service was not accessed in the
	// tracking period.
	LastAuthenticated *time.Time
	Region, Entity    string
	TotalEntities     int
	// ActionLevel is true when the report tracked the service's actions
	// (TrackedActionsLastAccessed was present).
	ActionLevel bool
	// Actions are the tracked actions listed, sorted by name.
	Actions []Action
}

// Action is one tracked action.
type Action struct {
	Name         string // without prefix: "ExportTableToPointInTime"
	LastAccessed *time.Time
	Region       string
}

// Digest identifies the report's content: principal, granularity, date and
// services (not its source or job id), so the same data loaded again is
// recognised.
func (r *Report) Digest() string {
	b, _ := json.Marshal(struct {
		P, G     string
		T        time.Time
		Services []Service
	}{r.PrincipalARN, r.Granularity, r.TakenAt.UTC(), r.Services})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// normalize sorts services and actions and fills TrackingStart.
func (r *Report) normalize() {
	r.TakenAt = r.TakenAt.UTC()
	r.TrackingStart = r.TakenAt.Add(-TrackingPeriod)
	for i := range r.Services {
		s := &r.Services[i]
		s.Namespace = strings.ToLower(s.Namespace)
		slices.SortFunc(s.Actions, func(a, b Action) int { return strings.Compare(a.Name, b.Name) })
	}
	slices.SortFunc(r.Services, func(a, b Service) int { return strings.Compare(a.Namespace, b.Namespace) })
}

// Output is the JSON `aws iam get-service-last-accessed-details` prints
// (GetServiceLastAccessedDetails' response), with the optional wrapper key
// PrincipalArn a team adds to name the principal (see README).
type Output struct {
	PrincipalArn         string          `json:"PrincipalArn,omitempty"`
	JobStatus            string          `json:"JobStatus"`
	JobType              string          `json:"JobType,omitempty"`
	JobCreationDate      string          `json:"JobCreationDate,omitempty"`
	JobCompletionDate    string          `json:"JobCompletionDate,omitempty"`
	ServicesLastAccessed []OutputService `json:"ServicesLastAccessed"`
	IsTruncated          bool            `json:"IsTruncated"`
	Marker               string          `json:"Marker,omitempty"`
	Error                *OutputError    `json:"Error,omitempty"`
}

// OutputService is one entry of ServicesLastAccessed.
type OutputService struct {
	ServiceName                string         `json:"ServiceName"`
	ServiceNamespace           string         `json:"ServiceNamespace"`
	LastAuthenticated          string         `json:"LastAuthenticated,omitempty"`
	LastAuthenticatedEntity    string         `json:"LastAuthenticatedEntity,omitempty"`
	LastAuthenticatedRegion    string         `json:"LastAuthenticatedRegion,omitempty"`
	TotalAuthenticatedEntities *int           `json:"TotalAuthenticatedEntities,omitempty"`
	TrackedActionsLastAccessed []OutputAction `json:"TrackedActionsLastAccessed,omitempty"`
}

// OutputAction is one entry of TrackedActionsLastAccessed.
type OutputAction struct {
	ActionName         string `json:"ActionName"`
	LastAccessedEntity string `json:"LastAccessedEntity,omitempty"`
	LastAccessedTime   string `json:"LastAccessedTime,omitempty"`
	LastAccessedRegion string `json:"LastAccessedRegion,omitempty"`
}

// OutputError is a FAILED job's error.
type OutputError struct {
	Message string `json:"Message"`
	Code    string `json:"Code"`
}

// EntryError is a problem with one entry of a report: Entry names it
// ("ServicesLastAccessed[3]", "JobStatus", "principal").
type EntryError struct {
	Entry string
	Msg   string
}

func (e *EntryError) Error() string { return "entry " + e.Entry + ": " + e.Msg }

// Convert checks a completed job's output for principalARN and builds its
// Report. Every entity the output names must be the principal itself: IAM
// names the role or user a role or user job ran for, so another ARN means
// the data is someone else's (another account's, when the account differs).
func Convert(out *Output, principalARN, source string) (*Report, error) {
	switch out.JobStatus {
	case "COMPLETED":
	case "FAILED":
		msg := "the job FAILED"
		if out.Error != nil {
			msg += ": " + strings.TrimSpace(out.Error.Code+" "+out.Error.Message)
		}
		return nil, &EntryError{"JobStatus", msg + " (generate it again)"}
	case "IN_PROGRESS":
		return nil, &EntryError{"JobStatus", "the job is still IN_PROGRESS: wait and fetch it again"}
	default:
		return nil, &EntryError{"JobStatus", fmt.Sprintf("%q: want COMPLETED", out.JobStatus)}
	}
	if out.IsTruncated {
		return nil, &EntryError{"IsTruncated", "the output is one page of several (fetch every page: the AWS CLI does unless --max-items is given)"}
	}
	r := &Report{PrincipalARN: principalARN, AccountID: accountOf(principalARN), Source: source, Granularity: out.JobType}
	if r.Granularity == "" {
		r.Granularity = ServiceLevel
	}
	if r.Granularity != ActionLevel && r.Granularity != ServiceLevel {
		return nil, &EntryError{"JobType", fmt.Sprintf("%q: want ACTION_LEVEL or SERVICE_LEVEL", out.JobType)}
	}
	taken := out.JobCompletionDate
	if taken == "" {
		taken = out.JobCreationDate
	}
	t, err := parseTime(taken)
	if err != nil || t == nil {
		return nil, &EntryError{"JobCompletionDate", fmt.Sprintf("%q: want an RFC 3339 time", taken)}
	}
	r.TakenAt = *t
	seen := map[string]bool{}
	for i, s := range out.ServicesLastAccessed {
		entry := fmt.Sprintf("ServicesLastAccessed[%d]", i)
		if s.ServiceNamespace == "" {
			return nil, &EntryError{entry, "no ServiceNamespace"}
		}
		ns := strings.ToLower(s.ServiceNamespace)
		if seen[ns] {
			return nil, &EntryError{entry, "service " + ns + " listed twice"}
		}
		seen[ns] = true
		if err := sameEntity(s.LastAuthenticatedEntity, principalARN); err != nil {
			return nil, &EntryError{entry + " (" + ns + ")", err.Error()}
		}
		la, err := parseTime(s.LastAuthenticated)
		if err != nil {
			return nil, &EntryError{entry + " (" + ns + ")", "LastAuthenticated: " + err.Error()}
		}
		svc := Service{Namespace: ns, Name: s.ServiceName, LastAuthenticated: la, Region: s.LastAuthenticatedRegion,
			Entity: s.LastAuthenticatedEntity, ActionLevel: s.TrackedActionsLastAccessed != nil}
		if s.TotalAuthenticatedEntities != nil {
			svc.TotalEntities = *s.TotalAuthenticatedEntities
		}
		for j, a := range s.TrackedActionsLastAccessed {
			aentry := fmt.Sprintf("%s.TrackedActionsLastAccessed[%d]", entry, j)
			if a.ActionName == "" {
				return nil, &EntryError{aentry, "no ActionName"}
			}
			if err := sameEntity(a.LastAccessedEntity, principalARN); err != nil {
				return nil, &EntryError{aentry + " (" + ns + ":" + a.ActionName + ")", err.Error()}
			}
			at, err := parseTime(a.LastAccessedTime)
			if err != nil {
				return nil, &EntryError{aentry, "LastAccessedTime: " + err.Error()}
			}
			svc.Actions = append(svc.Actions, Action{Name: a.ActionName, LastAccessed: at, Region: a.LastAccessedRegion})
		}
		r.Services = append(r.Services, svc)
	}
	r.normalize()
	return r, nil
}

// sameEntity checks that an entity ARN the output names is the principal.
func sameEntity(entity, principal string) error {
	if entity == "" || entity == principal {
		return nil
	}
	if a, b := accountOf(entity), accountOf(principal); a != b {
		return fmt.Errorf("names %s of account %s: the data is from another account than %s (account %s)", entity, a, principal, b)
	}
	if stripPath(entity) == stripPath(principal) {
		return nil
	}
	return fmt.Errorf("names %s, not %s: the data is another principal's", entity, principal)
}

// stripPath drops an IAM ARN's path: arn:aws:iam::1:role/a/b/NAME ->
// arn:aws:iam::1:role/NAME.
func stripPath(arn string) string {
	i := strings.Index(arn, ":role/")
	if i < 0 {
		i = strings.Index(arn, ":user/")
	}
	if i < 0 {
		return arn
	}
	return arn[:i+6] + arn[strings.LastIndexByte(arn, '/')+1:]
}

func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}

func parseTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("%q: want an RFC 3339 time", s)
	}
	t = t.UTC()
	return &t, nil
}
