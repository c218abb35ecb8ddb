package lastaccess

import (
	"sort"
	"strings"
	"time"
)

// Evidence is what a report says of one action.
type Evidence struct {
	// Known is false when the report does not list the action's service:
	// it says nothing either way.
	Known bool
	// ActionLevel is true when the action's own entry decided (IAM tracks
	// it action by action and the report is ACTION_LEVEL); false when only
	// the service's last access is known.
	ActionLevel bool
	// LastAccessed is the action's (ActionLevel) or its service's last
	// access; nil when not accessed since the tracking period began.
	LastAccessed *time.Time
	Region       string
}

// Lookup returns what r says of action ("svc:Name"). tracked says whether
// IAM tracks the action on its own (catalog.LastAccessTracked): then an
// ACTION_LEVEL report that does not list it as accessed says it was not.
func (r *Report) Lookup(action string, tracked bool) Evidence {
	if r == nil {
		return Evidence{}
	}
	prefix, name, _ := strings.Cut(action, ":")
	prefix = strings.ToLower(prefix)
	i := sort.Search(len(r.Services), func(i int) bool { return r.Services[i].Namespace >= prefix })
	if i == len(r.Services) || r.Services[i].Namespace != prefix {
		return Evidence{}
	}
	s := &r.Services[i]
	if tracked && r.Granularity == ActionLevel {
		ev := Evidence{Known: true, ActionLevel: true}
		for _, a := range s.Actions {
			if strings.EqualFold(a.Name, name) {
				ev.LastAccessed, ev.Region = a.LastAccessed, a.Region
				break
			}
		}
		return ev
	}
	return Evidence{Known: true, LastAccessed: s.LastAuthenticated, Region: s.Region}
}

// Service returns the report's entry for a service prefix, or nil.
func (r *Report) Service(prefix string) *Service {
	if r == nil {
		return nil
	}
	prefix = strings.ToLower(prefix)
	i := sort.Search(len(r.Services), func(i int) bool { return r.Services[i].Namespace >= prefix })
	if i == len(r.Services) || r.Services[i].Namespace != prefix {
		return nil
	}
	return &r.Services[i]
}
