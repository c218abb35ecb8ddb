package pushdown

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/cloudtrail"
)

var update = flag.Bool("update", false, "rewrite the golden queries in testdata")

var (
	since = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	until = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

// The query text each engine gets, as a person reviews it: a change to
// the model, the mapper's list of request fields or the classification of
// error codes shows here.
func TestSQLGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    Query
	}{
		{"athena-projection", Query{Dialect: Athena, Database: "security", Table: "cloudtrail_logs_pp", Partitioning: Projection, Since: since, Until: until, ObjectPrefixDepth: 2}},
		{"athena-region-ymd", Query{Dialect: Athena, Database: "security", Table: "cloudtrail_logs", Partitioning: RegionYMD, Since: since, Until: until.AddDate(0, 1, 0),
			Regions: []string{"us-east-1", "eu-west-1"}, Accounts: []string{"111122223333"}}},
		{"lake", Query{Dialect: Lake, EventDataStore: "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", Since: since, Until: until, ObjectPrefixDepth: 2}},
		{"postgres", Query{Dialect: Postgres, Table: "raw_events", Since: since, Until: until, ObjectPrefixDepth: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.q.SQL()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".sql")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// Every request field the mapper reads is grouped, in every dialect.
func TestSQLGroupsEveryRequestField(t *testing.T) {
	for _, d := range []Dialect{Athena, Lake, Postgres} {
		q := Query{Dialect: d, Database: "db", Table: "t", EventDataStore: "EXAMPLEf852", Partitioning: Projection, Since: since, Until: until}
		sql, err := q.SQL()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range cloudtrail.RequestFields() {
			if !strings.Contains(sql, `'`+k+`'`) && !strings.Contains(sql, `'$["`+k+`"]'`) {
				t.Errorf("%v: request field %s not grouped", d, k)
			}
		}
	}
}

// The error code put in a group's record classifies as the group's
// outcome did.
func TestOutcomeCodes(t *testing.T) {
	for class, code := range outcomeCodes {
		if got := cloudtrail.ClassifyErrorCode(code).String(); got != class {
			t.Errorf("code %q for class %s classifies as %s", code, class, got)
		}
	}
	if len(outcomeCodes) != 3 {
		t.Errorf("%d outcome classes, want 3", len(outcomeCodes))
	}
}

func TestValidate(t *testing.T) {
	ok := Query{Dialect: Athena, Database: "db", Table: "t", Partitioning: Projection, Since: since, Until: until}
	for _, tc := range []struct {
		name string
		edit func(*Query)
		want string
	}{
		{"ok", func(*Query) {}, ""},
		{"injected table", func(q *Query) { q.Table = `t" UNION SELECT` }, "table"},
		{"no since", func(q *Query) { q.Since = time.Time{} }, "required"},
		{"empty window", func(q *Query) { q.Until = q.Since }, "not after"},
		{"bad region", func(q *Query) { q.Regions = []string{"us-east-1'"} }, "region"},
		{"bad account", func(q *Query) { q.Accounts = []string{"12"} }, "account"},
		{"bad partitioning", func(q *Query) { q.Partitioning = "daily" }, "partitioning"},
		{"bad store", func(q *Query) { q.Dialect, q.EventDataStore = Lake, "x;y" }, "event data store"},
		{"negative depth", func(q *Query) { q.ObjectPrefixDepth = -1 }, "object prefix depth"},
		{"deepest depth", func(q *Query) { q.ObjectPrefixDepth = 64 }, ""},
		{"too deep", func(q *Query) { q.ObjectPrefixDepth = 65 }, "object prefix depth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := ok
			tc.edit(&q)
			err := q.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v, want ErrInvalid naming %q", err, tc.want)
			}
		})
	}
}
