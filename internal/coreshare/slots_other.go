//go:build !unix

package coreshare

type slots struct{}

func openSlots(string) (*slots, error) { return nil, errNoSlot }
func (*slots) count() int              { return 1 }
func (*slots) close()                  {}
