package recommend

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/trails"
)

// noCatalogInput is the fixture's principal as it is analyzed on a
// database with authorization data but no catalog and no logs yet.
func noCatalogInput(t *testing.T) Input {
	t.Helper()
	f := newFixture(t)
	eff := mustExpand(t, f.in.Principal, nil)
	res := analyze.Principal(analyze.Input{
		Principal: f.in.Principal, Effective: eff, Trails: trails.UnknownConfig(),
		Seen: map[string]bool{}, Coverage: analyze.Coverage{WindowDays: 90},
		Window: analyze.NewWindow(time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), 90),
	})
	return Input{Principal: f.in.Principal, Effective: eff, Result: res}
}

// Without a catalog the current grants cannot be expanded nor the result
// proven: Recommend refuses and says how to load one (it used to print an
// empty policy called PROVEN).
func TestNoCatalogRefused(t *testing.T) {
	in := noCatalogInput(t)
	rec, err := Recommend(context.Background(), in, Options{})
	if !errors.Is(err, catalog.ErrNoCatalog) {
		t.Fatalf("Recommend without a catalog = %v, %v; want ErrNoCatalog", rec, err)
	}
	if !strings.Contains(err.Error(), "catalog load DIR") || !strings.Contains(err.Error(), "catalog update") {
		t.Errorf("error %q does not say how to load a catalog", err)
	}
}

// A policy that keeps nothing, or removes anything on thin evidence, is
// not proven, whatever produced it.
func TestProofRefusesEmptyOrThinEvidenceRemovals(t *testing.T) {
	t.Run("thin evidence, everything removed", func(t *testing.T) {
		in := noCatalogInput(t)
		p, err := Prove(context.Background(), in, &Recommendation{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Proven || len(p.EvidenceFailures) == 0 {
			t.Fatalf("proven %v, evidence failures %v: want an unproven result", p.Proven, p.EvidenceFailures)
		}
		if !strings.Contains(p.EvidenceFailures[0], "too little") {
			t.Errorf("failure %q does not say the evidence is thin", p.EvidenceFailures[0])
		}
	})
	t.Run("observed calls, nothing granted", func(t *testing.T) {
		f := newFixture(t)
		rec, err := Recommend(context.Background(), f.in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rec.Policies = nil
		p, err := Prove(context.Background(), f.in, rec)
		if err != nil {
			t.Fatal(err)
		}
		if p.Proven || len(p.EvidenceFailures) == 0 || !strings.Contains(p.EvidenceFailures[0], "grants nothing") {
			t.Fatalf("proven %v, evidence failures %v: want an empty policy refused", p.Proven, p.EvidenceFailures)
		}
		rec.Proof = p
		if !strings.Contains(Summary(rec), "grants nothing") {
			t.Errorf("summary does not show the failure:\n%s", Summary(rec))
		}
	})
	t.Run("untouched", func(t *testing.T) {
		f := newFixture(t)
		rec, err := Recommend(context.Background(), f.in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Proof.Proven || len(rec.Proof.EvidenceFailures) != 0 {
			t.Fatalf("proven %v, evidence failures %v", rec.Proof.Proven, rec.Proof.EvidenceFailures)
		}
	})
}

// Role names up to AWS's 64 characters, and longer ones from hostile or
// synthetic inventories, make file names the file system takes: a long
// name is shortened with a hash of the whole name, the same every run.
func TestWriteFileLongNames(t *testing.T) {
	f := newFixture(t)
	rec, err := Recommend(context.Background(), f.in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	long := strings.Repeat("r", 300)
	for _, name := range []string{long, long + "x", long} {
		rec.Name = name
		if err := WriteFile(dir, rec, f.in, "json"); err != nil {
			t.Fatalf("WriteFile(%d-character name): %v", len(name), err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("%d files for two distinct long names written three times, want 2", len(entries))
	}
	for _, e := range entries {
		if len(e.Name()) > 200 || !strings.HasPrefix(e.Name(), "rrrr") || !strings.HasSuffix(e.Name(), ".recommendation.json") {
			t.Errorf("file name %q (%d bytes)", e.Name(), len(e.Name()))
		}
	}
	if got, want := FileBase("orders-api-lambda"), "orders-api-lambda"; got != want {
		t.Errorf("FileBase of a short name = %q, want it unchanged", got)
	}
}
