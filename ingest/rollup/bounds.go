package rollup

import (
	"fmt"
	"strconv"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/store/queries"
)

// DefaultBounds are the bounds a run takes when none are given.
func DefaultBounds() queries.RollupBounds {
	return queries.RollupBounds{
		ObjectPrefixDepth: DefaultObjectPrefixDepth,
		MaxResources:      DefaultMaxResources,
		MaxNetworks:       DefaultMaxNetworks,
		CollapseAt:        DefaultCollapseAt,
	}
}

// A BoundError is a bad value of one bound, named as ingest's flag names
// it (object-prefix-depth, max-resources, collapse-at; max-networks has
// no flag): the nightly job's configuration names the same bound by its
// key (option.Keyed).
type BoundError = option.Named

// CheckBounds reports the first bound of b a run cannot take, as a
// *BoundError: the one place that says what a valid value is, for
// ingest's flags and options and the nightly job's keys alike. The upper
// limits keep what one group of the rollup holds bounded whatever is asked.
func CheckBounds(b queries.RollupBounds) error {
	for _, c := range []struct {
		name      string
		v, lo, hi int
		off       string // what lo means, when it turns the bound off
	}{
		{"object-prefix-depth", b.ObjectPrefixDepth, 0, 64, "whole keys"},
		{"max-resources", b.MaxResources, 1, 100_000, ""},
		{"max-networks", b.MaxNetworks, 1, 100_000, ""},
		{"collapse-at", b.CollapseAt, 0, 100_000, "never fold"},
	} {
		if c.v >= c.lo && c.v <= c.hi {
			continue
		}
		lo := strconv.Itoa(c.lo)
		if c.off != "" {
			lo += " (" + c.off + ")"
		}
		return &BoundError{Flag: c.name, Err: fmt.Errorf("%d: want %s to %d", c.v, lo, c.hi)}
	}
	return nil
}
