package cloudtrail

import (
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
