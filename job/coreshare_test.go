package job

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/internal/coreshare"
	"github.com/iamtrim/iamtrim/internal/coreshare/coresharetest"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func TestMain(m *testing.M) {
	coresharetest.RunPeerIfAsked()
	os.Exit(m.Run())
}

// IngestCloudTrail, the path of `iamtrim ingest cloudtrail` and the
// nightly job, shares the cores with the other ingesters on the machine
// (three peers here: 4 processes) for the run, and gives them back after.
func TestIngestCloudTrailSharesCores(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set: sharing is off")
	}
	base := runtime.GOMAXPROCS(0)
	procs := coreshare.Procs(base, 4)
	workers := max(1, (4*procs+base-1)/base) // Scale(4) at that share
	if workers == 4 {
		t.Skip("one core: a share of 4 processes is still all of it")
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	for range 3 {
		coresharetest.Peer(t, coreshare.Dir(os.Getenv))
	}
	var logs bytes.Buffer
	db := storetest.New(t)
	s, err := IngestCloudTrail(context.Background(), db, ingest.Options{Sources: []string{filepath.Join(root(t), "testdata/sample/AWSLogs")}, Workers: 4},
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	if s.FilesOK == 0 || s.Events == 0 {
		t.Fatalf("nothing ingested: %+v", s)
	}
	for _, want := range []string{
		"msg=\"sharing the cores\" processes=4 gomaxprocs=" + strconv.Itoa(procs),
		"workers=" + strconv.Itoa(workers) + " of=4",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the ingest did not log %q:\n%s", want, logs.String())
		}
	}
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Errorf("GOMAXPROCS %d after the ingest, want %d back", got, base)
	}
	if coreshare.Scale(4) != 4 {
		t.Errorf("still sharing after the ingest: Scale(4) = %d", coreshare.Scale(4))
	}
}
