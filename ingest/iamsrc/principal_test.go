package iamsrc_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/ingest/iamsrc/iamtest"
)

// One principal read live through the real SDK has the same effective
// policies as the same principal in the account's authorization details,
// and nothing but that principal's reads is called.
func TestFetchPrincipal(t *testing.T) {
	const file = "../../testdata/sample/authz.json"
	srv, err := iamtest.NewFromFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client, err := iamsrc.NewClient(context.Background(), iamsrc.Options{BaseEndpoint: srv.URL, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := authz.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orders-api-lambda", "arn:aws:iam::111122223333:role/service-role/orders-api-lambda", "alice"} {
		t.Run(name, func(t *testing.T) {
			d, err := iamsrc.FetchPrincipal(context.Background(), client, name, nil)
			if err != nil {
				t.Fatal(err)
			}
			one := authz.NewInventory("live", d)
			if len(one.Rejected) > 0 {
				t.Fatalf("rejected: %v", one.Rejected)
			}
			got, err := authz.ResolvePrincipal(one.Principals(), name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := authz.ResolvePrincipal(whole.Principals(), name)
			if err != nil {
				t.Fatal(err)
			}
			if got.ARN != want.ARN {
				t.Fatalf("ARN %s, want %s", got.ARN, want.ARN)
			}
			if diff := cmp.Diff(policyNames(want), policyNames(got)); diff != "" {
				t.Errorf("policies (-file +live):\n%s", diff)
			}
			for i := range want.Policies.Identity {
				if !cmp.Equal(want.Policies.Identity[i].Doc, got.Policies.Identity[i].Doc) {
					t.Errorf("policy %s differs between the file and the live read", want.Policies.Identity[i].Name)
				}
			}
		})
	}
	if slices.Contains(srv.Actions(), "GetAccountAuthorizationDetails") {
		t.Errorf("a one-principal read called GetAccountAuthorizationDetails: %v", srv.Actions())
	}

	_, err = iamsrc.FetchPrincipal(context.Background(), client, "orders-api-lamda", nil)
	var ne *authz.NameError
	if !errors.As(err, &ne) || !errors.Is(err, authz.ErrNoPrincipal) {
		t.Fatalf("unknown name: %v, want a NameError", err)
	}
	if !strings.Contains(err.Error(), "orders-api-lambda") {
		t.Errorf("unknown name: %q does not suggest orders-api-lambda", err)
	}
}

func policyNames(p authz.Principal) []string {
	var out []string
	for _, np := range p.Policies.Identity {
		out = append(out, np.Name)
	}
	if p.Policies.Boundary != nil {
		out = append(out, "boundary "+p.Policies.Boundary.Name)
	}
	return out
}
