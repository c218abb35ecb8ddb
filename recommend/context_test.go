package recommend

import (
	"context"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// LoadContext reads the context rollup as ingest writes it (one network
// column holding either a VPC endpoint id or a source network), against the
// migrated schema.
func TestLoadContextAgainstMigratedSchema(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	arn := "arn:aws:iam::111122223333:role/app"
	var pid int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO usage_principal (arn, account_id, type, name) VALUES ($1, '111122223333', 'role', 'app') RETURNING id`, arn).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		network string
		mfa     bool
		calls   int64
	}{{"vpce-0123456789abcdef0", false, 5}, {"198.51.100.0/24", true, 3}, {"", false, 2}} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO usage_context_daily (principal_id, day, region, network, mfa, user_agent_class, calls) VALUES ($1, $2, 'eu-west-1', $3, $4, 'sdk', $5)`, pid, day, r.network, r.mfa, r.calls); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := LoadContext(ctx, db, analyze.NewWindow(day, 30), arn)
	if err != nil {
		t.Fatalf("LoadContext: %v", err)
	}
	if ev.Calls != 10 || ev.Days != 1 || ev.MFACalls != 3 {
		t.Errorf("calls %d, days %d, MFA calls %d; want 10, 1, 3", ev.Calls, ev.Days, ev.MFACalls)
	}
	if got := ev.VPCEndpoints["vpce-0123456789abcdef0"]; got != 5 {
		t.Errorf("VPC endpoint calls = %d, want 5 (%v)", got, ev.VPCEndpoints)
	}
	if got := ev.SourceNets["198.51.100.0/24"]; got != 3 {
		t.Errorf("source network calls = %d, want 3 (%v)", got, ev.SourceNets)
	}
	if _, ok := ev.SourceNets["vpce-0123456789abcdef0"]; ok {
		t.Errorf("a VPC endpoint counted as a source network: %v", ev.SourceNets)
	}
}
