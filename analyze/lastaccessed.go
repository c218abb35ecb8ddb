package analyze

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/lastaccess"
)

// Evidence sources of ActionEvidence.Source.
const (
	SourceCloudTrail   = "cloudtrail"
	SourceLastAccessed = "last-accessed"
	SourceNone         = "none"
)

// ActionEvidence says what decided one granted action.
type ActionEvidence struct {
	Action string `json:"action"`
	// Class is "used", "unused", "unobservable" or "seasonal".
	Class string `json:"class"`
	// Source is "cloudtrail" (calls in the window, or CloudTrail could
	// have shown them and shows none), "last-accessed" (IAM's
	// last-accessed data decided) or "none" (neither can tell: kept as
	// unobservable).
	Source string `json:"source"`
	// LastAccessed is the last access IAM reports, for the action itself
	// (ActionLevel) or its service; absent when not accessed in the
	// tracking period or when there is no last-accessed data.
	LastAccessed *time.Time `json:"last_accessed,omitempty"`
	ActionLevel  bool       `json:"action_level,omitempty"`
	// Reason says why, for the classes other than used by CloudTrail.
	Reason string `json:"reason,omitempty"`
}

// LastAccessedUse is a granted action IAM's last-accessed data shows in
// use that CloudTrail does not: used in the window (Result.LastAccessedUsed)
// or before it, inside the tracking period (Result.Seasonal).
type LastAccessedUse struct {
	Action       string    `json:"action"`
	LastAccessed time.Time `json:"last_accessed"`
	// ActionLevel: the action's own last access; otherwise its service's
	// (the service is tracked at service level only).
	ActionLevel bool   `json:"action_level"`
	Region      string `json:"region,omitempty"`
}

// EvidenceConflict is a disagreement between CloudTrail and the
// last-accessed data.
type EvidenceConflict struct {
	Action string `json:"action"`
	// Kind is "cloudtrail-only" (a successful call CloudTrail logged that
	// the last-accessed data does not show) or "last-accessed-only" (an
	// access IAM reports in the window that CloudTrail, which logs that
	// event, does not show).
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// LastAccessedInfo names the last-accessed snapshot an analysis used.
type LastAccessedInfo struct {
	TakenAt       time.Time `json:"taken_at"`
	TrackingStart time.Time `json:"tracking_start"`
	Granularity   string    `json:"granularity"`
	Source        string    `json:"source"`
}

// lastAccessedSlack is how far a CloudTrail call may be newer than the
// report's last access before they disagree: IAM reports accesses within
// about four hours, and the report may be a day older than the logs.
const lastAccessedSlack = 24 * time.Hour

// applyLastAccessed combines CloudTrail's verdicts with the principal's
// last-accessed data (README: "Evidence: CloudTrail and IAM last-accessed
// data"). It moves actions between r.Unused and r.Unobservable and into
// r.LastAccessedUsed and r.Seasonal, lists conflicts, and fills
// r.Evidence for every granted action. laUnused collects the actions the
// last-accessed data called unused (thin log coverage does not undo them).
func applyLastAccessed(r *Result, in Input, usedKey map[string]bool, deniedOnly map[string]bool) (laUnused map[string]bool) {
	rep := in.LastAccessed
	if rep != nil {
		r.LastAccessed = &LastAccessedInfo{TakenAt: rep.TakenAt, TrackingStart: rep.TrackingStart, Granularity: rep.Granularity, Source: rep.Source}
	}
	unobs := map[string]Unobservable{}
	for _, u := range r.Unobservable {
		unobs[u.Action] = u
	}
	unused := map[string]bool{}
	for _, a := range r.Unused {
		unused[a] = true
	}
	// Services the principal's logged successful calls touched, and those
	// with a granted action CloudTrail cannot show: an access IAM reports
	// of such a service may be one of those.
	ctServices := map[string]bool{}
	for _, u := range r.Used {
		ctServices[strings.ToLower(service(u.Action))] = true
	}
	for _, u := range r.Unobservable {
		ctServices[strings.ToLower(service(u.Action))] = true
	}
	laUnused = map[string]bool{}
	evidence := make([]ActionEvidence, 0, len(r.Granted))
	tracks := rep != nil && !rep.TrackingStart.After(in.Window.From)
	for _, a := range r.Granted {
		if usedKey[strings.ToLower(a)] {
			ev := ActionEvidence{Action: a, Class: "used", Source: SourceCloudTrail}
			if rep != nil {
				la := rep.Lookup(a, in.Catalog.LastAccessTracked(a))
				ev.LastAccessed, ev.ActionLevel = la.LastAccessed, la.ActionLevel
			}
			evidence = append(evidence, ev)
			continue
		}
		ev := ActionEvidence{Action: a, Class: "unused", Source: SourceCloudTrail}
		u, isUnobs := unobs[a]
		if isUnobs {
			ev.Class, ev.Source, ev.Reason = "unobservable", SourceNone, u.Reason
		}
		if rep == nil {
			evidence = append(evidence, ev)
			continue
		}
		la := rep.Lookup(a, in.Catalog.LastAccessTracked(a))
		if !la.Known {
			evidence = append(evidence, ev)
			continue
		}
		ev.LastAccessed, ev.ActionLevel = la.LastAccessed, la.ActionLevel
		what := "its service"
		if la.ActionLevel {
			what = "the action"
		}
		switch d := la.LastAccessed; {
		case d != nil && !d.Before(in.Window.From) && deniedOnly[strings.ToLower(a)]:
			// IAM counts attempts, refused ones included.
			ev.Reason = fmt.Sprintf("last-accessed reports %s on %s, but CloudTrail saw only denied calls: last-accessed counts refused attempts", what, d.Format(time.DateOnly))
			r.Caveats = append(r.Caveats, a+": "+ev.Reason+"; it stays unused")
		case d != nil && !d.Before(in.Window.From) && la.ActionLevel:
			use := LastAccessedUse{Action: a, LastAccessed: *d, ActionLevel: true, Region: la.Region}
			r.LastAccessedUsed = append(r.LastAccessedUsed, use)
			ev.Class, ev.Source, ev.Reason = "used", SourceLastAccessed, "last accessed "+d.Format(time.DateOnly)+", inside the window"
			if unused[a] {
				r.Conflicts = append(r.Conflicts, EvidenceConflict{Action: a, Kind: "last-accessed-only",
					Detail: fmt.Sprintf("IAM reports an access on %s; CloudTrail, which logs this event, shows no call in the window", d.Format(time.DateOnly))})
			}
			delete(unused, a)
			delete(unobs, a)
		case d != nil && !d.Before(in.Window.From):
			// The service was used in the window, not necessarily this
			// action: CloudTrail's verdict stands, unless it saw nothing
			// of the service although it could have seen every granted
			// action of it.
			if unused[a] && !ctServices[strings.ToLower(service(a))] {
				r.Conflicts = append(r.Conflicts, EvidenceConflict{Action: a, Kind: "last-accessed-only",
					Detail: fmt.Sprintf("IAM reports service %s accessed on %s; CloudTrail, which logs its management events, shows no call of it", service(a), d.Format(time.DateOnly))})
				delete(unused, a)
				unobs[a] = Unobservable{Action: a, Reason: "evidence-conflict"}
				ev.Class, ev.Source, ev.Reason = "unobservable", SourceLastAccessed, "evidence conflict: kept"
			}
		case d != nil:
			use := LastAccessedUse{Action: a, LastAccessed: *d, ActionLevel: la.ActionLevel, Region: la.Region}
			r.Seasonal = append(r.Seasonal, use)
			ev.Class, ev.Source = "seasonal", SourceLastAccessed
			ev.Reason = fmt.Sprintf("last-accessed: %s last accessed %s, before the window (from %s) and inside the tracking period", what, d.Format(time.DateOnly), in.Window.From.Format(time.DateOnly))
			delete(unused, a)
			delete(unobs, a)
		case !tracks:
			// The tracking period does not cover the window: silence
			// proves nothing.
		case !la.ActionLevel && isUnobs && u.Reason == "permission-only":
			// IAM does not count a permission-only authorization
			// (iam:PassRole checked inside another service's call) as an
			// access of its service: the service's silence proves
			// nothing of it.
		default:
			if la.ActionLevel {
				ev.Reason = "last-accessed: the action was not accessed since " + rep.TrackingStart.Format(time.DateOnly)
			} else {
				ev.Reason = "last-accessed: service " + service(a) + " was not accessed since " + rep.TrackingStart.Format(time.DateOnly)
			}
			if isUnobs {
				// Not accessed at all: on no resource either, so a partly
				// logged grant is unused whole.
				ev.Class, ev.Source = "unused", SourceLastAccessed
				delete(unobs, a)
				unused[a] = true
				laUnused[a] = true
			} else if !isUnobs {
				// Both sources agree; the data alone would decide.
				ev.Reason = "cloudtrail: no call in the window; " + ev.Reason
				laUnused[a] = true
			}
		}
		evidence = append(evidence, ev)
	}
	r.Evidence = evidence

	// A successful call CloudTrail logged that IAM's data does not show.
	if rep != nil {
		for _, u := range r.Used {
			if !u.Granted || u.LastUsed.After(rep.TakenAt.Add(-lastAccessedSlack)) {
				continue
			}
			la := rep.Lookup(u.Action, in.Catalog.LastAccessTracked(u.Action))
			if !la.Known {
				continue
			}
			if la.LastAccessed == nil || la.LastAccessed.Before(u.LastUsed.Add(-lastAccessedSlack)) {
				shown := "no access in the tracking period"
				if la.LastAccessed != nil {
					shown = "last access " + la.LastAccessed.Format(time.DateOnly)
				}
				scope := "the action"
				if !la.ActionLevel {
					scope = "service " + service(u.Action)
				}
				r.Conflicts = append(r.Conflicts, EvidenceConflict{Action: u.Action, Kind: "cloudtrail-only",
					Detail: fmt.Sprintf("CloudTrail logged a successful call on %s; IAM's data (%s) shows %s", u.LastUsed.Format(time.DateOnly), scope, shown)})
			}
		}
	}

	// Rebuild the lists in their order.
	r.Unused = r.Unused[:0]
	r.Unobservable = r.Unobservable[:0]
	for _, a := range r.Granted {
		if unused[a] {
			r.Unused = append(r.Unused, a)
		}
		if u, ok := unobs[a]; ok {
			r.Unobservable = append(r.Unobservable, u)
		}
	}
	slices.SortFunc(r.Conflicts, func(a, b EvidenceConflict) int { return strings.Compare(a.Action, b.Action) })
	if len(r.Seasonal) > 0 {
		r.Flags = append(r.Flags, "seasonal")
	}
	if len(r.Conflicts) > 0 {
		r.Flags = append(r.Flags, "evidence-conflict")
	}
	return laUnused
}

// LastAccessedFor returns a principal's report from reports, or nil.
func LastAccessedFor(reports map[string]*lastaccess.Report, arn string) *lastaccess.Report {
	if reports == nil {
		return nil
	}
	return reports[arn]
}
