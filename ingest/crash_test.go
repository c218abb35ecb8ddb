package ingest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// TestHelperProcess is not a test: it is the ingester that TestKillResume
// kills and TestConcurrentIngesters runs several of (the os/exec
// GO_WANT_HELPER_PROCESS pattern).
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GO_WANT_HELPER_PROCESS") != "1" {
		t.Skip("helper process for TestKillResume and TestConcurrentIngesters")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: storetest.URL(), Schema: os.Getenv("IAMTRIM_HELPER_SCHEMA"), NoMigrate: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workers, _ := strconv.Atoi(os.Getenv("IAMTRIM_HELPER_WORKERS"))
	s, err := ingest.Run(ctx, db, testCatalog{}, ingest.Options{Sources: []string{os.Getenv("IAMTRIM_HELPER_DIR")}, Workers: workers}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("ok=%d busy=%d done=%d events=%d\n", s.FilesOK, s.FilesBusy, s.FilesAlreadyDone, s.Events)
	if s.FilesBusy > 0 || s.FilesOK+s.FilesAlreadyDone != 140 {
		fmt.Fprintf(os.Stderr, "helper settled %d+%d objects, %d left busy; want all 140\n", s.FilesOK, s.FilesAlreadyDone, s.FilesBusy)
		os.Exit(1)
	}
	os.Exit(0)
}

func helper(t *testing.T, schema, dir string, workers int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GO_WANT_HELPER_PROCESS=1", "IAMTRIM_HELPER_SCHEMA="+schema, "IAMTRIM_HELPER_DIR="+dir,
		"IAMTRIM_HELPER_WORKERS="+strconv.Itoa(workers))
	return cmd
}

// overlapCorpus is 120 trail files of 200 events plus 20 files repeating
// the events of the first 20 in another shape, as overlapping trails would.
func overlapCorpus(t *testing.T) (dir string, files int) {
	t.Helper()
	dir = t.TempDir()
	writeCorpus(t, filepath.Join(dir, "trail"), 120, 200, 6)
	for f := range 20 {
		d := f % 6
		region := []string{"us-east-1", "eu-west-1"}[f%2]
		acct := []string{acctA, acctB}[(f/2)%2]
		writeFile(t, filepath.Join(dir, "org-trail", fmt.Sprintf("copy-%02d.json", f)), asArray(t, events(f*200, 200, d, acct, region)))
	}
	return dir, 140
}

func doneObjects(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ingest_object WHERE status = 'done'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestKillResume kills an ingester with SIGKILL at several points, resumes,
// and compares the totals with an uninterrupted run in another schema.
func TestKillResume(t *testing.T) {
	dir, files := overlapCorpus(t)
	ref := storetest.New(t)
	refSum := runCat(t, ref, ingest.Options{Sources: []string{dir}})
	if refSum.Events != 120*200 || refSum.Duplicates != 20*200 {
		t.Fatalf("reference run: %d events, %d duplicates; want %d, %d", refSum.Events, refSum.Duplicates, 120*200, 20*200)
	}
	want := totals(t, ref)
	t.Logf("uninterrupted run: %s", refSum.Elapsed)

	db := storetest.New(t)
	kills := 0
	for _, after := range []int{1, 25, 60, 100} {
		cmd := helper(t, db.Schema, dir, 2)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.Now().Add(2 * time.Minute)
	poll:
		for {
			select {
			case err := <-exited:
				t.Logf("helper exited before the kill after %d objects: %v", after, err)
				break poll
			default:
			}
			if doneObjects(t, db) >= after || time.Now().After(deadline) {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
				<-exited
				kills++
				break
			}
			time.Sleep(time.Millisecond)
		}
		if n := doneObjects(t, db); n >= files {
			break
		}
	}
	if kills == 0 {
		t.Fatalf("the helper always finished before it could be killed; the test proved nothing")
	}
	left := files - doneObjects(t, db)
	t.Logf("killed %d times; %d of %d objects left for the final run", kills, left, files)
	final := runCat(t, db, ingest.Options{Sources: []string{dir}})
	// (A commit sent just before the kill may land after the count above.)
	if final.FilesOK+final.FilesAlreadyDone != files || final.FilesOK == 0 || final.FilesOK > left || final.FilesFailed != 0 || final.FilesBusy != 0 {
		t.Errorf("final run: %d ok, %d already done, %d failed; want about %d ok, all %d accounted for, none failed",
			final.FilesOK, final.FilesAlreadyDone, final.FilesFailed, left, files)
	}
	if diff := cmp.Diff(want, totals(t, db)); diff != "" {
		t.Errorf("totals after kill and resume differ from an uninterrupted run (-want +got):\n%s", diff)
	}
}

// TestConcurrentIngesters runs three ingesters at once on one database (two
// processes and one in this test) and checks they split the work and
// counted each event once.
func TestConcurrentIngesters(t *testing.T) {
	dir, files := overlapCorpus(t)
	ref := storetest.New(t)
	runCat(t, ref, ingest.Options{Sources: []string{dir}})
	want := totals(t, ref)

	db := storetest.New(t)
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		cmd := helper(t, db.Schema, dir, 2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = cmd.Output()
		}()
	}
	// A third ingester in this process, with its own pool.
	own, err := store.Open(context.Background(), store.Options{URL: storetest.URL(), Schema: db.Schema, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	s := runCat(t, own, ingest.Options{Sources: []string{dir}, Workers: 2})
	wg.Wait()
	okTotal := s.FilesOK
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("helper %d: %v", i, errs[i])
		}
		var ok, busy, done int
		var events int64
		if _, err := fmt.Sscanf(string(outs[i]), "ok=%d busy=%d done=%d events=%d", &ok, &busy, &done, &events); err != nil {
			t.Fatalf("helper %d output %q: %v", i, outs[i], err)
		}
		t.Logf("helper %d: %d ok, %d left busy, %d done by others, %d events", i, ok, busy, done, events)
		okTotal += ok
	}
	t.Logf("in-process ingester: %d ok, %d left busy, %d done by others, %d events", s.FilesOK, s.FilesBusy, s.FilesAlreadyDone, s.Events)
	if s.FilesBusy != 0 || s.FilesOK+s.FilesAlreadyDone != files {
		t.Errorf("in-process ingester settled %d+%d objects, left %d busy; want all %d settled", s.FilesOK, s.FilesAlreadyDone, s.FilesBusy, files)
	}
	if okTotal != files {
		t.Errorf("the ingesters ingested %d objects between them, want each of the %d exactly once", okTotal, files)
	}
	if diff := cmp.Diff(want, totals(t, db)); diff != "" {
		t.Errorf("totals of concurrent ingesters differ from a single run (-want +got):\n%s", diff)
	}
}
