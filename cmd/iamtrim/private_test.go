package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/store/localpg"
)

// needPGBinaries skips (saying why) where no PostgreSQL server binaries
// are installed; under CI=true it fails, so a green CI means these ran.
func needPGBinaries(t *testing.T) {
	t.Helper()
	if _, err := localpg.FindBinaries(localpg.Options{}, 0); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs the PostgreSQL binaries for the private store tests: %v", err)
		}
		t.Skipf("private store not tested: %v", err)
	}
}

// privateEnv names no server and points the local defaults at a directory
// with no socket: the private store stands in, in a directory of the test.
func privateEnv(t *testing.T) map[string]string {
	tmp := t.TempDir()
	env := map[string]string{"IAMTRIM_DEFAULT_PGHOST": filepath.Join(tmp, "no-server"), "XDG_DATA_HOME": filepath.Join(tmp, "data")}
	t.Cleanup(func() { runCLI(t, env, "server", "stop") })
	return env
}

// --keep-server leaves the private store running for the next commands,
// which reuse it; server stop stops it; without --keep-server the command
// that started it stops it.
func TestKeepServer(t *testing.T) {
	needPGBinaries(t)
	env := privateEnv(t)
	code, _, errOut := runCLI(t, env, "--keep-server", "migrate")
	if code != exitOK || !strings.Contains(errOut, "started the private store") {
		t.Fatalf("migrate --keep-server: exit %d\n%s", code, errOut)
	}
	_, out, _ := runCLI(t, env, "server", "status")
	if !strings.Contains(out, "state:     running") || !strings.Contains(out, "kept:      yes") || !strings.Contains(out, "no TCP port") {
		t.Fatalf("status after --keep-server:\n%s", out)
	}
	code, _, errOut = runCLI(t, env, "migrate")
	if code != exitOK || strings.Contains(errOut, "started the private store") || strings.Contains(errOut, "stopped the private store") {
		t.Fatalf("a command on a kept store must reuse it and leave it running: exit %d\n%s", code, errOut)
	}
	_, out, _ = runCLI(t, env, "server", "stop")
	if !strings.Contains(out, "stopped the private store") {
		t.Fatalf("server stop: %s", out)
	}
	code, _, errOut = runCLI(t, env, "migrate")
	if code != exitOK || !strings.Contains(errOut, "started the private store") || !strings.Contains(errOut, "stopped the private store") {
		t.Fatalf("without --keep-server the command starts and stops the store: exit %d\n%s", code, errOut)
	}
	_, out, _ = runCLI(t, env, "server", "status")
	if !strings.Contains(out, "state:     stopped") {
		t.Fatalf("status at the end:\n%s", out)
	}
}

// A named server is used, never the private store, even when it does not
// answer: the user asked for that one.
func TestNamedServerIsNotReplaced(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?connect_timeout=2", "XDG_DATA_HOME": filepath.Join(t.TempDir(), "data")}
	code, _, errOut := runCLI(t, env, "migrate")
	if code != exitError || strings.Contains(errOut, "private store") {
		t.Fatalf("exit %d, want 1 without the private store:\n%s", code, errOut)
	}
}
