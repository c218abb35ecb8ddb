package cloudtrail

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStripVersion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ListFunctions20150331", "ListFunctions"},
		{"GetFunction20150331v2", "GetFunction"},
		{"UpdateFunctionConfiguration20150331v2", "UpdateFunctionConfiguration"},
		{"ListTags20170331", "ListTags"},
		{"UpdateDistribution2017_03_25", "UpdateDistribution"},
		{"CreateInvalidation2019_03_26", "CreateInvalidation"},
		{"ListObjectsV2", "ListObjectsV2"},
		{"DescribeInstances", "DescribeInstances"},
		{"Ec2v2", "Ec2v2"},
		{"20150331", "20150331"},
		{"X12345678", "X12345678"}, // not a date
		{"", ""},
	}
	for _, tc := range tests {
		if got := stripVersion(tc.in); got != tc.want {
			t.Errorf("stripVersion(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPrefixOf(t *testing.T) {
	m := NewMapper(nil)
	tests := []struct{ in, want string }{
		{"s3.amazonaws.com", "s3"},
		{"monitoring.amazonaws.com", "cloudwatch"},
		{"streams.dynamodb.amazonaws.com", "dynamodb"},
		{"runtime.sagemaker.amazonaws.com", "sagemaker"},
		{"ec2-instance-connect.amazonaws.com", "ec2-instance-connect"},
		{"tagging.amazonaws.com", "tag"},
		{"Evil Source", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := m.prefixOf(tc.in); got != tc.want {
			t.Errorf("prefixOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUserAgentClass(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"", ""},
		{"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 botocore/2.0", UACLI},
		{"[aws-cli/1.16.19 Python/2.7.10 Darwin/18.2.0 botocore/1.12.9]", UACLI},
		{"Boto3/1.34.0 md/Botocore#1.34.0", UASDKPython},
		{"aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.1", UASDKGo},
		{"aws-sdk-go/1.44.0 (go1.20; linux; amd64)", UASDKGo},
		{"APN/1.0 HashiCorp/1.0 Terraform/1.7.0 terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.2", UATerraform},
		{"aws-sdk-java/1.12.500 Linux/5.10", UASDKJava},
		{"aws-sdk-js/3.400.0", UASDKJS},
		{"console.amazonaws.com", UAConsole},
		{"[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_1)]", UAConsole},
		{"cloudformation.amazonaws.com", UACloudFormation},
		{"lambda.amazonaws.com", UAService},
		{"AWS Internal", UAService},
		{"stratus-red-team_bdd216cd", UAOther},
	}
	for _, tc := range tests {
		if got := userAgentClass([]byte(tc.ua)); got != tc.want {
			t.Errorf("userAgentClass(%q) = %q, want %q", tc.ua, got, tc.want)
		}
	}
}

func TestMapWithoutCatalog(t *testing.T) {
	m := NewMapper(nil)
	tests := []struct {
		source, name string
		kind         MappingKind
		actions      []string
	}{
		{"s3.amazonaws.com", "ListObjects", Mapped, []string{"s3:ListBucket"}},
		{"s3.amazonaws.com", "ListObjectsV2", Mapped, []string{"s3:ListBucket"}},
		{"s3.amazonaws.com", "HeadObject", Mapped, []string{"s3:GetObject"}},
		{"s3.amazonaws.com", "DeleteBucketCors", Mapped, []string{"s3:PutBucketCORS"}},
		{"lambda.amazonaws.com", "Invoke", Mapped, []string{"lambda:InvokeFunction"}},
		{"lambda.amazonaws.com", "ListVersionsByFunction20150331", Mapped, []string{"lambda:ListVersionsByFunction"}},
		{"kms.amazonaws.com", "ReEncrypt", Mapped, []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
		{"monitoring.amazonaws.com", "GetMetricData", Mapped, []string{"cloudwatch:GetMetricData"}},
		{"sqs.amazonaws.com", "SendMessageBatch", Mapped, []string{"sqs:SendMessage"}},
		{"budgets.amazonaws.com", "DescribeBudgets", Mapped, []string{"budgets:ViewBudget"}},
		{"ec2.amazonaws.com", "RunInstances", Mapped, []string{"ec2:RunInstances"}},
		{"apigateway.amazonaws.com", "DeleteRestApi", Mapped, []string{"apigateway:DELETE"}},
		{"sts.amazonaws.com", "GetCallerIdentity", Permissionless, nil},
		{"sts.amazonaws.com", "GetSessionToken", Permissionless, nil},
		{"signin.amazonaws.com", "ConsoleLogin", Permissionless, nil},
		{"dynamodb.amazonaws.com", "DescribeEndpoints", Permissionless, nil},
		// Request-dependent: Map cannot decide, Normalize does.
		{"dynamodb.amazonaws.com", "ExecuteStatement", Unmapped, nil},
		{"bad source", "X", Unmapped, nil},
		{"s3.amazonaws.com", "Get Object", Unmapped, nil},
	}
	for _, tc := range tests {
		t.Run(tc.source+"/"+tc.name, func(t *testing.T) {
			got := m.Map(tc.source, tc.name)
			if got.Kind != tc.kind {
				t.Errorf("Kind = %v, want %v (rule %q)", got.Kind, tc.kind, got.Rule)
			}
			if diff := cmp.Diff(tc.actions, nilIfNone(got.Actions)); diff != "" {
				t.Errorf("Actions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapWithCatalog(t *testing.T) {
	m := NewMapper(testCatalog(t))
	tests := []struct {
		source, name string
		kind         MappingKind
		actions      []string
		rule         string // substring
	}{
		{"s3.amazonaws.com", "ListObjects", Mapped, []string{"s3:ListBucket"}, "exception"},
		{"s3.amazonaws.com", "GetBucketCors", Mapped, []string{"s3:GetBucketCORS"}, "exception"},
		// CloudTrail logs the REST name, not the SDK's DeletePublicAccessBlock.
		{"s3.amazonaws.com", "DeleteBucketPublicAccessBlock", Mapped, []string{"s3:PutBucketPublicAccessBlock"}, "exception"},
		{"s3.amazonaws.com", "GetBucketObjectLockConfiguration", Mapped, []string{"s3:GetBucketObjectLockConfiguration"}, ""},
		{"s3.amazonaws.com", "PutBucketObjectLockConfiguration", Mapped, []string{"s3:PutBucketObjectLockConfiguration"}, ""},
		{"s3.amazonaws.com", "getobject", Mapped, []string{"s3:GetObject"}, "catalog action"}, // canonical casing
		{"lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", Mapped, []string{"lambda:UpdateFunctionConfiguration"}, "catalog action"},
		{"ec2.amazonaws.com", "DescribeInstances", Mapped, []string{"ec2:DescribeInstances"}, "catalog action"},
		{"monitoring.amazonaws.com", "PutMetricData", Mapped, []string{"cloudwatch:PutMetricData"}, "catalog action"},
		{"glue.amazonaws.com", "GetColumnStatisticsForTable", Mapped, []string{"glue:GetTable"}, "exception"},
		// Decided by AWS's published Operations: one action of the service.
		{"sns.amazonaws.com", "PublishBatch", Mapped, []string{"sns:Publish"}, ""},
		{"glue.amazonaws.com", "BatchGetDataQualityResult", Mapped, []string{"glue:GetDataQualityResult"}, ""},
		{"madeup.amazonaws.com", "DoThing", Unmapped, nil, "no service madeup"},
		{"s3.amazonaws.com", "NoSuchOperation", Unmapped, nil, "no action s3:NoSuchOperation"},
		{"cloudtrail.amazonaws.com", "ListInsightsMetricData", Unmapped, nil, "several actions"},
		{"sts.amazonaws.com", "GetCallerIdentity", Permissionless, nil, "permissionless"},
	}
	for _, tc := range tests {
		t.Run(tc.source+"/"+tc.name, func(t *testing.T) {
			got := m.Map(tc.source, tc.name)
			if got.Kind != tc.kind || !strings.Contains(got.Rule, tc.rule) {
				t.Errorf("Kind, Rule = %v, %q; want %v, containing %q", got.Kind, got.Rule, tc.kind, tc.rule)
			}
			if diff := cmp.Diff(tc.actions, nilIfNone(got.Actions)); diff != "" {
				t.Errorf("Actions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMapOperationsFallback checks the rule that uses the catalog's
// Operations when the event name is not itself an action: for every such
// operation with exactly one action of its own service, Map picks it.
func TestMapOperationsFallback(t *testing.T) {
	cat := testCatalog(t)
	m := NewMapper(cat)
	n := 0
	for _, svc := range cat.Services() {
		if !cat.HasOperations(svc) {
			continue
		}
		for _, op := range []string{"PublishBatch", "SendMessageBatch", "TransactGetItems", "GetLayerVersionByArn"} {
			acts := cat.OperationActions(svc, op)
			if acts == nil {
				continue
			}
			n++
			var own []string
			for _, a := range acts {
				if strings.HasPrefix(a, svc+":") {
					own = appendUnique(own, a)
				}
			}
			got := m.Map(svc+".amazonaws.com", op)
			if len(own) == 1 && (got.Kind != Mapped || len(got.Actions) != 1 || got.Actions[0] != own[0]) {
				t.Errorf("%s %s: got %v %v, want %v", svc, op, got.Kind, got.Actions, own)
			}
		}
	}
	if n == 0 {
		t.Fatal("no operations found in the catalog")
	}
}

// TestExceptionsAgainstCatalog checks every entry of the reviewed tables
// against the catalog: the catalog decides what exists.
func TestExceptionsAgainstCatalog(t *testing.T) {
	cat := testCatalog(t)
	seen := map[string]bool{}
	for _, e := range exceptions() {
		k := e.source + " " + e.event
		if seen[k] {
			t.Errorf("duplicate exception %s", k)
		}
		seen[k] = true
		if e.reason == "" {
			t.Errorf("exception %s has no reason", k)
		}
		for _, a := range e.actions {
			if c, ok := cat.Action(a); !ok {
				t.Errorf("exception %s: catalog has no action %s", k, a)
			} else if c != a {
				t.Errorf("exception %s: %s is spelled %s in the catalog", k, a, c)
			}
		}
		if cat.HasOperations(strings.TrimSuffix(e.source, ".amazonaws.com")) {
			// A table entry must not contradict AWS's Operations outright:
			// each action it names is one AWS lists, or the operation is
			// unpublished, or the reason says why.
			ops := cat.OperationActions(strings.TrimSuffix(e.source, ".amazonaws.com"), e.event)
			for _, a := range e.actions {
				if ops != nil && !contains(ops, a) && !strings.Contains(e.reason, "API ref") && !strings.Contains(e.reason, "iam-dataset") {
					t.Errorf("exception %s: %s is not among the operation's AuthorizedActions %v and the reason cites no other source", k, a, ops)
				}
			}
		}
	}
	for _, p := range sourcePrefixes() {
		if !cat.HasService(p.prefix) {
			t.Errorf("source %s: catalog has no service %s", p.source, p.prefix)
		}
	}
	for _, p := range permissionlessCalls() {
		if p.reason == "" {
			t.Errorf("permissionless %s %s has no reason", p.source, p.event)
		}
	}
	if _, ok := cat.Action("iam:PassRole"); !ok {
		t.Error("catalog has no iam:PassRole")
	}
}

// knownDisagreements are rows of ../shared/data/mappings where we
// deliberately differ from a peer, each with why.
var knownDisagreements = map[string]string{
	"dynamodb.amazonaws.com RestoreTableToPointInTime": "SAR lists the data-plane actions a restore touches but not dynamodb:RestoreTableToPointInTime itself, which exists and is required",
	"s3.amazonaws.com GetObjectTorrent":                "s3:GetObjectTorrent exists; SAR lists s3:GetObject only",
	"mediapackage.amazonaws.com ConfigureLogs":         "mediapackage:ConfigureLogs exists in the catalog; iam-dataset's UpdateChannel predates it",
	"cloudtrail.amazonaws.com ListInsightsMetricData":  "SAR lists two candidate actions; we do not guess (kept as Unmapped)",
	"ecr.amazonaws.com ListImageReferrers":             "SAR lists three candidate actions; we do not guess (kept as Unmapped)",
	"iam.amazonaws.com AcquireRole":                    "SAR lists seven candidate actions; we do not guess (kept as Unmapped)",
	"lambda.amazonaws.com AddEventSource":              "deprecated API with no lambda: action; SAR lists only iam:PassRole",
	"glue.amazonaws.com BatchUpdatePartition":          "glue:BatchUpdatePartition exists and SAR maps the operation to it; iam-dataset says UpdatePartition",
	"lex.amazonaws.com *":                              "iam-dataset maps Lex V2 SDK calls to V1 action names (PutBot...); the V2 actions (lex:CreateBot...) exist",
	"s3-control.amazonaws.com *":                       "event source inferred by iam-dataset from the SDK name; S3 Control calls are logged under s3.amazonaws.com",
}

func disagreementReason(src, ev string) (string, bool) {
	if r, ok := knownDisagreements[src+" "+ev]; ok {
		return r, true
	}
	r, ok := knownDisagreements[src+" *"]
	return r, ok
}

// TestSharedMappingsAgreement compares the mapper with the peer tables in
// ../shared/data/mappings wherever the catalog confirms the peer's action
// exists: our action must be one of theirs, unless the row is a reviewed,
// documented disagreement.
func TestSharedMappingsAgreement(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "mappings")
	cat := testCatalog(t)
	m := NewMapper(cat)

	t.Run("eventname", func(t *testing.T) {
		rows := readCSV(t, filepath.Join(dir, "eventname_to_iam_actions_nontrivial.csv"))
		agree, known, skipped := 0, 0, 0
		for _, r := range rows {
			src := strings.TrimSuffix(r["eventSource"], "*") // "*": inferred from the service prefix
			ev, acts := r["eventName_or_operation"], r["iam_actions"]
			if src == "" || strings.ContainsAny(src+ev, "<*") {
				skipped++ // pattern rows (version suffixes, API Gateway)
				continue
			}
			var valid []string
			for _, a := range strings.Split(acts, ";") {
				if c, ok := cat.Action(a); ok {
					valid = append(valid, c)
				}
			}
			got := mapRequestDependent(t, m, src, ev)
			if len(valid) == 0 {
				if acts == "" && got.Kind == Permissionless {
					agree++
				} else {
					skipped++ // the peer names no action the catalog has
				}
				continue
			}
			ok := false
			for _, a := range got.Actions {
				ok = ok || contains(valid, a)
			}
			switch _, isKnown := disagreementReason(src, ev); {
			case ok:
				agree++
			case isKnown:
				known++
			default:
				t.Errorf("%s %s: we map to %v (%s); %s says %v", src, ev, got.Actions, got.Rule, strings.SplitN(r["source"], "@", 2)[0], valid)
			}
		}
		t.Logf("event names: %d agree, %d reviewed disagreements, %d rows not comparable", agree, known, skipped)
	})

	t.Run("eventsource", func(t *testing.T) {
		for _, r := range readCSV(t, filepath.Join(dir, "eventsource_to_iam_prefix_nontrivial.csv")) {
			want := r["iam_prefix"]
			if !cat.HasService(want) {
				continue
			}
			if got := m.prefixOf(r["eventSource"]); got != want {
				t.Errorf("prefix of %s = %q, peers say %q", r["eventSource"], got, want)
			}
		}
	})

	t.Run("permissionless", func(t *testing.T) {
		for _, r := range readCSV(t, filepath.Join(dir, "permissionless_calls.csv")) {
			call := r["call"]
			var svc, op string
			if s, o, ok := strings.Cut(call, ":"); ok {
				svc, op = s, o
			} else if s, o, ok := strings.Cut(call, "."); ok {
				svc, op = strings.ToLower(s), o
			}
			if got := m.Map(svc+".amazonaws.com", op); got.Kind != Permissionless {
				t.Errorf("%s: Kind = %v (%s), want permissionless", call, got.Kind, got.Rule)
			}
		}
	})
}

// mapRequestDependent maps an event, resolving the request-dependent
// DynamoDB calls with a representative request.
func mapRequestDependent(t *testing.T, m *Mapper, src, ev string) Mapping {
	t.Helper()
	params := ""
	switch ev {
	case "ExecuteStatement":
		params = `{"statement":"SELECT * FROM t"}`
	case "BatchExecuteStatement":
		params = `{"statements":[{"statement":"UPDATE t SET a=1"}]}`
	case "ExecuteTransaction":
		params = `{"transactStatements":[{"statement":"DELETE FROM t WHERE a=1"}]}`
	case "TransactWriteItems":
		params = `{"transactItems":[{"update":{"tableName":"t"}}]}`
	}
	got := m.Map(src, ev)
	if params == "" || src != "dynamodb.amazonaws.com" {
		return got
	}
	raw := `{"eventID":"e","eventTime":"2025-01-01T00:00:00Z","eventSource":"` + src + `","eventName":"` + ev + `",` +
		`"userIdentity":{"type":"Root","accountId":"111122223333"},"requestParameters":` + params + `}`
	var rec Record
	if err := m.Normalize([]byte(raw), &rec); err != nil {
		t.Fatal(err)
	}
	return Mapping{Kind: rec.Mapping, Actions: rec.Actions, Rule: "request-dependent"}
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		row := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				row[h] = r[i]
			}
		}
		out = append(out, row)
	}
	return out
}

// TestSharedUnmappedRate reports, for every sample file under
// ../shared/data/cloudtrail, how many events map to nothing, with and
// without the catalog, and fails if any event is unmapped.
func TestSharedUnmappedRate(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "cloudtrail")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) == 0 {
		t.Skip("no sample files")
	}
	type mapper struct {
		name string
		m    *Mapper
	}
	mappers := []mapper{{"no catalog", NewMapper(nil)}}
	if os.Getenv("IAMTRIM_CATALOG") != "" || catalogPresent(t) {
		mappers = append(mappers, mapper{"catalog", NewMapper(testCatalog(t))})
	}
	for _, mp := range mappers {
		total, unmapped, permless := 0, 0, 0
		byName := map[string]int{}
		var lines []string
		for _, f := range files {
			_, raws, errs, err := readAll(t, f)
			if err != nil || len(errs) > 0 {
				t.Errorf("%s: %v %v", f, err, errs)
			}
			n, u := 0, 0
			for _, raw := range raws {
				var rec Record
				if err := mp.m.Normalize(raw, &rec); err != nil {
					t.Errorf("%s: %v", f, err)
					continue
				}
				n++
				switch rec.Mapping {
				case Unmapped:
					u++
					byName[rec.EventSource+" "+rec.EventName]++
				case Permissionless:
					permless++
				}
			}
			total += n
			unmapped += u
			rel, _ := filepath.Rel(dir, f)
			lines = append(lines, fmt.Sprintf("  %-90s %3d events, %d unmapped (%.1f%%)", rel, n, u, pct(u, n)))
		}
		t.Logf("%s: %d events, %d unmapped (%.2f%%), %d permissionless; per file:\n%s", mp.name, total, unmapped, pct(unmapped, total), permless, strings.Join(lines, "\n"))
		var names []string
		for k, v := range byName {
			names = append(names, fmt.Sprintf("%s ×%d", k, v))
		}
		sort.Strings(names)
		if unmapped > 0 {
			t.Errorf("%s: unmapped events in the samples: %v", mp.name, names)
		}
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

var catalogCheck sync.Once
var catalogThere bool

func catalogPresent(t *testing.T) bool {
	catalogCheck.Do(func() {
		_, err := os.Stat(filepath.Join(sharedDir(t), "catalog", "service-list.json"))
		catalogThere = err == nil
	})
	return catalogThere
}

// TestBuiltinFormatsMatchCatalog checks that the built-in ARN formats used
// without a catalog build the same ARNs as the catalog's formats.
func TestBuiltinFormatsMatchCatalog(t *testing.T) {
	cat := testCatalog(t)
	withCat, without := NewMapper(cat), NewMapper(nil)
	c := arnCtx{part: "aws", region: "us-east-1", account: "111122223333"}
	for _, f := range builtinFormats() {
		fs := cat.ResourceARNFormats(f.service, f.rtype)
		if len(fs) == 0 {
			t.Errorf("%s %s: catalog has no such resource type", f.service, f.rtype)
			continue
		}
		n := strings.Count(f.format, "${") - strings.Count(f.format, "${Partition}") - strings.Count(f.format, "${Region}") - strings.Count(f.format, "${Account}")
		vals := []string{"v1", "v2", "v3"}[:n]
		got, want := withCat.build(c, f.service, f.rtype, vals...), without.build(c, f.service, f.rtype, vals...)
		if got != want || got == "" {
			t.Errorf("%s %s: catalog format builds %q, built-in %q", f.service, f.rtype, got, want)
		}
	}
}

// TestNormalizeWithCatalog runs the testdata records through a Mapper with
// the catalog: actions come out in catalog spelling, an unknown service is
// kept as Unmapped (never dropped), and the rest maps as without a catalog.
func TestNormalizeWithCatalog(t *testing.T) {
	cat := testCatalog(t)
	m, plain := NewMapper(cat), NewMapper(nil)
	byID, order := testRecords(t)
	for _, id := range order {
		var got, want Record
		if err := m.Normalize(byID[id], &got); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if err := plain.Normalize(byID[id], &want); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if id == "unknown-type" {
			// sso:ListAccounts is an Identity Center portal call
			// (bearer-token authorized); the catalog has no such action, so
			// the naming rule's guess is overruled.
			if got.Mapping != Unmapped {
				t.Errorf("%s: Mapping %v, want Unmapped with the catalog", id, got.Mapping)
			}
			continue
		}
		if id == "unmapped-service" {
			if got.Mapping != Unmapped || len(got.Actions) != 0 || len(got.Access) != 0 {
				t.Errorf("%s: Mapping %v, Actions %v, Access %v; want Unmapped and none", id, got.Mapping, got.Actions, got.Access)
			}
			if got.EventSource != "madeup.amazonaws.com" || got.EventName != "DoThing" || got.Principal.ARN == "" {
				t.Errorf("%s: unmapped record lost its source, name or principal: %+v", id, got)
			}
			continue
		}
		for _, a := range got.Actions {
			if c, ok := cat.Action(a); !ok || c != a {
				t.Errorf("%s: action %q is not a catalog action", id, a)
			}
		}
		if diff := cmp.Diff(want.Access, got.Access); diff != "" || got.Mapping != want.Mapping {
			t.Errorf("%s: with catalog %v, without %v; Access (-without +with):\n%s", id, got.Mapping, want.Mapping, diff)
		}
	}
}
