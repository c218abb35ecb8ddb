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
	cfg, id0, err := trails.LoadLatest(ctx, db.Pool)
	if err != nil || id0 != 0 || cfg.Known {
		t.Fatalf("empty store: got known=%v id=%d err=%v, want unknown", cfg.Known, id0, err)
	}
	in, err := trails.Parse([]byte(`{"trailList":[{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:1:trail/t","HomeRegion":"us-east-1"}],
		"sel":{"TrailARN":"arn:aws:cloudtrail:us-east-1:1:trail/t","EventSelectors":[{"ReadWriteType":"All","DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	in.Source = "test"
	id1, created1, err := trails.Save(ctx, db.Pool, in)
	if err != nil || !created1 {
		t.Fatalf("first save: id %d created %v err %v", id1, created1, err)
	}
	id2, created2, err := trails.Save(ctx, db.Pool, in)
	if err != nil || created2 || id2 != id1 {
		t.Fatalf("second save: id %d created %v err %v, want id %d not created", id2, created2, err, id1)
	}
	got, id, err := trails.LoadLatest(ctx, db.Pool)
	if err != nil || id != id1 {
		t.Fatalf("load: id %d err %v", id, err)
	}
	if got.DataLogged(trails.LambdaFunction, "arn:aws:lambda:us-east-1:1:function:f") != trails.Logged {
		t.Fatalf("round trip lost the Lambda data selector: %+v", got.Trails)
	}
}
