package sample

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/sample/internal/catalogfixture"
)

const catalogDir = "../testdata/catalog"

// TestCatalogFixture checks testdata/catalog is what catalogfixture makes
// (-update rewrites it), that it covers every action the sample uses, and
// that it stays small.
func TestCatalogFixture(t *testing.T) {
	files, err := catalogfixture.Files()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for _, f := range listFiles(t, catalogDir) {
			if _, ok := files[f]; !ok {
				os.Remove(filepath.Join(catalogDir, f))
			}
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(catalogDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var names []string
	total := 0
	for name, b := range files {
		names = append(names, name)
		total += len(b)
		got, err := os.ReadFile(filepath.Join(catalogDir, name))
		if err != nil {
			t.Errorf("read testdata/catalog/%s: %v (rerun with -update)", name, err)
			continue
		}
		if !bytes.Equal(got, b) {
			t.Errorf("testdata/catalog/%s is stale; rerun with -update", name)
		}
	}
	slices.Sort(names)
	if diff := cmp.Diff(names, listFiles(t, catalogDir)); diff != "" {
		t.Errorf("testdata/catalog file list (-want +got):\n%s", diff)
	}
	if total > 300_000 {
		t.Errorf("catalog fixture is %d bytes, over 300 KB", total)
	}

	actions := map[string]catalogfixture.Action{}
	for name, b := range files {
		if name == "service-list.json" {
			continue
		}
		var s catalogfixture.Service
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, a := range s.Actions {
			actions[strings.ToLower(s.Name+":"+a.Name)] = a
		}
	}
	count := func(pattern string) int {
		n := 0
		for a := range actions {
			if glob(strings.ToLower(pattern), a, false) {
				n++
			}
		}
		return n
	}
	for pattern, atLeast := range map[string]int{"s3:*": 60, "s3:Get*": 30, "s3:List*": 6, "iam:*": 60, "iam:Get*": 15,
		"ec2:*": 50, "ec2:Describe*": 20, "lambda:*": 40, "dynamodb:*": 40, "kms:*": 40, "logs:*": 40,
		"cloudwatch:*": 30, "ssm:*": 40, "cloudformation:*": 40, "cloudtrail:*": 30, "sqs:*": 15, "sns:*": 30,
		"secretsmanager:*": 20, "sts:*": 10, "ecs:*": 25} {
		if n := count(pattern); n < atLeast {
			t.Errorf("%s expands to %d actions, want at least %d", pattern, n, atLeast)
		}
	}

	o := newOrg(DefaultRegions)
	for _, a := range o.acts {
		if a.action != "" && actions[strings.ToLower(a.action)].Name == "" {
			t.Errorf("the sample's events need %s, which the catalog lacks", a.action)
		}
	}
	var named []string
	collect := func(d *doc) {
		for _, s := range d.Statement {
			for _, v := range []any{s.Action, s.NotAction} {
				switch x := v.(type) {
				case string:
					named = append(named, x)
				case []string:
					named = append(named, x...)
				}
			}
		}
	}
	for _, p := range o.principals {
		for _, n := range p.inline {
			collect(n.doc)
		}
	}
	for _, g := range o.groups {
		for _, n := range g.inline {
			collect(n.doc)
		}
	}
	for _, p := range o.policies {
		for _, d := range p.versions {
			collect(d)
		}
	}
	for _, a := range named {
		if strings.ContainsAny(a, "*?") {
			if svc, _, _ := strings.Cut(a, ":"); a != "*" && count(a) == 0 && svc != "s3-object-lambda" && svc != "glue" {
				t.Errorf("policy pattern %s matches no catalog action", a)
			}
			continue
		}
		if actions[strings.ToLower(a)].Name == "" {
			t.Errorf("a sample policy names %s, which the catalog lacks", a)
		}
	}
}

// TestCatalogFixtureAgreesWithAWS compares the hand-written fixture with
// AWS's Service Reference in ../shared/catalog, when present: same access
// levels, resource types AWS lists, the same ARN formats.
func TestCatalogFixtureAgreesWithAWS(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "catalog")
	if _, err := os.Stat(filepath.Join(dir, "service-list.json")); err != nil {
		t.Skipf("no AWS catalog at %s (../shared not present)", dir)
	}
	files, err := catalogfixture.Files()
	if err != nil {
		t.Fatal(err)
	}
	type awsAction struct {
		Name        string
		Annotations catalogfixture.Annotations
		Resources   []catalogfixture.ResourceRef
	}
	type awsService struct {
		Actions   []awsAction
		Resources []catalogfixture.Resource
	}
	for name, b := range files {
		if name == "service-list.json" {
			continue
		}
		var ours catalogfixture.Service
		if err := json.Unmarshal(b, &ours); err != nil {
			t.Fatal(err)
		}
		var theirs awsService
		readJSON(t, filepath.Join(dir, name), &theirs, false)
		res := map[string][]string{}
		for _, r := range theirs.Resources {
			res[r.Name] = r.ARNFormats
		}
		for _, r := range ours.Resources {
			if got, ok := res[r.Name]; !ok || !cmp.Equal(got, r.ARNFormats) {
				t.Errorf("%s resource %s: ARN formats %v, AWS has %v", ours.Name, r.Name, r.ARNFormats, got)
			}
		}
		acts := map[string]awsAction{}
		for _, a := range theirs.Actions {
			acts[a.Name] = a
		}
		for _, a := range ours.Actions {
			aws, ok := acts[a.Name]
			if !ok {
				t.Errorf("%s:%s is not an AWS action", ours.Name, a.Name)
				continue
			}
			if aws.Annotations != a.Annotations {
				t.Errorf("%s:%s access level %+v, AWS says %+v", ours.Name, a.Name, a.Annotations.Properties, aws.Annotations.Properties)
			}
			for _, r := range a.Resources {
				if !slices.ContainsFunc(aws.Resources, func(x catalogfixture.ResourceRef) bool { return x.Name == r.Name }) {
					t.Errorf("%s:%s resource type %s not in AWS's list", ours.Name, a.Name, r.Name)
				}
			}
		}
	}
}
