package trails

import "strings"

// Data resource types CloudTrail logs data events for.
const (
	S3Object         = "AWS::S3::Object"
	LambdaFunction   = "AWS::Lambda::Function"
	DynamoDBTable    = "AWS::DynamoDB::Table"
	DynamoDBStream   = "AWS::DynamoDB::Stream"
	SNSTopic         = "AWS::SNS::Topic"
	SQSQueue         = "AWS::SQS::Queue"
	KinesisStream    = "AWS::Kinesis::Stream"
	CloudWatchMetric = "AWS::CloudWatch::Metric"
)

// dataActions maps lower-case IAM actions to the data resource type whose
// data events record them. S3 actions on objects are found by rule (see
// DataEventType); the rest are listed from the CloudTrail documentation of
// each service's data events.
var dataActions = map[string]string{
	// S3 bucket-level calls that CloudTrail logs as data events.
	"s3:listbucket":                 S3Object,
	"s3:listbucketversions":         S3Object,
	"s3:listbucketmultipartuploads": S3Object,
	"s3:listmultipartuploadparts":   S3Object,

	"lambda:invokefunction":    LambdaFunction,
	"lambda:invokeasync":       LambdaFunction,
	"lambda:invokefunctionurl": LambdaFunction,

	"dynamodb:getitem":            DynamoDBTable,
	"dynamodb:batchgetitem":       DynamoDBTable,
	"dynamodb:putitem":            DynamoDBTable,
	"dynamodb:updateitem":         DynamoDBTable,
	"dynamodb:deleteitem":         DynamoDBTable,
	"dynamodb:batchwriteitem":     DynamoDBTable,
	"dynamodb:query":              DynamoDBTable,
	"dynamodb:scan":               DynamoDBTable,
	"dynamodb:conditioncheckitem": DynamoDBTable,
	"dynamodb:partiqlselect":      DynamoDBTable,
	"dynamodb:partiqlinsert":      DynamoDBTable,
	"dynamodb:partiqlupdate":      DynamoDBTable,
	"dynamodb:partiqldelete":      DynamoDBTable,
	"dynamodb:getrecords":         DynamoDBStream,
	"dynamodb:getshariterator":    DynamoDBStream,
	"dynamodb:getsharditerator":   DynamoDBStream,

	"sns:publish": SNSTopic,

	"sqs:sendmessage":             SQSQueue,
	"sqs:receivemessage":          SQSQueue,
	"sqs:deletemessage":           SQSQueue,
	"sqs:changemessagevisibility": SQSQueue,

	"cloudwatch:putmetricdata":       CloudWatchMetric,
	"cloudwatch:getmetricdata":       CloudWatchMetric,
	"cloudwatch:getmetricstatistics": CloudWatchMetric,
	"cloudwatch:listmetrics":         CloudWatchMetric,

	"kinesis:putrecord":        KinesisStream,
	"kinesis:putrecords":       KinesisStream,
	"kinesis:getrecords":       KinesisStream,
	"kinesis:getsharditerator": KinesisStream,
	"kinesis:subscribetoshard": KinesisStream,
}

// DataEventType returns the data resource type whose data events record
// action ("service:Action", any case), or "" when CloudTrail logs the action
// as a management event. Every S3 action that names an object
// (GetObject*, PutObject*, DeleteObject*, RestoreObject, AbortMultipartUpload,
// ...) is an S3 data event.
func DataEventType(action string) string {
	a := strings.ToLower(action)
	if t, ok := dataActions[a]; ok {
		return t
	}
	if name, ok := strings.CutPrefix(a, "s3:"); ok {
		if strings.Contains(name, "object") || name == "abortmultipartupload" {
			return S3Object
		}
	}
	return ""
}

// permissionOnly lists actions that no API call logs on its own: they are
// checked as a side effect of another call, so CloudTrail never shows them
// as events of their own. iam:PassRole, for one, is inferred from the calls
// that pass a role.
var permissionOnly = map[string]bool{
	"iam:passrole":                     true,
	"s3:bypassgovernanceretention":     true,
	"sts:tagsession":                   true,
	"sts:setsourceidentity":            true,
	"sts:setcontext":                   true,
	"logs:putlogevents":                true, // not logged by CloudTrail
	"ec2messages:getmessages":          true,
	"ssmmessages:createcontrolchannel": true,
	"ssmmessages:createdatachannel":    true,
	"ssmmessages:openchannel":          true,
	"ssmmessages:opencontrolchannel":   true,
	"ssmmessages:opendatachannel":      true,
	"xray:puttracesegments":            true,
	"xray:puttelemetryrecords":         true,
}

// PermissionOnly reports actions CloudTrail does not log as events of their
// own (permission-only, or documented as not logged).
func PermissionOnly(action string) bool {
	return permissionOnly[strings.ToLower(action)]
}
