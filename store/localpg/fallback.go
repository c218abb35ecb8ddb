package localpg

import (
	"context"
	"fmt"
	"io"

	"github.com/iamtrim/iamtrim/store"
)

// Fallback is store.Options.Fallback for the private store: when no
// server is named and none answers, each command acquires the store
// (starting it when no other command runs it), and stops it on release
// when the last user leaves, unless keep.
func Fallback(o Options, keep bool) func(ctx context.Context, database string) (store.Target, func(), error) {
	return func(ctx context.Context, database string) (store.Target, func(), error) {
		log := o.log()
		s, err := Acquire(ctx, o, keep)
		if err != nil {
			return store.Target{}, nil, err
		}
		if s.Started {
			log.Info("started the private store", "dir", s.Dir)
		}
		release := func() {
			stopped, err := s.Release(ctx)
			if err != nil {
				log.Warn("private store", "dir", s.Dir, "err", err)
			} else if stopped {
				log.Info("stopped the private store", "dir", s.Dir)
			}
		}
		return store.Target{
			ConnString: s.ConnString(database),
			Origin:     "private store",
			Display:    fmt.Sprintf("%s (socket only) database %s", s.Dir, database),
		}, release, nil
	}
}

// Write prints the status as `iamtrim server status` shows it; noBinaries
// says no server binaries were found for the store's version.
func (st Status) Write(w io.Writer, noBinaries bool) {
	fmt.Fprintf(w, "directory: %s\n", st.Dir)
	switch {
	case !st.Exists:
		fmt.Fprintln(w, "state:     not created (the first command that needs it creates it)")
	case st.Running:
		fmt.Fprintf(w, "state:     running (PostgreSQL %d, pid %d)\n", st.Version, st.PID)
		fmt.Fprintf(w, "socket:    %s (no TCP port)\n", st.Socket)
	default:
		fmt.Fprintf(w, "state:     stopped (PostgreSQL %d)\n", st.Version)
	}
	if st.Kept {
		fmt.Fprintln(w, "kept:      yes (--keep-server; 'iamtrim server stop' stops it)")
	}
	if st.InUse {
		fmt.Fprintln(w, "in use:    yes, by another iamtrim command")
	}
	if noBinaries {
		fmt.Fprintf(w, "binaries:  none: %s\n", InstallHint)
	}
}
