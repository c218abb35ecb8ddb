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

func TestLoadDirFixture(t *testing.T) {
	c := loadFixture(t)
	if diff := cmp.Diff([]string{"iam", "s3", "sqs"}, c.Services()); diff != "" {
		t.Errorf("Services() mismatch (-want +got):\n%s", diff)
	}
	wantActions := []string{
		"iam:AttachRolePolicy", "iam:GetRole", "iam:ListRoles", "iam:PassRole", "iam:TagRole",
		"s3:GetBucketPolicy", "s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:ListAllMyBuckets",
		"s3:ListBucket", "s3:PutBucketPolicy", "s3:PutObject", "s3:PutObjectTagging",
		"sqs:ListQueues", "sqs:ReceiveMessage", "sqs:SendMessage",
	}
	if diff := cmp.Diff(wantActions, c.Actions()); diff != "" {
		t.Errorf("Actions() mismatch (-want +got):\n%s", diff)
	}
	v := c.Version()
	abs, _ := filepath.Abs(fixtureDir)
	if v.Source != abs {
		t.Errorf("Version().Source = %q, want %q", v.Source, abs)
	}
	if v.Services != 3 || v.Actions != len(wantActions) {
		t.Errorf("Version() counts = %d services, %d actions; want 3, %d", v.Services, v.Actions, len(wantActions))
	}
	if !strings.HasPrefix(v.Digest, "sha256:") || len(v.Digest) != len("sha256:")+64 {
		t.Errorf("Version().Digest = %q, want sha256:<64 hex>", v.Digest)
	}
	if v.FetchedAt.IsZero() || v.ID != 0 {
		t.Errorf("Version() = %+v, want a fetch time and ID 0", v)
	}
}

func TestAction(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"s3:GetObject", "s3:GetObject", true},
		{"S3:getobject", "s3:GetObject", true},
		{"IAM:PASSROLE", "iam:PassRole", true},
		{"s3:GetObjec", "", false},
		{"s3:Get*", "", false},
		{"ec2:DescribeInstances", "", false},
		{"GetObject", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := c.Action(tc.in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Action(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestHasService(t *testing.T) {
	c := loadFixture(t)
	for in, want := range map[string]bool{"s3": true, "S3": true, "sqs": true, "ec2": false, "": false, "s3:": false} {
		if got := c.HasService(in); got != want {
			t.Errorf("HasService(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestAccessLevel(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		action string
		want   AccessLevel
	}{
		{"s3:GetObject", Read},
		{"s3:ListBucket", List},
		{"s3:ListAllMyBuckets", List},
		{"s3:PutObject", Write},
		{"s3:PutObjectTagging", Tagging},              // IsWrite and IsTaggingOnly
		{"s3:PutBucketPolicy", PermissionsManagement}, // IsWrite and IsPermissionManagement
		{"iam:tagrole", Tagging},
		{"sqs:ReceiveMessage", Read},
		{"s3:Nope", ""},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			if got := c.AccessLevel(tc.action); got != tc.want {
				t.Errorf("AccessLevel(%q) = %q, want %q", tc.action, got, tc.want)
			}
		})
	}
}

func TestActionInfo(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		action string
		want   ActionInfo
		wantOK bool
	}{
		{
			action: "S3:GETOBJECT",
			want: ActionInfo{
				Name: "s3:GetObject", Service: "s3", AccessLevel: Read,
				Resources:     []ActionResource{{Name: "object", ARNFormats: []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"}}},
				ConditionKeys: []string{"s3:ResourceAccount", "s3:TlsVersion"},
			},
			wantOK: true,
		},
		{
			action: "iam:PassRole",
			want: ActionInfo{
				Name: "iam:PassRole", Service: "iam", AccessLevel: Write,
				Resources:     []ActionResource{{Name: "role", ARNFormats: []string{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}}},
				ConditionKeys: []string{"iam:AssociatedResourceArn", "iam:PassedToService"},
			},
			wantOK: true,
		},
		{
			action: "s3:ListAllMyBuckets",
			want:   ActionInfo{Name: "s3:ListAllMyBuckets", Service: "s3", AccessLevel: List},
			wantOK: true,
		},
		{action: "s3:Nope"},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			got, ok := c.ActionInfo(tc.action)
			if ok != tc.wantOK {
				t.Fatalf("ActionInfo(%q) ok = %v, want %v", tc.action, ok, tc.wantOK)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ActionInfo(%q) mismatch (-want +got):\n%s", tc.action, diff)
			}
		})
	}
}

func TestSupportsResourceLevel(t *testing.T) {
	c := loadFixture(t)
	for in, want := range map[string]bool{
		"s3:GetObject":        true,
		"s3:ListAllMyBuckets": false,
		"sqs:ListQueues":      false,
		"sqs:SendMessage":     true,
		"s3:Nope":             false,
	} {
		if got := c.SupportsResourceLevel(in); got != want {
			t.Errorf("SupportsResourceLevel(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestResourceARNFormats(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		service, rt string
		want        []string
	}{
		{"s3", "bucket", []string{"arn:${Partition}:s3:::${BucketName}"}},
		{"S3", "OBJECT", []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"}},
		{"sqs", "queue", []string{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"}},
		{"s3", "queue", nil},
		{"ec2", "instance", nil},
	}
	for _, tc := range tests {
		t.Run(tc.service+"/"+tc.rt, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, c.ResourceARNFormats(tc.service, tc.rt)); diff != "" {
				t.Errorf("ResourceARNFormats(%q, %q) mismatch (-want +got):\n%s", tc.service, tc.rt, diff)
			}
		})
	}
}

func TestConditionKeys(t *testing.T) {
	c := loadFixture(t)
	want := []ConditionKey{
		{Name: "s3:ResourceAccount", Types: []string{"String"}},
		{Name: "s3:TlsVersion", Types: []string{"Numeric"}},
		{Name: "s3:x-amz-acl", Types: []string{"String"}},
	}
	if diff := cmp.Diff(want, c.ConditionKeys("s3")); diff != "" {
		t.Errorf("ConditionKeys(s3) mismatch (-want +got):\n%s", diff)
	}
	if got := c.ConditionKeys("sqs"); len(got) != 0 {
		t.Errorf("ConditionKeys(sqs) = %v, want none", got)
	}
}

func TestOperationActions(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		service, op string
		want        []string
	}{
		// Cross-service names are kept as published; known ones canonical.
		{"s3", "GetObject", []string{"s3:GetObject", "s3-object-lambda:GetObject", "s3:GetObjectTagging"}},
		{"S3", "getobject", []string{"s3:GetObject", "s3-object-lambda:GetObject", "s3:GetObjectTagging"}},
		// "S3"/"putobject" in the document is canonicalized.
		{"s3", "PutObject", []string{"s3:PutObject", "s3:PutObjectTagging", "kms:Encrypt"}},
		{"s3", "ListBuckets", []string{"s3:ListAllMyBuckets"}},
		// Published without AuthorizedActions.
		{"s3", "WriteGetObjectResponse", nil},
		{"s3", "NoSuchOperation", nil},
		// iam publishes no Operations in the fixture.
		{"iam", "GetRole", nil},
		{"ec2", "DescribeInstances", nil},
	}
	for _, tc := range tests {
		t.Run(tc.service+"/"+tc.op, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, c.OperationActions(tc.service, tc.op)); diff != "" {
				t.Errorf("OperationActions(%q, %q) mismatch (-want +got):\n%s", tc.service, tc.op, diff)
			}
		})
	}
	if !c.HasOperations("s3") || c.HasOperations("iam") {
		t.Errorf("HasOperations(s3, iam) = %v, %v; want true, false", c.HasOperations("s3"), c.HasOperations("iam"))
	}
}

func TestNilCatalog(t *testing.T) {
	var c *Catalog
	if got := c.Expand("s3:*"); got != nil {
		t.Errorf("nil.Expand = %v, want nil", got)
	}
	if _, ok := c.Action("s3:GetObject"); ok {
		t.Error("nil.Action ok = true, want false")
	}
	if c.HasService("s3") || c.AccessLevel("s3:GetObject") != "" || c.Count("*") != 0 ||
		c.Services() != nil || c.Actions() != nil || c.OperationActions("s3", "GetObject") != nil ||
		c.SupportsResourceLevel("s3:GetObject") || c.Version() != (Version{}) {
		t.Error("nil catalog answered as if it held something")
	}
}

func TestParseErrors(t *testing.T) {
	good := readFixtureDocs(t)
	tests := []struct {
		name string
		docs map[string][]byte
		want []string // substrings, in order
	}{
		{
			name: "bad json",
			docs: map[string][]byte{"x.json": []byte(`{"Name": "x", "Actions": [`)},
			want: []string{"x.json: decode:"},
		},
		{
			name: "no name",
			docs: map[string][]byte{"x.json": []byte(`{"Actions": []}`)},
			want: []string{"x.json: no service Name"},
		},
		{
			name: "bad prefix",
			docs: map[string][]byte{"x.json": []byte(`{"Name": "S3 Bucket"}`)},
			want: []string{`x.json: service Name "S3 Bucket" is not a service prefix`},
		},
		{
			name: "action name with wildcard",
			docs: map[string][]byte{"x.json": []byte(`{"Name": "x", "Actions": [{"Name": "Get*"}]}`)},
			want: []string{`x.json: entry Actions[0]: action Name "Get*"`},
		},
		{
			name: "duplicate action differing in case",
			docs: map[string][]byte{"x.json": []byte(`{"Name": "x", "Actions": [{"Name": "GetThing"}, {"Name": "Getthing"}]}`)},
			want: []string{"service x: action", "defined twice"},
		},
		{
			name: "duplicate service",
			docs: map[string][]byte{"a.json": good["s3.json"], "b.json": good["s3.json"]},
			want: []string{`b.json: service "s3" already defined in a.json`},
		},
		{
			name: "every bad document is reported, in name order",
			docs: map[string][]byte{
				"b.json":  []byte(`{"Actions": []}`),
				"s3.json": good["s3.json"],
				"a.json":  []byte(`not json`),
			},
			want: []string{"a.json: decode:", "b.json: no service Name"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.docs)
			if err == nil {
				t.Fatalf("Parse() = %v services, want an error", c.Version().Services)
			}
			msg := err.Error()
			pos := 0
			for _, w := range tc.want {
				i := strings.Index(msg[pos:], w)
				if i < 0 {
					t.Fatalf("Parse() error = %q, want it to contain %q (after offset %d)", msg, w, pos)
				}
				pos += i + len(w)
			}
		})
	}
}

func TestParseSkipsServiceList(t *testing.T) {
	docs := readFixtureDocs(t)
	list, err := os.ReadFile(filepath.Join(fixtureDir, ServiceListFile))
	if err != nil {
		t.Fatal(err)
	}
	docs[ServiceListFile] = list
	c, err := Parse(docs)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := c.Version().Services; got != 3 {
		t.Errorf("Parse() services = %d, want 3", got)
	}
}

func TestLoadDirErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{
			name: "listed document missing",
			setup: func(t *testing.T, dir string) {
				must(t, os.Remove(filepath.Join(dir, "sqs.json")))
			},
			want: "sqs.json: no such file",
		},
		{
			name: "list and document disagree",
			setup: func(t *testing.T, dir string) {
				must(t, os.WriteFile(filepath.Join(dir, ServiceListFile),
					[]byte(`[{"service":"iam","url":"iam.json"},{"service":"sns","url":"s3.json"}]`), 0o644))
			},
			want: `service list says "sns", document says "s3"`,
		},
		{
			name: "list url escapes the directory",
			setup: func(t *testing.T, dir string) {
				must(t, os.WriteFile(filepath.Join(dir, ServiceListFile),
					[]byte(`[{"service":"iam","url":"../iam.txt"}]`), 0o644))
			},
			want: `does not name a .json document`,
		},
		{
			name: "empty directory",
			setup: func(t *testing.T, dir string) {
				ents, _ := os.ReadDir(dir)
				for _, e := range ents {
					must(t, os.Remove(filepath.Join(dir, e.Name())))
				}
			},
			want: "no service documents",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, fixtureDir)
			tc.setup(t, dir)
			_, err := LoadDir(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadDir() error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadDirWithoutServiceList(t *testing.T) {
	withList := loadFixture(t)
	dir := copyDir(t, fixtureDir)
	must(t, os.Remove(filepath.Join(dir, ServiceListFile)))
	// Hidden files (the update cache's state) are not documents.
	must(t, os.WriteFile(filepath.Join(dir, ".state.json"), []byte(`{}`), 0o644))
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir without service list: %v", err)
	}
	if got, want := c.Version().Digest, withList.Version().Digest; got != want {
		t.Errorf("digest without list = %s, want %s (same content)", got, want)
	}
}

func TestDigest(t *testing.T) {
	docs := readFixtureDocs(t)
	base, err := Parse(docs)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		edit     func(map[string][]byte)
		wantSame bool
	}{
		{"identical", func(map[string][]byte) {}, true},
		{"renamed files", func(d map[string][]byte) { d["zz.json"] = d["s3.json"]; delete(d, "s3.json") }, true},
		{"reindented", func(d map[string][]byte) {
			d["sqs.json"] = []byte(strings.ReplaceAll(string(d["sqs.json"]), "\n", "\n    "))
		}, true},
		{"fields we do not keep", func(d map[string][]byte) {
			d["sqs.json"] = []byte(strings.Replace(string(d["sqs.json"]), `"Name": "ListQueues",`, `"Name": "ListQueues", "SupportedBy": {"IAM Access Analyzer Policy Generation": true},`, 1))
		}, true},
		{"last-accessed tracking changed", func(d map[string][]byte) {
			d["sqs.json"] = []byte(strings.Replace(string(d["sqs.json"]), `"Name": "ListQueues",`, `"Name": "ListQueues", "SupportedBy": {"IAM Action Last Accessed": true},`, 1))
		}, false},
		{"every list reversed", func(d map[string][]byte) {
			for k, v := range d {
				d[k] = reverseLists(t, v)
			}
		}, true},
		{"action renamed", func(d map[string][]byte) {
			d["sqs.json"] = []byte(strings.Replace(string(d["sqs.json"]), `"SendMessage"`, `"SendMessageBatch"`, 1))
		}, false},
		{"access level changed", func(d map[string][]byte) {
			d["sqs.json"] = []byte(strings.Replace(string(d["sqs.json"]), `"IsList": true`, `"IsList": false`, 1))
		}, false},
		{"service dropped", func(d map[string][]byte) { delete(d, "sqs.json") }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := make(map[string][]byte, len(docs))
			for k, v := range docs {
				d[k] = v
			}
			tc.edit(d)
			c, err := Parse(d)
			if err != nil {
				t.Fatal(err)
			}
			if same := c.Version().Digest == base.Version().Digest; same != tc.wantSame {
				t.Errorf("digest same = %v, want %v", same, tc.wantSame)
			}
		})
	}
}

// reverseLists reverses the top-level arrays of a service document.
func reverseLists(t *testing.T, doc []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Actions", "Resources", "ConditionKeys", "Operations"} {
		if l, ok := m[k].([]any); ok {
			slices.Reverse(l)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExpand(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		pattern string
		want    []string
	}{
		{"s3:*", []string{"s3:GetBucketPolicy", "s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:PutBucketPolicy", "s3:PutObject", "s3:PutObjectTagging"}},
		{"S3:GETOBJECT*", []string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging"}},
		{"s3:getobject", []string{"s3:GetObject"}},
		{"s3:Get?bject", []string{"s3:GetObject"}},
		{"s3:?etObject", []string{"s3:GetObject"}},
		{"s3:GetObject?", nil},
		{"s3:GetObject??*", []string{"s3:GetObjectAcl", "s3:GetObjectTagging"}},
		{"s3:*Tagging", []string{"s3:GetObjectTagging", "s3:PutObjectTagging"}},
		{"s3:Get*Acl", []string{"s3:GetObjectAcl"}},
		{"s3:*Object*", []string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging"}},
		{"s3:*Bucket*", []string{"s3:GetBucketPolicy", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:PutBucketPolicy"}},
		{"sqs:*message", []string{"sqs:ReceiveMessage", "sqs:SendMessage"}},
		{"*:List*", []string{"iam:ListRoles", "s3:ListAllMyBuckets", "s3:ListBucket", "sqs:ListQueues"}},
		{"s*:List*", []string{"s3:ListAllMyBuckets", "s3:ListBucket", "sqs:ListQueues"}},
		{"s??:list*", []string{"sqs:ListQueues"}},
		{"?am:*Role", []string{"iam:GetRole", "iam:PassRole", "iam:TagRole"}},
		{"*:PassRole", []string{"iam:PassRole"}},
		{"s3*", []string{"s3:GetBucketPolicy", "s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:PutBucketPolicy", "s3:PutObject", "s3:PutObjectTagging"}},
		{"*Role", []string{"iam:GetRole", "iam:PassRole", "iam:TagRole"}},
		// Unknown or empty.
		{"s3:GetObjec", nil},
		{"s3:Nope*", nil},
		{"ec2:*", nil},
		{"ec2:Describe*", nil},
		{"*:Describe*", nil},
		{"", nil},
		{"s3:", nil},
		{"s3", nil},
		{"s3:*:*", nil},
		{":*", nil},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			got := c.Expand(tc.pattern)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Expand(%q) mismatch (-want +got):\n%s", tc.pattern, diff)
			}
			if n := c.Count(tc.pattern); n != len(tc.want) {
				t.Errorf("Count(%q) = %d, want %d", tc.pattern, n, len(tc.want))
			}
		})
	}
	t.Run("*", func(t *testing.T) {
		if diff := cmp.Diff(c.Actions(), c.Expand("*")); diff != "" {
			t.Errorf("Expand(*) mismatch with Actions() (-want +got):\n%s", diff)
		}
	})
}

func TestExpandReturnsACopy(t *testing.T) {
	c := loadFixture(t)
	for _, p := range []string{"*", "s3:*", "s3:Get*", "s3:GetObject"} {
		first := c.Expand(p)
		want := slices.Clone(first)
		for i := range first {
			first[i] = "mutated"
		}
		if diff := cmp.Diff(want, c.Expand(p)); diff != "" {
			t.Errorf("Expand(%q) after mutating an earlier result (-want +got):\n%s", p, diff)
		}
	}
	all := c.Actions()
	all[0] = "mutated"
	if c.Actions()[0] == "mutated" {
		t.Error("Actions() shares its slice")
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"?", "", false},
		{"?", "a", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyyd", false},
		{"*abab", "abababab", true},
		{"*aab", "aaaaab", true},
		{"a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"s3:get*", "s3:getobject", true},
		{"S3:GET*", "s3:GetObject", true}, // via Match, which folds case
		{"s3:*object", "s3:getobjectacl", false},
		{"**", "x", true},
		{"?*?", "ab", true},
		{"?*?", "a", false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			if got := Match(tc.pattern, tc.s); got != tc.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}

func TestExpandConcurrent(t *testing.T) {
	c := loadFixture(t)
	patterns := []string{"*", "s3:*", "s3:Get*", "*:List*", "iam:PassRole", "sqs:*Message", "nope:*"}
	want := make(map[string][]string, len(patterns))
	for _, p := range patterns {
		want[p] = c.expand(strings.ToLower(p))
	}
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				p := patterns[(g+i)%len(patterns)]
				if got := c.Expand(p); !slices.Equal(got, want[p]) {
					t.Errorf("Expand(%q) = %v, want %v", p, got, want[p])
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}
