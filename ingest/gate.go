package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/internal/coreshare"
)

// workerGate lets the first limit workers take new groups and holds the
// others before their next group: concurrent ingesters on one machine
// each run their share of the workers (coreshare.Scale), so that 4
// ingesters on 2 cores run 4 workers and 4 database backends at a time
// instead of 8 of each. A held worker finishes the group it has. The gate
// opens for good once a worker finds no group left (open), so that a held
// worker sees the end too.
type workerGate struct {
	mu      sync.Mutex
	limit   int
	opened  chan struct{} // closed by open
	changed chan struct{} // closed when limit changes or the gate opens
}

func newWorkerGate(limit int) *workerGate {
	return &workerGate{limit: limit, opened: make(chan struct{}), changed: make(chan struct{})}
}

// isOpen says whether open was called.
func (g *workerGate) isOpen() bool {
	select {
	case <-g.opened:
		return true
	default:
		return false
	}
}

// set makes limit workers run at once, unless the gate is open.
func (g *workerGate) set(limit int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.isOpen() && limit != g.limit {
		g.limit = limit
		g.wake()
	}
}

// open lets every worker run from now on.
func (g *workerGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.isOpen() {
		close(g.opened)
		g.wake()
	}
}

// wake lets the waiting workers look again (g.mu held).
func (g *workerGate) wake() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// wait returns once worker i (from 0) may take a group, or ctx is done.
func (g *workerGate) wait(ctx context.Context, i int) error {
	for {
		g.mu.Lock()
		pass, changed := g.isOpen() || i < g.limit, g.changed
		g.mu.Unlock()
		if pass {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// follow sets the gate to the workers' share of the cores (see
// coreshare) now, before any worker takes a group, and again every
// coreshare.Interval until ctx is done or the gate opens; wait returns
// once it has stopped.
func (g *workerGate) follow(ctx context.Context, workers int, log *slog.Logger) (wait func()) {
	last := workers
	step := func() {
		if n := coreshare.Scale(workers); n != last {
			log.Debug("workers at once, sharing the cores with other processes", "workers", n, "of", workers)
			g.set(n)
			last = n
		}
	}
	step()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(coreshare.Interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				step()
			case <-g.opened:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { <-done }
}
