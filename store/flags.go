package store

import (
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/spf13/pflag"
)

// AddFlags registers the connection flags every command has: --db (URL)
// and --statement-timeout.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.URL, "db", "", "PostgreSQL URL (default: $DATABASE_URL, the libpq PG* variables, then the local server, then the private store; database iamtrim)")
	fs.DurationVar(&o.StatementTimeout, "statement-timeout", 10*time.Minute, "PostgreSQL statement_timeout for every statement")
}

// ValidateURL checks that URL, when given, is a PostgreSQL URL or
// connection string.
func (o *Options) ValidateURL() error {
	if o.URL == "" {
		return nil
	}
	if _, err := pgconn.ParseConfig(o.URL); err != nil {
		return option.Errorf("--db: not a PostgreSQL URL or connection string")
	}
	return nil
}
