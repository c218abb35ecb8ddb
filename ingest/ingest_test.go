package ingest_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func runCat(t testing.TB, db *store.DB, opts ingest.Options) ingest.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := ingest.Run(ctx, db, testCatalog{}, opts, testLogger(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return s
}

func TestShapes(t *testing.T) {
	recs := events(0, 24, 0, acctA, "us-east-1")
	tests := []struct {
		name       string
		file       string
		data       func(t testing.TB) []byte
		wantShape  string
		wantEvents int64
		skipped    bool
	}{
		{name: "records gzip", file: "a.json.gz", data: func(t testing.TB) []byte { return gz(t, asRecords(t, recs)) }, wantShape: "records", wantEvents: 24},
		{name: "records", file: "a.json", data: func(t testing.TB) []byte { return asRecords(t, recs) }, wantShape: "records", wantEvents: 24},
		{name: "array", file: "a.json", data: func(t testing.TB) []byte { return asArray(t, recs) }, wantShape: "array", wantEvents: 24},
		{name: "lines gzip", file: "a.json.gz", data: func(t testing.TB) []byte { return gz(t, asLines(t, recs)) }, wantShape: "lines", wantEvents: 24},
		{name: "lookup-events", file: "a.json", data: func(t testing.TB) []byte { return asLookupEvents(t, recs) }, wantShape: "lookup-events", wantEvents: 24},
		{name: "digest", file: "d.json.gz", skipped: true, wantShape: "digest", data: func(t testing.TB) []byte {
			return gz(t, mustJSON(t, map[string]any{"awsAccountId": acctA, "digestStartTime": "2026-07-01T00:00:00Z", "digestEndTime": "2026-07-01T01:00:00Z",
				"digestS3Bucket": "b", "digestS3Object": "o", "logFiles": []any{}, "previousDigestSignature": "x", "digestPublicKeyFingerprint": "y", "digestSignatureAlgorithm": "SHA256withRSA"}))
		}},
		{name: "insights", file: "i.json.gz", skipped: true, wantShape: "insights", data: func(t testing.TB) []byte {
			return gz(t, mustJSON(t, map[string]any{"Records": []any{map[string]any{"eventVersion": "1.07", "eventTime": "2026-07-01T00:00:00Z", "awsRegion": "us-east-1",
				"eventID": "b7a4f4a7-0000-4000-8000-000000000001", "eventType": "AwsCloudTrailInsight", "recipientAccountId": acctA, "sharedEventID": "x",
				"insightDetails": map[string]any{"state": "Start", "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "insightType": "ApiCallRateInsight"},
				"eventCategory":  "Insight"}}}))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.New(t)
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			writeFile(t, path, tc.data(t))
			s := runCat(t, db, ingest.Options{Sources: []string{dir}})
			if s.FilesFailed != 0 {
				t.Fatalf("FilesFailed = %d: %q", s.FilesFailed, s.Errors)
			}
			if got, want := s.FilesSkipped == 1, tc.skipped; got != want {
				t.Errorf("FilesSkipped = %d, want skipped %v", s.FilesSkipped, want)
			}
			if s.Events != tc.wantEvents {
				t.Errorf("Events = %d, want %d", s.Events, tc.wantEvents)
			}
			var shape, status string
			if err := db.Pool.QueryRow(context.Background(), `SELECT shape, status FROM ingest_object WHERE key = $1`, path).Scan(&shape, &status); err != nil {
				t.Fatal(err)
			}
			if shape != tc.wantShape {
				t.Errorf("ledger shape %q, want %q", shape, tc.wantShape)
			}
			if want := map[bool]string{true: "skipped", false: "done"}[tc.skipped]; status != want {
				t.Errorf("ledger status %q, want %q", status, want)
			}
		})
	}
}

func TestIdentities(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	// 12 identities x 4 outcomes x 7 calls, enough to meet every pair.
	recs := events(0, 12*4*7*5, 0, acctA, "us-east-1")
	writeFile(t, filepath.Join(dir, "all.json.gz"), gz(t, asRecords(t, recs)))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}})
	if s.FilesFailed != 0 {
		t.Fatalf("FilesFailed = %d: %q", s.FilesFailed, s.Errors)
	}
	ctx := context.Background()
	for _, id := range identities {
		t.Run(id.name, func(t *testing.T) {
			var typ string
			var calls int64
			err := db.Pool.QueryRow(ctx, `
				SELECT p.type, (SELECT coalesce(sum(calls), 0) FROM usage_daily WHERE principal_id = p.id)
					+ (SELECT coalesce(sum(calls), 0) FROM usage_unmapped_daily WHERE principal_id = p.id)
				FROM usage_principal p WHERE p.arn = $1`, id.wantARN).Scan(&typ, &calls)
			if err != nil {
				t.Fatalf("principal %s: %v", id.wantARN, err)
			}
			if typ != id.wantType {
				t.Errorf("type %q, want %q", typ, id.wantType)
			}
			if calls == 0 {
				t.Errorf("no calls recorded for %s", id.wantARN)
			}
		})
	}
	// Calls a service made on the role's behalf are kept apart.
	var own, invoked int64
	err := db.Pool.QueryRow(ctx, `
		SELECT coalesce(sum(calls) FILTER (WHERE invoked_by = ''), 0), coalesce(sum(calls) FILTER (WHERE invoked_by = 'cloudformation.amazonaws.com'), 0)
		FROM (SELECT invoked_by, calls, principal_id FROM usage_daily UNION ALL SELECT invoked_by, calls, principal_id FROM usage_unmapped_daily) u
		JOIN usage_principal p ON p.id = u.principal_id WHERE p.arn = 'arn:aws:iam::111111111111:role/svc/app'`).Scan(&own, &invoked)
	if err != nil {
		t.Fatal(err)
	}
	if own == 0 || invoked == 0 {
		t.Errorf("role's own calls %d, calls invoked by CloudFormation %d: want both > 0", own, invoked)
	}
	if s.Principals != 11 { // app appears as itself twice (own and invoked)
		t.Errorf("Principals = %d, want 11", s.Principals)
	}
}

func TestOutcomes(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	n := 12 * 4 * 7 * 5
	writeFile(t, filepath.Join(dir, "all.json"), asArray(t, events(0, n, 0, acctA, "us-east-1")))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}})
	// Count what the generator produced, by outcome and mapping, through
	// the mapper itself, and compare with what the rollups hold.
	m := cloudtrail.NewMapper(testCatalog{})
	var want struct{ denied, unauth, unmapped, perm, mapped int64 }
	for i := range n {
		var rec cloudtrail.Record
		if err := m.Normalize(mustJSON(t, event(i, 0, acctA, "us-east-1")), &rec); err != nil {
			t.Fatal(err)
		}
		switch rec.Outcome {
		case cloudtrail.OutcomeDenied:
			want.denied++
		case cloudtrail.OutcomeUnauthenticated:
			want.unauth++
		}
		switch rec.Mapping {
		case cloudtrail.Unmapped:
			want.unmapped++
		case cloudtrail.Permissionless:
			want.perm++
		default:
			want.mapped++
		}
	}
	for _, v := range []int64{want.denied, want.unauth, want.unmapped, want.perm, want.mapped} {
		if v == 0 {
			t.Fatalf("generator covers too little: %+v", want)
		}
	}
	if s.Events != int64(n) || s.Denied != want.denied || s.Unmapped != want.unmapped || s.Permissionless != want.perm {
		t.Errorf("summary events %d denied %d unmapped %d permissionless %d, want %d %d %d %d",
			s.Events, s.Denied, s.Unmapped, s.Permissionless, n, want.denied, want.unmapped, want.perm)
	}
	ctx := context.Background()
	var uCalls, uDenied, uUnauth int64
	if err := db.Pool.QueryRow(ctx, `SELECT sum(calls), sum(denied), sum(unauthenticated) FROM usage_unmapped_daily`).Scan(&uCalls, &uDenied, &uUnauth); err != nil {
		t.Fatal(err)
	}
	if uCalls != want.unmapped+want.perm {
		t.Errorf("unmapped rollup holds %d calls, want %d", uCalls, want.unmapped+want.perm)
	}
	// Outcomes across both rollups: the mapped events in this corpus each
	// have one (action, resource) pair, so sums count events.
	var calls, denied, unauth int64
	if err := db.Pool.QueryRow(ctx, `SELECT sum(calls), sum(denied), sum(unauthenticated) FROM usage_daily`).Scan(&calls, &denied, &unauth); err != nil {
		t.Fatal(err)
	}
	if calls+uCalls != int64(n) || denied+uDenied != want.denied || unauth+uUnauth != want.unauth {
		t.Errorf("rollups: calls %d denied %d unauthenticated %d, want %d %d %d", calls+uCalls, denied+uDenied, unauth+uUnauth, n, want.denied, want.unauth)
	}
	if len(s.TopUnmapped) != 1 || s.TopUnmapped[0] != (ingest.UnmappedCount{EventSource: "madeup.amazonaws.com", EventName: "DoSomething", Count: want.unmapped}) {
		t.Errorf("TopUnmapped = %+v", s.TopUnmapped)
	}
	// Context: MFA sessions, VPC endpoints and /24 networks are kept.
	var mfa, vpce, nets int64
	if err := db.Pool.QueryRow(ctx, `SELECT sum(calls) FILTER (WHERE mfa), sum(calls) FILTER (WHERE network LIKE 'vpce-%'), count(DISTINCT network) FILTER (WHERE network NOT LIKE 'vpce-%') FROM usage_context_daily`).Scan(&mfa, &vpce, &nets); err != nil {
		t.Fatal(err)
	}
	if mfa == 0 || vpce == 0 || nets != 1 {
		t.Errorf("context: %d MFA calls, %d through a VPC endpoint, %d networks; want >0, >0, 1 (198.51.100.0/24)", mfa, vpce, nets)
	}
}

// TestIdempotentAndDedup: a second run changes nothing; the same events in
// a second file (another shape, as overlapping trails or an export would
// hold them) count once.
func TestIdempotentAndDedup(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "trail"), 12, 50, 3)
	first := runCat(t, db, ingest.Options{Sources: []string{dir}, Workers: 3})
	if first.FilesOK != 12 || first.Events != 600 || first.Duplicates != 0 {
		t.Fatalf("first run: %d files ok, %d events, %d duplicates; want 12, 600, 0", first.FilesOK, first.Events, first.Duplicates)
	}
	want := totals(t, db)
	second := runCat(t, db, ingest.Options{Sources: []string{dir}, Workers: 3})
	if second.FilesAlreadyDone != 12 || second.Events != 0 || second.FilesOK != 0 {
		t.Errorf("second run: %d already done, %d ok, %d events; want 12, 0, 0", second.FilesAlreadyDone, second.FilesOK, second.Events)
	}
	if diff := cmp.Diff(want, totals(t, db)); diff != "" {
		t.Errorf("second run changed the totals (-before +after):\n%s", diff)
	}
	// The same 50 events of file 3 (days 0), as a JSON array elsewhere.
	other := filepath.Join(t.TempDir(), "copy.json")
	writeFile(t, other, asArray(t, events(3*50, 50, 0, acctB, "eu-west-1")))
	third := runCat(t, db, ingest.Options{Sources: []string{other}})
	if third.FilesOK != 1 || third.Events != 0 || third.Duplicates != 50 {
		t.Errorf("overlapping file: %d ok, %d events, %d duplicates; want 1, 0, 50", third.FilesOK, third.Events, third.Duplicates)
	}
	if diff := cmp.Diff(want, totals(t, db)); diff != "" {
		t.Errorf("overlapping file changed the totals (-before +after):\n%s", diff)
	}
	// A file whose content changed is ingested again; only its new events
	// count.
	f := filepath.Join(dir, "trail", "AWSLogs", acctA, "CloudTrail", "us-east-1", day0.Format("2006/01/02"), acctA+"_CloudTrail_us-east-1_0.json.gz")
	writeFile(t, f, gz(t, asRecords(t, append(events(0, 50, 0, acctA, "us-east-1"), event(100000, 0, acctA, "us-east-1")))))
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(f, later, later); err != nil {
		t.Fatal(err)
	}
	fourth := runCat(t, db, ingest.Options{Sources: []string{dir}})
	if fourth.FilesOK != 1 || fourth.FilesAlreadyDone != 11 || fourth.Events != 1 || fourth.Duplicates != 50 {
		t.Errorf("changed file: %d ok, %d already done, %d events, %d duplicates; want 1, 11, 1, 50", fourth.FilesOK, fourth.FilesAlreadyDone, fourth.Events, fourth.Duplicates)
	}
}

func TestBadInput(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	good := events(0, 10, 0, acctA, "us-east-1")
	writeFile(t, filepath.Join(dir, "good.json.gz"), gz(t, asRecords(t, good)))
	corrupt := gz(t, asRecords(t, events(100, 10, 0, acctA, "us-east-1")))
	corrupt[len(corrupt)/2] ^= 0xff
	writeFile(t, filepath.Join(dir, "corrupt.json.gz"), corrupt)
	full := asRecords(t, events(200, 10, 0, acctA, "us-east-1"))
	writeFile(t, filepath.Join(dir, "truncated.json"), full[:len(full)-300])
	writeFile(t, filepath.Join(dir, "invalid.json"), []byte(`{"Records": [{"eventID": "x", ]}`))
	writeFile(t, filepath.Join(dir, "notcloudtrail.json"), []byte(`{"name": "package.json", "version": "1.0.0"}`))
	missing := events(300, 5, 0, acctA, "us-east-1")
	delete(missing[2], "eventTime")
	delete(missing[4], "eventSource")
	writeFile(t, filepath.Join(dir, "missing.json"), asRecords(t, missing))
	absurd := events(400, 3, 0, acctA, "us-east-1")
	absurd[1]["eventTime"] = "1970-01-01T00:00:00Z"
	absurd[2]["requestParameters"] = map[string]any{"pad": strings.Repeat("x", 3000)}
	writeFile(t, filepath.Join(dir, "absurd.json"), asRecords(t, absurd))

	opts := ingest.Options{Sources: []string{dir}, Limits: cloudtrail.Limits{MaxRecordBytes: 2048}}
	s := runCat(t, db, opts)
	if s.FilesOK != 1 || s.FilesFailed != 6 {
		t.Errorf("files ok %d failed %d, want 1 and 6; errors:\n%s", s.FilesOK, s.FilesFailed, strings.Join(s.Errors, "\n"))
	}
	// Good records of partly bad files are still counted: 10 good + the
	// truncated file's complete records + 3 of missing.json + 1 of absurd.
	if s.Events < 10+3+1 {
		t.Errorf("Events = %d, want at least 14", s.Events)
	}
	wantPrefixes := []string{
		filepath.Join(dir, "absurd.json") + ":record 2: eventTime 1970-01-01T00:00:00Z out of range",
		filepath.Join(dir, "absurd.json") + ":record 3: ",
		filepath.Join(dir, "invalid.json") + ":record 1: ",
		filepath.Join(dir, "invalid.json") + ":record 2: ",
		filepath.Join(dir, "missing.json") + ":record 3: missing required field eventTime",
		filepath.Join(dir, "missing.json") + ":record 5: missing required field eventSource",
		filepath.Join(dir, "notcloudtrail.json") + ": ",
		filepath.Join(dir, "truncated.json") + ":record 10: ",
	}
	// The corrupt gzip stream is read up to its corruption: what it
	// decompresses to after it is garbage, reported as bad records, and
	// the corruption itself is reported.
	var errs []string
	corrupted := false
	for _, e := range s.Errors {
		if !strings.HasPrefix(e, filepath.Join(dir, "corrupt.json.gz")+":") {
			errs = append(errs, e)
		} else if strings.Contains(e, ": corrupt gzip: ") {
			corrupted = true
		}
	}
	if !corrupted {
		t.Errorf("no corrupt gzip error for corrupt.json.gz:\n%s", strings.Join(s.Errors, "\n"))
	}
	if len(errs) != len(wantPrefixes) {
		t.Errorf("got %d errors, want %d:\n%s", len(errs), len(wantPrefixes), strings.Join(errs, "\n"))
	}
	for i, p := range wantPrefixes {
		if i < len(errs) && !strings.HasPrefix(errs[i], p) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], p)
		}
	}
	var failed int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ingest_object WHERE status = 'failed' AND error <> '' AND attempts = 1`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 6 {
		t.Errorf("%d failed ledger rows with an error, want 6", failed)
	}
	// The next run retries the failed objects, and changes no totals.
	before := totals(t, db)
	again := runCat(t, db, opts)
	if again.FilesFailed != 6 || again.FilesAlreadyDone != 1 || again.Events != 0 {
		t.Errorf("re-run: %d failed, %d already done, %d events; want 6, 1, 0", again.FilesFailed, again.FilesAlreadyDone, again.Events)
	}
	if diff := cmp.Diff(before, totals(t, db)); diff != "" {
		t.Errorf("re-run changed the totals (-before +after):\n%s", diff)
	}
	var attempts int
	if err := db.Pool.QueryRow(context.Background(), `SELECT min(attempts) FROM ingest_object WHERE status = 'failed'`).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 2 {
		t.Errorf("failed objects tried %d times, want 2", attempts)
	}
	// Fixing a file makes it pass.
	writeFile(t, filepath.Join(dir, "missing.json"), asRecords(t, events(300, 5, 0, acctA, "us-east-1")))
	later := time.Now().Add(time.Minute)
	_ = os.Chtimes(filepath.Join(dir, "missing.json"), later, later)
	fixed := runCat(t, db, opts)
	if fixed.FilesFailed != 5 || fixed.FilesOK != 1 || fixed.Events != 2 {
		t.Errorf("after the fix: %d failed, %d ok, %d events; want 5, 1, 2", fixed.FilesFailed, fixed.FilesOK, fixed.Events)
	}
}

func TestFilters(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	writeCorpus(t, dir, 8, 40, 4) // days 0..3, accounts A/B, regions us-east-1/eu-west-1
	since, until := day0.AddDate(0, 0, 1), day0.AddDate(0, 0, 3)
	s := runCat(t, db, ingest.Options{Sources: []string{dir}, Since: since, Until: until, Regions: []string{"us-east-1"}})
	var minDay, maxDay time.Time
	var regions int
	if err := db.Pool.QueryRow(context.Background(), `SELECT min(day), max(day), count(DISTINCT region) FROM log_coverage_daily`).Scan(&minDay, &maxDay, &regions); err != nil {
		t.Fatal(err)
	}
	if minDay.Before(since) || !maxDay.Before(until) || regions != 1 {
		t.Errorf("coverage days %s..%s in %d regions, want within [%s, %s) in 1", minDay, maxDay, regions, since, until)
	}
	if s.Events == 0 || s.Filtered == 0 || s.Events+s.Filtered != 320 {
		t.Errorf("events %d + filtered %d, want 320 with both > 0", s.Events, s.Filtered)
	}
	// The same filters again: nothing to do.
	again := runCat(t, db, ingest.Options{Sources: []string{dir}, Since: since, Until: until, Regions: []string{"us-east-1"}})
	if again.FilesAlreadyDone != 8 || again.Events != 0 {
		t.Errorf("same filters again: %d already done, %d events; want 8, 0", again.FilesAlreadyDone, again.Events)
	}
	// Without filters, the rest comes in.
	all := runCat(t, db, ingest.Options{Sources: []string{dir}})
	if all.Events != 320-s.Events {
		t.Errorf("unfiltered run: %d events, want %d", all.Events, 320-s.Events)
	}
	if got := coverageEvents(t, db); got != 320 {
		t.Errorf("coverage counts %d events, want 320", got)
	}
}

func TestKeepRaw(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	recs := events(0, 30, 0, acctA, "us-east-1")
	recs = append(recs, events(30, 5, 40, acctA, "us-east-1")...) // next month: a second partition
	recs[3]["requestParameters"] = map[string]any{"nul": "a\u0000b"}
	writeFile(t, filepath.Join(dir, "a.json.gz"), gz(t, asRecords(t, recs)))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}, KeepRaw: true})
	if s.FilesFailed != 0 {
		t.Fatalf("failed: %q", s.Errors)
	}
	var n, parts int
	ctx := context.Background()
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cloudtrail_event_raw WHERE raw->>'eventID' = event_id::text`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'cloudtrail_event_raw'::regclass`).Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if n != 35 || parts != 2 {
		t.Errorf("%d raw events matching their id in %d partitions, want 35 in 2", n, parts)
	}
	// Without --keep-raw nothing is stored raw.
	db2 := storetest.New(t)
	runCat(t, db2, ingest.Options{Sources: []string{dir}})
	if tot := totals(t, db2); tot.Raw != 0 {
		t.Errorf("%d raw events stored without KeepRaw", tot.Raw)
	}
}

// TestKeepRawRefusedEscapes: JSON escapes encoding/json accepts but
// PostgreSQL's jsonb refuses (lone surrogates, \u0000) must not roll back
// the batch: the records are stored with U+FFFD in their place, a valid
// surrogate pair and an escaped backslash before "u" are kept as they are.
func TestKeepRawRefusedEscapes(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	uas := []string{`lone \ud800 high`, `lone \udc00 low`, `high then other \ud800\u0041`, `nul \u0000`,
		`pair \ud83d\ude00`, `escaped backslash \\ud800`, `trailing high \ud800`}
	recs := events(0, len(uas)+2, 0, acctA, "us-east-1")
	for i := range uas {
		recs[i]["userAgent"] = fmt.Sprintf("UA-%d", i)
	}
	data := string(asRecords(t, recs))
	for i, ua := range uas {
		data = strings.Replace(data, fmt.Sprintf(`"UA-%d"`, i), `"`+ua+`"`, 1)
	}
	writeFile(t, filepath.Join(dir, "good.json"), asRecords(t, events(100, 3, 0, acctA, "us-east-1")))
	// A number beyond PostgreSQL's numeric range: that record's raw JSON
	// alone is refused and reported; its event still counts.
	big := events(200, 3, 0, acctA, "us-east-1")
	big[1]["requestParameters"] = map[string]any{"n": "BIGNUMBER"}
	writeFile(t, filepath.Join(dir, "z-big-number.json"), []byte(strings.Replace(string(asRecords(t, big)), `"BIGNUMBER"`, `1e1000000`, 1)))
	writeFile(t, filepath.Join(dir, "surrogates.json"), []byte(data))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}, KeepRaw: true})
	if s.FilesFailed != 1 || s.FilesOK != 2 {
		t.Fatalf("files ok %d failed %d, want 2 and 1: %q", s.FilesOK, s.FilesFailed, s.Errors)
	}
	if want := []string{filepath.Join(dir, "z-big-number.json") + ":record 2: PostgreSQL refused the raw record (value overflows numeric format"}; len(s.Errors) != 1 || !strings.HasPrefix(s.Errors[0], want[0]) {
		t.Errorf("errors %q, want one starting %q", s.Errors, want[0])
	}
	if s.Events != int64(len(recs)+6) {
		t.Errorf("events %d, want %d", s.Events, len(recs)+6)
	}
	if tot := totals(t, db); tot.Raw != int64(len(recs)+5) {
		t.Errorf("%d raw records stored, want %d", tot.Raw, len(recs)+5)
	}
	rows, err := db.Pool.Query(context.Background(), `SELECT raw->>'userAgent' FROM cloudtrail_event_raw WHERE raw->>'userAgent' NOT LIKE 'aws-cli%'`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"escaped backslash \\ud800", "high then other \uFFFDA", "lone \uFFFD high", "lone \uFFFD low",
		"nul \uFFFD", "pair \U0001F600", "trailing high \uFFFD"}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored user agents (-want +got):\n%s", diff)
	}
}

// TestEmptySource: a source with no log files is a rejected input, named
// with what was looked for, and the other files of a directory are counted
// and named rather than silently ignored.
func TestEmptySource(t *testing.T) {
	db := storetest.New(t)
	empty, mixed := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(mixed, "a.json"), asRecords(t, events(0, 3, 0, acctA, "us-east-1")))
	writeFile(t, filepath.Join(mixed, "readme.txt"), []byte("not a log"))
	writeFile(t, filepath.Join(empty, "notes.csv"), []byte("x"))
	s := runCat(t, db, ingest.Options{Sources: []string{empty, mixed}})
	if s.Events != 3 || s.FilesOK != 1 {
		t.Errorf("events %d files ok %d, want 3 and 1", s.Events, s.FilesOK)
	}
	if diff := cmp.Diff([]string{empty}, s.EmptySources); diff != "" {
		t.Errorf("empty sources (-want +got):\n%s", diff)
	}
	if s.Rejected() != 1 {
		t.Errorf("Rejected() = %d, want 1", s.Rejected())
	}
	wantErr := empty + ": no log files (looked for .json, .jsonl or .ndjson, optionally .gz)"
	if len(s.Errors) != 1 || !strings.HasPrefix(s.Errors[0], wantErr) {
		t.Errorf("errors %q, want one starting %q", s.Errors, wantErr)
	}
	wantIgnored := []string{filepath.Join(empty, "notes.csv") + " (not .json, .jsonl or .ndjson, optionally .gz)", filepath.Join(mixed, "readme.txt") + " (not .json, .jsonl or .ndjson, optionally .gz)"}
	if diff := cmp.Diff(wantIgnored, s.Ignored); diff != "" || s.FilesIgnored != 2 {
		t.Errorf("ignored %d (-want +got):\n%s", s.FilesIgnored, diff)
	}
	var text, js strings.Builder
	if err := ingest.WriteSummary(&text, s, "text"); err != nil {
		t.Fatal(err)
	}
	if err := ingest.WriteSummary(&js, s, "json"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 ignored", "readme.txt", wantErr} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text summary lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{`"files_ignored": 2`, `"empty_sources": [`, "readme.txt"} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON summary lacks %q:\n%s", want, js.String())
		}
	}
}

// TestOverlongARNs: an ARN longer than iamtrim stores (1,024 bytes) is
// refused with its record, never cut: a cut ARN would stop matching the
// policies that name it.
func TestOverlongARNs(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	recs := events(0, 10, 0, acctA, "us-east-1")
	recs[2]["resources"] = []map[string]any{{"ARN": "arn:aws:s3:::bucket-1/" + strings.Repeat("k", 1100), "type": "AWS::S3::Object", "accountId": acctA}}
	recs[5]["userIdentity"] = map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": acctA,
		"arn": "arn:aws:iam::" + acctA + ":user/" + strings.Repeat("p/", 520) + "alice", "userName": "alice"}
	writeFile(t, filepath.Join(dir, "a.json"), asRecords(t, recs))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}})
	if s.BadRecords != 2 || s.Events != 8 {
		t.Errorf("bad records %d, events %d; want 2 and 8 (errors %q)", s.BadRecords, s.Events, s.Errors)
	}
	for i, want := range []string{":record 3: resource ARN of 1122 bytes", ":record 6: principal ARN of 1076 bytes"} {
		if i >= len(s.Errors) || !strings.Contains(s.Errors[i], want) {
			t.Errorf("errors %q, want line %d containing %q", s.Errors, i, want)
		}
	}
	var long int
	if err := db.Pool.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM usage_daily WHERE length(resource) > 1000) + (SELECT count(*) FROM usage_principal WHERE length(arn) > 1000)`).Scan(&long); err != nil {
		t.Fatal(err)
	}
	if long != 0 {
		t.Errorf("%d cut ARNs stored", long)
	}
}

// TestPrincipalMetaOrderFree: records may name one principal ARN with
// different metadata (a web identity's subject). What is stored must not
// depend on which record an ingester happened to read first (file order,
// concurrent ingesters, earlier runs): the least wins.
func TestPrincipalMetaOrderFree(t *testing.T) {
	web := func(sub string) map[string]any {
		idp := "arn:aws:iam::" + acctA + ":oidc-provider/token.actions.githubusercontent.com"
		return map[string]any{"type": "WebIdentityUser", "principalId": idp + ":sts.amazonaws.com:" + sub, "userName": sub, "identityProvider": idp}
	}
	file := func(from int, sub string) []byte {
		recs := events(from, 3, 0, acctA, "us-east-1")
		for _, r := range recs {
			r["userIdentity"] = web(sub)
		}
		return asRecords(t, recs)
	}
	names := func(db *store.DB) []string {
		rows, err := db.Pool.Query(context.Background(), `SELECT name FROM usage_principal WHERE type = 'WebIdentityUser'`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{"repo:acme/a"}
	for _, order := range [][2]string{{"repo:acme/z", "repo:acme/a"}, {"repo:acme/a", "repo:acme/z"}} {
		// One run over both files, then the same files over two runs.
		db, dir := storetest.New(t), t.TempDir()
		writeFile(t, filepath.Join(dir, "1.json"), file(0, order[0]))
		writeFile(t, filepath.Join(dir, "2.json"), file(10, order[1]))
		runCat(t, db, ingest.Options{Sources: []string{dir}, Workers: 1})
		if diff := cmp.Diff(want, names(db)); diff != "" {
			t.Errorf("one run, %v: names (-want +got):\n%s", order, diff)
		}
		db2 := storetest.New(t)
		runCat(t, db2, ingest.Options{Sources: []string{filepath.Join(dir, "1.json")}})
		runCat(t, db2, ingest.Options{Sources: []string{filepath.Join(dir, "2.json")}})
		if diff := cmp.Diff(want, names(db2)); diff != "" {
			t.Errorf("two runs, %v: names (-want +got):\n%s", order, diff)
		}
	}
}

// TestPartitionsUTC: monthly partitions bound event times in UTC whatever
// the session's TimeZone. Bounds written as bare dates were read in the
// session's zone, so that under America/New_York an event in the first
// hours of a UTC month fell in no partition (SQLSTATE 23514).
func TestPartitionsUTC(t *testing.T) {
	db := storetest.NewWithOptions(t, store.Options{URL: storetest.URL() + "&timezone=America/New_York"})
	dir := t.TempDir()
	recs := events(0, 3, 0, acctA, "us-east-1")
	for i, r := range recs {
		r["eventTime"] = time.Date(2026, 9, 1, i, 30, 0, 0, time.UTC).Format(time.RFC3339)
	}
	writeFile(t, filepath.Join(dir, "a.json"), asRecords(t, recs))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}, KeepRaw: true, Now: func() time.Time { return time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) }})
	if s.Events != 3 {
		t.Errorf("events %d, want 3 (errors %q)", s.Events, s.Errors)
	}
	var bound string
	if err := db.Pool.QueryRow(context.Background(), `SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'ingest_event_seen_p202609' AND relnamespace = current_schema()::regnamespace`).Scan(&bound); err != nil {
		t.Fatal(err)
	}
	if want := "FOR VALUES FROM ('2026-08-31 20:00:00-04') TO ('2026-09-30 20:00:00-04')"; bound != want {
		t.Errorf("partition bound %s, want %s (UTC months)", bound, want)
	}
}

// TestGzipBombsStream: objects stream through the reader within a memory
// budget far below what they decompress to. Gzip bombs: zeros are refused
// as not JSON at once, white space at the object limit, and records past
// the object limit are kept up to it (the object still fails, so exit 3,
// and is retried); a record larger than the budget lets a reader hold is
// refused naming file and record. The good file beside them is ingested.
func TestGzipBombsStream(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "zeros.json.gz"), gz(t, make([]byte, 32<<20)))
	writeFile(t, filepath.Join(dir, "blank.json.gz"), gz(t, []byte(`{"Records":[`+strings.Repeat(" ", 32<<20))))
	writeFile(t, filepath.Join(dir, "records.json.gz"), gz(t, asLines(t, events(0, 3000, 0, acctA, "us-east-1"))))
	big := events(4000, 3, 0, acctA, "us-east-1")
	big[1]["userAgent"] = strings.Repeat("x", 600<<10)
	writeFile(t, filepath.Join(dir, "big.jsonl"), asLines(t, big))
	writeFile(t, filepath.Join(dir, "good.json"), asRecords(t, events(5000, 5, 0, acctA, "us-east-1")))
	s := runCat(t, db, ingest.Options{Sources: []string{dir}, Workers: 2, MemoryBudget: 2*cloudtrail.ReaderBytes + 100<<10,
		Limits: cloudtrail.Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 20}})
	if s.FilesFailed != 4 || s.FilesOK != 1 {
		t.Fatalf("files failed %d ok %d; want 4, 1 (errors %q)", s.FilesFailed, s.FilesOK, s.Errors)
	}
	// good.json's 5, big.jsonl's first, and records.json.gz's up to the
	// object limit.
	if s.Events < 5+1+100 || s.Events >= 5+1+3000 {
		t.Errorf("events %d, want 6 and some of the 3,000 records (errors %q)", s.Events, s.Errors)
	}
	want := map[string]string{
		"zeros.json.gz":   "zeros.json.gz: not JSON",
		"blank.json.gz":   "blank.json.gz: object exceeds 1048576 bytes decompressed",
		"records.json.gz": "records.json.gz:record ",
		"big.jsonl":       "big.jsonl:record 2: a record needs more than the ",
	}
	for file, prefix := range want {
		found := false
		for _, e := range s.Errors {
			if strings.Contains(e, file) {
				found = true
				if !strings.Contains(e, prefix) {
					t.Errorf("error %q, want it to contain %q", e, prefix)
				}
			}
		}
		if !found {
			t.Errorf("no error for %s in %q", file, s.Errors)
		}
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    ingest.Options
		wantErr string
	}{
		{name: "ok", opts: ingest.Options{Sources: []string{dir, "s3://b/p", "api"}}},
		{name: "no sources", opts: ingest.Options{}, wantErr: "name at least one"},
		{name: "missing path", opts: ingest.Options{Sources: []string{filepath.Join(dir, "nope")}}, wantErr: "stat "},
		{name: "FIFO", opts: ingest.Options{Sources: []string{fifo}}, wantErr: fifo + ": named pipe, not a regular file"},
		{name: "bad scheme", opts: ingest.Options{Sources: []string{"gs://b"}}, wantErr: `"gs://b": only s3:// URIs`},
		{name: "no bucket", opts: ingest.Options{Sources: []string{"s3:///x"}}, wantErr: `"s3:///x": names no bucket`},
		{name: "window", opts: ingest.Options{Sources: []string{dir}, Since: day0, Until: day0}, wantErr: "--until 2026-07-01T00:00:00Z: not after --since 2026-07-01T00:00:00Z"},
		{name: "workers", opts: ingest.Options{Sources: []string{dir}, Workers: -1}, wantErr: "--workers -1: want 1 to 256"},
		{name: "account", opts: ingest.Options{Sources: []string{dir}, Accounts: []string{"12"}}, wantErr: `--account "12": `},
		{name: "region", opts: ingest.Options{Sources: []string{dir}, Regions: []string{"US East"}}, wantErr: `--region "US East": `},
		{name: "role", opts: ingest.Options{Sources: []string{dir}, AssumeRole: "admin"}, wantErr: `--assume-role "admin": `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error starting %q", err, tc.wantErr)
			}
		})
	}
}

func TestWriteSummary(t *testing.T) {
	s := ingest.Summary{
		FilesOK: 998, FilesFailed: 2, FilesSkipped: 3, FilesAlreadyDone: 10,
		Events: 1000000, Duplicates: 1200, Unmapped: 312, Denied: 4521, Permissionless: 77, BadRecords: 1,
		Principals: 140, Elapsed: 4*time.Second + 512*time.Millisecond, EventsPerSec: 221631,
		TopUnmapped: []ingest.UnmappedCount{{EventSource: "madeup.amazonaws.com", EventName: "DoSomething", Count: 300}, {EventSource: "q.amazonaws.com", EventName: "Ask", Count: 12}},
		Errors:      []string{"logs/a.json.gz: gzip: invalid header", "logs/b.json:record 7: missing required field eventTime"},
	}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var b strings.Builder
			if err := ingest.WriteSummary(&b, s, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "summary."+format)
			if *update {
				writeFile(t, golden, []byte(b.String()))
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
	if err := ingest.WriteSummary(&strings.Builder{}, s, "yaml"); err == nil {
		t.Errorf("WriteSummary with format yaml: no error")
	}
}

// TestProgress checks that a progress writer gets a bar with the file and
// event counts.
func TestProgress(t *testing.T) {
	db := storetest.New(t)
	dir := t.TempDir()
	writeCorpus(t, dir, 6, 20, 2)
	var out syncBuffer
	s := runCat(t, db, ingest.Options{Sources: []string{dir}, Progress: &out})
	if s.FilesOK != 6 {
		t.Fatalf("FilesOK = %d, want 6", s.FilesOK)
	}
	got := out.String()
	t.Logf("progress: %q", got)
	for _, want := range []string{"events/s", "files"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q does not mention %q", got, want)
		}
	}
}

// syncBuffer is a strings.Builder safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
