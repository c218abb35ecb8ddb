// Package localpg runs iamtrim's private PostgreSQL: a cluster of its own,
// started from the PostgreSQL binaries installed on the machine when no
// server is configured and none answers locally, so that `iamtrim trim ROLE`
// and `make demo` need no server set up.
//
// The cluster lives in the user's data directory ($XDG_DATA_HOME/iamtrim/pg,
// ~/.local/share/iamtrim/pg, or ~/Library/Application Support/iamtrim/pg on
// macOS), listens on a Unix socket in that directory only (listen_addresses
// is empty: no TCP port is opened) and trusts local connections, which the
// directory's 0700 mode limits to its owner.
//
// Concurrent commands share it through two lock files (flock, so a process
// killed with kill -9 releases them): "control", held exclusively while the
// cluster is created, started or stopped; and "users", held shared by every
// command for as long as it uses the cluster. A command that ends stops the
// cluster only when it can take "users" exclusively (no other command uses
// it) and the cluster is not kept ("keep", written by --keep-server and
// removed by `iamtrim server stop`). A cluster left running by a command
// killed with kill -9 is reused by the next command, which stops it in turn.
//
// PostgreSQL refuses to run as root. Run as root, iamtrim runs initdb,
// pg_ctl and the server as an unprivileged user (IAMTRIM_SERVER_USER,
// default postgres when that user exists, else nobody) through setpriv, with
// the one capability CAP_DAC_READ_SEARCH so the server can reach a data
// directory under root's 0700 home; the data directory is owned by that user.
package localpg
