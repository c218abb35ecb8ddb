package main

import (
	"fmt"
	"strings"
)

// exceptionProblems reports entries that name no principal: the rest was
// applied and the output written, so the exit code says some input was
// rejected.
func (a *app) exceptionProblems(probs []string) error {
	if len(probs) == 0 {
		return nil
	}
	return &exitErr{code: exitRejected, err: fmt.Errorf("%d exception(s) name no principal of the analysis: %s", len(probs), strings.Join(probs, "; "))}
}

// rejected makes err (when not nil) exit 3: the command finished, but
// some inputs were rejected.
func rejected(err error) error {
	if err == nil {
		return nil
	}
	return &exitErr{code: exitRejected, err: err}
}
