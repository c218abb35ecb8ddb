// Package reject marks the errors that say an input was rejected: a file
// or record iamtrim read but could not accept (malformed, another kind of
// document, values beyond the limits), as opposed to a failure of
// iamtrim's own or a bad option. Each stage package keeps its own typed
// RejectedError with what it needs to say; each implements Input, so that
// the CLI maps every one of them to its "input rejected" exit code (3)
// with a single case, and a stage added later cannot be missed (a test
// checks every RejectedError type of the tree implements Input).
package reject

import "errors"

// Input is implemented by every error type that says an input was
// rejected. RejectedInput does nothing: it is the mark.
type Input interface {
	error
	RejectedInput()
}

// Is reports whether err is, or wraps, a rejected input.
func Is(err error) bool {
	var in Input
	return errors.As(err, &in)
}
