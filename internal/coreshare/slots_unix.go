//go:build unix

package coreshare

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// slots is the directory of slot files and the one this process holds
// (mine is -1 when all were taken: the process counts, holds none).
type slots struct {
	dir  string
	mine int
	f    *os.File
}

// openSlots makes dir (and its parent, the user's iamtrim directory)
// private if new, refuses it if another user could write there, and
// takes the first free slot.
func openSlots(dir string) (*slots, error) {
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Mkdir(d, 0o700); err != nil && !os.IsExist(err) {
			return nil, err
		}
		if err := private(d); err != nil {
			return nil, err
		}
	}
	s := &slots{dir: dir, mine: -1}
	for i := range MaxSlots {
		f, err := os.OpenFile(s.path(i), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		if lock(f, syscall.LOCK_EX) {
			s.mine, s.f = i, f
			return s, nil
		}
		f.Close()
	}
	return s, nil // all taken: count, hold none
}

// private checks that d is a directory (not a link) of this user that no
// one else may write to.
func private(d string) error {
	fi, err := os.Lstat(d)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s: want a directory of this user's that others cannot write", d)
	}
	return nil
}

func (s *slots) path(i int) string { return filepath.Join(s.dir, fmt.Sprintf("slot-%02d", i)) }

// count is the processes holding a slot, this one included (it counts as
// one even when it holds none). A slot is held when a shared lock on it
// cannot be had at once; the lock taken to find it free is let go at
// once (a process taking that slot at that instant moves to the next).
func (s *slots) count() int {
	n := 1
	for i := range MaxSlots {
		if i == s.mine {
			continue
		}
		f, err := os.Open(s.path(i))
		if err != nil {
			continue // never made: free
		}
		if lock(f, syscall.LOCK_SH) {
			_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		} else {
			n++
		}
		f.Close()
	}
	return n
}

func (s *slots) close() {
	if s.f != nil {
		s.f.Close() // drops the lock
		s.f = nil
	}
}

// lock takes an flock without waiting.
func lock(f *os.File, how int) bool {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err == nil
		}
	}
}
