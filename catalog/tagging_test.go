package catalog

import (
	"path/filepath"
	"testing"
)

// tagOnCreateCases hold in the bundled catalog (testdata/catalog at the
// repository root) and in the full one: the tagging action a tagged call
// needs comes from the catalog's aws:RequestTag / aws:TagKeys keys.
var tagOnCreateCases = []struct{ action, want string }{
	{"iam:CreateRole", "iam:TagRole"},
	{"iam:CreateUser", "iam:TagUser"},
	{"iam:CreatePolicy", "iam:TagPolicy"},
	{"sqs:CreateQueue", "sqs:TagQueue"},
	{"lambda:CreateFunction", "lambda:TagResource"},
	{"dynamodb:CreateTable", "dynamodb:TagResource"},
	{"sns:CreateTopic", "sns:TagResource"},
	{"secretsmanager:CreateSecret", "secretsmanager:TagResource"},
	{"logs:CreateLogGroup", "logs:TagLogGroup"}, // Tag<Thing> before TagResource
	{"kms:CreateKey", "kms:TagResource"},
	{"ssm:PutParameter", "ssm:AddTagsToResource"},
	{"ecs:RunTask", "ecs:TagResource"},
	{"ecs:RegisterTaskDefinition", "ecs:TagResource"},
	{"cloudformation:CreateStack", "cloudformation:TagResource"},
	// No tagging action: CodeBuild tags on create without one.
	{"codebuild:CreateProject", ""},
	// Takes no request tags; is a tagging action itself; unknown.
	{"s3:GetObject", ""},
	{"iam:TagRole", ""},
	{"nosuch:CreateThing", ""},
}

func TestTagOnCreateBundled(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "testdata", "catalog")
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tagOnCreateCases {
		if got := c.TagOnCreate(tc.action); got != tc.want {
			t.Errorf("TagOnCreate(%s) = %q, want %q", tc.action, got, tc.want)
		}
	}
}

func TestTagOnCreateFull(t *testing.T) {
	c, _ := loadFull(t)
	cases := append(tagOnCreateCases[:len(tagOnCreateCases):len(tagOnCreateCases)],
		struct{ action, want string }{"states:CreateStateMachine", "states:TagResource"},
		struct{ action, want string }{"iam:CreateVirtualMFADevice", "iam:TagMFADevice"},
		// EC2 publishes request-tag keys per resource type of an action,
		// not per action: the mapper handles its tagSpecificationSet.
		struct{ action, want string }{"ec2:RunInstances", ""},
		struct{ action, want string }{"iam:UploadServerCertificate", "iam:TagServerCertificate"},
		struct{ action, want string }{"elasticmapreduce:RunJobFlow", "elasticmapreduce:AddTags"},
		struct{ action, want string }{"medialive:CreateChannel", "medialive:CreateTags"},
		struct{ action, want string }{"rds:CreateDBInstance", "rds:AddTagsToResource"},
		// Ambiguous (TagSession or TagGetWebIdentityToken): none.
		struct{ action, want string }{"sts:AssumeRole", ""},
	)
	for _, tc := range cases {
		if got := c.TagOnCreate(tc.action); got != tc.want {
			t.Errorf("TagOnCreate(%s) = %q, want %q", tc.action, got, tc.want)
		}
	}
	// Coverage: most actions that take request tags get a tagging action
	// (1,683 of 1,717 in the shared catalog of 2026-12; the rest are
	// services without one, and sts's ambiguous pair; EC2's keys are per
	// resource type and not counted), and every answer is
	// a Tagging action of the same service.
	takes, found := 0, 0
	for _, a := range c.Actions() {
		info, _ := c.ActionInfo(a)
		if info.AccessLevel == Tagging || !takesRequestTags(info.ConditionKeys) {
			continue
		}
		takes++
		tag := c.TagOnCreate(a)
		if tag == "" {
			continue
		}
		found++
		if ti, _ := c.ActionInfo(tag); ti.AccessLevel != Tagging || ti.Service != info.Service {
			t.Errorf("TagOnCreate(%s) = %s: %s of %s, want a Tagging action of %s", a, tag, ti.AccessLevel, ti.Service, info.Service)
		}
	}
	if takes < 1000 || found*100 < takes*95 {
		t.Errorf("%d of %d actions that take request tags have a tagging action, want at least 95%%", found, takes)
	}
	t.Logf("%d of %d actions that take request tags have a tagging action", found, takes)
}
