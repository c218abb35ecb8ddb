//go:build !unix

package coreshare

import "errors"

var errNoSlot = errors.New("sharing the cores needs flock: not on this system")

type slots struct{}

func openSlots(string) (*slots, error) { return nil, errNoSlot }
func (*slots) count() int              { return 1 }
func (*slots) close()                  {}
