// Package coresharetest starts processes that share the cores (see
// package coreshare), for tests of the processes that share them with
// those.
package coresharetest

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"

	"github.com/iamtrim/iamtrim/internal/coreshare"
)

const env = "IAMTRIM_TEST_CORESHARE_PEER"

// RunPeerIfAsked, called first in TestMain, makes the test binary a peer
// when Peer started it: it shares the cores through the directory Peer
// gave, says so, and holds its slot until its standard input ends (the
// test closes it, or its process ends however it ends, a timeout's panic
// included); it never returns then.
func RunPeerIfAsked() {
	dir := os.Getenv(env)
	if dir == "" {
		return
	}
	coreshare.Share(dir, slog.New(slog.DiscardHandler))
	os.Stdout.WriteString("ready\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// Peer starts this test binary (whose TestMain calls RunPeerIfAsked) as
// a process sharing the cores through dir, returns once it holds its
// slot, and ends it when the test ends.
func Peer(t testing.TB, dir string) *exec.Cmd {
	t.Helper()
	c, stdin, err := StartPeer(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = c.Process.Kill(); _ = c.Wait() })
	return c
}

// StartPeer is Peer without a test: the peer holds its slot until stdin
// is closed (or the process that started it ends).
func StartPeer(dir string) (c *exec.Cmd, stdin io.WriteCloser, err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	c = exec.Command(exe, "-test.run=^$")
	c.Env = append(os.Environ(), env+"="+dir)
	if stdin, err = c.StdinPipe(); err != nil {
		return nil, nil, err
	}
	out, err := c.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := c.Start(); err != nil {
		return nil, nil, err
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		stdin.Close()
		_ = c.Process.Kill()
		_ = c.Wait()
		return nil, nil, fmt.Errorf("peer: %q, %v", line, err)
	}
	return c, stdin, nil
}
