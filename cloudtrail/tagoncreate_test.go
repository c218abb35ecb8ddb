package cloudtrail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An EC2 launch that tags what it creates needs ec2:CreateTags as well,
// which CloudTrail does not log as a call of its own: without it the
// recommended policy fails the first tagged launch.
func TestTagOnCreateImpliesCreateTags(t *testing.T) {
	m := NewMapper(testCatalog(t))
	const tmpl = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","userName":"ci"},
	 "eventTime":"2026-10-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",
	 "requestParameters":%s,"eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
	tags := `"tagSpecificationSet":{"items":[{"resourceType":"volume","tags":[{"key":"team","value":"a"}]}]}`
	tests := []struct {
		name, event, params string
		want                []string
	}{
		{"tagged volume", "CreateVolume", `{"size":8,"availabilityZone":"us-east-1a",` + tags + `}`, []string{"ec2:CreateVolume", "ec2:CreateTags"}},
		{"untagged volume", "CreateVolume", `{"size":8,"availabilityZone":"us-east-1a"}`, []string{"ec2:CreateVolume"}},
		{"tagged launch", "RunInstances", `{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1,"maxCount":1}]},` + tags + `}`, []string{"ec2:RunInstances", "ec2:CreateTags"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := strings.Replace(strings.Replace(tmpl, "%s", tc.event, 1), "%s", tc.params, 1)
			var rec Record
			if err := m.Normalize([]byte(raw), &rec); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rec.Actions); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
		})
	}
}

// Other services tag on create too: a call that carries tags, of an action
// the catalog marks with aws:RequestTag / aws:TagKeys, needs the service's
// tagging action for what it creates (iam:TagRole for CreateRole,
// sqs:TagQueue for CreateQueue), else its TagResource or
// AddTagsToResource (catalog.TagOnCreate).
func TestTagOnCreateOtherServices(t *testing.T) {
	m := NewMapper(testCatalog(t))
	const tmpl = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","userName":"ci"},
	 "eventTime":"2026-10-01T10:00:00Z","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",
	 "requestParameters":%s,"eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
	tests := []struct {
		name, source, event, params string
		want                        string // the implied tagging action, "" for none
	}{
		{"iam role", "iam.amazonaws.com", "CreateRole", `{"roleName":"r","assumeRolePolicyDocument":"{}","tags":[{"key":"team","value":"a"}]}`, "iam:TagRole"},
		{"sqs queue", "sqs.amazonaws.com", "CreateQueue", `{"queueName":"q","tags":{"team":"a"}}`, "sqs:TagQueue"},
		{"lambda function", "lambda.amazonaws.com", "CreateFunction20150331", `{"functionName":"f","tags":{"team":"a"}}`, "lambda:TagResource"},
		{"dynamodb table", "dynamodb.amazonaws.com", "CreateTable", `{"tableName":"t","tags":[{"key":"team","value":"a"}]}`, "dynamodb:TagResource"},
		{"ssm parameter (no Create in its name)", "ssm.amazonaws.com", "PutParameter", `{"name":"/app/x","type":"String","tags":[{"key":"team","value":"a"}]}`, "ssm:AddTagsToResource"},
		{"ecs task", "ecs.amazonaws.com", "RunTask", `{"cluster":"web","taskDefinition":"web:3","tags":[{"key":"team","value":"a"}]}`, "ecs:TagResource"},
		{"empty tags", "sqs.amazonaws.com", "CreateQueue", `{"queueName":"q","tags":{}}`, ""},
		{"no tags", "iam.amazonaws.com", "CreateRole", `{"roleName":"r","assumeRolePolicyDocument":"{}"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := fmt.Sprintf(tmpl, tc.source, tc.event, tc.params)
			var rec Record
			if err := m.Normalize([]byte(raw), &rec); err != nil {
				t.Fatal(err)
			}
			var tagging []string
			for _, a := range rec.Actions {
				if _, name, _ := strings.Cut(a, ":"); strings.Contains(name, "Tag") {
					tagging = append(tagging, a)
				}
			}
			var want []string
			if tc.want != "" {
				want = []string{tc.want}
			}
			if diff := cmp.Diff(want, tagging); diff != "" {
				t.Errorf("tagging actions of %v (-want +got):\n%s", rec.Actions, diff)
			}
		})
	}
}
