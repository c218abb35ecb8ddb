package pushdown

import (
	"errors"
	"fmt"
)

// QueryError is a query the engine ran and did not finish: FAILED,
// CANCELLED or TIMED_OUT, with the engine's reason.
type QueryError struct {
	Engine, ID, State, Reason string
}

func (e *QueryError) Error() string {
	msg := fmt.Sprintf("%s query %s %s", e.Engine, e.ID, e.State)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// ErrScanLimit is wrapped when a query was stopped, or refused, because it
// scanned (or could scan) more than --max-scan-bytes.
var ErrScanLimit = errors.New("query scans more than --max-scan-bytes")
