package catalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFullCatalog loads the full catalog (IAMTRIM_CATALOG or
// ../shared/catalog) and checks facts AWS publishes.
func TestFullCatalog(t *testing.T) {
	c, isShared := loadFull(t)
	v := c.Version()
	if isShared {
		if v.Services != 455 || v.Actions != 21785 {
			t.Errorf("shared catalog: %d services, %d actions; want 455, 21785", v.Services, v.Actions)
		}
		if got := len(c.Actions()); got != 21785 {
			t.Errorf("len(Actions()) = %d, want 21785", got)
		}
	} else if v.Services < 400 || v.Actions < 20000 {
		t.Errorf("full catalog: %d services, %d actions; want at least 400, 20000", v.Services, v.Actions)
	}
	if !slices.IsSorted(c.Actions()) {
		t.Error("Actions() not sorted")
	}

	for _, tc := range []struct {
		action string
		want   AccessLevel
	}{
		{"s3:GetObject", Read},
		{"s3:ListAllMyBuckets", List},
		{"s3:PutObject", Write},
		{"s3:PutObjectTagging", Tagging},
		{"iam:AttachRolePolicy", PermissionsManagement},
		{"iam:PassRole", Write},
		{"sts:AssumeRole", Write},
		{"ec2:DescribeInstances", List},
	} {
		if got := c.AccessLevel(tc.action); got != tc.want {
			t.Errorf("AccessLevel(%s) = %q, want %q", tc.action, got, tc.want)
		}
	}
	if got, ok := c.Action("EC2:describeinstances"); !ok || got != "ec2:DescribeInstances" {
		t.Errorf("Action(EC2:describeinstances) = %q, %v", got, ok)
	}
	if c.SupportsResourceLevel("s3:ListAllMyBuckets") || !c.SupportsResourceLevel("s3:GetObject") {
		t.Error("SupportsResourceLevel: want false for s3:ListAllMyBuckets and true for s3:GetObject")
	}
	if n := c.Count("ec2:Describe*"); n < 100 {
		t.Errorf("Count(ec2:Describe*) = %d, want over 100", n)
	}
	if got := c.ResourceARNFormats("s3", "bucket"); len(got) == 0 || !strings.Contains(got[0], "${BucketName}") {
		t.Errorf("ResourceARNFormats(s3, bucket) = %v", got)
	}
	ops := c.OperationActions("s3", "GetObject")
	for _, want := range []string{"s3:GetObject", "s3:GetObjectVersion", "s3-object-lambda:GetObject"} {
		if !slices.Contains(ops, want) {
			t.Errorf("OperationActions(s3, GetObject) = %v, want it to contain %s", ops, want)
		}
	}
	// The operation map names actions the catalog holds, canonically.
	for _, svc := range c.Services() {
		if !c.HasOperations(svc) {
			continue
		}
		s := c.byName[svc]
		for _, o := range s.operations {
			for _, a := range o.authorized {
				if canon, ok := c.Action(a); ok && canon != a {
					t.Errorf("%s %s: authorized action %q is not canonical (%q)", svc, o.name, a, canon)
				}
			}
		}
	}
}

// TestExpandAgainstBruteForce checks the indexed Expand against a scan of
// every action, with the action patterns of AWS's managed policies when the
// shared corpus is present, and with patterns made from the catalog itself.
func TestExpandAgainstBruteForce(t *testing.T) {
	c, _ := loadFull(t)
	all := c.Actions()
	lower := make([]string, len(all))
	for i, a := range all {
		lower[i] = strings.ToLower(a)
	}
	brute := func(p string) []string {
		p = strings.ToLower(p)
		var out []string
		for i, a := range lower {
			if match(p, a) {
				out = append(out, all[i])
			}
		}
		return out
	}
	patterns := []string{
		"*", "s3:*", "S3:get*", "ec2:Describe*", "ec2:*Vpc*", "iam:*Role*", "*:List*", "s3*:Get*",
		"kms:?ncrypt", "lambda:*Function", "*:*Tag*", "dynamodb:Batch*", "s3-object-lambda:*",
		"ec2:Describe?pcs", "*:Get??", "a*:*", "logs:*LogEvents", "sts:AssumeRole*",
	}
	// Per-service samples: every first letter of every action.
	for _, svc := range c.Services()[:40] {
		seen := map[string]bool{}
		for _, a := range c.ServiceActions(svc) {
			p := strings.ToUpper(svc) + ":" + strings.ToLower(a[len(svc)+1:len(svc)+2]) + "*"
			if !seen[p] {
				seen[p] = true
				patterns = append(patterns, p)
			}
		}
	}
	patterns = append(patterns, managedPolicyPatterns(t, 400)...)
	for _, p := range patterns {
		got, want := c.Expand(p), brute(p)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Expand(%q) differs from a scan (-scan +Expand):\n%s", p, diff)
		}
	}
	t.Logf("%d patterns checked", len(patterns))
}

// managedPolicyPatterns returns up to max distinct wildcard action patterns
// from the shared AWS managed policies, in a stable order; none when the
// corpus is absent.
func managedPolicyPatterns(t *testing.T, max int) []string {
	shared := sharedCatalogDir(t)
	if shared == "" {
		return nil
	}
	dir := filepath.Join(filepath.Dir(shared), "data", "policies", "aws-managed")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Document struct {
				Statement json.RawMessage
			}
		}
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var stmts []map[string]json.RawMessage
		if err := json.Unmarshal(p.Document.Statement, &stmts); err != nil {
			var one map[string]json.RawMessage
			if json.Unmarshal(p.Document.Statement, &one) != nil {
				continue
			}
			stmts = []map[string]json.RawMessage{one}
		}
		for _, st := range stmts {
			for _, k := range []string{"Action", "NotAction"} {
				var list []string
				if json.Unmarshal(st[k], &list) != nil {
					var one string
					if json.Unmarshal(st[k], &one) != nil {
						continue
					}
					list = []string{one}
				}
				for _, a := range list {
					if strings.ContainsAny(a, "*?") && !seen[a] {
						seen[a] = true
						out = append(out, a)
					}
				}
			}
		}
	}
	slices.Sort(out)
	if len(out) > max {
		step := len(out) / max
		var sample []string
		for i := 0; i < len(out); i += step {
			sample = append(sample, out[i])
		}
		out = sample
	}
	return out
}
