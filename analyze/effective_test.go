package analyze_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// Effective lists the stored principals' permissions, with SCP files on
// top, names resolved (every bad one reported), oversized principals left
// out.
func TestEffective(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	log := slog.New(slog.DiscardHandler)
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Store(ctx, db, cat, ""); err != nil {
		t.Fatal(err)
	}
	role := func(name, stmts string) authz.RoleDetail {
		return authz.RoleDetail{Path: "/", RoleName: name, RoleID: "AROA" + name, Arn: "arn:aws:iam::111122223333:role/" + name, CreateDate: "2025-01-01T00:00:00Z",
			RolePolicyList: []authz.InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[` + stmts + `]}`)}}}
	}
	var huge []string
	for i := range authz.MaxConditionSets + 1 {
		huge = append(huge, fmt.Sprintf(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/t%d":"*"}}}`, i))
	}
	inv := authz.NewInventory("t", &authz.Details{RoleDetailList: []authz.RoleDetail{
		role("reader", `{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}`),
		role("writer", `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`),
		role("huge", strings.Join(huge, ",")),
	}})
	if _, _, err := authz.SaveSnapshot(ctx, db, inv, "t", time.Now()); err != nil {
		t.Fatal(err)
	}
	scp := filepath.Join(t.TempDir(), "scp.json")
	if err := os.WriteFile(scp, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}

	all, err := analyze.Effective(ctx, db, nil, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range all {
		got = append(got, strings.TrimPrefix(e.Principal, "arn:aws:iam::111122223333:role/"))
	}
	if strings.Join(got, ",") != "reader,writer" {
		t.Errorf("every principal: %v, want reader and writer (huge refused)", got)
	}

	named, err := analyze.Effective(ctx, db, []string{scp}, []string{"reader", "arn:aws:iam::111122223333:role/reader"}, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(named) != 1 || named[0].Principal != "arn:aws:iam::111122223333:role/reader" {
		t.Fatalf("reader named twice: %d principals, want reader once", len(named))
	}
	var actions []string
	for a := range named[0].Grants {
		actions = append(actions, a)
	}
	if strings.Join(actions, ",") != "s3:GetObject" {
		t.Errorf("reader under an SCP denying s3:PutObject: grants %v, want s3:GetObject only", actions)
	}

	_, err = analyze.Effective(ctx, db, nil, []string{"nobody", "reader", "ghost"}, log)
	var ne *authz.NameError
	if !errors.Is(err, authz.ErrNoPrincipal) || !errors.As(err, &ne) || !strings.Contains(err.Error(), "nobody") || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("unknown names: %v, want ErrNoPrincipal naming nobody and ghost", err)
	}
}
