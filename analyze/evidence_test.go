package analyze

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// Prepare loads the stored evidence, the SCP files named, and the window's
// last day: the newest day with logs, else the clock, unless given.
func TestPrepare(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	log := slog.New(slog.DiscardHandler)
	inv, err := authz.ParseFile("../testdata/sample/authz.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := authz.SaveSnapshot(ctx, db, inv, "authz.json", time.Now()); err != nil {
		t.Fatal(err)
	}
	scp := t.TempDir() + "/scp.json"
	if err := os.WriteFile(scp, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	opts := Options{Now: now}
	ev, err := Prepare(ctx, db, EvidenceOptions{SCPFiles: []string{scp}}, &opts, log)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Inventory == nil || len(ev.Inventory.Roles) == 0 || ev.AuthzSnapshot == 0 || len(ev.SCPs) != 1 || ev.Trails == nil {
		t.Errorf("Prepare: evidence %+v; want the stored inventory, its snapshot, one SCP and a trail configuration", ev)
	}
	if !opts.AsOf.Equal(now) {
		t.Errorf("Prepare with no logs: as-of %v, want the clock %v", opts.AsOf, now)
	}
	day := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	if _, err := db.Pool.Exec(ctx, `INSERT INTO log_coverage_daily (account_id, region, day, events) VALUES ('111122223333', 'us-east-1', $1, 1)`, day); err != nil {
		t.Fatal(err)
	}
	opts = Options{Now: now}
	if _, err := Prepare(ctx, db, EvidenceOptions{}, &opts, log); err != nil || !opts.AsOf.Equal(day) {
		t.Errorf("Prepare: as-of %v (%v), want the newest log day %v", opts.AsOf, err, day)
	}
	given := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	opts = Options{Now: now, AsOf: given}
	if _, err := Prepare(ctx, db, EvidenceOptions{}, &opts, log); err != nil || !opts.AsOf.Equal(given) {
		t.Errorf("Prepare: as-of %v (%v), want the one given, %v", opts.AsOf, err, given)
	}
}
