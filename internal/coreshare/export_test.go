//go:build unix

package coreshare

import "testing"

// Count is the processes sharing the cores with this one, itself
// included; 0 when it does not share them.
func Count() int {
	mu.Lock()
	defer mu.Unlock()
	if active == nil {
		return 0
	}
	return active.slots.count()
}

// Sharing says whether this process shares the cores now.
func Sharing() bool {
	mu.Lock()
	defer mu.Unlock()
	return active != nil
}

// TakeSlot takes a slot of dir as another process would, until the test
// ends (the test's cleanup keeps the slot, and so its lock, from the
// garbage collector); mine is -1 when all were taken. Count returns what
// that holder counts.
func TakeSlot(t testing.TB, dir string) (mine int, count func() int, err error) {
	s, err := openSlots(dir)
	if err != nil {
		return 0, nil, err
	}
	t.Cleanup(s.close)
	return s.mine, s.count, nil
}
