package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/ingest/pushdown/pushdowntest"
	"github.com/iamtrim/iamtrim/sample"
	"github.com/iamtrim/iamtrim/sample/churn"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

// rollup is what both paths must agree on: every rollup table, not the
// dedup table (the pushdown path has no event ids to keep) nor raw events.
func rollup(t *testing.T, db *store.DB) Totals {
	tot := totals(t, db)
	tot.Seen, tot.Raw = 0, 0
	return tot
}

// TestPushdownEquivalence runs the grouping query, in its PostgreSQL
// dialect, over a corpus's raw events loaded as jsonb, feeds the rows
// through RunPushdown, and checks that the rollups equal file ingest's of
// the same files row for row: the sample corpus (duplicate deliveries,
// denied and unauthenticated calls, every identity type it has), a churn
// corpus (fresh instance ids, unique S3 keys, addresses across a /8) and
// the edge corpus of the request members the query generalizes
// (writeEdgeCorpus), each at the default object prefix depth, at 0 (whole
// keys) and at 3: the query cuts keys at the rollup's depth. The caps and
// the fold are lifted in both runs: which resources a cap admits, or stay
// exact before a kind is folded, depends on the order events come in,
// which no two runs share (TestBoundedRollup checks that the fold keeps
// every action's counts).
func TestPushdownEquivalence(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		gen  func(t *testing.T, dir string) error
	}{
		{"sample", func(_ *testing.T, dir string) error {
			_, err := sample.Generate(ctx, sample.Options{Out: dir, Events: 3000, Seed: 7, Days: 5}, nil)
			return err
		}},
		{"churn", func(_ *testing.T, dir string) error {
			_, err := churn.Generate(ctx, churn.Options{Out: dir, Events: 3000, Files: 3, Days: 3, Roles: 4, Seed: 3})
			return err
		}},
		{"edge", func(t *testing.T, dir string) error {
			writeEdgeCorpus(t, dir)
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			if err := tc.gen(t, out); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(out, "AWSLogs")
			for _, depth := range []int{ingest.DefaultObjectPrefixDepth, 0, 3} {
				t.Run(fmt.Sprintf("depth-%d", depth), func(t *testing.T) {
					checkPushdownEquivalence(t, dir, depth, tc.name == "churn")
				})
			}
		})
	}
}

// churningMembers are the request members the churn corpus mints values
// of (S3 and DynamoDB keys, log streams, instances), by result column.
var churningMembers = map[string]string{"rp_key": "key", "rp_logstreamname": "logStreamName", "rp_instancesset": "instancesSet"}

// checkPushdownEquivalence checks that the pushdown rollup of the corpus
// in dir equals file ingest's at object prefix depth depth, through an
// interrupted and resumed run; with churning, that the query's result has
// at most half as many values of each churning member as the events.
func checkPushdownEquivalence(t *testing.T, dir string, depth int, churning bool) {
	ctx := context.Background()
	files := storetest.New(t)
	uncapped := queries.RollupBounds{ObjectPrefixDepth: depth, MaxResources: 100_000, MaxNetworks: 100_000}
	s, err := ingest.Run(ctx, files, nil, ingest.Options{Sources: []string{dir}, Bounds: &uncapped}, testLogger(t))
	if err != nil {
		t.Fatalf("file ingest: %v", err)
	}

	db := storetest.New(t)
	n, err := pushdowntest.LoadRaw(ctx, db, "raw_events", dir)
	if err != nil {
		t.Fatal(err)
	}
	if n < int(s.Events) {
		t.Fatalf("loaded %d raw records, file ingest counted %d events", n, s.Events)
	}
	eng := &pushdowntest.Engine{DB: db}
	opts := ingest.PushdownOptions{
		Source: "athena", Target: "test.raw_events", Engine: eng,
		Query: pushdown.Query{Dialect: pushdown.Postgres, Table: "raw_events",
			Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)},
		Bounds: &uncapped, ChunkRows: 100,
	}
	// The first run dies part-way through the result.
	failing := &failAfter{Engine: eng, rows: 250}
	first := opts
	first.Engine = failing
	if _, err := ingest.RunPushdown(ctx, db, nil, first, testLogger(t)); !errors.Is(err, errPaging) {
		t.Fatalf("first run: %v, want the paging error", err)
	}
	got, err := ingest.RunPushdown(ctx, db, nil, opts, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Resumed || eng.Started != 1 || got.RowsSkipped != 200 {
		t.Errorf("second run: resumed %v, %d queries started, %d rows skipped; want the first query resumed, 200 rows skipped (two chunks of 100 committed)",
			got.Resumed, eng.Started, got.RowsSkipped)
	}
	// Records file ingest refuses (ARNs over the length stored) are
	// refused here too, whole rows of them.
	if (got.BadRows > 0) != (s.Rejected() > 0) {
		t.Errorf("%d rows rejected, file ingest rejected %d records: %q", got.BadRows, s.Rejected(), got.Errors)
	}
	want := rollup(t, files)
	if diff := cmp.Diff(want, rollup(t, db)); diff != "" {
		t.Errorf("rollup after pushdown differs from file ingest (-files +pushdown):\n%s", diff)
	}
	if got.RowsFetched >= s.Events {
		t.Errorf("%d rows for %d events: the engine grouped nothing", got.RowsFetched, s.Events)
	}
	t.Logf("%d events in %d rows", s.Events, got.RowsFetched)
	if churning {
		q := opts.Query
		q.ObjectPrefixDepth = depth
		sql, err := q.SQL()
		if err != nil {
			t.Fatal(err)
		}
		for col, member := range churningMembers {
			var events, rows int
			if err := db.Pool.QueryRow(ctx, "SELECT count(DISTINCT raw -> 'requestParameters' -> $1) FROM raw_events", member).Scan(&events); err != nil {
				t.Fatal(err)
			}
			if err := db.Pool.QueryRow(ctx, "SELECT count(DISTINCT "+col+") FROM ("+sql+") q").Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows > events/2 {
				t.Errorf("%s: %d values in the result, %d in the events: the query does not generalize it", member, rows, events)
			}
		}
	}

	again, err := ingest.RunPushdown(ctx, db, nil, opts, testLogger(t))
	if err != nil || !again.AlreadyDone || again.Events != 0 || eng.Started != 1 {
		t.Errorf("re-run: %v, %+v; want nothing done", err, again)
	}
	if diff := cmp.Diff(want, rollup(t, db)); diff != "" {
		t.Errorf("re-run changed the rollup:\n%s", diff)
	}
	overlap := opts
	overlap.Query.Until = overlap.Query.Until.Add(time.Hour)
	if _, err := ingest.RunPushdown(ctx, db, nil, overlap, testLogger(t)); !errors.Is(err, ingest.ErrWindowOverlap) {
		t.Errorf("overlapping window: %v, want ErrWindowOverlap", err)
	}
}

var errPaging = errors.New("connection lost while paging")

// failAfter is an engine whose result paging fails after rows rows.
type failAfter struct {
	ingest.Engine
	rows int
}

func (f *failAfter) Results(ctx context.Context, id string, fn func([]string, []*string) error) error {
	n := 0
	err := f.Engine.Results(ctx, id, func(h []string, row []*string) error {
		if n == f.rows {
			return errPaging
		}
		n++
		return fn(h, row)
	})
	return err
}

// writeEdgeCorpus writes the request members the query generalizes in
// the shapes its transforms must take apart: keys of every length around
// the depths tested, with dated and minted segments before and after the
// cut, empty segments, wildcards, newlines, non-ASCII, JSON-looking text,
// lengths around the Mapper's ARN limit, buckets the lifecycle table's
// other S3 rules match; version ids; DynamoDB item keys; log streams of
// odd names, groups and regions; calls on one instance and on several;
// source addresses behind VPC endpoints.
// Each shape comes with several churning values, so that what collapses
// and what stays exact both show in the rollup.
func writeEdgeCorpus(t testing.TB, dir string) {
	t.Helper()
	long := func(seg string, n int) string { return strings.TrimSuffix(strings.Repeat(seg+"/", n), "/") }
	keys := []any{
		"a", "a/", "a/b", "a/b/", "a/b/c", "a/b/c/d", "a/b/c/d/e",
		"raw/2026/01/02/%s.parquet", "uploads/%s/original.bin", "customers/amber-basil/%s/profile.json",
		"logs/dt=2026-01-02/%s", "x//y/%s", "/lead/a/%s", "trail/a/b/%s/", "%s/a/b/c", "stable/names/only/%s-file",
		"a*b/c/%s", "a/b?/c/%s", "a/b/c*/%s", "a/b\nc/%s", "v2/x/%s", "12ab/x/%s", "team7/ab12/%s", "deadbeef/x/%s", "deadbee1/x/%s", "abcde12/x/%s", "abcdef1/x/%s", "x-12/y_1.a/%s", "a/b/c/d/e/f/%s", "a/b/c\n/%s", "raw/2026/c\n/%s", "2026/a\n/%s", strings.Repeat("日本/", 150) + "%s", "日本/a/b/%s", "a/b/%s/日本",
		"{\"a\":1}/b/c/%s", "[1]/a/b/%s", " a/b/c/%s", "a b/c d/e/%s",
		long("seg", 400) + "/%s", long("seg", 500) + "/%s", long("s", 1020) + "/%s",
		12345, map[string]any{"pk": "x"},
	}
	buckets := []any{"churn-data", "job", "accesspoint", "b/x", "Upper_Case.bucket", "日本", 7}
	var recs []map[string]any
	add := func(src, name string, req map[string]any, mod func(map[string]any)) {
		i := len(recs)
		rec := event(i, 0, acctA, "us-east-1")
		rec["userIdentity"] = identities[1].ui // one principal: rows differ by what is tested
		rec["eventSource"], rec["eventName"], rec["requestParameters"] = src, name, req
		delete(rec, "errorCode")
		delete(rec, "vpcEndpointId")
		rec["sourceIPAddress"] = "198.51.100.7"
		if mod != nil {
			mod(rec)
		}
		recs = append(recs, rec)
	}
	for n := range 3 {
		uniq := fmt.Sprintf("%08x-1c2d-4e5f-8a9b-%012x", n*7919, n*104729)
		for _, b := range buckets {
			for _, k := range keys {
				if s, ok := k.(string); ok && strings.Contains(s, "%s") {
					k = fmt.Sprintf(s, uniq)
				}
				for _, ev := range []string{"GetObject", "ListObjects"} {
					add("s3.amazonaws.com", ev, map[string]any{"bucketName": b, "key": k}, nil)
				}
			}
		}
		for _, v := range []any{"v" + uniq, "", 42, "null", "x/y"} {
			add("s3.amazonaws.com", "GetObject", map[string]any{"bucketName": "churn-data", "key": "a/b/c/" + uniq, "versionId": v}, nil)
		}
		add("s3.amazonaws.com", "CopyObject", map[string]any{"bucketName": "churn-data", "key": "a/b/c/" + uniq, "x-amz-copy-source": "src-bucket/a/b/" + uniq}, nil)
		add("s3.amazonaws.com", "GetObject", map[string]any{"bucketName": "churn-data", "key": "a/b/c/" + uniq}, func(r map[string]any) {
			r["resources"] = []any{map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::churn-data/a/b/c/" + uniq}}
		})
		obj := func(arn string) map[string]any { return map[string]any{"type": "AWS::S3::Object", "ARN": arn} }
		bucketRes := map[string]any{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::churn-data"}
		for _, res := range [][]any{
			{obj("arn:aws:s3:::churn-data/raw/2026/" + uniq), bucketRes},
			{obj("arn:aws:s3:::churn-data/a/" + uniq), obj("arn:aws:s3:::churn-data/a/" + uniq + "x")},
			{obj("arn:aws:s3:::churn-data/a/*"), obj("arn:aws:s3:::churn-data/a/" + uniq)},
			{obj("arn:aws:s3:::job/a/b/" + uniq)},
			{obj("arn:aws-cn:s3:::churn-data/v2/x/" + uniq)},
			{map[string]any{"type": "AWS::Lambda::Function", "ARN": "arn:aws:lambda:us-east-1:111111111111:function:f"}, obj("arn:aws:s3:::churn-data/in/" + uniq)},
		} {
			for _, ev := range []string{"DeleteObjects", "GetObject", "ListObjects"} {
				add("s3.amazonaws.com", ev, map[string]any{"bucketName": "churn-data"}, func(r map[string]any) { r["resources"] = res })
			}
			add("lambda.amazonaws.com", "Invoke", map[string]any{"functionName": "f"}, func(r map[string]any) { r["resources"] = res })
		}
		add("s3.example.com", "GetObject", map[string]any{"bucketName": "churn-data", "key": "a/b/c/" + uniq}, nil)
		for _, k := range []any{map[string]any{"pk": map[string]any{"S": uniq}}, "a/b/c/" + uniq} {
			add("dynamodb.amazonaws.com", "GetItem", map[string]any{"tableName": "orders", "key": k}, nil)
		}
		streams := []any{"task/" + uniq, "2026/01/02/[$LATEST]" + uniq, "a:log-stream:" + uniq, "*", "[x]" + uniq, "{}", " s" + uniq, "日本" + uniq, "s\n" + uniq, 9, strings.Repeat("s", 1100) + uniq}
		for _, s := range streams {
			add("logs.amazonaws.com", "CreateLogStream", map[string]any{"logGroupName": "/churn/service", "logStreamName": s}, nil)
		}
		for _, req := range []map[string]any{
			{"logGroupIdentifier": "arn:aws:logs:us-east-1:111111111111:log-group:/g", "logStreamName": uniq},
			{"logGroupIdentifier": "/g", "logStreamName": uniq},
			{"logGroupName": "/g:log-stream:x", "logStreamName": uniq},
			{"logGroupName": "/g\nx", "logStreamName": uniq},
			{"logGroupName": strings.Repeat("g", 600), "logStreamName": uniq},
		} {
			add("logs.amazonaws.com", "CreateLogStream", req, nil)
		}
		for _, region := range []string{"us:east-1", ""} {
			add("logs.amazonaws.com", "CreateLogStream", map[string]any{"logGroupName": "/g", "logStreamName": uniq}, func(r map[string]any) { r["awsRegion"] = region })
		}
		add("logs.amazonaws.com", "CreateLogStream", map[string]any{"logGroupName": "/g", "logStreamName": uniq}, func(r map[string]any) { delete(r, "recipientAccountId") })
		id := func(k int) string { return fmt.Sprintf("i-0%016x", n*31+k) }
		item := func(v any) map[string]any { return map[string]any{"instanceId": v} }
		for _, set := range []any{
			map[string]any{"items": []any{item(id(0))}},
			map[string]any{"items": []any{item(id(0)), item(id(1))}},
			map[string]any{"items": []any{item(id(0)), item(id(0))}},
			map[string]any{"items": []any{item(fmt.Sprintf("i-%08x", n))}},
			map[string]any{"items": []any{item("i-0" + uniq)}},
			map[string]any{"items": []any{map[string]any{"instanceId": id(0), "x": 1}}},
			map[string]any{"items": []any{map[string]any{"imageId": "ami-" + uniq}}},
		} {
			add("ec2.amazonaws.com", "StopInstances", map[string]any{"instancesSet": set}, nil)
		}
		add("ec2.amazonaws.com", "StopInstances", map[string]any{"instancesSet": map[string]any{"items": []any{item(id(0))}}}, func(r map[string]any) { r["recipientAccountId"] = "1:1" })
		for _, vpce := range []any{"vpce-0123456789abcdef0", "", "vpce 1", 5} {
			add("kms.amazonaws.com", "Decrypt", map[string]any{"keyId": "alias/app"}, func(r map[string]any) {
				r["vpcEndpointId"], r["sourceIPAddress"] = vpce, fmt.Sprintf("10.%d.0.9", n)
			})
		}
	}
	for i, r := range recs {
		r["eventID"] = fmt.Sprintf("edge-%06d", i)
	}
	writeFile(t, filepath.Join(dir, "AWSLogs", acctA, "CloudTrail", "us-east-1", day0.Format("2006/01/02"), acctA+"_CloudTrail_us-east-1_edge.json.gz"),
		gz(t, asRecords(t, recs)))
}
