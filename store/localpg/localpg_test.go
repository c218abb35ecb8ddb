package localpg_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/store/localpg"
	"github.com/jackc/pgx/v5"
)

// needBinaries skips (saying why) where no PostgreSQL binaries are
// installed; under CI=true it fails instead, so a green CI means these ran.
func needBinaries(t *testing.T) {
	t.Helper()
	if _, err := localpg.FindBinaries(localpg.Options{}, 0); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs the PostgreSQL binaries for the private store tests: %v", err)
		}
		t.Skipf("private store not tested: %v", err)
	}
}

// storeDir is a fresh store directory, stopped at the end whatever the test
// left running.
func storeDir(t *testing.T) localpg.Options {
	t.Helper()
	o := localpg.Options{Dir: filepath.Join(t.TempDir(), "pg")}
	t.Cleanup(func() {
		_, _ = localpg.Stop(context.Background(), o)
	})
	return o
}

func query(t *testing.T, s *localpg.Server, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.ConnString("postgres"))
	if err != nil {
		t.Fatalf("connect to the private store: %v", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// The whole life of a store: created and started by the first command,
// socket only, shared by a second command, stopped by the last one.
func TestAcquireShareRelease(t *testing.T) {
	needBinaries(t)
	ctx := context.Background()
	o := storeDir(t)

	first, err := localpg.Acquire(ctx, o, false)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Started {
		t.Fatalf("first Acquire: Started = false, want true")
	}
	if got := query(t, first, "SHOW listen_addresses"); got != "" {
		t.Errorf("listen_addresses = %q, want '' (no TCP port)", got)
	}
	if got := query(t, first, "SELECT current_user"); got != localpg.User {
		t.Errorf("current_user = %q, want %q", got, localpg.User)
	}
	if fi, err := os.Stat(filepath.Join(o.Dir, "data")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v %v, want mode 0700", fi.Mode(), err)
	}

	second, err := localpg.Acquire(ctx, o, false)
	if err != nil {
		t.Fatal(err)
	}
	if second.Started {
		t.Errorf("second Acquire: Started = true, want the running server reused")
	}
	st, err := localpg.GetStatus(ctx, o)
	if err != nil || !st.Running || !st.InUse || st.PID == 0 {
		t.Fatalf("status while used: %+v %v, want running, in use, with a PID", st, err)
	}
	if _, err := localpg.Stop(ctx, o); !errors.Is(err, localpg.ErrInUse) {
		t.Errorf("Stop while in use: %v, want ErrInUse", err)
	}
	if stopped, err := first.Release(ctx); err != nil || stopped {
		t.Fatalf("first Release: stopped %v err %v, want left running for the second", stopped, err)
	}
	query(t, second, "SELECT 1")
	if stopped, err := second.Release(ctx); err != nil || !stopped {
		t.Fatalf("last Release: stopped %v err %v, want the server stopped", stopped, err)
	}
	if st, _ := localpg.GetStatus(ctx, o); st.Running || !st.Exists {
		t.Fatalf("status after the last Release: %+v, want stopped, cluster kept", st)
	}

	// A second life reuses the cluster (no initdb) and --keep-server
	// leaves it running until Stop.
	kept, err := localpg.Acquire(ctx, o, true)
	if err != nil {
		t.Fatal(err)
	}
	if !kept.Started {
		t.Errorf("Acquire after stop: Started = false, want true")
	}
	if stopped, err := kept.Release(ctx); err != nil || stopped {
		t.Fatalf("Release with keep: stopped %v err %v, want running", stopped, err)
	}
	if st, _ := localpg.GetStatus(ctx, o); !st.Running || !st.Kept || st.InUse {
		t.Fatalf("status of a kept store: %+v, want running, kept, unused", st)
	}
	if stopped, err := localpg.Stop(ctx, o); err != nil || !stopped {
		t.Fatalf("Stop: stopped %v err %v", stopped, err)
	}
	if st, _ := localpg.GetStatus(ctx, o); st.Running || st.Kept {
		t.Fatalf("status after Stop: %+v, want stopped and not kept", st)
	}
}

// TestHelperProcess is the second process of the tests below, not a test.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("IAMTRIM_LOCALPG_HELPER")
	if dir == "" {
		return
	}
	s, err := localpg.Acquire(context.Background(), localpg.Options{Dir: dir}, false)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("ready started=%v\n", s.Started)
	// Hold the store until stdin closes (or kill -9).
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	stopped, err := s.Release(context.Background())
	fmt.Printf("released stopped=%v err=%v\n", stopped, err)
	os.Exit(0)
}

type helper struct {
	cmd   *exec.Cmd
	stdin interface{ Close() error }
	out   *bufio.Reader
}

func startHelper(t *testing.T, dir string) (*helper, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "IAMTRIM_LOCALPG_HELPER="+dir)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, stdin: in, out: bufio.NewReader(out)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := h.out.ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v (%q)", err, line)
	}
	return h, strings.TrimSpace(line)
}

// A second process reuses the server the first started; the server stops
// when the last of them ends, whichever it is.
func TestSecondProcessReuses(t *testing.T) {
	needBinaries(t)
	ctx := context.Background()
	o := storeDir(t)
	mine, err := localpg.Acquire(ctx, o, false)
	if err != nil {
		t.Fatal(err)
	}
	h, line := startHelper(t, o.Dir)
	if line != "ready started=false" {
		t.Fatalf("second process: %q, want it to reuse the running server", line)
	}
	if stopped, err := mine.Release(ctx); err != nil || stopped {
		t.Fatalf("Release while the other process uses it: stopped %v err %v", stopped, err)
	}
	h.stdin.Close()
	line, _ = h.out.ReadString('\n')
	if got := strings.TrimSpace(line); got != "released stopped=true err=<nil>" {
		t.Fatalf("second process, last to end: %q, want it to stop the server", got)
	}
	if st, _ := localpg.GetStatus(ctx, o); st.Running {
		t.Fatalf("server still running after both ended: %+v", st)
	}
}

// A command killed with kill -9 leaves its server running but holds no
// lock: the next command reuses the server at once and stops it when done.
func TestStaleLockAfterKill9(t *testing.T) {
	needBinaries(t)
	ctx := context.Background()
	o := storeDir(t)
	h, line := startHelper(t, o.Dir)
	if line != "ready started=true" {
		t.Fatalf("helper: %q", line)
	}
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = h.cmd.Wait()
	st, err := localpg.GetStatus(ctx, o)
	if err != nil || !st.Running || st.InUse {
		t.Fatalf("after kill -9: %+v %v, want the server running and no user", st, err)
	}
	ctx2, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := localpg.Acquire(ctx2, o, false)
	if err != nil {
		t.Fatalf("Acquire after kill -9: %v", err)
	}
	if s.Started {
		t.Errorf("Acquire after kill -9 started a server; want the running one reused")
	}
	query(t, s, "SELECT 1")
	if stopped, err := s.Release(ctx); err != nil || !stopped {
		t.Fatalf("Release: stopped %v err %v, want the orphaned server stopped", stopped, err)
	}
}

// Two processes starting at once on a store that does not exist yet: one
// creates and starts it while the other waits, then reuses it.
func TestColdStartRace(t *testing.T) {
	needBinaries(t)
	o := storeDir(t)
	type ready struct {
		h    *helper
		line string
	}
	done := make(chan ready, 2)
	for range 2 {
		go func() {
			h, line := startHelper(t, o.Dir)
			done <- ready{h, line}
		}()
	}
	a, b := <-done, <-done
	lines := []string{a.line, b.line}
	slices.Sort(lines)
	if lines[0] != "ready started=false" || lines[1] != "ready started=true" {
		t.Fatalf("two cold starts: %q, want one start and one reuse", lines)
	}
	a.h.stdin.Close()
	b.h.stdin.Close()
	a.h.out.ReadString('\n')
	b.h.out.ReadString('\n')
	_ = a.h.cmd.Wait()
	_ = b.h.cmd.Wait()
	if st, _ := localpg.GetStatus(context.Background(), o); st.Running || st.InUse {
		t.Fatalf("after both ended: %+v, want stopped", st)
	}
}

func TestNoBinariesSaysHowToInstall(t *testing.T) {
	o := localpg.Options{Dir: filepath.Join(t.TempDir(), "pg"), SearchDirs: []string{t.TempDir()}}
	_, err := localpg.Acquire(context.Background(), o, false)
	if !errors.Is(err, localpg.ErrNoBinaries) {
		t.Fatalf("got %v, want ErrNoBinaries", err)
	}
	msg := err.Error()
	for _, want := range []string{"apt-get install postgresql", "brew install", "--db", "DATABASE_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message is not one line: %q", msg)
	}
}

func TestDefaultDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	got, err := localpg.DefaultDir(env(map[string]string{"XDG_DATA_HOME": "/x/data", "HOME": "/home/u"}))
	if err != nil || got != "/x/data/iamtrim/pg" {
		t.Errorf("with XDG_DATA_HOME: %q %v", got, err)
	}
	got, err = localpg.DefaultDir(env(map[string]string{"XDG_DATA_HOME": "relative", "HOME": "/home/u"}))
	if err != nil || !strings.HasPrefix(got, "/home/u/") || !strings.HasSuffix(got, "/iamtrim/pg") {
		t.Errorf("relative XDG_DATA_HOME is ignored, as the spec says: %q %v", got, err)
	}
}
