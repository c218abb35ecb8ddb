// Package logging builds the *slog.Logger every iamtrim command logs to
// stderr with, from the --log-format and --log-level settings.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/iamtrim/iamtrim/internal/option"
)

// New returns a logger writing to w in format (text or json) at level
// (debug, info, warn or error; empty is info). A bad setting is an error
// naming it as its flag (log-format, log-level).
func New(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "info", "":
		lvl = slog.LevelInfo
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		return nil, fmt.Errorf("log-level %v", option.OneOf(level, "debug", "info", "warn", "error"))
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log-format %v", option.OneOf(format, "text", "json"))
}
