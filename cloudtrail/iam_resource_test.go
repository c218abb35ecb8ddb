package cloudtrail

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// IAM and CloudFormation calls name their resource by a parameter; which
// one depends on the call.
func TestIAMAndStackResources(t *testing.T) {
	m := NewMapper(nil)
	iam := "arn:aws:iam::" + acctA + ":"
	tests := []struct {
		source, event, params string
		want                  []Access
	}{
		{"iam", "GetRole", `{"roleName":"app-role"}`, []Access{{Action: "iam:GetRole", Resource: iam + "role/app-role"}}},
		{"iam", "AttachRolePolicy", `{"roleName":"app-role","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`,
			[]Access{{Action: "iam:AttachRolePolicy", Resource: iam + "role/app-role"}}},
		{"iam", "AddUserToGroup", `{"userName":"bob","groupName":"admins"}`, []Access{{Action: "iam:AddUserToGroup", Resource: iam + "group/admins"}}},
		{"iam", "ListGroupsForUser", `{"userName":"bob"}`, []Access{{Action: "iam:ListGroupsForUser", Resource: iam + "user/bob"}}},
		{"iam", "AddRoleToInstanceProfile", `{"instanceProfileName":"web","roleName":"web-role"}`,
			[]Access{{Action: "iam:AddRoleToInstanceProfile", Resource: iam + "instance-profile/web"}}},
		{"iam", "GetPolicyVersion", `{"policyArn":"arn:aws:iam::` + acctA + `:policy/data/Access","versionId":"v2"}`,
			[]Access{{Action: "iam:GetPolicyVersion", Resource: iam + "policy/data/Access"}}},
		{"iam", "CreateUser", `{"userName":"carol","path":"/engineering/"}`, []Access{{Action: "iam:CreateUser", Resource: iam + "user/engineering/carol"}}},
		{"iam", "ListAccessKeys", `{}`, []Access{{Action: "iam:ListAccessKeys"}}},
		{"iam", "GetUser", `{"userName":"b\"ob"}`, []Access{{Action: "iam:GetUser"}}},
		{"cloudformation", "DescribeStacks", `{"stackName":"orders"}`, []Access{{Action: "cloudformation:DescribeStacks", Resource: "arn:aws:cloudformation:us-east-1:" + acctA + ":stack/orders/*"}}},
		{"cloudformation", "DescribeStacks", `{"stackName":"arn:aws:cloudformation:us-east-1:` + acctA + `:stack/orders/3e2d"}`,
			[]Access{{Action: "cloudformation:DescribeStacks", Resource: "arn:aws:cloudformation:us-east-1:" + acctA + ":stack/orders/3e2d"}}},
		{"cloudformation", "DescribeStacks", `{}`, []Access{{Action: "cloudformation:DescribeStacks"}}},
		{"ec2", "StopInstances", `{"instancesSet":{"items":[{"instanceId":"i-0a1b"},{"instanceId":"i-0c2d"}]},"force":false}`,
			[]Access{{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:" + acctA + ":instance/i-0a1b"}, {Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:" + acctA + ":instance/i-0c2d"}}},
		{"ec2", "RunInstances", `{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1,"maxCount":1}]}}`, []Access{{Action: "ec2:RunInstances"}}},
		{"ec2", "StartInstances", `{"instancesSet":"not an object"}`, []Access{{Action: "ec2:StartInstances"}}},
		{"cloudtrail", "GetTrailStatus", `{"name":"org-trail"}`, []Access{{Action: "cloudtrail:GetTrailStatus", Resource: "arn:aws:cloudtrail:us-east-1:" + acctA + ":trail/org-trail"}}},
		{"cloudtrail", "GetEventSelectors", `{"trailName":"arn:aws:cloudtrail:eu-west-1:` + acctA + `:trail/t"}`,
			[]Access{{Action: "cloudtrail:GetEventSelectors", Resource: "arn:aws:cloudtrail:eu-west-1:" + acctA + ":trail/t"}}},
		{"sqs", "GetQueueUrl", `{"queueName":"jobs","queueOwnerAWSAccountId":"444455556666"}`, []Access{{Action: "sqs:GetQueueUrl", Resource: "arn:aws:sqs:us-east-1:444455556666:jobs"}}},
	}
	for _, tc := range tests {
		t.Run(tc.source+"/"+tc.event, func(t *testing.T) {
			raw := fmt.Sprintf(`{"eventVersion":"1.08","eventID":"8c1a6f4e-3b1d-4c9e-9f4a-2d7b6c5e4f3a","eventTime":"2026-10-01T12:00:00Z",
			 "eventSource":"%s.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","recipientAccountId":"%s",
			 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::%s:user/admin","accountId":"%s","userName":"admin"},
			 "requestParameters":%s}`, tc.source, tc.event, acctA, acctA, acctA, tc.params)
			var rec Record
			if err := m.Normalize([]byte(raw), &rec); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rec.Access); diff != "" {
				t.Errorf("Access (-want +got):\n%s", diff)
			}
		})
	}
}
