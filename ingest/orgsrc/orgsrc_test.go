package orgsrc_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/orgsrc"
	"github.com/iamtrim/iamtrim/ingest/orgsrc/orgtest"
	"github.com/iamtrim/iamtrim/org"
)

func fixture(t *testing.T) org.File {
	t.Helper()
	f, err := orgtest.ReadFile(filepath.Join("..", "..", "org", "testdata", "org.json"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func credentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestFetch drives the real SDK client through paging (one item a page)
// and throttling (every third call), and checks the organisation read
// live is the file it was served from.
func TestFetch(t *testing.T) {
	credentials(t)
	want := fixture(t)
	for _, tc := range []struct {
		name     string
		page     int
		throttle int64
		rcpsOff  bool
	}{
		{"one page", 100, 0, false},
		{"paged and throttled", 1, 3, false},
		{"RCPs not enabled", 2, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := orgtest.New(want)
			defer srv.Close()
			srv.PageSize = tc.page
			srv.ThrottleEvery.Store(tc.throttle)
			srv.RCPsOff = tc.rcpsOff
			ctx := context.Background()
			client, err := orgsrc.New(ctx, orgsrc.Options{Region: "us-east-1", EndpointURL: srv.URL, MaxBackoff: 5 * time.Millisecond}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			got, err := orgsrc.Fetch(ctx, client, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			a, b := org.Build(want, "file"), org.Build(*got, "api")
			if len(b.Problems) > 0 {
				t.Fatalf("problems: %v", b.Problems)
			}
			wantFile := a.File
			if tc.rcpsOff {
				// The RCP is neither listed nor described.
				var ps []org.Policy
				for _, p := range wantFile.Policies {
					if p.PolicySummary.Type != org.TypeRCP {
						ps = append(ps, p)
					}
				}
				wantFile.Policies = ps
				wantFile.Targets["r-ex4m"] = []string{"p-FullAWSAccess", "p-denyiam1"}
			}
			if diff := cmp.Diff(wantFile, b.File); diff != "" {
				t.Errorf("organisation (-file +api):\n%s", diff)
			}
			if tc.throttle > 0 && srv.Throttled.Load() == 0 {
				t.Error("no call was throttled")
			}
			if ops := srv.Ops(); tc.page == 1 && ops["ListAccountsForParent"] < 4 {
				t.Errorf("ListAccountsForParent calls = %d: pages not followed", ops["ListAccountsForParent"])
			}
		})
	}
}

func TestFetchDenied(t *testing.T) {
	credentials(t)
	srv := orgtest.New(fixture(t))
	defer srv.Close()
	srv.Deny.Store(true)
	ctx := context.Background()
	client, err := orgsrc.New(ctx, orgsrc.Options{Region: "us-east-1", EndpointURL: srv.URL, MaxBackoff: time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = orgsrc.Fetch(ctx, client, slog.New(slog.DiscardHandler))
	var ae *awsconf.Error
	if !errors.Is(err, orgsrc.ErrNotManagement) || !errors.As(err, &ae) {
		t.Fatalf("err = %v, want ErrNotManagement said as an awsconf.Error", err)
	}
	if calls := srv.Calls.Load(); calls != 1 {
		t.Errorf("calls = %d, want 1 (AccessDenied is not retried)", calls)
	}
}
