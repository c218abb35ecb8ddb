package queries_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// ingested returns a migrated schema holding the committed sample's
// CloudTrail logs as ingest writes them: the queries read what the writer
// writes, so a column renamed on one side only fails here.
func ingested(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.New(t)
	// The sample's calls all map to an action; one that maps to none (a
	// service the catalog does not know).
	extra := filepath.Join(t.TempDir(), "unmapped.json")
	if err := os.WriteFile(extra, []byte(unmappedEvent), 0o600); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.LoadDir("../../testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ingest.Run(context.Background(), db, cat, ingest.Options{Sources: []string{"../../testdata/sample/AWSLogs", extra}}, slog.New(slog.DiscardHandler))
	if err != nil || s.Events == 0 {
		t.Fatalf("ingest the sample: %d events, %v", s.Events, err)
	}
	return db
}

const unmappedEvent = `{"Records": [{"eventVersion": "1.11", "eventTime": "2026-08-23T00:35:00Z",
  "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/worker/s", "accountId": "111122223333",
    "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/worker", "accountId": "111122223333", "userName": "worker"}}},
  "eventSource": "example.amazonaws.com", "eventName": "DoSomethingNew", "awsRegion": "us-east-1", "sourceIPAddress": "10.0.0.1",
  "eventID": "9f1d7a0e-0000-4000-8000-000000000001", "eventType": "AwsApiCall", "recipientAccountId": "111122223333"}]}`

// all covers the sample's days.
var from, to = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

func TestRollupQueries(t *testing.T) {
	ctx := context.Background()
	db := ingested(t)

	var rows []queries.UsageRow
	if err := queries.Usage(ctx, db, from, to, nil, func(r queries.UsageRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("Usage: %v", err)
	}
	if len(rows) == 0 {
		t.Fatal("Usage: no rows")
	}
	arn := ""
	for _, r := range rows {
		if !strings.Contains(r.Action, ":") || r.ARN == "" || r.Used+r.Denied <= 0 || r.Last.Before(r.First) {
			t.Fatalf("Usage: implausible row %+v", r)
		}
		if r.Used > 0 && arn == "" {
			arn = r.ARN
		}
	}
	n := 0
	if err := queries.Usage(ctx, db, from, to, []string{arn}, func(r queries.UsageRow) error {
		if r.ARN != arn {
			t.Errorf("Usage for %s returned %s", arn, r.ARN)
		}
		n++
		return nil
	}); err != nil || n == 0 {
		t.Fatalf("Usage for one principal: %d rows, %v", n, err)
	}

	seen, err := queries.SeenServices(ctx, db, from, to)
	if err != nil || len(seen) == 0 {
		t.Fatalf("SeenServices: %v, %v", seen, err)
	}
	for _, s := range seen {
		if (s.Service == "") == (s.EventSource == "") {
			t.Errorf("SeenServices: %+v names neither or both of service and event source", s)
		}
	}
	if _, err := queries.Unmapped(ctx, db, from, to, nil); err != nil {
		t.Fatalf("Unmapped: %v", err)
	}

	cov, err := queries.Coverage(ctx, db, from, to)
	if err != nil || len(cov) == 0 {
		t.Fatalf("Coverage: %v, %v", cov, err)
	}
	for _, c := range cov {
		if c.Account == "" || c.Region == "" || len(c.Days) == 0 {
			t.Errorf("Coverage: implausible row %+v", c)
		}
	}

	newest, err := queries.NewestLogDay(ctx, db)
	if err != nil || newest == nil {
		t.Fatalf("NewestLogDay: %v, %v", newest, err)
	}
	last := cov[0].Days[len(cov[0].Days)-1]
	if newest.Before(last) {
		t.Errorf("NewestLogDay %v before a covered day %v", newest, last)
	}

	cc, err := queries.CallContext(ctx, db, arn, from, to)
	if err != nil || len(cc) == 0 {
		t.Fatalf("CallContext(%s): %v, %v", arn, cc, err)
	}
	for _, r := range cc {
		if r.Network != "" && r.VPCEndpoint != "" || r.Calls <= 0 || r.Region == "" {
			t.Errorf("CallContext: implausible row %+v", r)
		}
	}

	// SuccessfulCalls and UnmappedCalls are Usage and Unmapped summed over
	// invoked_by, successful calls only (SuccessfulCalls with the denied
	// calls of each resource too).
	type key struct{ arn, action, resource string }
	want := map[key][2]int64{}
	for _, r := range rows {
		if r.Used != 0 || r.Denied != 0 {
			w := want[key{r.ARN, r.Action, r.Resource}]
			want[key{r.ARN, r.Action, r.Resource}] = [2]int64{w[0] + r.Used, w[1] + r.Denied}
		}
	}
	arns := []string{}
	for k := range want {
		arns = append(arns, k.arn)
	}
	calls, err := queries.SuccessfulCalls(ctx, db, from, to, arns)
	if err != nil {
		t.Fatalf("SuccessfulCalls: %v", err)
	}
	got := map[key][2]int64{}
	for _, c := range calls {
		got[key{c.ARN, c.Action, c.Resource}] = [2]int64{c.Calls, c.Denied}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("SuccessfulCalls (-Usage +got):\n%s", diff)
	}
	unmapped, err := queries.Unmapped(ctx, db, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantU := map[key]int64{}
	for _, u := range unmapped {
		wantU[key{u.ARN, u.EventSource, u.EventName}] = u.Calls
		arns = append(arns, u.ARN)
	}
	if len(wantU) == 0 {
		t.Fatal("Unmapped: the unmapped event was not read")
	}
	ucalls, err := queries.UnmappedCalls(ctx, db, from, to, arns)
	if err != nil {
		t.Fatalf("UnmappedCalls: %v", err)
	}
	gotU := map[key]int64{}
	for _, u := range ucalls {
		gotU[key{u.ARN, u.EventSource, u.EventName}] = u.Calls
	}
	if diff := cmp.Diff(wantU, gotU, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("UnmappedCalls (-Unmapped +got):\n%s", diff)
	}
}

// An empty database: no rows, no newest day, no error.
func TestRollupQueriesEmpty(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if err := queries.Usage(ctx, db, from, to, nil, func(queries.UsageRow) error { t.Error("row in an empty rollup"); return nil }); err != nil {
		t.Fatal(err)
	}
	if d, err := queries.NewestLogDay(ctx, db); err != nil || d != nil {
		t.Fatalf("NewestLogDay: %v, %v; want nil, nil", d, err)
	}
	if cc, err := queries.CallContext(ctx, db, "arn:aws:iam::1:role/x", from, to); err != nil || len(cc) != 0 {
		t.Fatalf("CallContext: %v, %v", cc, err)
	}
}
