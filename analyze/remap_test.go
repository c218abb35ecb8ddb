package analyze_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/iamtrim/iamtrim/trails"
)

// Calls ingested under a catalog that did not know their service are
// stored as unmapped; analyzed under a newer catalog that knows it, they
// are used actions (no resource known, so the current scope is kept), the
// recommendation stops keeping the whole service for them and its proof
// holds. A call the newer catalog still cannot map stays unmapped.
func TestUnmappedRemappedByNewerCatalog(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const dir = "../catalog/testdata/catalog"
	docs := fstest.MapFS{}
	for _, f := range []string{"iam.json", "s3.json"} { // no sqs
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		docs["c/"+f] = &fstest.MapFile{Data: b}
	}
	oldCat, err := catalog.LoadFS(docs, "c", "old")
	if err != nil {
		t.Fatal(err)
	}
	newCat, err := catalog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if oldCat.HasService("sqs") || !newCat.HasService("sqs") {
		t.Fatal("want sqs in the newer catalog only")
	}

	const role = "arn:aws:iam::111122223333:role/app/worker"
	last := time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)
	var recs []string
	rec := func(i int, source, name string, at time.Time) string {
		return fmt.Sprintf(`{"eventVersion":"1.08","eventID":"ev-%d","eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"eu-west-1",
		  "sourceIPAddress":"198.51.100.7","userAgent":"aws-sdk-go-v2","recipientAccountId":"111122223333","eventType":"AwsApiCall","managementEvent":true,
		  "userIdentity":{"type":"AssumedRole","principalId":"AROA1:s","arn":"arn:aws:sts::111122223333:assumed-role/worker/s","accountId":"111122223333",
		    "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA1","arn":%q,"accountId":"111122223333","userName":"worker"}}},
		  "requestParameters":null}`, i, at.Format(time.RFC3339), source, name, role)
	}
	for i := range 3 {
		recs = append(recs, rec(i, "sqs.amazonaws.com", "ListQueues", last.Add(-time.Duration(i)*24*time.Hour)))
	}
	// iam knows no GetMadeUpThing under either catalog.
	recs = append(recs, rec(10, "iam.amazonaws.com", "GetMadeUpThing", last))
	logDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(logDir, "trail.json"), []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if s, err := ingest.Run(ctx, db, oldCat, ingest.Options{Sources: []string{logDir}}, log); err != nil || s.Rejected() > 0 {
		t.Fatalf("ingest: %+v, %v", s, err)
	}

	inv := authz.NewInventory("t", &authz.Details{RoleDetailList: []authz.RoleDetail{{
		Path: "/app/", RoleName: "worker", RoleID: "AROA1", Arn: role, CreateDate: "2025-01-01T00:00:00Z",
		RolePolicyList: []authz.InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["sqs:*","iam:GetRole"],"Resource":"*"}]}`)}},
	}}})
	ev := analyze.Evidence{Inventory: inv, Catalog: newCat, Trails: trails.UnknownConfig()}
	snap, err := analyze.Run(ctx, db, ev, analyze.Options{AsOf: last, WindowDays: 30, NoStore: true, Thresholds: &analyze.Thresholds{}}, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Principals) != 1 {
		t.Fatalf("%d principals analyzed, want 1", len(snap.Principals))
	}
	r := snap.Principals[0]
	i := slices.IndexFunc(r.Used, func(u analyze.UsedAction) bool { return u.Action == "sqs:ListQueues" })
	if i < 0 {
		t.Fatalf("sqs:ListQueues not used: used %+v, unmapped %+v", r.Used, r.Unmapped)
	}
	if u := r.Used[i]; u.Calls != 3 || !u.LastUsed.Equal(last) || !u.FirstUsed.Equal(last.AddDate(0, 0, -2)) || !u.Granted || len(u.Resources) != 0 {
		t.Errorf("sqs:ListQueues used %+v: want 3 granted calls from %s to %s, no resource", u, last.AddDate(0, 0, -2), last)
	}
	var names []string
	for _, u := range r.Unmapped {
		names = append(names, u.EventSource+" "+u.EventName)
	}
	if !slices.Equal(names, []string{"iam.amazonaws.com GetMadeUpThing"}) {
		t.Errorf("unmapped %v, want only iam GetMadeUpThing (sqs ListQueues maps under the newer catalog)", names)
	}

	p, _ := inv.Principal(role)
	eff, err := ev.NewExpander().Expand(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := recommend.Recommend(ctx, recommend.Input{Principal: p, Effective: eff, Result: r, Catalog: newCat}, recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Proof.Proven {
		t.Errorf("not proven:\n%s", recommend.Summary(rc))
	}
	for _, n := range rc.Statements {
		if n.Kind == "unmapped" && strings.Contains(n.Evidence, "sqs") {
			t.Errorf("the sqs grant is still kept for unmapped calls: %+v", n)
		}
	}
	if !slices.ContainsFunc(rc.Statements, func(n recommend.StatementNote) bool {
		return n.Kind == "unmapped" && strings.Contains(n.Evidence, "GetMadeUpThing")
	}) {
		t.Errorf("the iam grant is not kept for the call that still maps to no action: %+v", rc.Statements)
	}
	set := policy.PolicySet{}
	for _, d := range rc.Policies {
		set.Identity = append(set.Identity, policy.NamedPolicy{Name: "rec", Kind: policy.KindManaged, Doc: d})
	}
	for action, want := range map[string]policy.Effect{"sqs:ListQueues": policy.Allow, "iam:GetRole": policy.Allow} {
		if d := policy.Evaluate(set, policy.Request{Action: action, Resource: "*"}); d.Effect != want {
			t.Errorf("%s on *: %v, want %v (%s)", action, d.Effect, want, d.Reason)
		}
	}
}
