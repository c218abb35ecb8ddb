package recommend

import (
	"context"
	"errors"
	"fmt"

	"testing"
)

// cancelAfter is a context that cancels itself on the n-th call of Err:
// it lands a cancellation at a chosen point inside a computation.
type cancelAfter struct {
	context.Context
	cancel   context.CancelFunc
	n, calls int64
}

func newCancelAfter(n int64) *cancelAfter {
	ctx, cancel := context.WithCancel(context.Background())
	return &cancelAfter{Context: ctx, cancel: cancel, n: n}
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.n > 0 && c.calls == c.n {
		c.cancel()
	}
	return c.Context.Err()
}

// TestProveCancel cancels a large proof midway: Prove returns the
// context's error at its next check, without finishing the proof.
func TestProveCancel(t *testing.T) {
	f := newFixture(t)
	for i := range f.in.Result.Used {
		if u := &f.in.Result.Used[i]; u.Action == "s3:GetObject" {
			for k := range 5000 {
				u.Resources = append(u.Resources, fmt.Sprintf("arn:aws:s3:::data/objects/%05d", k))
			}
		}
	}
	rec, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}

	// The whole proof, to know how many checks it makes.
	full := newCancelAfter(0)
	if _, err := Prove(full, f.in, rec); err != nil {
		t.Fatal(err)
	}
	if full.calls < 5000 {
		t.Fatalf("the proof checks the context %d times, want one per observed resource (5000+)", full.calls)
	}

	ctx := newCancelAfter(full.calls / 2)
	p, err := Prove(ctx, f.in, rec)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Prove cancelled midway: err = %v, proof %+v; want context.Canceled", err, p)
	}
	if ctx.calls != ctx.n {
		t.Errorf("Prove checked the context %d times after it was cancelled at check %d, want it to return at once", ctx.calls-ctx.n, ctx.n)
	}

	// Recommend passes the cancellation on.
	if _, err := Recommend(newCancelAfter(3), f.in, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Recommend cancelled: err = %v, want context.Canceled", err)
	}
}
