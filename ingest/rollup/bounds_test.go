package rollup_test

import (
	"errors"
	"testing"

	"github.com/iamtrim/iamtrim/ingest/rollup"
)

func TestCheckBounds(t *testing.T) {
	if err := rollup.CheckBounds(rollup.DefaultBounds()); err != nil {
		t.Fatalf("CheckBounds(DefaultBounds()) = %v, want the defaults valid", err)
	}
	b := rollup.DefaultBounds()
	b.ObjectPrefixDepth, b.CollapseAt = 0, 0
	if err := rollup.CheckBounds(b); err != nil {
		t.Errorf("CheckBounds(whole keys, never fold) = %v, want valid", err)
	}
	b = rollup.DefaultBounds()
	b.MaxNetworks = 0
	var be *rollup.BoundError
	if err := rollup.CheckBounds(b); !errors.As(err, &be) || be.Flag != "max-networks" || err.Error() != "--max-networks 0: want 1 to 100000" {
		t.Errorf("CheckBounds(no networks) = %v, want a BoundError naming max-networks", err)
	}
}
