package cloudtrail

import (
	"slices"
	"sync"
)

// requestKeys are the requestParameters members params.parseIter reads:
// the cases of its switch, kept equal to them by TestRequestKeysMatchParser.
var requestKeys = []string{
	"bucketName", "key", "versionId", "x-amz-copy-source",
	"tableName", "queueUrl", "queueName", "topicArn", "targetArn",
	"name", "keyId", "sourceKeyId", "destinationKeyId",
	"functionName", "secretId", "path", "logGroupName",
	"logStreamName", "logGroupIdentifier", "roleArn", "principalArn",
	"roleName", "userName", "groupName", "policyArn",
	"instanceProfileName", "stackName", "trailName", "queueOwnerAWSAccountId",
	"instancesSet", "statement", "names", "statements", "transactStatements",
	"transactItems", "iamInstanceProfile", "restApiId", "apiId",
	"tagSpecificationSet",
	"tags", "Tags", "tagList", "TagList", "tagSpecifications", "TagSpecifications",
}

// requestFields is RequestFields, computed once.
var requestFields = sync.OnceValue(func() []string {
	out := slices.Clone(requestKeys)
	for _, p := range passRoleParams() {
		out = append(out, p.keys...)
	}
	slices.Sort(out)
	return slices.Compact(out)
})

// RequestFields returns, sorted, every top-level requestParameters member
// the Mapper reads: those resources, tag-on-create and request-dependent
// actions come from, and those that name a role passed to a service.
// Nothing else in requestParameters changes what Normalize returns, so an
// engine that groups events by these members (and the other fields
// Normalize reads) can hand the Mapper one record per group
// (ingest/pushdown).
func RequestFields() []string { return slices.Clone(requestFields()) }
