package ingest_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/internal/coreshare"
	"github.com/iamtrim/iamtrim/internal/coreshare/coresharetest"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestRunSharesCores: with three other processes sharing the machine's
// cores, a run (sharing them as job.IngestCloudTrail makes it) runs its
// share of its workers at once, and ingests what a run alone does.
func TestRunSharesCores(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set: sharing is off")
	}
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	slots := coreshare.Dir(os.Getenv)
	for range 3 {
		coresharetest.Peer(t, slots)
	}
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "trail"), 40, 50, 4)
	ref := storetest.New(t)
	runCat(t, ref, ingest.Options{Sources: []string{dir}, Workers: 4})

	release := coreshare.Share("", slog.New(slog.DiscardHandler))
	defer release()
	want := coreshare.Scale(4)
	if want == 4 {
		t.Skip("one core: a share of 4 processes is still all of it")
	}
	var logs syncBuffer
	db := storetest.New(t)
	cat := &inFlightCatalog{}
	s, err := ingest.Run(t.Context(), db, cat, ingest.Options{Sources: []string{dir}, Workers: 4},
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	if s.FilesOK != 40 {
		t.Errorf("%d files ingested, want 40", s.FilesOK)
	}
	if line := "workers at once, sharing the cores with other processes\" workers=" + strconv.Itoa(want) + " of=4"; !strings.Contains(logs.String(), line) {
		t.Errorf("the run did not log %q:\n%s", line, logs.String())
	}
	if n := cat.most.Load(); n > int64(want) || n == 0 {
		t.Errorf("%d workers mapped records at once, want %d at most", n, want)
	}
	if diff := cmp.Diff(totals(t, ref), totals(t, db)); diff != "" {
		t.Errorf("totals sharing the cores differ from a run alone (-want +got):\n%s", diff)
	}
}

// inFlightCatalog is testCatalog noting the most workers in its Action at
// once (each stays a moment, so that workers running together meet).
type inFlightCatalog struct {
	testCatalog
	now, most atomic.Int64
}

func (c *inFlightCatalog) Action(name string) (string, bool) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	time.Sleep(time.Millisecond)
	return c.testCatalog.Action(name)
}
