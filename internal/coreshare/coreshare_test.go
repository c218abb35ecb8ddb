//go:build unix

package coreshare_test

import (
	"github.com/iamtrim/iamtrim/internal/coreshare"
	"github.com/iamtrim/iamtrim/internal/coreshare/coresharetest"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	coresharetest.RunPeerIfAsked()
	os.Exit(m.Run())
}

func slotDir(t *testing.T) string {
	t.Helper()
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set: sharing is off")
	}
	return filepath.Join(t.TempDir(), "iamtrim", "cores")
}

// eventually waits up to 5 s (20 intervals) for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestProcs(t *testing.T) {
	for _, c := range []struct{ cores, procs, want int }{
		{2, 1, 2}, {2, 2, 1}, {2, 4, 1}, {8, 3, 3}, {8, 8, 1}, {8, 100, 1}, {1, 1, 1}, {4, 0, 4},
	} {
		if got := coreshare.Procs(c.cores, c.procs); got != c.want {
			t.Errorf("coreshare.Procs(%d, %d) = %d, want %d", c.cores, c.procs, got, c.want)
		}
	}
}

// Processes that share one directory count each other, and a process
// killed with SIGKILL stops counting at once: the kernel drops its lock.
func TestShareCountsPeers(t *testing.T) {
	dir := slotDir(t)
	base := runtime.GOMAXPROCS(0)
	release := coreshare.Share(dir, slog.New(slog.DiscardHandler))
	defer release()
	if coreshare.Scale(8) != 8 || runtime.GOMAXPROCS(0) != base {
		t.Fatalf("alone: coreshare.Scale(8) = %d, GOMAXPROCS %d, want 8 and %d", coreshare.Scale(8), runtime.GOMAXPROCS(0), base)
	}
	var peers []*exec.Cmd
	for range 3 {
		peers = append(peers, coresharetest.Peer(t, dir))
	}
	want := coreshare.Procs(base, 4)
	eventually(t, "GOMAXPROCS follows 4 processes", func() bool { return runtime.GOMAXPROCS(0) == want })
	if got, wantScale := coreshare.Scale(base*4), max(1, want*4); got != wantScale {
		t.Errorf("with 4 processes, coreshare.Scale(%d) = %d, want %d", base*4, got, wantScale)
	}
	if n := coreshare.Count(); n != 4 {
		t.Errorf("count = %d, want 4", n)
	}
	if err := peers[0].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = peers[0].Wait()
	eventually(t, "3 processes once one is killed", func() bool { return coreshare.Count() == 3 })
	want = coreshare.Procs(base, 3)
	eventually(t, "GOMAXPROCS follows 3 processes", func() bool { return runtime.GOMAXPROCS(0) == want })
}

// Calls nest: one slot for the process, and GOMAXPROCS back to what it
// was after the last release.
func TestShareNests(t *testing.T) {
	dir := slotDir(t)
	base := runtime.GOMAXPROCS(0)
	coresharetest.Peer(t, dir)
	r1 := coreshare.Share(dir, slog.New(slog.DiscardHandler))
	r2 := coreshare.Share(dir, slog.New(slog.DiscardHandler))
	if n := coreshare.Count(); n != 2 {
		t.Errorf("a process with two Shares and a peer: count %d, want 2", n)
	}
	if got := runtime.GOMAXPROCS(0); got != coreshare.Procs(base, 2) {
		t.Errorf("GOMAXPROCS %d, want %d", got, coreshare.Procs(base, 2))
	}
	r1()
	r1() // twice is once
	if !coreshare.Sharing() {
		t.Fatal("sharing stopped while a Share is still in force")
	}
	r2()
	if coreshare.Sharing() || coreshare.Scale(5) != 5 {
		t.Errorf("after the last release: still sharing (coreshare.Scale(5) = %d)", coreshare.Scale(5))
	}
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Errorf("GOMAXPROCS %d after release, want %d", got, base)
	}
}

// A directory others can write to is refused: no sharing, no error.
func TestShareRefusesUnsafeDir(t *testing.T) {
	dir := slotDir(t)
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(dir), 0o777); err != nil {
		t.Fatal(err)
	}
	release := coreshare.Share(dir, slog.New(slog.DiscardHandler))
	defer release()
	if coreshare.Sharing() {
		t.Error("shares through a world-writable directory")
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("made its slots inside a world-writable directory")
	}
}

func TestShareOffWhenGOMAXPROCSIsSet(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2")
	dir := filepath.Join(t.TempDir(), "iamtrim", "cores")
	release := coreshare.Share(dir, slog.New(slog.DiscardHandler))
	defer release()
	if coreshare.Sharing() {
		t.Error("shares though the user set GOMAXPROCS")
	}
}

// Past MaxSlots a process holds none but still counts them all.
func TestShareAllSlotsTaken(t *testing.T) {
	dir := slotDir(t)
	for i := range coreshare.MaxSlots {
		mine, _, err := coreshare.TakeSlot(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if mine != i {
			t.Fatalf("slot %d taken, want %d", mine, i)
		}
	}
	// The slots stay held however the garbage collector runs: a holder
	// lets go of its slot only when it ends.
	runtime.GC()
	runtime.GC()
	mine, count, err := coreshare.TakeSlot(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if mine != -1 {
		t.Errorf("slot %d taken past %d processes", mine, coreshare.MaxSlots)
	}
	if n := count(); n != coreshare.MaxSlots+1 {
		t.Errorf("count %d, want %d", n, coreshare.MaxSlots+1)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}
	if got := coreshare.Dir(func(k string) string { return env[k] }); got != "/run/user/1000/iamtrim/cores" {
		t.Errorf("Dir = %q", got)
	}
	env["XDG_RUNTIME_DIR"] = "relative"
	if got := coreshare.Dir(func(k string) string { return env[k] }); filepath.Dir(filepath.Dir(got)) != filepath.Clean(os.TempDir()) {
		t.Errorf("Dir with a relative XDG_RUNTIME_DIR = %q, want under %s", got, os.TempDir())
	}
}

// A peer ends when its standard input does, as when the test binary that
// started it dies without its cleanups (a timeout's panic): it does not
// hold its slot on for long after.
func TestPeerEndsWithItsInput(t *testing.T) {
	dir := slotDir(t)
	c, stdin, err := coresharetest.StartPeer(dir)
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	stdin.Close()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("peer: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = c.Process.Kill()
		t.Fatal("peer still running 30 s after its input ended")
	}
}

// A GOMAXPROCS set in the program (as go test -cpu does) is what it was
// after the last release, not the runtime's default.
func TestShareRestoresSetGOMAXPROCS(t *testing.T) {
	dir := slotDir(t)
	set := runtime.GOMAXPROCS(0) + 2
	runtime.GOMAXPROCS(set)
	defer runtime.SetDefaultGOMAXPROCS()
	coresharetest.Peer(t, dir)
	release := coreshare.Share(dir, slog.New(slog.DiscardHandler))
	if got := runtime.GOMAXPROCS(0); got != coreshare.Procs(set, 2) {
		t.Errorf("GOMAXPROCS %d sharing with a peer, want %d", got, coreshare.Procs(set, 2))
	}
	release()
	if got := runtime.GOMAXPROCS(0); got != set {
		t.Errorf("GOMAXPROCS %d after release, want %d as set before", got, set)
	}
}
