// Package coresharetest starts processes that share the cores (see
// package coreshare), for tests of the processes that share them with
// those.
package coresharetest

import (
	"bufio"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/coreshare"
)

const env = "IAMTRIM_TEST_CORESHARE_PEER"

// RunPeerIfAsked, called first in TestMain, makes the test binary a peer
// when Peer started it: it shares the cores through the directory Peer
// gave, says so, and holds its slot until killed; it never returns then.
func RunPeerIfAsked() {
	dir := os.Getenv(env)
	if dir == "" {
		return
	}
	coreshare.Share(dir, slog.New(slog.DiscardHandler))
	os.Stdout.WriteString("ready\n")
	time.Sleep(time.Hour)
	os.Exit(0)
}

// Peer starts this test binary (whose TestMain calls RunPeerIfAsked) as
// a process sharing the cores through dir, returns once it holds its
// slot, and kills it when the test ends.
func Peer(t testing.TB, dir string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, "-test.run=^$")
	c.Env = append(os.Environ(), env+"="+dir)
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("peer: %q, %v", line, err)
	}
	return c
}
