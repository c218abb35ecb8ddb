package migrations

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// TestReleasedMigrationsUnchanged refuses edits to migrations listed in
// released.sha256: a database already at that version would never get the
// change. Change the schema with a new file instead. A migration not yet
// released may change; list it (sha256sum NNNNN_name.sql >> released.sha256)
// when it ships.
func TestReleasedMigrationsUnchanged(t *testing.T) {
	f, err := os.Open("released.sha256")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(strings.TrimSpace(sc.Text()), "  ")
		if !ok {
			t.Fatalf("released.sha256: bad line %q", sc.Text())
		}
		listed++
		b, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Errorf("%s is released but gone: %v", name, err)
			continue
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s was edited after its release: migrations are append-only; revert it and put the change in a new migration", name)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if listed == 0 {
		t.Fatal("released.sha256 lists no migration")
	}
}
