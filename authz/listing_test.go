package authz

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestWriteListing(t *testing.T) {
	inv, err := ParseFile(filepath.Join("testdata", "listing.json"))
	if err != nil {
		t.Fatal(err)
	}
	scpData, err := os.ReadFile(filepath.Join("testdata", "scp.json"))
	if err != nil {
		t.Fatal(err)
	}
	scpDoc, err := policy.ParseNamed("scp.json", scpData)
	if err != nil {
		t.Fatal(err)
	}
	scps := []policy.NamedPolicy{{Name: "scp.json", Kind: policy.KindSCP, Doc: scpDoc}}
	tests := []struct {
		name   string
		cat    *catalog.Catalog
		golden string
	}{
		{"with the fixture catalog", fixtureCatalog(t), "listing-catalog.golden"},
		{"without a catalog", nil, "listing-patterns.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := NewExpander(tc.cat, scps)
			var effs []*Effective
			for _, p := range inv.Principals() {
				effs = append(effs, mustExpand(t, x, p))
			}
			var buf bytes.Buffer
			if err := WriteListing(&buf, effs); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("listing differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}
