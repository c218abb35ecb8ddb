package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest"
	"github.com/iamtrim/iamtrim/ingest/athenasrc"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/lakesrc"
	"github.com/iamtrim/iamtrim/ingest/pushdown"
	"github.com/iamtrim/iamtrim/internal/awstest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func strp(s string) *string { return &s }

// TestEngines drives the Athena and CloudTrail Lake clients through the
// real SDK against the local endpoint: a query that runs for a few polls
// then succeeds and is paged back two rows at a time, one that fails, one
// whose polling and paging are throttled (retried and logged), and, for
// Athena, one stopped for scanning more than --max-scan-bytes.
func TestEngines(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	ctx := context.Background()
	header := pushdown.Columns()
	var rows [][]*string
	for i := range 5 {
		row := make([]*string, len(header))
		row[0] = strp("s3.amazonaws.com")
		row[len(header)-3] = strp(strings.Repeat("1", i+1)) // events
		rows = append(rows, row)
	}
	result := awstest.QueryResult{Header: header, Rows: rows}
	engines := map[string]func(url string, log *slog.Logger, max int64) ingest.Engine{
		"athena": func(url string, log *slog.Logger, max int64) ingest.Engine {
			cfg, err := awsconf.Load(ctx, awsconf.Options{MaxBackoff: 5 * time.Millisecond, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			return athenasrc.New(cfg, athenasrc.Options{Workgroup: "primary", Database: "security", Endpoint: url,
				Poll: pushdown.Poll{Min: time.Millisecond, Max: 2 * time.Millisecond, PageSize: 2}, MaxScanBytes: max, Logger: log})
		},
		"lake": func(url string, log *slog.Logger, _ int64) ingest.Engine {
			cfg, err := awsconf.Load(ctx, awsconf.Options{MaxBackoff: 5 * time.Millisecond, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			return lakesrc.New(cfg, lakesrc.Options{EventDataStore: "EXAMPLEf852", Endpoint: url,
				Poll: pushdown.Poll{Min: time.Millisecond, Max: 2 * time.Millisecond, PageSize: 2}, Logger: log})
		},
	}
	for _, name := range []string{"athena", "lake"} {
		newEngine := engines[name]
		t.Run(name, func(t *testing.T) {
			run := func(t *testing.T, plan awstest.QueryPlan, max int64) (*awstest.Server, *lockedBuffer, ingest.QueryStats, [][]*string, error) {
				srv := awstest.New("111122223333")
				t.Cleanup(srv.Close)
				srv.SetQueryPlan(plan)
				var logs lockedBuffer
				eng := newEngine(srv.URL, slog.New(slog.NewTextHandler(&logs, nil)), max)
				id, err := eng.Start(ctx, "SELECT 1")
				if err != nil {
					t.Fatal(err)
				}
				st, err := eng.Wait(ctx, id)
				if err != nil {
					return srv, &logs, st, nil, err
				}
				var got [][]*string
				err = eng.Results(ctx, id, func(h []string, row []*string) error {
					if !slices.Equal(h, header) {
						t.Errorf("header %v, want %v", h, header)
					}
					got = append(got, row)
					return nil
				})
				return srv, &logs, st, got, err
			}
			t.Run("running then succeeded, paged", func(t *testing.T) {
				srv, _, st, got, err := run(t, awstest.QueryPlan{Result: result, Running: 3, BytesScanned: 4096}, 0)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(rows, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
				if st.BytesScanned != 4096 {
					t.Errorf("bytes scanned %d, want 4096", st.BytesScanned)
				}
				polls, pages := 0, 0
				for _, r := range srv.Requests() {
					switch r.Op {
					case "athena:GetQueryExecution", "cloudtrail:DescribeQuery":
						polls++
					case "athena:GetQueryResults", "cloudtrail:GetQueryResults":
						pages++
					}
				}
				if polls != 4 || pages != 3 {
					t.Errorf("%d polls and %d pages, want 4 (3 running, 1 done) and 3 (5 rows, 2 a page)", polls, pages)
				}
				if q := srv.Queries(); len(q) != 1 || q[0] != "SELECT 1" {
					t.Errorf("queries %q", q)
				}
			})
			t.Run("failed", func(t *testing.T) {
				_, _, _, _, err := run(t, awstest.QueryPlan{Result: result, Running: 1, Fail: "SYNTAX_ERROR: line 3:3: Column 'useridentity' cannot be resolved"}, 0)
				var qe *pushdown.QueryError
				if !errors.As(err, &qe) || qe.State != "FAILED" || !strings.Contains(qe.Reason, "cannot be resolved") {
					t.Fatalf("err = %v, want a FAILED QueryError with the engine's reason", err)
				}
			})
			t.Run("throttled", func(t *testing.T) {
				_, logs, _, got, err := run(t, awstest.QueryPlan{Result: result, Throttle: 2}, 0)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(rows) {
					t.Errorf("%d rows, want %d", len(got), len(rows))
				}
				if n := strings.Count(logs.String(), "AWS call failed, retrying"); n != 4 {
					t.Errorf("%d retries logged, want 4 (2 polls, 2 pages):\n%s", n, logs)
				}
			})
			if name == "athena" {
				t.Run("max scan bytes", func(t *testing.T) {
					srv, logs, _, _, err := run(t, awstest.QueryPlan{Result: result, Running: 5, BytesScanned: 10 << 20}, 1<<20)
					if !errors.Is(err, pushdown.ErrScanLimit) {
						t.Fatalf("err = %v, want ErrScanLimit", err)
					}
					if !slices.ContainsFunc(srv.Requests(), func(r awstest.Request) bool { return r.Op == "athena:StopQueryExecution" }) {
						t.Error("the query was not stopped")
					}
					if !strings.Contains(logs.String(), "no workgroup scan cutoff") {
						t.Errorf("log does not say how the limit is enforced:\n%s", logs)
					}
				})
			}
		})
	}
}
