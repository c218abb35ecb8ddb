package localpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoBinaries is returned when no PostgreSQL server binaries are found;
// its message ends with InstallHint.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, pg_ctl) found")

// ErrInUse is returned by Stop while other iamtrim commands use the store.
var ErrInUse = errors.New("the private store is in use by another iamtrim command; it stops when the last one ends")

// InstallHint says, in one line, how to get binaries or name a server.
const InstallHint = "install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@16) or name a server with --db or DATABASE_URL"

// User is the cluster's superuser, trusted on the socket.
const User = "iamtrim"

// port only names the socket file (.s.PGSQL.5432) in the store's own
// directory: no TCP port is opened.
const port = 5432

// maxSocketPath is the longest Unix socket path the kernels iamtrim runs on
// accept (sun_path is 104 bytes on macOS, 108 on Linux, with the NUL).
const maxSocketPath = 103

// Options configure where the store is and how it is run.
type Options struct {
	// Dir is the store's directory; "" means DefaultDir.
	Dir string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// SearchDirs replace the default places binaries are looked for (tests).
	SearchDirs []string
	Log        *slog.Logger
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// DefaultDir is where the store lives: $XDG_DATA_HOME/iamtrim/pg, else
// ~/Library/Application Support/iamtrim/pg on macOS, else
// ~/.local/share/iamtrim/pg.
func DefaultDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if x := getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "iamtrim", "pg"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("private store: no home directory: %w", err)
		}
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support", "iamtrim", "pg"), nil
	}
	return filepath.Join(home, ".local", "share", "iamtrim", "pg"), nil
}

func (o Options) dir() (string, error) {
	if o.Dir != "" {
		return filepath.Abs(o.Dir)
	}
	return DefaultDir(o.getenv)
}

// searchDirs lists where binaries are looked for, in order: $IAMTRIM_PG_BIN
// alone when set; else PATH, Debian's /usr/lib/postgresql/*/bin (newest
// first) and Homebrew's locations.
func (o Options) searchDirs() []string {
	if o.SearchDirs != nil {
		return o.SearchDirs
	}
	if d := o.getenv("IAMTRIM_PG_BIN"); d != "" {
		return []string{d}
	}
	dirs := filepath.SplitList(o.getenv("PATH"))
	for _, pat := range []string{"/usr/lib/postgresql/*/bin", "/opt/homebrew/opt/postgresql@*/bin", "/usr/local/opt/postgresql@*/bin"} {
		m, _ := filepath.Glob(pat)
		slices.SortFunc(m, func(a, b string) int { return versionOf(b) - versionOf(a) })
		dirs = append(dirs, m...)
	}
	return append(dirs, "/opt/homebrew/bin", "/opt/homebrew/opt/postgresql/bin", "/usr/local/opt/postgresql/bin")
}

// versionOf reads the major version from a path like
// /usr/lib/postgresql/15/bin or .../postgresql@16/bin; 0 when none.
func versionOf(dir string) int {
	for _, part := range strings.Split(filepath.ToSlash(dir), "/") {
		part = strings.TrimPrefix(part, "postgresql@")
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

// FindBinaries returns the first directory holding initdb and pg_ctl,
// preferring one whose major version is want (the version an existing
// cluster was made with; 0 for any).
func FindBinaries(o Options, want int) (string, error) {
	var found []string
	for _, d := range o.searchDirs() {
		if d == "" {
			continue
		}
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) && isExec(filepath.Join(d, "postgres")) {
			if !slices.Contains(found, d) {
				found = append(found, d)
			}
		}
	}
	if len(found) == 0 {
		return "", fmt.Errorf("%w; %s", ErrNoBinaries, InstallHint)
	}
	if want > 0 {
		for _, d := range found {
			if v, err := binVersion(d); err == nil && v == want {
				return d, nil
			}
		}
		return "", fmt.Errorf("private store: its cluster was made by PostgreSQL %d and no binaries of that version are installed (found %s); install PostgreSQL %d or remove the store's data directory", want, strings.Join(found, ", "), want)
	}
	return found[0], nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// binVersion runs postgres --version ("postgres (PostgreSQL) 15.20 ...").
func binVersion(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		return 0, fmt.Errorf("postgres --version: %q", out)
	}
	major, _, _ := strings.Cut(f[2], ".")
	return strconv.Atoi(major)
}

// layout names the files of a store directory.
type layout struct {
	base string
}

func (l layout) data() string    { return filepath.Join(l.base, "data") }
func (l layout) run() string     { return filepath.Join(l.base, "run") }
func (l layout) logFile() string { return filepath.Join(l.base, "server.log") }
func (l layout) control() string { return filepath.Join(l.base, "control.lock") }
func (l layout) users() string   { return filepath.Join(l.base, "users.lock") }
func (l layout) keep() string    { return filepath.Join(l.base, "keep") }
func (l layout) socket() string  { return filepath.Join(l.run(), fmt.Sprintf(".s.PGSQL.%d", port)) }

// clusterVersion reads data/PG_VERSION; 0 when there is no cluster yet.
func (l layout) clusterVersion() int {
	b, err := os.ReadFile(filepath.Join(l.data(), "PG_VERSION"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// runner runs the PostgreSQL binaries, as an unprivileged user when
// iamtrim runs as root.
type runner struct {
	bin      string
	uid, gid int // -1 when running as ourselves
	osUser   string
	dir      string // working directory the server user can enter
}

func newRunner(o Options, bin, dir string) (runner, error) {
	r := runner{bin: bin, uid: -1, gid: -1, dir: dir}
	if os.Geteuid() != 0 {
		return r, nil
	}
	name := o.getenv("IAMTRIM_SERVER_USER")
	if name == "" {
		name = "postgres"
		if _, err := user.Lookup(name); err != nil {
			name = "nobody"
		}
	}
	u, err := user.Lookup(name)
	if err != nil {
		return r, fmt.Errorf("private store: PostgreSQL refuses to run as root and the user %q to run it as does not exist (set IAMTRIM_SERVER_USER): %w", name, err)
	}
	r.uid, _ = strconv.Atoi(u.Uid)
	r.gid, _ = strconv.Atoi(u.Gid)
	if r.uid == 0 {
		return r, fmt.Errorf("private store: IAMTRIM_SERVER_USER %q is root; PostgreSQL refuses to run as root", name)
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		return r, fmt.Errorf("private store: running as root needs setpriv (util-linux) to run PostgreSQL as %s: %w", name, err)
	}
	r.osUser = name
	return r, nil
}

func (r runner) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(r.bin, name)
	var c *exec.Cmd
	if r.uid < 0 {
		c = exec.Command(path, args...)
	} else {
		// CAP_DAC_READ_SEARCH lets the server reach a data directory
		// under a home directory only root may enter (/root is 0700).
		pre := []string{"--reuid=" + strconv.Itoa(r.uid), "--regid=" + strconv.Itoa(r.gid), "--init-groups",
			"--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--", path}
		c = exec.Command("setpriv", append(pre, args...)...)
	}
	c.Dir = r.dir
	// The server reads no PG* variable of the caller: PGPORT would rename
	// the socket, PGDATA point elsewhere.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			c.Env = append(c.Env, kv)
		}
	}
	c.Env = append(c.Env, "LC_ALL=C")
	return c
}

// run runs a binary and returns an error with its output when it fails.
func (r runner) run(name string, args ...string) error {
	c := r.command(name, args...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// chown gives path to the server user when running as root.
func (r runner) chown(path string) error {
	if r.uid < 0 {
		return nil
	}
	return os.Chown(path, r.uid, r.gid)
}

// running reports whether the cluster's server runs: pg_ctl status exits 0
// when postmaster.pid names a live server.
func (r runner) running(l layout) bool {
	if _, err := os.Stat(filepath.Join(l.data(), "PG_VERSION")); err != nil {
		return false
	}
	return r.command("pg_ctl", "status", "-D", l.data()).Run() == nil
}

// initCluster creates the cluster in data.init and renames it to data, so
// that an initdb killed half way leaves no half cluster behind.
func (r runner) initCluster(l layout, log *slog.Logger) error {
	tmp := l.data() + ".init"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	log.Info("creating the private store's cluster", "dir", l.data())
	if err := r.run("initdb", "-D", tmp, "-U", User, "--auth-local=trust", "--auth-host=reject",
		"-E", "UTF8", "--no-locale", "--no-instructions"); err != nil {
		return fmt.Errorf("private store: %w", err)
	}
	conf := filepath.Join(tmp, "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "\n# iamtrim's private store: its settings (socket only) are in iamtrim.conf.\ninclude_if_exists = 'iamtrim.conf'\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("private store: write %s: %w", conf, err)
	}
	return os.Rename(tmp, l.data())
}

// writeConf (re)writes the settings that keep the server off the network,
// on every start, so a store whose directory moved still finds its socket.
func (r runner) writeConf(l layout) error {
	conf := fmt.Sprintf("# written by iamtrim on every start\nlisten_addresses = ''\nunix_socket_directories = %s\nport = %d\nmax_connections = 50\n",
		quoteConf(l.run()), port)
	p := filepath.Join(l.data(), "iamtrim.conf")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("private store: %w", err)
	}
	return r.chown(p)
}

func quoteConf(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// start starts the server and waits until it accepts connections.
func (r runner) start(l layout) error {
	if err := r.run("pg_ctl", "start", "-w", "-t", "120", "-D", l.data(), "-l", l.logFile()); err != nil {
		return fmt.Errorf("private store: start the server (its log: %s): %w%s", l.logFile(), err, logTail(l.logFile()))
	}
	return nil
}

func (r runner) stop(l layout) error {
	if err := r.run("pg_ctl", "stop", "-w", "-t", "120", "-m", "fast", "-D", l.data()); err != nil {
		return fmt.Errorf("private store: stop the server: %w", err)
	}
	return nil
}

// logTail returns the last lines of the server log, for an error message.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return "\n  " + strings.Join(lines, "\n  ")
}

// prepare resolves the directory, the binaries and the runner, and makes
// the directory.
func prepare(o Options) (layout, runner, error) {
	base, err := o.dir()
	if err != nil {
		return layout{}, runner{}, err
	}
	l := layout{base: base}
	if n := len(l.socket()); n > maxSocketPath {
		return l, runner{}, fmt.Errorf("private store: the socket path %s is %d bytes, longer than Unix sockets allow (%d); set XDG_DATA_HOME to a shorter directory", l.socket(), n, maxSocketPath)
	}
	bin, err := FindBinaries(o, l.clusterVersion())
	if err != nil {
		return l, runner{}, err
	}
	r, err := newRunner(o, bin, base)
	if err != nil {
		return l, r, err
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return l, r, fmt.Errorf("private store: %w", err)
	}
	if err := os.MkdirAll(l.run(), 0o700); err != nil {
		return l, r, fmt.Errorf("private store: %w", err)
	}
	for _, p := range []string{base, l.run()} {
		if err := r.chown(p); err != nil {
			return l, r, fmt.Errorf("private store: give %s to %s: %w", p, r.osUser, err)
		}
	}
	return l, r, nil
}

// Server is one command's use of the private store, from Acquire to
// Release.
type Server struct {
	Dir string
	// Socket is the socket directory (the connection's host).
	Socket string
	// Started says whether this command started the server.
	Started bool
	bin     string
	l       layout
	r       runner
	users   *os.File
	log     *slog.Logger
}

// ConnString is a libpq keyword/value connection string to database on
// the store's socket.
func (s *Server) ConnString(database string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s", quoteKV(s.Socket), port, User, quoteKV(database))
}

func quoteKV(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Acquire makes sure the store's server runs (creating the cluster on first
// use) and registers this command as a user of it until Release. keep marks
// the server to be left running when the last command ends.
func Acquire(ctx context.Context, o Options, keep bool) (*Server, error) {
	log := o.log()
	l, r, err := prepare(o)
	if err != nil {
		return nil, err
	}
	control, err := lockFile(ctx, l.control(), exclusive, log)
	if err != nil {
		return nil, err
	}
	defer control.Close()
	s := &Server{Dir: l.base, Socket: l.run(), bin: r.bin, l: l, r: r, log: log}
	if keep {
		if err := os.WriteFile(l.keep(), []byte("kept by --keep-server; 'iamtrim server stop' stops it\n"), 0o600); err != nil {
			return nil, fmt.Errorf("private store: %w", err)
		}
	}
	if !r.running(l) {
		if l.clusterVersion() == 0 {
			if err := r.initCluster(l, log); err != nil {
				return nil, err
			}
		}
		if err := r.writeConf(l); err != nil {
			return nil, err
		}
		if err := r.start(l); err != nil {
			return nil, err
		}
		s.Started = true
	}
	// Nobody stops the server while this is held, and stopping needs
	// control, which is ours: the shared lock is granted at once.
	if s.users, err = lockFile(ctx, l.users(), shared, log); err != nil {
		return nil, err
	}
	return s, nil
}

// Release ends this command's use of the store, stopping the server when
// no other command uses it and it is not kept. It runs to its end even
// after ctx is cancelled (an interrupted command still stops its server).
func (s *Server) Release(ctx context.Context) (stopped bool, err error) {
	if s.users == nil {
		return false, nil
	}
	ctx = context.WithoutCancel(ctx)
	defer func() {
		s.users.Close()
		s.users = nil
	}()
	control, err := lockFile(ctx, s.l.control(), exclusive, s.log)
	if err != nil {
		return false, err
	}
	defer control.Close()
	if !tryUpgrade(s.users) {
		s.log.Debug("private store still in use by another command; leaving it running", "dir", s.Dir)
		return false, nil
	}
	if _, err := os.Stat(s.l.keep()); err == nil {
		return false, nil
	}
	if !s.r.running(s.l) {
		return false, nil
	}
	return true, s.r.stop(s.l)
}

// Status is what `iamtrim server status` shows.
type Status struct {
	Dir     string
	Socket  string
	Bin     string
	Exists  bool // a cluster was created
	Version int
	Running bool
	PID     int
	Kept    bool
	InUse   bool
}

// GetStatus reads the store's state without changing it.
func GetStatus(ctx context.Context, o Options) (Status, error) {
	base, err := o.dir()
	if err != nil {
		return Status{}, err
	}
	l := layout{base: base}
	st := Status{Dir: base, Socket: l.run(), Version: l.clusterVersion()}
	st.Exists = st.Version > 0
	_, kerr := os.Stat(l.keep())
	st.Kept = kerr == nil
	if !st.Exists {
		return st, nil
	}
	bin, err := FindBinaries(o, st.Version)
	if err != nil {
		return st, err
	}
	st.Bin = bin
	r, err := newRunner(o, bin, base)
	if err != nil {
		return st, err
	}
	st.Running = r.running(l)
	if st.Running {
		if b, err := os.ReadFile(filepath.Join(l.data(), "postmaster.pid")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			st.PID, _ = strconv.Atoi(strings.TrimSpace(first))
		}
	}
	st.InUse = inUse(l)
	return st, nil
}

// Stop stops the store's server and clears the keep mark. While other
// commands use it, it returns ErrInUse and the last of them stops it.
func Stop(ctx context.Context, o Options) (stopped bool, err error) {
	base, err := o.dir()
	if err != nil {
		return false, err
	}
	l := layout{base: base}
	if err := os.Remove(l.keep()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("private store: %w", err)
	}
	if l.clusterVersion() == 0 {
		return false, nil
	}
	bin, err := FindBinaries(o, l.clusterVersion())
	if err != nil {
		return false, err
	}
	r, err := newRunner(o, bin, base)
	if err != nil {
		return false, err
	}
	control, err := lockFile(ctx, l.control(), exclusive, o.log())
	if err != nil {
		return false, err
	}
	defer control.Close()
	if !r.running(l) {
		return false, nil
	}
	if inUse(l) {
		return false, ErrInUse
	}
	return true, r.stop(l)
}

// inUse reports whether a command holds the users lock.
func inUse(l layout) bool {
	f, err := os.OpenFile(l.users(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false
	}
	defer f.Close()
	return !tryLock(f, exclusive)
}

// lockFile opens path and locks it, waiting (and saying so once) while
// another process holds it.
func lockFile(ctx context.Context, path string, how lockHow, log *slog.Logger) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("private store: %w", err)
	}
	said := false
	for start := time.Now(); ; {
		if tryLock(f, how) {
			return f, nil
		}
		if !said && time.Since(start) > time.Second {
			log.Info("waiting for another iamtrim command to start or stop the private store", "lock", path)
			said = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
