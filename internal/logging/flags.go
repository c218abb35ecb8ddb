package logging

import (
	"io"
	"log/slog"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// Flags are --log-format and --log-level.
type Flags struct{ Format, Level string }

// AddFlags registers them; their defaults are IAMTRIM_LOG_FORMAT and
// IAMTRIM_LOG_LEVEL when set (getenv reads them), else text and info.
func (f *Flags) AddFlags(fs *pflag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.Format, "log-format", or(getenv("IAMTRIM_LOG_FORMAT"), "text"), "log format on stderr: text or json")
	fs.StringVar(&f.Level, "log-level", or(getenv("IAMTRIM_LOG_LEVEL"), "info"), "log level: debug, info, warn, error")
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// Logger is New with the flags; a bad value is an invalid option.
func (f Flags) Logger(w io.Writer) (*slog.Logger, error) {
	log, err := New(w, f.Format, f.Level)
	if err != nil {
		return nil, option.Errorf("--%v", err)
	}
	return log, nil
}
