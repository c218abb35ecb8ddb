// Package termwidthtest opens pseudo-terminals for tests of output fitted
// to a terminal's width.
package termwidthtest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Terminal is a pseudo-terminal: Out is its terminal side (what a program
// writes to as its stdout), Output what was written, once Close ran.
type Terminal struct {
	Out    *os.File
	master *os.File
	buf    bytes.Buffer
	done   chan struct{}
}

// Open returns a terminal cols columns wide; the test is skipped (saying
// why) when the system has no pseudo-terminals.
func Open(t *testing.T, cols int) *Terminal {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: uint16(cols), Row: 50}); err != nil {
		t.Fatalf("set terminal size: %v", err)
	}
	term := &Terminal{Out: s, master: m, done: make(chan struct{})}
	go func() {
		_, _ = io.Copy(&term.buf, m) // ends with EIO once Out is closed
		close(term.done)
	}()
	t.Cleanup(func() { term.Close() })
	return term
}

// Close closes the terminal and returns what was written to it, line ends
// as written ("\r\n" made "\n" again).
func (t *Terminal) Close() string {
	if t.Out != nil {
		t.Out.Close()
		<-t.done
		t.master.Close()
		t.Out = nil
	}
	return strings.ReplaceAll(t.buf.String(), "\r\n", "\n")
}
