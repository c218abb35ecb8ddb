package pushdown

import (
	"context"
	"time"
)

// Poll is how an engine client waits between status checks of a running
// query and how many rows it asks for per results page; the Athena and
// CloudTrail Lake clients share it.
type Poll struct {
	// Min and Max bound the wait between status checks: it starts at Min
	// and grows by half each time up to Max; 0 means 500ms and 10s.
	Min, Max time.Duration
	// PageSize is the rows asked for per results page; 0 (or more than
	// 1,000, both engines' most) means 1,000.
	PageSize int32
}

// WithDefaults fills in what p leaves unset.
func (p Poll) WithDefaults() Poll {
	if p.Min <= 0 {
		p.Min = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	p.Max = max(p.Max, p.Min)
	if p.PageSize <= 0 || p.PageSize > 1000 {
		p.PageSize = 1000
	}
	return p
}

// Backoff returns a function that sleeps before the next status check,
// each time half as long again up to p.Max; it returns ctx's error at once
// when ctx ends (the query goes on running and a later run resumes it).
func (p Poll) Backoff() func(ctx context.Context) error {
	delay := p.Min
	return func(ctx context.Context) error {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*3/2, p.Max)
		return nil
	}
}
