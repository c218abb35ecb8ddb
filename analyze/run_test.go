package analyze_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/iamtrim/iamtrim/trails"
)

// TestRunRefusesOversized: a principal whose policies exceed authz's
// limits is left out of the analysis, named with why, and the others are
// analyzed.
func TestRunRefusesOversized(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	role := func(name string, stmts int) authz.RoleDetail {
		var sts []string
		for i := range stmts {
			sts = append(sts, fmt.Sprintf(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/t%d":"*"}}}`, i))
		}
		return authz.RoleDetail{Path: "/", RoleName: name, RoleID: "AROA" + name, Arn: "arn:aws:iam::111122223333:role/" + name, CreateDate: "2025-01-01T00:00:00Z",
			RolePolicyList: []authz.InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`)}}}
	}
	inv := authz.NewInventory("t", &authz.Details{RoleDetailList: []authz.RoleDetail{role("small", 2), role("huge", authz.MaxConditionSets+1)}})
	ev := analyze.Evidence{Inventory: inv, Catalog: cat, Trails: trails.UnknownConfig()}
	snap, err := analyze.Run(ctx, db, ev, analyze.Options{AsOf: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), WindowDays: 30, NoStore: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Principals) != 1 || snap.Principals[0].Name != "small" {
		t.Errorf("analyzed %d principals, want only small", len(snap.Principals))
	}
	huge := "arn:aws:iam::111122223333:role/huge"
	if len(snap.Refused) != 1 || snap.Refused[0].PrincipalARN != huge || !strings.Contains(snap.Refused[0].Reason, "condition sets") {
		t.Errorf("refused %+v, want %s with the limit it exceeds", snap.Refused, huge)
	}
}
