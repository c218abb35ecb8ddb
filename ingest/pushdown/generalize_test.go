package pushdown

import (
	"slices"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/lifecycle"
)

// The transforms' arguments rest on the Mapper reading each member for
// one IAM prefix, and on the lifecycle rules ARNs of those kinds meet:
// a change to either shows here before it shows as a rollup that differs.
func TestGeneralizedSources(t *testing.T) {
	for src, want := range map[string]string{sourceS3: "s3", sourceDynamoDB: "dynamodb", sourceLogs: "logs", sourceEC2: "ec2"} {
		if got := cloudtrail.ServicePrefix(src); got != want {
			t.Errorf("ServicePrefix(%s) = %q, want %q", src, got, want)
		}
	}
	byService := map[string][]lifecycle.Rule{}
	for _, r := range lifecycle.Rules() {
		svc := strings.SplitN(r.Format, ":", 4)[2]
		byService[svc] = append(byService[svc], r)
	}
	var s3 []string
	for _, r := range byService["s3"] {
		s3 = append(s3, r.Format)
	}
	// An object ARN is arn:P:s3:::BUCKET/KEY: the other rules take it
	// only for the buckets the key transform leaves alone.
	if want := []string{
		"arn:${Partition}:s3:::${BucketName}/${ObjectName}",
		"arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}",
		"arn:${Partition}:s3:${Region}:${Account}:job/${JobId}",
	}; !slices.Equal(s3, want) {
		t.Errorf("lifecycle's S3 rules are\n%q\nthe key transform was proven for\n%q", s3, want)
	}
	for svc, format := range map[string]string{
		"logs": "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
		"ec2":  "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}",
	} {
		rules := byService[svc]
		if len(rules) == 0 || rules[0].Format != format || len(rules[0].Volatile) != 1 || rules[0].Volatile[0].Cut != lifecycle.Whole {
			t.Errorf("lifecycle's first %s rule is not %s with its last segment cut whole", svc, format)
		}
	}
}
