//go:build unix

package localpg

import (
	"os"
	"syscall"
)

type lockHow int

const (
	shared lockHow = iota
	exclusive
)

// tryLock takes an flock without waiting. The kernel drops it when the
// process dies, kill -9 included: no lock file is ever stale.
func tryLock(f *os.File, how lockHow) bool {
	op := syscall.LOCK_SH
	if how == exclusive {
		op = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), op|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err == nil
		}
	}
}

// tryUpgrade turns a shared lock into an exclusive one when no other
// process holds it.
func tryUpgrade(f *os.File) bool { return tryLock(f, exclusive) }
