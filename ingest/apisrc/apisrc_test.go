package apisrc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest/apisrc"
	"github.com/iamtrim/iamtrim/ingest/apisrc/apitest"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
)

func setAWSEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
}

var base = time.Date(2024, 7, 30, 0, 0, 0, 0, time.UTC)

// addEvents stores n events in region, one a minute from base, and
// returns their ids.
func addEvents(t *testing.T, srv *apitest.Server, region string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("00000000-0000-4000-8000-%s%08d", region[:4], i)
		raw, _ := json.Marshal(map[string]any{
			"eventVersion": "1.09", "eventID": id, "eventTime": base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			"eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "awsRegion": region, "recipientAccountId": "123456789012",
		})
		if err := srv.Add(region, raw); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func newClient(t *testing.T, srv *apitest.Server, opts apisrc.Options, conf awsconf.Options) *apisrc.Client {
	t.Helper()
	conf.MaxBackoff = 5 * time.Millisecond
	cfg, err := awsconf.Load(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	opts.Endpoint = srv.URL
	return apisrc.New(cfg, opts)
}

func lookup(t *testing.T, c *apisrc.Client, region string, start, end time.Time) []string {
	t.Helper()
	var ids []string
	n, err := c.Lookup(context.Background(), region, start, end, func(raw []byte) error {
		var r struct{ EventID string }
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		ids = append(ids, r.EventID)
		return nil
	})
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if n != len(ids) {
		t.Errorf("Lookup returned %d, passed %d events", n, len(ids))
	}
	slices.Sort(ids)
	return ids
}

func TestLookup(t *testing.T) {
	setAWSEnv(t)
	srv := apitest.New("123456789012")
	defer srv.Close()
	east := addEvents(t, srv, "us-east-1", 120)
	west := addEvents(t, srv, "eu-west-1", 7)
	c := newClient(t, srv, apisrc.Options{PageSize: 10, RatePerSecond: 200}, awsconf.Options{})

	tests := []struct {
		name       string
		region     string
		start, end time.Time
		throttle   int64
		want       []string
	}{
		{name: "all pages", region: "us-east-1", start: base, end: base.Add(24 * time.Hour), want: east},
		{name: "all pages, throttled", region: "us-east-1", start: base, end: base.Add(24 * time.Hour), throttle: 3, want: east},
		// The end is exclusive: the event at minute 30 is left out.
		{name: "window", region: "us-east-1", start: base.Add(10 * time.Minute), end: base.Add(30 * time.Minute), want: east[10:30]},
		{name: "other region", region: "eu-west-1", start: base, end: base.Add(time.Hour), want: west},
		{name: "empty", region: "ap-south-1", start: base, end: base.Add(time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.ThrottleEvery.Store(tc.throttle)
			srv.Throttled.Store(0)
			defer srv.ThrottleEvery.Store(0)
			got := lookup(t, c, tc.region, tc.start, tc.end)
			want := slices.Sorted(slices.Values(tc.want))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("event ids (-want +got):\n%s", diff)
			}
			if tc.throttle > 0 && srv.Throttled.Load() == 0 {
				t.Errorf("no call was throttled; retries not exercised")
			}
		})
	}
}

// TestRateLimit checks the default rate, 2 requests a second per region,
// retried attempts included: n calls span at least (n-1)/2 seconds.
func TestRateLimit(t *testing.T) {
	setAWSEnv(t)
	srv := apitest.New("123456789012")
	defer srv.Close()
	addEvents(t, srv, "us-east-1", 25)
	for _, throttle := range []int64{0, 2} {
		srv.ThrottleEvery.Store(throttle)
		before := len(srv.Calls("us-east-1"))
		c := newClient(t, srv, apisrc.Options{PageSize: 10}, awsconf.Options{})
		start := time.Now()
		if got := lookup(t, c, "us-east-1", base, base.Add(time.Hour)); len(got) != 25 {
			t.Fatalf("throttle every %d: got %d events, want 25", throttle, len(got))
		}
		calls := srv.Calls("us-east-1")[before:]
		if min := 3 + int(throttle); len(calls) < min {
			t.Fatalf("throttle every %d: %d calls, want 3 pages plus throttled retries", throttle, len(calls))
		}
		// rate.Limiter admits the i-th request no sooner than i × 500ms
		// after the first. Arrival times are measured from before the
		// first request: a loaded machine only delays arrivals, so this
		// bound holds however busy it is (gaps between two arrivals do
		// not: a late request shortens the gap to the next one).
		for i, at := range calls {
			if min := time.Duration(i)*500*time.Millisecond - 10*time.Millisecond; at.Sub(start) < min {
				t.Errorf("throttle every %d: call %d arrived %v after the start, want >= %v", throttle, i, at.Sub(start), min)
			}
		}
	}
}

func TestAccountIDAndAssumeRole(t *testing.T) {
	setAWSEnv(t)
	srv := apitest.New("210987654321")
	defer srv.Close()
	addEvents(t, srv, "us-east-1", 3)
	c := newClient(t, srv, apisrc.Options{RatePerSecond: 100}, awsconf.Options{
		AssumeRole: "arn:aws:iam::210987654321:role/audit", STSEndpoint: srv.URL,
	})
	acct, err := c.AccountID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if acct != "210987654321" {
		t.Errorf("AccountID = %q, want 210987654321", acct)
	}
	lookup(t, c, "us-east-1", base, base.Add(time.Hour))
	if diff := cmp.Diff([]string{"ASIAASSUMED"}, srv.KeyIDs()); diff != "" {
		t.Errorf("LookupEvents signed with (-want +got):\n%s", diff)
	}
}
