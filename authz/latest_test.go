package authz_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func roleDoc(account string, names ...string) string {
	var roles []string
	for _, n := range names {
		roles = append(roles, `{"Path":"/","RoleName":"`+n+`","RoleId":"AROA`+n+`","Arn":"arn:aws:iam::`+account+`:role/`+n+`","CreateDate":"2025-01-01T00:00:00Z",
		  "RolePolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}]}`)
	}
	return `{"UserDetailList":[],"GroupDetailList":[],"Policies":[],"RoleDetailList":[` + strings.Join(roles, ",") + `]}`
}

// Accounts loaded one by one are all analyzed, each as its newest snapshot
// shows it.
func TestLoadLatestPerAccount(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	save := func(doc string, at time.Time) {
		t.Helper()
		inv, err := authz.Parse(strings.NewReader(doc), "x.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := authz.SaveSnapshot(ctx, db, inv, "test", at); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	save(roleDoc("111111111111", "a", "old"), t0)
	save(roleDoc("222222222222", "b"), t0.Add(time.Hour))
	save(roleDoc("111111111111", "a"), t0.Add(2*time.Hour)) // "old" was deleted
	inv, used, err := authz.LoadLatestPerAccount(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range inv.Roles {
		got = append(got, r.ARN)
	}
	want := "arn:aws:iam::111111111111:role/a arn:aws:iam::222222222222:role/b"
	if strings.Join(got, " ") != want {
		t.Fatalf("roles %v, want %s", got, want)
	}
	if len(used) != 2 {
		t.Fatalf("%d snapshots used, want 2", len(used))
	}
}
