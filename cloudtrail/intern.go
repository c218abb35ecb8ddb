package cloudtrail

import (
	"hash/maphash"
	"sync/atomic"
)

// internSlots is the size of the Mapper's string intern table.
const internSlots = 1 << 12

// internTable is a direct-mapped, lock-free cache of strings that repeat
// across records (regions, account IDs, role ARNs, error codes), so
// Normalize does not allocate them for every record. A slot holds the last
// string hashed to it; reads are atomic loads, so concurrent Normalize
// calls do not contend, and a collision only costs an allocation.
type internTable struct {
	seed  maphash.Seed
	slots [internSlots]atomic.Pointer[string]
}

func (t *internTable) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := &t.slots[maphash.Bytes(t.seed, b)&(internSlots-1)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// intern decodes, bounds and interns a string from a record.
func (m *Mapper) intern(s jstr, max int) string {
	if len(s.b) == 0 {
		return ""
	}
	var buf [256]byte
	d := s.b
	if s.esc || !isASCII(d) || len(d) > max {
		d = truncate(s.bytes(buf[:0]), max)
	}
	return m.strs.get(d)
}
