package trails_test

import (
	"context"
	"testing"

	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/iamtrim/iamtrim/trails"
)

func TestSaveLoadIdempotent(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	cfg, id0, err := trails.LoadLatestPerAccount(ctx, db)
	if err != nil || id0 != 0 || cfg.Known {
		t.Fatalf("empty store: got known=%v id=%d err=%v, want unknown", cfg.Known, id0, err)
	}
	in, err := trails.Parse([]byte(`{"trailList":[{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:1:trail/t","HomeRegion":"us-east-1"}],
		"sel":{"TrailARN":"arn:aws:cloudtrail:us-east-1:1:trail/t","EventSelectors":[{"ReadWriteType":"All","DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	in.Source = "test"
	id1, created1, err := trails.Save(ctx, db, in)
	if err != nil || !created1 {
		t.Fatalf("first save: id %d created %v err %v", id1, created1, err)
	}
	id2, created2, err := trails.Save(ctx, db, in)
	if err != nil || created2 || id2 != id1 {
		t.Fatalf("second save: id %d created %v err %v, want id %d not created", id2, created2, err, id1)
	}
	got, id, err := trails.LoadLatestPerAccount(ctx, db)
	if err != nil || id != id1 {
		t.Fatalf("load: id %d err %v", id, err)
	}
	if got.DataLogged(trails.LambdaFunction, "arn:aws:lambda:us-east-1:1:function:f") != trails.Logged {
		t.Fatalf("round trip lost the Lambda data selector: %+v", got.Trails)
	}
}

// Trails loaded one account at a time all count, each account as its newest
// configuration shows it; organization trails cover every account.
func TestLoadLatestPerAccount(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	save := func(body string) {
		t.Helper()
		cfg, err := trails.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Source = "test"
		if _, _, err := trails.Save(ctx, db, cfg); err != nil {
			t.Fatal(err)
		}
	}
	trail := func(account, name string, s3 string) string {
		arn := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + name
		sel := `[]`
		if s3 != "" {
			sel = `[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["` + s3 + `"]}]}]`
		}
		return `{"Name":"` + name + `","TrailARN":"` + arn + `","HomeRegion":"us-east-1","EventSelectors":` + sel + `}`
	}
	save(`[` + trail("111111111111", "a", "arn:aws:s3:::a-old/") + `]`)
	save(`[` + trail("222222222222", "b", "arn:aws:s3:::b/") + `]`)
	save(`[` + trail("111111111111", "a", "arn:aws:s3:::a-new/") + `]`) // account 1 reloaded
	cfg, id, err := trails.LoadLatestPerAccount(ctx, db)
	if err != nil || id == 0 {
		t.Fatalf("id %d err %v", id, err)
	}
	a := cfg.ForAccount("111111111111")
	if a.DataLogged(trails.S3Object, "arn:aws:s3:::a-new/k") != trails.Logged || a.DataLogged(trails.S3Object, "arn:aws:s3:::a-old/k") != trails.NotLogged {
		t.Errorf("account 1 should see only its newest trail: %+v", a.Trails)
	}
	if b := cfg.ForAccount("222222222222"); b.DataLogged(trails.S3Object, "arn:aws:s3:::b/k") != trails.Logged {
		t.Errorf("account 2 lost its trail: %+v", b.Trails)
	}
	if c := cfg.ForAccount("333333333333"); c.Known {
		t.Errorf("an account no trail covers should be unknown, got %+v", c.Trails)
	}
}
