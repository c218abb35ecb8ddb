package authz

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// synthDetails makes an account of n roles whose policies look like real
// ones, drawn from the catalog's actions with a fixed seed: inline
// policies of specific actions on scoped resources (some conditional), a
// pool of managed policies (service full access, read-only sets, specific
// lists, NotAction power users, Denies), boundaries on some roles and a
// few administrators.
func synthDetails(cat *catalog.Catalog, n int, seed uint64) *Details {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	services := cat.Services()
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	stmt := func(effect string, actions any, resource any, cond map[string]any) map[string]any {
		s := map[string]any{"Effect": effect, "Action": actions, "Resource": resource}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	docOf := func(stmts ...map[string]any) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
		return b
	}
	someActions := func(k int) []string {
		var out []string
		for len(out) < k {
			acts := cat.ServiceActions(pick(services))
			if len(acts) == 0 {
				continue
			}
			for j := 0; j < 1+rng.IntN(5) && len(out) < k; j++ {
				out = append(out, pick(acts))
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	region := map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": []string{"eu-west-1", "us-east-1"}}}

	const account = "123456789012"
	d := &Details{}
	var pool []string
	addPolicy := func(name string, doc json.RawMessage) string {
		arn := "arn:aws:iam::" + account + ":policy/" + name
		d.Policies = append(d.Policies, PolicyDetail{PolicyName: name, Arn: arn, DefaultVersionID: "v1",
			PolicyVersionList: []PolicyVersion{{VersionID: "v1", IsDefaultVersion: true, Document: doc}}})
		return arn
	}
	for i := 0; i < 30; i++ {
		var acts []string
		for j := 0; j < 1+rng.IntN(3); j++ {
			acts = append(acts, pick(services)+":*")
		}
		pool = append(pool, addPolicy(fmt.Sprintf("FullAccess%d", i), docOf(stmt("Allow", acts, "*", nil))))
	}
	for i := 0; i < 30; i++ {
		var acts []string
		for j := 0; j < 5+rng.IntN(11); j++ {
			s := pick(services)
			acts = append(acts, s+":Get*", s+":List*", s+":Describe*")
		}
		pool = append(pool, addPolicy(fmt.Sprintf("ReadOnly%d", i), docOf(stmt("Allow", acts, "*", nil))))
	}
	for i := 0; i < 10; i++ {
		pool = append(pool, addPolicy(fmt.Sprintf("App%d", i), docOf(
			stmt("Allow", someActions(10+rng.IntN(30)), []string{"arn:aws:s3:::app-" + fmt.Sprint(i) + "/*", "arn:aws:sqs:*:" + account + ":app-*"}, nil),
			stmt("Allow", someActions(5), "*", region))))
	}
	for i := 0; i < 5; i++ {
		pool = append(pool, addPolicy(fmt.Sprintf("PowerUser%d", i), docOf(map[string]any{
			"Effect": "Allow", "NotAction": []string{"iam:*", "organizations:*", "account:*"}, "Resource": "*"})))
	}
	for i := 0; i < 5; i++ {
		pool = append(pool, addPolicy(fmt.Sprintf("Guard%d", i), docOf(
			stmt("Allow", someActions(8), "*", nil),
			stmt("Deny", []string{"s3:DeleteBucket", "ec2:TerminateInstances"}, "*", nil),
			stmt("Deny", "s3:*", "*", map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}))))
	}
	boundaries := []string{
		addPolicy("BoundaryData", docOf(stmt("Allow", []string{"s3:*", "dynamodb:*", "logs:*", "sqs:*", "kms:Decrypt"}, "*", nil))),
		addPolicy("BoundaryPower", docOf(map[string]any{"Effect": "Allow", "NotAction": []string{"iam:*", "organizations:*"}, "Resource": "*"})),
		addPolicy("BoundaryRegion", docOf(stmt("Allow", "*", "*", region))),
	}

	for i := 0; i < n; i++ {
		name := fmt.Sprintf("role-%04d", i)
		r := RoleDetail{RoleName: name, Path: "/", RoleID: fmt.Sprintf("AROA%016d", i), Arn: "arn:aws:iam::" + account + ":role/" + name,
			CreateDate:               "2024-01-01T00:00:00Z",
			AssumeRolePolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}
		for j := 0; j < 1+rng.IntN(2); j++ {
			var cond map[string]any
			if rng.IntN(10) < 3 {
				cond = region
			}
			r.RolePolicyList = append(r.RolePolicyList, InlinePolicy{PolicyName: fmt.Sprintf("inline%d", j),
				PolicyDocument: docOf(stmt("Allow", someActions(3+rng.IntN(18)), []string{"arn:aws:s3:::" + name + "/*", "arn:aws:dynamodb:*:" + account + ":table/" + name}, cond))})
		}
		if rng.IntN(50) == 0 {
			r.RolePolicyList = append(r.RolePolicyList, InlinePolicy{PolicyName: "admin",
				PolicyDocument: docOf(stmt("Allow", "*", "*", nil), stmt("Deny", "iam:*", "*", nil))})
		}
		for j := 0; j < 1+rng.IntN(4); j++ {
			arn := pick(pool)
			r.AttachedManagedPolicies = append(r.AttachedManagedPolicies, AttachedPolicy{PolicyArn: arn})
		}
		if rng.IntN(10) == 0 {
			r.PermissionsBoundary = &PermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: pick(boundaries)}
		}
		d.RoleDetailList = append(d.RoleDetailList, r)
	}
	return d
}

func TestSyntheticInventory(t *testing.T) {
	cat := fixtureCatalog(t)
	inv := NewInventory("synthetic", synthDetails(cat, 100, 1))
	if len(inv.Warnings) > 0 || len(inv.Roles) != 100 {
		t.Fatalf("%d roles, warnings %q; want 100 roles and no warnings", len(inv.Roles), inv.Warnings)
	}
	x := NewExpander(cat, nil)
	for _, p := range inv.Principals() {
		if eff := mustExpand(t, x, p); len(eff.Grants) == 0 {
			t.Errorf("%s: no grants", p.ARN)
		}
	}
}

// BenchmarkExpand1000Roles expands every principal of a synthesized
// 1,000-role account against the full catalog (the fixture catalog when
// ../shared is absent), with a fresh Expander each iteration so that cache
// warm-up is counted.
func BenchmarkExpand1000Roles(b *testing.B) {
	cat := benchCatalog(b)
	inv := NewInventory("synthetic", synthDetails(cat, 1000, 1))
	if len(inv.Warnings) > 0 {
		b.Fatalf("warnings: %q", inv.Warnings[:min(3, len(inv.Warnings))])
	}
	grants := 0
	for b.Loop() {
		grants = 0
		x := NewExpander(cat, nil)
		for _, p := range inv.Principals() {
			grants += len(mustExpand(b, x, p).Grants)
		}
	}
	b.ReportMetric(float64(grants), "grants")
}

// BenchmarkLargestSharedFile parses the largest file of
// ../shared/data/authz and expands every principal against
// ../shared/catalog.
func BenchmarkLargestSharedFile(b *testing.B) {
	cat := fullCatalog(b)
	files, _ := filepath.Glob(filepath.Join(sharedDir(b), "data", "authz", "*.json"))
	largest, size := "", int64(-1)
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.Size() > size {
			largest, size = f, fi.Size()
		}
	}
	b.Logf("%s (%d bytes)", filepath.Base(largest), size)
	grants := 0
	for b.Loop() {
		inv, err := ParseFile(largest)
		if err != nil {
			b.Fatal(err)
		}
		grants = 0
		x := NewExpander(cat, nil)
		for _, p := range inv.Principals() {
			grants += len(mustExpand(b, x, p).Grants)
		}
	}
	b.ReportMetric(float64(grants), "grants")
}

// BenchmarkAWSManagedPolicies parses every AWS managed policy of
// ../shared/data/policies/aws-managed and expands each, as the only policy
// of a principal, against the full catalog.
func BenchmarkAWSManagedPolicies(b *testing.B) {
	cat := fullCatalog(b)
	files, _ := filepath.Glob(filepath.Join(sharedDir(b), "data", "policies", "aws-managed", "*.json"))
	if len(files) == 0 {
		b.Skip("no AWS managed policies in the shared data")
	}
	var grants, failed int
	for b.Loop() {
		grants, failed = 0, 0
		x := NewExpander(cat, nil)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			var mp struct {
				PolicyName, Arn string
				Document        json.RawMessage
			}
			if err := json.Unmarshal(data, &mp); err != nil {
				b.Fatalf("%s: %v", f, err)
			}
			doc, err := policy.ParseNamed(mp.PolicyName, mp.Document)
			if err != nil {
				failed++
				continue
			}
			p := Principal{ARN: mp.Arn, Type: TypeRole, Policies: policy.PolicySet{Identity: []policy.NamedPolicy{{Name: mp.Arn, ARN: mp.Arn, Kind: policy.KindManaged, Doc: doc}}}}
			grants += len(mustExpand(b, x, p).Grants)
		}
	}
	b.ReportMetric(float64(len(files)), "policies")
	b.ReportMetric(float64(failed), "unparsable")
	b.ReportMetric(float64(grants), "grants")
}

func benchCatalog(b *testing.B) *catalog.Catalog {
	b.Helper()
	if d, _ := findShared(); d != "" || os.Getenv("IAMTRIM_CATALOG") != "" {
		return fullCatalog(b)
	}
	b.Log("no full catalog: using the 21-action fixture catalog")
	return fixtureCatalog(b)
}
