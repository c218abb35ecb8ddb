package recommend

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/policy"
)

func getObjectStatement(t *testing.T, rec *Recommendation) policy.Statement {
	t.Helper()
	for _, d := range rec.Policies {
		for _, s := range d.Statements {
			if s.Effect == policy.EffectAllow && slices.Contains(s.Action, "s3:GetObject") {
				return s
			}
		}
	}
	t.Fatalf("no statement allows s3:GetObject: %v", rec.Statements)
	return policy.Statement{}
}

// A rollup that did not keep every resource an action's calls named
// (ingest's --max-resources overflow row) cannot scope the action: the
// recommendation keeps the current grant's scope for it, and is still
// proven.
func TestOverflowKeepsCurrentScope(t *testing.T) {
	f := newFixture(t)
	for i := range f.in.Result.Used {
		if f.in.Result.Used[i].Action == "s3:GetObject" {
			f.in.Result.Used[i].MoreResourceCalls = 40
		}
	}
	rec := recommendProven(t, f.in, Options{})
	get := getObjectStatement(t, rec)
	if diff := cmp.Diff([]string{"arn:aws:s3:::data/*", "arn:aws:s3:::logs/*"}, get.Resource); diff != "" {
		t.Errorf("GetObject resources with an overflow (-want +got):\n%s", diff)
	}
}

// Resources stored already generalised by ingest are kept when the grant
// allows all of them, and otherwise fall back to the grant's own patterns
// that overlap them, never to the pattern itself.
func TestStoredPatterns(t *testing.T) {
	tests := []struct {
		name      string
		resources []string
		want      []string
	}{
		{"allowed whole", []string{"arn:aws:s3:::data/reports/*"}, []string{"arn:aws:s3:::data/reports/*"}},
		{"wider than the grant", []string{"arn:aws:s3:::*"}, []string{"arn:aws:s3:::data/*", "arn:aws:s3:::logs/*"}},
		{"overlaps one pattern", []string{"arn:aws:s3:::data*"}, []string{"arn:aws:s3:::data/*"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i := range f.in.Result.Used {
				if f.in.Result.Used[i].Action == "s3:GetObject" {
					f.in.Result.Used[i].Resources = tc.resources
				}
			}
			rec := recommendProven(t, f.in, Options{})
			if diff := cmp.Diff(tc.want, getObjectStatement(t, rec).Resource); diff != "" {
				t.Errorf("GetObject resources (-want +got):\n%s", diff)
			}
		})
	}
}
