package recommend

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/policy"
)

// resourcesOf is the resources of the Allow statements granting action.
func resourcesOf(rec *Recommendation, action string) []string {
	var out []string
	for _, d := range rec.Policies {
		for _, s := range d.Statements {
			if s.Effect == policy.EffectAllow && slices.Contains(s.Action, action) {
				out = append(out, s.Resource...)
			}
		}
	}
	slices.Sort(out)
	return out
}

// recommendProven recommends for in and fails unless the result is proven.
func recommendProven(t *testing.T, in Input, opts Options) *Recommendation {
	t.Helper()
	rec, err := Recommend(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Proof.Proven {
		t.Fatalf("not proven:\n%s", Summary(rec))
	}
	return rec
}

// TestConfigReadsKeepGrantScope: a configuration read (iam:GetRole, Read in
// the catalog) granted on "*" and used on one role keeps "*"; a data read
// (s3:GetObject) and a write (s3:PutObject) stay scoped to what was seen.
func TestConfigReadsKeepGrantScope(t *testing.T) {
	rec := recommendProven(t, newFixture(t).in, Options{})
	for _, tc := range []struct {
		action string
		want   []string
	}{
		{"iam:GetRole", []string{"*"}},
		{"s3:GetObject", []string{"arn:aws:s3:::data/readme.txt", "arn:aws:s3:::data/reports/*"}},
		{"s3:PutObject", []string{"arn:aws:s3:::logs/app/*"}},
		{"iam:PassRole", []string{"arn:aws:iam::111122223333:role/app/task"}},
	} {
		if diff := cmp.Diff(tc.want, resourcesOf(rec, tc.action)); diff != "" {
			t.Errorf("%s resources (-want +got):\n%s", tc.action, diff)
		}
	}
}

func TestKeepsGrantScope(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		action string
		want   bool
	}{
		{"iam:GetRole", true},    // Read, configuration
		{"s3:ListBucket", true},  // List
		{"s3:GetObject", false},  // Read, but returns the customer's data
		{"S3:GETOBJECT", false},  // case does not matter
		{"s3:PutObject", false},  // Write
		{"iam:TagRole", false},   // Tagging
		{"iam:PassRole", false},  // Write
		{"nosuch:Action", false}, // not in the catalog
	} {
		if got := keepsGrantScope(f.cat, tc.action); got != tc.want {
			t.Errorf("keepsGrantScope(%s) = %v, want %v", tc.action, got, tc.want)
		}
	}
}
