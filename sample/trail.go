package sample

import (
	"strings"
)

// The trail: multi-region, management events for all services, and these
// data events only (advanced event selectors):
//   - S3 object-level events for bucket acme-data-prod;
//   - Lambda Invoke for every function;
//   - DynamoDB item-level events for table orders only;
//   - CloudWatch metric data events (PutMetricData).
//
// Not logged: S3 data events of other buckets, DynamoDB item calls on other
// tables, SQS and SNS data events (SendMessage, ReceiveMessage,
// DeleteMessage, Publish). CloudWatch Logs PutLogEvents is never recorded
// by CloudTrail at all.
const (
	trailName       = "acme-org-trail"
	loggedBucket    = "acme-data-prod"
	loggedTable     = "orders"
	trailBucketName = "acme-cloudtrail-" + Account
)

var s3DataEvents = map[string]bool{
	"GetObject": true, "HeadObject": true, "PutObject": true, "DeleteObject": true, "DeleteObjects": true,
	"CopyObject": true, "CreateMultipartUpload": true, "UploadPart": true, "CompleteMultipartUpload": true,
	"AbortMultipartUpload": true, "ListObjects": true, "ListObjectsV2": true, "ListObjectVersions": true,
	"HeadBucket": true, "GetObjectTagging": true, "PutObjectTagging": true, "GetObjectAcl": true,
}

var dynamoDataEvents = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactGetItems": true, "TransactWriteItems": true,
}

// classify says whether an event is a data event and whether CloudTrail
// marks it readOnly.
func classify(source, name string) (data, readOnly bool) {
	switch source {
	case "s3.amazonaws.com":
		data = s3DataEvents[name]
	case "dynamodb.amazonaws.com":
		data = dynamoDataEvents[name]
	case "lambda.amazonaws.com":
		data = name == "Invoke"
	case "sqs.amazonaws.com":
		data = name == "SendMessage" || name == "ReceiveMessage" || name == "DeleteMessage" || name == "ChangeMessageVisibility"
	case "sns.amazonaws.com":
		data = name == "Publish"
	case "monitoring.amazonaws.com":
		data = name == "PutMetricData" || name == "GetMetricData"
	case "logs.amazonaws.com":
		data = name == "PutLogEvents"
	}
	for _, p := range []string{"Get", "List", "Describe", "Head", "Lookup", "Query", "Scan", "Filter", "Decrypt", "GenerateDataKey", "Receive", "AssumeRole"} {
		if strings.HasPrefix(name, p) {
			return data, true
		}
	}
	return data, false
}

// trailLogs says whether the trail records an activity's events, and why
// not when it does not.
func trailLogs(a *activity) (bool, string) {
	if !a.data {
		return true, ""
	}
	var first *res
	if len(a.cands) > 0 {
		first = a.cands[0]
	}
	switch a.source {
	case "s3.amazonaws.com":
		if first != nil && first.name == loggedBucket {
			return true, ""
		}
		return false, "S3 data events are logged for bucket " + loggedBucket + " only"
	case "dynamodb.amazonaws.com":
		if first != nil && first.name == loggedTable {
			return true, ""
		}
		return false, "DynamoDB data events are logged for table " + loggedTable + " only"
	case "lambda.amazonaws.com", "monitoring.amazonaws.com":
		return true, ""
	case "logs.amazonaws.com":
		return false, "CloudTrail does not record CloudWatch Logs PutLogEvents"
	}
	return false, "the trail does not select " + strings.TrimSuffix(a.source, ".amazonaws.com") + " data events"
}

type fieldSelector struct {
	Field      string   `json:"Field"`
	Equals     []string `json:"Equals,omitempty"`
	StartsWith []string `json:"StartsWith,omitempty"`
}

type advancedSelector struct {
	Name           string          `json:"Name"`
	FieldSelectors []fieldSelector `json:"FieldSelectors"`
}

// trailsFile is trails.json: the output of `aws cloudtrail describe-trails`
// (trailList) and, for each trail, of `aws cloudtrail get-event-selectors
// --trail-name NAME` (eventSelectors), side by side.
type trailsFile struct {
	TrailList      []trailDesc      `json:"trailList"`
	EventSelectors []eventSelectors `json:"eventSelectors"`
}

type trailDesc struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	HasInsightSelectors        bool   `json:"HasInsightSelectors"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

type eventSelectors struct {
	TrailARN               string             `json:"TrailARN"`
	AdvancedEventSelectors []advancedSelector `json:"AdvancedEventSelectors"`
}

func (o *org) trails() trailsFile {
	arn := "arn:aws:cloudtrail:" + o.region(0) + ":" + Account + ":trail/" + trailName
	table := o.sel("table:" + loggedTable)[0].arn
	return trailsFile{
		TrailList: []trailDesc{{
			Name: trailName, S3BucketName: trailBucketName, IncludeGlobalServiceEvents: true,
			IsMultiRegionTrail: true, HomeRegion: o.region(0), TrailARN: arn, LogFileValidationEnabled: true,
			HasCustomEventSelectors: true,
		}},
		EventSelectors: []eventSelectors{{TrailARN: arn, AdvancedEventSelectors: []advancedSelector{
			{Name: "Management events", FieldSelectors: []fieldSelector{
				{Field: "eventCategory", Equals: []string{"Management"}}}},
			{Name: "S3 data events for " + loggedBucket, FieldSelectors: []fieldSelector{
				{Field: "eventCategory", Equals: []string{"Data"}},
				{Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
				{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::" + loggedBucket + "/"}}}},
			{Name: "Lambda invocations", FieldSelectors: []fieldSelector{
				{Field: "eventCategory", Equals: []string{"Data"}},
				{Field: "resources.type", Equals: []string{"AWS::Lambda::Function"}}}},
			{Name: "DynamoDB " + loggedTable + " table", FieldSelectors: []fieldSelector{
				{Field: "eventCategory", Equals: []string{"Data"}},
				{Field: "resources.type", Equals: []string{"AWS::DynamoDB::Table"}},
				{Field: "resources.ARN", Equals: []string{table}}}},
			{Name: "CloudWatch metric data", FieldSelectors: []fieldSelector{
				{Field: "eventCategory", Equals: []string{"Data"}},
				{Field: "resources.type", Equals: []string{"AWS::CloudWatch::Metric"}}}},
		}}},
	}
}
