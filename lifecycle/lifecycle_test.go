package lifecycle

import (
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the README's lifecycle table")

func TestGeneralize(t *testing.T) {
	tests := []struct {
		name, arn, want, rule string
	}{
		{"lambda log stream", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/orders-api:log-stream:2025/12/31/[$LATEST]4c1f0e2b9d8a7c6b",
			"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/orders-api:log-stream:*", "logs/log-stream"},
		{"named stream too", "arn:aws:logs:us-east-1:1:log-group:/app/web:log-stream:web-3",
			"arn:aws:logs:us-east-1:1:log-group:/app/web:log-stream:*", "logs/log-stream"},
		{"log group stays", "arn:aws:logs:us-east-1:1:log-group:/app/web", "arn:aws:logs:us-east-1:1:log-group:/app/web", ""},
		{"date partition", "arn:aws:s3:::lake/events/dt=2026-01-02/part-0001.parquet", "arn:aws:s3:::lake/events/*", "s3/object"},
		{"date path at the top", "arn:aws:s3:::lake/2026/01/02/x.json", "arn:aws:s3:::lake/*", "s3/object"},
		{"uuid upload", "arn:aws:s3:::up/users/alice/7d9f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f.png", "arn:aws:s3:::up/users/alice/*", "s3/object"},
		{"numbered object", "arn:aws:s3:::acme/incoming/incoming-003.csv", "arn:aws:s3:::acme/incoming/*", "s3/object"},
		{"stable object kept", "arn:aws:s3:::acme/config/app.json", "arn:aws:s3:::acme/config/app.json", ""},
		{"bucket kept", "arn:aws:s3:::acme-logs-2026", "arn:aws:s3:::acme-logs-2026", ""},
		{"instance", "arn:aws:ec2:us-east-1:1:instance/i-0a1b2c3d4e5f60718", "arn:aws:ec2:us-east-1:1:instance/*", "ec2/instance"},
		{"snapshot", "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0", "arn:aws:ec2:us-east-1::snapshot/*", "ec2/snapshot"},
		{"security group kept", "arn:aws:ec2:us-east-1:1:security-group/sg-0123456789abcdef0", "arn:aws:ec2:us-east-1:1:security-group/sg-0123456789abcdef0", ""},
		{"ecs task", "arn:aws:ecs:us-east-1:1:task/web/0a1b2c3d4e5f40718293a4b5c6d7e8f9", "arn:aws:ecs:us-east-1:1:task/web/*", "ecs/task"},
		{"task definition revision", "arn:aws:ecs:us-east-1:1:task-definition/web:42", "arn:aws:ecs:us-east-1:1:task-definition/web:*", "ecs/task-definition"},
		{"lambda version", "arn:aws:lambda:us-east-1:1:function:orders-api:17", "arn:aws:lambda:us-east-1:1:function:orders-api:*", "lambda/function version"},
		{"lambda alias kept", "arn:aws:lambda:us-east-1:1:function:orders-api:live", "arn:aws:lambda:us-east-1:1:function:orders-api:live", ""},
		{"lambda function kept", "arn:aws:lambda:us-east-1:1:function:orders-api", "arn:aws:lambda:us-east-1:1:function:orders-api", ""},
		{"execution", "arn:aws:states:us-east-1:1:execution:checkout:5f0c8a9e-1111-4222-8333-944455556666", "arn:aws:states:us-east-1:1:execution:checkout:*", "states/execution"},
		{"labelled execution", "arn:aws:states:us-east-1:1:execution:checkout/map:abc-1234", "arn:aws:states:us-east-1:1:execution:checkout/map:*", "states/labelled execution"},
		{"state machine kept", "arn:aws:states:us-east-1:1:stateMachine:checkout", "arn:aws:states:us-east-1:1:stateMachine:checkout", ""},
		{"codebuild build", "arn:aws:codebuild:us-east-1:1:build/api-ci:6a4c9b1e-0d2f-4e3a-9b8c-7d6e5f4a3b2c", "arn:aws:codebuild:us-east-1:1:build/api-ci:*", "codebuild/build"},
		{"batch job", "arn:aws:batch:us-east-1:1:job/8f2b1c3d-aaaa-4bbb-8ccc-0d1e2f3a4b5c", "arn:aws:batch:us-east-1:1:job/*", "batch/job"},
		{"sagemaker job", "arn:aws:sagemaker:us-east-1:1:training-job/churn-model-2026-01-02-10-00-00-123", "arn:aws:sagemaker:us-east-1:1:training-job/churn-model-*", "sagemaker/training-job"},
		{"sagemaker job without a date", "arn:aws:sagemaker:us-east-1:1:training-job/churn-a", "arn:aws:sagemaker:us-east-1:1:training-job/churn-*", "sagemaker/training-job"},
		{"stack id", "arn:aws:cloudformation:us-east-1:1:stack/orders-service/3e2d1c0b-aaaa-4bbb-8ccc-0d1e2f3a4b5c", "arn:aws:cloudformation:us-east-1:1:stack/orders-service/*", "cloudformation/stack"},
		{"change set", "arn:aws:cloudformation:us-east-1:1:changeSet/deploy-1767312000/0a1b2c3d-aaaa-4bbb-8ccc-0d1e2f3a4b5c", "arn:aws:cloudformation:us-east-1:1:changeSet/deploy-*/*", "cloudformation/changeset"},
		{"ssm automation", "arn:aws:ssm:us-east-1:1:automation-execution/4105a4fc-f944-11e6-9d32-0123456789ab", "arn:aws:ssm:us-east-1:1:automation-execution/*", "ssm/automation-execution"},
		{"ssm parameter kept", "arn:aws:ssm:us-east-1:1:parameter/prod/orders/db-host", "arn:aws:ssm:us-east-1:1:parameter/prod/orders/db-host", ""},
		{"api path id", "arn:aws:execute-api:us-east-1:1:a1b2c3/prod/GET/orders/12345", "arn:aws:execute-api:us-east-1:1:a1b2c3/prod/GET/orders/*", "execute-api/execute-api-general"},
		{"not an arn", "*", "*", ""},
		{"pattern kept", "arn:aws:s3:::lake/events/*", "arn:aws:s3:::lake/events/*", ""},
		{"date-shaped pattern cut", "arn:aws:s3:::lake/events/2025*", "arn:aws:s3:::lake/events/*", "s3/object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rule, changed := Generalize(tc.arn)
			if got != tc.want || rule != tc.rule || changed != (tc.want != tc.arn) {
				t.Errorf("Generalize(%s) = %s, %q, %v; want %s, %q, %v", tc.arn, got, rule, changed, tc.want, tc.rule, tc.want != tc.arn)
			}
			if again, _, ch := Generalize(got); ch {
				t.Errorf("not idempotent: Generalize(%s) = %s", got, again)
			}
		})
	}
}

func TestMinted(t *testing.T) {
	for tok, want := range map[string]bool{
		"2026": true, "3": true, "0001": true, "part0001": true, "4c1f0e2b": true, "0a1b2c3d4e5f60718": true,
		"Zx81kQ2mTt7pLw0a": true, "20260102T101010Z": true,
		"orders": false, "web3": false, "ec2": false, "v2": false, "q3": false, "deadbeef": false, "LATEST": false, "x86": false,
	} {
		if got := Minted(tok); got != want {
			t.Errorf("Minted(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestCommonPrefix(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"date-named streams", []string{
			"arn:aws:logs:us-east-1:1:log-group:g:log-stream:2025/12/30/a",
			"arn:aws:logs:us-east-1:1:log-group:g:log-stream:2025/12/31/b"}, "arn:aws:logs:us-east-1:1:log-group:g:log-stream:"},
		{"dated tables", []string{"arn:aws:dynamodb:us-east-1:1:table/orders-2026-01", "arn:aws:dynamodb:us-east-1:1:table/orders-2025-12"},
			"arn:aws:dynamodb:us-east-1:1:table/orders-"},
		{"partial number", []string{"arn:aws:sqs:us-east-1:1:jobs-10", "arn:aws:sqs:us-east-1:1:jobs-11"}, "arn:aws:sqs:us-east-1:1:jobs-"},
		{"names", []string{"arn:aws:sqs:us-east-1:1:jobs-high", "arn:aws:sqs:us-east-1:1:jobs-low"}, "arn:aws:sqs:us-east-1:1:jobs-"},
		{"header never cut", []string{"arn:aws:sqs:us-east-1:111122223333:a", "arn:aws:sqs:us-east-1:111122223333:b"}, "arn:aws:sqs:us-east-1:111122223333:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CommonPrefix(tc.in); got != tc.want {
				t.Errorf("CommonPrefix = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCollapsePattern(t *testing.T) {
	const tbl = "arn:aws:dynamodb:us-east-1:1:table/"
	tests := []struct {
		name  string
		floor string
		in    []string
		want  string
	}{
		{"names", tbl, []string{tbl + "orders-eu", tbl + "orders-us"}, tbl + "orders-*"},
		{"patterns lose their star", tbl, []string{tbl + "orders-eu*", tbl + "orders-us"}, tbl + "orders-*"},
		{"a pattern alone stays itself", tbl, []string{tbl + "orders-*"}, tbl + "orders-*"},
		{"minted token cut", tbl, []string{tbl + "orders-2026-01", tbl + "orders-2025-12"}, tbl + "orders-*"},
		{"never shorter than the floor", tbl + "p/", []string{tbl + "p/a", tbl + "q/b"}, tbl + "p/*"},
		{"floor of a kind", tbl, []string{tbl + "a", tbl + "b"}, tbl + "*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CollapsePattern(tc.floor, tc.in); got != tc.want {
				t.Errorf("CollapsePattern = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTableMatchesCatalog: every rule names a resource type the bundled
// catalog has, with exactly its ARN format, and an instance of the format
// with minted values is generalised by that rule and no longer holds them.
func TestTableMatchesCatalog(t *testing.T) {
	dir := os.Getenv("IAMTRIM_CATALOG")
	if dir == "" {
		dir = sharedtest.Dir(t, "catalog")
	}
	cat, err := catalog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.Format] {
			t.Errorf("%s: format listed twice", r.Name())
		}
		seen[r.Format] = true
		formats := cat.ResourceARNFormats(r.Service, r.Type)
		found := false
		for _, f := range formats {
			found = found || f == r.Format
		}
		if !found {
			t.Errorf("%s: the catalog's formats are %q, not %s", r.Name(), formats, r.Format)
		}
		vals := map[string]string{"Partition": "aws", "Region": "us-east-1", "Account": "111122223333", "AccountId": "111122223333"}
		var minted []string
		for _, v := range r.Variables() {
			if _, ok := vals[v]; ok {
				continue
			}
			vals[v] = "stable" + strings.ToLower(strings.ReplaceAll(v, " ", ""))
			for _, s := range r.Volatile {
				if s.Variable != v {
					continue
				}
				switch s.Cut {
				case Number:
					vals[v], minted = "4242", append(minted, "4242")
				case Qualifier:
					vals[v], minted = "proj:9f8e7d6c5b4a3210", append(minted, "9f8e7d6c5b4a3210")
				default:
					vals[v], minted = "9f8e7d6c5b4a3210", append(minted, "9f8e7d6c5b4a3210")
				}
			}
		}
		arn := r.Instantiate(vals)
		got, rule, changed := Generalize(arn)
		if !changed || rule != r.Name() {
			t.Errorf("%s: Generalize(%s) = %s by %q", r.Name(), arn, got, rule)
		}
		for _, m := range minted {
			if strings.Contains(got, m) {
				t.Errorf("%s: %s still holds %s", r.Name(), got, m)
			}
		}
	}
}

// TestReadmeTable: the README documents the table as it is.
func TestReadmeTable(t *testing.T) {
	path := filepath.Join("..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- lifecycle table: begin -->\n", "<!-- lifecycle table: end -->"
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the lifecycle table markers %q … %q", begin, end)
	}
	want := Markdown()
	if got := s[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile(path, []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's lifecycle table is out of date: run go test ./lifecycle -run TestReadmeTable -update")
	}
}

// TestPrefixesAgreeWithSplit: ObjectPrefix, KindPrefix and cutPath, which
// index into the ARN to spare ingest the allocations of splitting it,
// give what their definitions in terms of strings.Split give, on ARNs
// made of the separators they look at, cut and spliced at random.
func TestPrefixesAgreeWithSplit(t *testing.T) {
	objectPrefix := func(arn string, depth int) string {
		rest, ok := strings.CutPrefix(arn, "arn:")
		if !ok {
			return arn
		}
		parts := strings.SplitN(rest, ":", 5)
		if len(parts) != 5 || parts[1] != "s3" || parts[2] != "" || parts[3] != "" {
			return arn
		}
		bucket, key, ok := strings.Cut(parts[4], "/")
		if !ok || key == "" {
			return arn
		}
		segs := strings.Split(key, "/")
		if len(segs) <= depth {
			return arn
		}
		return "arn:" + strings.Join(parts[:4], ":") + ":" + bucket + "/" + strings.Join(segs[:depth], "/") + "/*"
	}
	kindPrefix := func(arn string) string {
		rest, ok := strings.CutPrefix(arn, "arn:")
		if !ok {
			return ""
		}
		parts := strings.SplitN(rest, ":", 5)
		if len(parts) != 5 {
			return ""
		}
		res := parts[4]
		i := strings.IndexAny(res, "/:")
		if parts[1] == "s3" && parts[3] == "" {
			j := strings.IndexByte(res, '/')
			if j < 0 {
				return "arn:" + strings.Join(parts[:4], ":") + ":"
			}
			i = j
		}
		if i < 0 {
			return ""
		}
		return "arn:" + strings.Join(parts[:4], ":") + ":" + res[:i+1]
	}
	cutPathSplit := func(v string) string {
		segs := strings.Split(v, "/")
		for i, s := range segs {
			if j := strings.IndexAny(s, "*?"); j >= 0 {
				if stableLen(s[:j], true) == j {
					return v
				}
			} else if !mintedSegment(s) {
				continue
			}
			if i == 0 {
				return "*"
			}
			return strings.Join(segs[:i], "/") + "/*"
		}
		return v
	}
	seeds := []string{"arn:aws:s3:::b/a/b/c.csv", "arn:aws:s3:::b", "arn:aws:s3:::b/", "arn:aws:s3:::b//x", "arn:aws:s3:::b/k",
		"arn:aws:dynamodb:us-east-1:1:table/t/index/i", "arn:aws:logs:r:1:log-group:g:log-stream:s", "arn:aws:sqs:r:1:q",
		"arn:aws:s3:r:1:accesspoint/ap/object/k/1", "arn:aws:ec2:r:1:instance/i-0123456789abcdef0", "arn:", "arn:aws", "x/y",
		"data/2026/01/02/part-0001.csv", "logs/app/*", "a/b1?/c", "2025/x", "/", "//", "a/", "/a", ""}
	rng := rand.New(rand.NewPCG(3, 4))
	arns := append([]string(nil), seeds...)
	for range 20000 {
		a, b := seeds[rng.IntN(len(seeds))], arns[rng.IntN(len(arns))]
		i, j := rng.IntN(len(a)+1), rng.IntN(len(b)+1)
		arns = append(arns, a[:i]+b[j:])
	}
	for _, arn := range arns {
		for depth := 0; depth <= 3; depth++ {
			if got, want := ObjectPrefix(arn, depth), objectPrefix(arn, depth); got != want {
				t.Fatalf("ObjectPrefix(%q, %d) = %q, want %q", arn, depth, got, want)
			}
		}
		if got, want := KindPrefix(arn), kindPrefix(arn); got != want {
			t.Fatalf("KindPrefix(%q) = %q, want %q", arn, got, want)
		}
		if got, want := cutPath(arn), cutPathSplit(arn); got != want {
			t.Fatalf("cutPath(%q) = %q, want %q", arn, got, want)
		}
	}
}
