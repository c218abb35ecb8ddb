package ingest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Rollup bounds: what the logs control (resource names, source addresses)
// must not decide how many rows the rollups grow by.
const (
	// DefaultObjectPrefixDepth is how many leading key segments S3 object
	// ARNs keep in the rollup: one more than recommend's default
	// --object-prefix-depth, so that it can still choose between the two.
	DefaultObjectPrefixDepth = 2
	// DefaultMaxResources caps the distinct resources stored per principal
	// x day x action x invoking service x account. After generalisation
	// a role rarely touches more than a few dozen distinct resources with
	// one action in a day; 64 keeps those exact and, with a day's
	// overflow row, bounds a role's day at 65 rows per action.
	DefaultMaxResources = 64
	// DefaultMaxNetworks caps the distinct source networks (/24, /48 or
	// VPC endpoint) per principal and day in the context rollup; the
	// suggestions of aws:SourceIp and aws:SourceVpce need at most 4.
	DefaultMaxNetworks = 16
	// trackerLimit bounds the (group, value) pairs the caps remember in a
	// run; past it they start afresh (see capTracker).
	trackerLimit = 1 << 18
)

// capTracker admits at most max distinct values per group over a run and
// maps the others to the overflow value. Groups are remembered in memory:
// the cap holds per ingest run, so a group written by k runs (logs of a
// day delivered across two nightly runs) or k concurrent ingesters can
// hold up to k x max values, still bounded by the number of runs and not
// by the logs. Past trackerLimit remembered pairs it forgets everything,
// bounding its memory the same way.
type capTracker[G comparable] struct {
	mu       sync.Mutex
	max      int
	overflow string
	groups   map[G]map[string]struct{}
	entries  int
}

func newCapTracker[G comparable](max int, overflow string) *capTracker[G] {
	return &capTracker[G]{max: max, overflow: overflow, groups: map[G]map[string]struct{}{}}
}

// admit returns v when the group holds it or has room for it, else the
// overflow value.
func (t *capTracker[G]) admit(g G, v string) string {
	if v == t.overflow {
		return v
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.groups[g]
	if s == nil {
		if t.entries >= trackerLimit {
			clear(t.groups)
			t.entries = 0
		}
		s = map[string]struct{}{}
		t.groups[g] = s
	}
	if _, ok := s[v]; ok {
		return v
	}
	if len(s) >= t.max {
		return t.overflow
	}
	s[v] = struct{}{}
	t.entries++
	return v
}

// resourceGroup is what the resource cap counts per.
type resourceGroup struct {
	principal                  string
	day                        time.Time
	action, invokedBy, account string
}

// networkGroup is what the network cap counts per.
type networkGroup struct {
	principal string
	day       time.Time
}

// boundResource is the resource as the rollup stores it: minted segments
// generalised by the lifecycle rules recommend uses, S3 keys cut to the
// prefix depth. Results are cached per worker (bounded).
func (w *worker) boundResource(arn string, depth int) string {
	if arn == "" {
		return ""
	}
	if v, ok := w.bounded[arn]; ok {
		return v
	}
	p, _, _ := lifecycle.Generalize(arn)
	if depth > 0 {
		p = lifecycle.ObjectPrefix(p, depth)
	}
	if len(w.bounded) >= 1<<14 {
		clear(w.bounded)
	}
	w.bounded[arn] = p
	return p
}

// recordBounds notes in the database how this run bounds the rollup, so
// that recommend knows how deep S3 keys were kept.
func (r *runner) recordBounds(ctx context.Context) error {
	depth := r.depth
	return store.Retry(ctx, func() error {
		_, err := r.db.Pool.Exec(ctx, `
			INSERT INTO ingest_rollup_bounds AS b (object_prefix_depth, max_resources, max_networks) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET
				object_prefix_depth = CASE
					WHEN b.object_prefix_depth = 0 THEN EXCLUDED.object_prefix_depth
					WHEN EXCLUDED.object_prefix_depth = 0 THEN b.object_prefix_depth
					ELSE LEAST(b.object_prefix_depth, EXCLUDED.object_prefix_depth) END,
				max_resources = GREATEST(b.max_resources, EXCLUDED.max_resources),
				max_networks = GREATEST(b.max_networks, EXCLUDED.max_networks),
				updated_at = now()
			WHERE (b.object_prefix_depth, b.max_resources, b.max_networks) IS DISTINCT FROM
				(CASE WHEN b.object_prefix_depth = 0 THEN EXCLUDED.object_prefix_depth
					WHEN EXCLUDED.object_prefix_depth = 0 THEN b.object_prefix_depth
					ELSE LEAST(b.object_prefix_depth, EXCLUDED.object_prefix_depth) END,
				GREATEST(b.max_resources, EXCLUDED.max_resources), GREATEST(b.max_networks, EXCLUDED.max_networks))`,
			depth, r.opts.MaxResources, r.opts.MaxNetworks)
		if err != nil {
			return fmt.Errorf("record rollup bounds: %w", err)
		}
		return nil
	})
}

// The overflow values of the caps.
const (
	moreResources = queries.MoreResources
	moreNetworks  = queries.MoreNetworks
)
