package cloudtrail

import (
	"slices"
	"strings"
	"testing"
)

// storedCatalog is a small Catalog: its actions, and tagging actions for
// tag-on-create.
type storedCatalog struct {
	actions []string
	tagging map[string]string
}

func (c storedCatalog) Action(name string) (string, bool) {
	for _, a := range c.actions {
		if strings.EqualFold(a, name) {
			return a, true
		}
	}
	return "", false
}

func (c storedCatalog) HasService(prefix string) bool {
	return slices.ContainsFunc(c.actions, func(a string) bool { return strings.HasPrefix(a, prefix+":") })
}
func (storedCatalog) OperationActions(service, operation string) []string { return nil }
func (storedCatalog) ResourceARNFormats(service, resourceType string) []string {
	return nil
}
func (c storedCatalog) TagOnCreate(action string) string { return c.tagging[action] }

// MapStored maps an event known by its source and name alone as Map does,
// but only when the catalog decided and the request, which is gone, could
// not have changed the actions: everything else stays Unmapped.
func TestMapStored(t *testing.T) {
	cat := storedCatalog{actions: []string{
		"sqs:ListQueues", "sqs:CreateQueue", "sqs:TagQueue", "lambda:CreateFunction", "lambda:GetFunction",
		"dynamodb:PartiQLSelect", "s3:GetObject", "s3:GetObjectVersion", "ec2:DescribeInstances", "ec2:CreateTags",
		"kms:ReEncryptFrom", "kms:ReEncryptTo",
	}, tagging: map[string]string{"sqs:CreateQueue": "sqs:TagQueue"}}
	m := NewMapper(cat)
	tests := []struct {
		source, name string
		want         []string // nil: Unmapped
		rule         string
	}{
		{"sqs.amazonaws.com", "ListQueues", []string{"sqs:ListQueues"}, ""},
		{"lambda.amazonaws.com", "GetFunction20150331v2", []string{"lambda:GetFunction"}, ""},
		{"kms.amazonaws.com", "ReEncrypt", []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}, ""},
		{"sqs.amazonaws.com", "PurgeQueue", nil, "catalog has no action"},
		{"newsvc.amazonaws.com", "DoThing", nil, "catalog has no service"},
		{"sqs.amazonaws.com", "CreateQueue", nil, "sqs:TagQueue"},
		{"lambda.amazonaws.com", "CreateFunction", nil, "PassRole"},
		{"dynamodb.amazonaws.com", "ExecuteStatement", nil, "statement"},
		{"s3.amazonaws.com", "GetObject", nil, "version"},
		{"ec2.amazonaws.com", "DescribeInstances", nil, "ec2:CreateTags"},
	}
	for _, tc := range tests {
		got := m.MapStored(tc.source, tc.name)
		if tc.want == nil {
			if got.Kind != Unmapped || len(got.Actions) > 0 || !strings.Contains(got.Rule, tc.rule) {
				t.Errorf("%s %s: %+v, want Unmapped with a rule naming %q", tc.source, tc.name, got, tc.rule)
			}
			continue
		}
		if got.Kind != Mapped || !slices.Equal(got.Actions, tc.want) {
			t.Errorf("%s %s: %+v, want Mapped to %v", tc.source, tc.name, got, tc.want)
		}
		if mp := m.Map(tc.source, tc.name); !slices.Equal(mp.Actions, got.Actions) {
			t.Errorf("%s %s: MapStored %v, Map %v", tc.source, tc.name, got.Actions, mp.Actions)
		}
	}
	// Without a catalog only the naming rule speaks, and it may be wrong.
	if got := NewMapper(nil).MapStored("sqs.amazonaws.com", "ListQueues"); got.Kind != Unmapped {
		t.Errorf("without a catalog: %+v, want Unmapped", got)
	}
}
