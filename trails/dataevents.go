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
// data events record them, listed from the CloudTrail documentation of
// each service's data events and reviewed against the catalog's actions.
var dataActions = map[string]string{
	// S3 bucket-level calls that CloudTrail logs as data events.
	"s3:listbucket":                 S3Object,
	"s3:listbucketversions":         S3Object,
	"s3:listbucketmultipartuploads": S3Object,
	"s3:listmultipartuploadparts":   S3Object,
	// S3 object-level actions (on the object or accesspointobject resource
	// of the catalog). Not here, because CloudTrail logs them as
	// management events although their names hold "Object":
	// Get/PutBucketObjectLockConfiguration (a bucket setting) and the ten
	// *ForObjectLambda actions (S3 Control access point operations).
	"s3:abortmultipartupload":                     S3Object,
	"s3:deleteobject":                             S3Object,
	"s3:deleteobjectannotation":                   S3Object,
	"s3:deleteobjecttagging":                      S3Object,
	"s3:deleteobjectversion":                      S3Object,
	"s3:deleteobjectversionannotation":            S3Object,
	"s3:deleteobjectversiontagging":               S3Object,
	"s3:getobject":                                S3Object,
	"s3:getobjectacl":                             S3Object,
	"s3:getobjectannotation":                      S3Object,
	"s3:getobjectattributes":                      S3Object,
	"s3:getobjectlegalhold":                       S3Object,
	"s3:getobjectretention":                       S3Object,
	"s3:getobjecttagging":                         S3Object,
	"s3:getobjecttorrent":                         S3Object,
	"s3:getobjectversion":                         S3Object,
	"s3:getobjectversionacl":                      S3Object,
	"s3:getobjectversionannotation":               S3Object,
	"s3:getobjectversionannotationforreplication": S3Object,
	"s3:getobjectversionattributes":               S3Object,
	"s3:getobjectversionforreplication":           S3Object,
	"s3:getobjectversiontagging":                  S3Object,
	"s3:getobjectversiontorrent":                  S3Object,
	"s3:listobjectannotations":                    S3Object,
	"s3:listobjectversionannotations":             S3Object,
	"s3:objectowneroverridetobucketowner":         S3Object,
	"s3:putobject":                                S3Object,
	"s3:putobjectacl":                             S3Object,
	"s3:putobjectannotation":                      S3Object,
	"s3:putobjectlegalhold":                       S3Object,
	"s3:putobjectretention":                       S3Object,
	"s3:putobjecttagging":                         S3Object,
	"s3:putobjectversionacl":                      S3Object,
	"s3:putobjectversionannotation":               S3Object,
	"s3:putobjectversiontagging":                  S3Object,
	"s3:replicateobject":                          S3Object,
	"s3:replicateobjectannotation":                S3Object,
	"s3:restoreobject":                            S3Object,
	"s3:updateobjectencryption":                   S3Object,

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
// as a management event.
func DataEventType(action string) string {
	return dataActions[strings.ToLower(action)]
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
