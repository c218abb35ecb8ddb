// Package coreshare lets the processes on one machine that run the same
// CPU-bound bulk work share its cores instead of oversubscribing them.
//
// Each process doing the work holds a slot: a file in a per-user
// directory locked with flock, which the kernel releases when the process
// ends, kill -9 included, so no slot is ever stale. A process counts the
// slots held and sets its GOMAXPROCS to its share of the cores it started
// with (rounded up, at least 1), again every quarter second as others
// start and finish. Four ingesters on 2 cores then run 4 threads of Go
// code instead of 8: the same work, less time lost to cache sharing and
// preemption (see the README's Performance section for the figures).
//
// Sharing is off when the user set GOMAXPROCS, and silently off when the
// directory cannot be made safe (it must be the user's own, not group or
// world writable): it only ever makes a run faster or slower, never
// wrong.
package coreshare

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// MaxSlots bounds the processes counted: past it, a process runs with
// the share of MaxSlots processes and holds no slot.
const MaxSlots = 64

// Interval is how often a sharing process counts its peers.
const Interval = 250 * time.Millisecond

// Dir is where the slots live: $XDG_RUNTIME_DIR/iamtrim/cores when
// XDG_RUNTIME_DIR is set and absolute, else iamtrim-UID/cores in the
// system's temporary directory.
func Dir(getenv func(string) string) string {
	if x := getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "iamtrim", "cores")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("iamtrim-%d", os.Getuid()), "cores")
}

var (
	mu     sync.Mutex
	refs   int
	active *sharer
	// share is the process's share of the cores in thousandths while it
	// shares them (0: not sharing), for Scale.
	share atomic.Int64
)

// Scale is n scaled to this process's current share of the cores (n
// when it does not share them), rounded up, at least 1: ingest runs that
// many of its n workers at once.
func Scale(n int) int {
	f := share.Load()
	if f == 0 || n <= 0 {
		return n
	}
	return max(1, int((int64(n)*f+999)/1000))
}

// Share makes this process share the machine's cores with the other
// processes that called Share with the same directory (Dir(os.Getenv)
// when dir is ""), until the returned function is called. Calls nest: the
// process holds one slot while any Share is in force, and its GOMAXPROCS
// returns to what it was when the last is released.
func Share(dir string, log *slog.Logger) (release func()) {
	if os.Getenv("GOMAXPROCS") != "" {
		return func() {}
	}
	if dir == "" {
		dir = Dir(os.Getenv)
	}
	mu.Lock()
	defer mu.Unlock()
	refs++
	if refs == 1 {
		s, err := start(dir, log)
		if err != nil {
			log.Debug("not sharing the cores with other processes", "dir", dir, "err", err)
		}
		active = s
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			refs--
			if refs == 0 && active != nil {
				active.stop()
				active = nil
			}
		})
	}
}

// sharer is a process's slot and the goroutine that sets its GOMAXPROCS.
type sharer struct {
	slots  *slots
	base   int // GOMAXPROCS when sharing began
	cancel context.CancelFunc
	done   chan struct{}
	set    bool // GOMAXPROCS changed
	log    *slog.Logger
}

func start(dir string, log *slog.Logger) (*sharer, error) {
	sl, err := openSlots(dir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &sharer{slots: sl, base: runtime.GOMAXPROCS(0), cancel: cancel, done: make(chan struct{}), log: log}
	s.adjust()
	go s.loop(ctx)
	return s, nil
}

func (s *sharer) loop(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.adjust()
		}
	}
}

// adjust sets GOMAXPROCS to this process's share of the cores.
func (s *sharer) adjust() {
	n := s.slots.count()
	want := Procs(s.base, n)
	share.Store(int64(want) * 1000 / int64(s.base))
	if cur := runtime.GOMAXPROCS(0); want != cur {
		runtime.GOMAXPROCS(want)
		s.set = true
		s.log.Debug("sharing the cores", "processes", n, "gomaxprocs", want, "cores", s.base)
	}
}

func (s *sharer) stop() {
	s.cancel()
	<-s.done
	s.slots.close()
	share.Store(0)
	if s.set {
		// Back to the runtime's default (which follows the CPU limit
		// again), unless the program had set another (go test -cpu).
		runtime.SetDefaultGOMAXPROCS()
		if runtime.GOMAXPROCS(0) != s.base {
			runtime.GOMAXPROCS(s.base)
		}
	}
}

// Procs is the share of cores among processes: cores/processes rounded
// up (better a thread too many than a core idle), at least 1.
func Procs(cores, processes int) int {
	processes = max(processes, 1)
	return max(1, (cores+processes-1)/processes)
}
