package cloudtrail

// The reviewed tables of cases where the naming rule (eventSource's first
// label as the IAM prefix, eventName as the action) does not hold. Each
// entry says why, with where the fact comes from. Abbreviations in reasons:
//
//	SAR      AWS Service Reference v1.4 Operations[].AuthorizedActions for
//	         the service (AWS's own operation → action map; a superset, so
//	         the entry names the one action the call needs).
//	API ref  the "Permissions" section of the operation's AWS API reference.
//	peers    flosell/trailscraper, iann0036/iam-dataset and
//	         duo-labs/cloudtracker agree on it.
//
// The catalog, when loaded, still decides: an action it does not know is
// dropped from an entry, and an entry left with none falls through to the
// naming rule. TestExceptionsAgainstCatalog checks every entry.
//
// The tables are functions returning fresh slices so that the package has
// no mutable state; NewMapper indexes them once.

// sourcePrefix is an event source whose IAM prefix is not its first label.
type sourcePrefix struct {
	source, prefix, reason string
}

func sourcePrefixes() []sourcePrefix {
	return []sourcePrefix{
		{"monitoring.amazonaws.com", "cloudwatch", "CloudWatch metrics and alarms APIs are served by monitoring.amazonaws.com; IAM prefix is cloudwatch (peers)"},
		{"tagging.amazonaws.com", "tag", "Resource Groups Tagging API; IAM prefix tag (peers)"},
		{"streams.dynamodb.amazonaws.com", "dynamodb", "DynamoDB Streams actions live under dynamodb: (dynamodb:GetRecords, dynamodb:GetShardIterator)"},
		{"email.amazonaws.com", "ses", "legacy SES endpoint name (cloudtracker); modern SES events use ses.amazonaws.com"},
		{"appstream2.amazonaws.com", "appstream", "AppStream 2.0 IAM prefix is appstream (trailscraper)"},
		{"models.lex.amazonaws.com", "lex", "Lex model-building API; IAM prefix lex (trailscraper)"},
		{"runtime.lex.amazonaws.com", "lex", "Lex runtime API; IAM prefix lex (trailscraper)"},
		{"mturk-requester.amazonaws.com", "mechanicalturk", "Mechanical Turk IAM prefix (trailscraper)"},
		{"application-insights.amazonaws.com", "applicationinsights", "CloudWatch Application Insights IAM prefix has no hyphen (iam-dataset)"},
		{"agreement-marketplace.amazonaws.com", "aws-marketplace", "Marketplace agreement API; IAM prefix aws-marketplace (iam-dataset)"},
		{"discovery-marketplace.amazonaws.com", "aws-marketplace", "Marketplace discovery API; IAM prefix aws-marketplace (iam-dataset)"},
		{"marketplacecatalog.amazonaws.com", "aws-marketplace", "Marketplace Catalog API; IAM prefix aws-marketplace (iam-dataset)"},
		{"reporting-marketplace.amazonaws.com", "aws-marketplace", "Marketplace reporting API; IAM prefix aws-marketplace (iam-dataset)"},
		{"management-marketplace.amazonaws.com", "aws-marketplace-management", "Marketplace management portal (iam-dataset)"},
		{"billingconsole.amazonaws.com", "billing", "Billing console APIs; IAM prefix billing (iam-dataset)"},
		{"chime-sdk-media-pipelines.amazonaws.com", "chime", "Chime SDK APIs authorize as chime: (iam-dataset)"},
		{"chime-sdk-voice.amazonaws.com", "chime", "Chime SDK APIs authorize as chime: (iam-dataset)"},
		{"cloudcontrolapi.amazonaws.com", "cloudformation", "Cloud Control API actions are cloudformation:CreateResource etc. (iam-dataset; Cloud Control user guide)"},
		{"contact-lens.amazonaws.com", "connect", "Contact Lens authorizes as connect: (iam-dataset)"},
		{"participant-connect.amazonaws.com", "connect", "Connect participant service (iam-dataset)"},
		{"opensearchservice.amazonaws.com", "es", "OpenSearch Service IAM prefix is still es (iam-dataset)"},
		{"migrationhub.amazonaws.com", "mgh", "Migration Hub IAM prefix mgh (iam-dataset)"},
		{"pinpoint.amazonaws.com", "mobiletargeting", "Pinpoint IAM prefix mobiletargeting (iam-dataset)"},
		{"amazonmq.amazonaws.com", "mq", "Amazon MQ IAM prefix mq (iam-dataset)"},
		{"pricelist.amazonaws.com", "pricing", "Price List API IAM prefix pricing (iam-dataset)"},
		{"rdsdata.amazonaws.com", "rds-data", "RDS Data API IAM prefix rds-data (iam-dataset)"},
		{"servicecatalog-appregistry.amazonaws.com", "servicecatalog", "AppRegistry authorizes as servicecatalog: (iam-dataset)"},
		{"taxconsole.amazonaws.com", "tax", "Tax settings IAM prefix tax (iam-dataset)"},
		{"transcribestreaming.amazonaws.com", "transcribe", "Transcribe streaming authorizes as transcribe: (iam-dataset)"},
		{"qconnect.amazonaws.com", "wisdom", "Amazon Q in Connect still authorizes as wisdom: (iam-dataset)"},
	}
}

// exception maps one (eventSource, eventName) to the action(s) the call
// needs. eventName is matched after version-suffix stripping
// (UpdateFunctionConfiguration20150331v2 → UpdateFunctionConfiguration).
type exception struct {
	source, event string
	actions       []string // primary first
	reason        string
}

func exceptions() []exception {
	const (
		s3   = "s3.amazonaws.com"
		sar  = "SAR s3"
		ddb  = "dynamodb.amazonaws.com"
		lam  = "lambda.amazonaws.com"
		bud  = "budgets.amazonaws.com"
		glue = "glue.amazonaws.com"
	)
	a := func(s ...string) []string { return s }
	return []exception{
		// Timestream: Query is authorized as timestream:Select for SELECT
		// statements (SHOW/DESCRIBE statements need List*/Describe*, which
		// the event does not let us tell apart reliably).
		{"timestream.amazonaws.com", "Query", a("timestream:Select"), "Timestream developer guide (query permissions); iam-dataset lists Select first"},

		// S3: event names are REST operation names; several differ from
		// the IAM action, and Delete* of bucket sub-configurations is
		// authorized by the Put* action.
		{s3, "ListBuckets", a("s3:ListAllMyBuckets"), sar + "; peers"},
		{s3, "ListObjects", a("s3:ListBucket"), sar + " (GetObjectAcl also listed, only for FetchOwner); peers"},
		{s3, "ListObjectsV2", a("s3:ListBucket"), sar + " (GetObjectAcl also listed, only for FetchOwner); peers"},
		{s3, "ListObjectVersions", a("s3:ListBucketVersions"), sar + "; peers"},
		{s3, "ListMultipartUploads", a("s3:ListBucketMultipartUploads"), sar + "; peers"},
		{s3, "ListParts", a("s3:ListMultipartUploadParts"), sar + "; peers"},
		{s3, "HeadBucket", a("s3:ListBucket"), sar + "; API ref HeadBucket"},
		{s3, "HeadObject", a("s3:GetObject"), sar + " (legal hold/retention only when asked); API ref HeadObject"},
		{s3, "SelectObjectContent", a("s3:GetObject"), sar + "; API ref SelectObjectContent"},
		{s3, "CopyObject", a("s3:PutObject"), sar + "; s3:GetObject on the source is added from x-amz-copy-source"},
		{s3, "UploadPartCopy", a("s3:PutObject"), sar + "; s3:GetObject on the source is added from x-amz-copy-source"},
		{s3, "CreateMultipartUpload", a("s3:PutObject"), sar + "; peers"},
		{s3, "UploadPart", a("s3:PutObject"), sar + "; peers"},
		{s3, "CompleteMultipartUpload", a("s3:PutObject"), sar + "; peers"},
		{s3, "DeleteObjects", a("s3:DeleteObject"), sar + " (DeleteObjectVersion when versions are named); peers"},
		{s3, "GetObjectAttributes", a("s3:GetObject", "s3:GetObjectAttributes"), "API ref GetObjectAttributes: s3:GetObject and s3:GetObjectAttributes (their Version variants for a versionId); SAR lists only GetObject/GetObjectVersion"},
		{s3, "GetBucketAccelerateConfiguration", a("s3:GetAccelerateConfiguration"), sar + "; peers"},
		{s3, "PutBucketAccelerateConfiguration", a("s3:PutAccelerateConfiguration"), sar + "; peers"},
		{s3, "GetBucketAnalyticsConfiguration", a("s3:GetAnalyticsConfiguration"), sar + "; peers"},
		{s3, "ListBucketAnalyticsConfigurations", a("s3:GetAnalyticsConfiguration"), sar + "; peers"},
		{s3, "PutBucketAnalyticsConfiguration", a("s3:PutAnalyticsConfiguration"), sar + "; peers"},
		{s3, "DeleteBucketAnalyticsConfiguration", a("s3:PutAnalyticsConfiguration"), sar + "; peers"},
		{s3, "GetBucketCors", a("s3:GetBucketCORS"), sar + "; peers"},
		{s3, "PutBucketCors", a("s3:PutBucketCORS"), sar + "; peers"},
		{s3, "DeleteBucketCors", a("s3:PutBucketCORS"), sar + "; peers"},
		{s3, "GetBucketEncryption", a("s3:GetEncryptionConfiguration"), sar + "; peers"},
		{s3, "PutBucketEncryption", a("s3:PutEncryptionConfiguration"), sar + "; peers"},
		{s3, "DeleteBucketEncryption", a("s3:PutEncryptionConfiguration"), sar + "; peers"},
		{s3, "GetBucketIntelligentTieringConfiguration", a("s3:GetIntelligentTieringConfiguration"), sar},
		{s3, "ListBucketIntelligentTieringConfigurations", a("s3:GetIntelligentTieringConfiguration"), sar},
		{s3, "PutBucketIntelligentTieringConfiguration", a("s3:PutIntelligentTieringConfiguration"), sar},
		{s3, "DeleteBucketIntelligentTieringConfiguration", a("s3:PutIntelligentTieringConfiguration"), sar},
		{s3, "GetBucketInventoryConfiguration", a("s3:GetInventoryConfiguration"), sar + "; peers"},
		{s3, "ListBucketInventoryConfigurations", a("s3:GetInventoryConfiguration"), sar + "; peers"},
		{s3, "PutBucketInventoryConfiguration", a("s3:PutInventoryConfiguration"), sar + "; peers"},
		{s3, "DeleteBucketInventoryConfiguration", a("s3:PutInventoryConfiguration"), sar + "; peers"},
		{s3, "GetBucketLifecycle", a("s3:GetLifecycleConfiguration"), sar + "; peers"},
		{s3, "GetBucketLifecycleConfiguration", a("s3:GetLifecycleConfiguration"), sar + "; peers"},
		{s3, "PutBucketLifecycle", a("s3:PutLifecycleConfiguration"), sar + "; peers"},
		{s3, "PutBucketLifecycleConfiguration", a("s3:PutLifecycleConfiguration"), sar + "; peers"},
		{s3, "DeleteBucketLifecycle", a("s3:PutLifecycleConfiguration"), sar + "; peers"},
		{s3, "GetBucketMetricsConfiguration", a("s3:GetMetricsConfiguration"), sar + "; peers"},
		{s3, "ListBucketMetricsConfigurations", a("s3:GetMetricsConfiguration"), sar + "; peers"},
		{s3, "PutBucketMetricsConfiguration", a("s3:PutMetricsConfiguration"), sar + "; peers"},
		{s3, "DeleteBucketMetricsConfiguration", a("s3:PutMetricsConfiguration"), sar + "; peers"},
		{s3, "GetBucketNotificationConfiguration", a("s3:GetBucketNotification"), sar + "; peers"},
		{s3, "PutBucketNotificationConfiguration", a("s3:PutBucketNotification"), sar + "; peers"},
		{s3, "GetBucketReplication", a("s3:GetReplicationConfiguration"), sar + "; peers"},
		{s3, "PutBucketReplication", a("s3:PutReplicationConfiguration"), sar + "; iam-dataset (trailscraper's DeleteReplicationConfiguration is not an action); iam:PassRole is not added because the role sits inside the replication configuration"},
		{s3, "DeleteBucketReplication", a("s3:PutReplicationConfiguration"), sar + "; API ref DeleteBucketReplication; iam-dataset (trailscraper's DeleteReplicationConfiguration is not an action)"},
		{s3, "DeleteBucketTagging", a("s3:PutBucketTagging"), sar + "; peers"},
		{s3, "DeleteBucketOwnershipControls", a("s3:PutBucketOwnershipControls"), sar},
		{s3, "GetPublicAccessBlock", a("s3:GetBucketPublicAccessBlock"), sar + "; iam-dataset"},
		{s3, "PutPublicAccessBlock", a("s3:PutBucketPublicAccessBlock"), sar + "; iam-dataset"},
		{s3, "DeletePublicAccessBlock", a("s3:PutBucketPublicAccessBlock"), sar + "; iam-dataset"},
		{s3, "DeleteBucketPublicAccessBlock", a("s3:PutBucketPublicAccessBlock"), sar + " (DeletePublicAccessBlock); the name CloudTrail logs for it"},
		{s3, "GetObjectLockConfiguration", a("s3:GetBucketObjectLockConfiguration"), sar + "; iam-dataset"},
		{s3, "PutObjectLockConfiguration", a("s3:PutBucketObjectLockConfiguration"), sar + "; iam-dataset"},
		{s3, "CreateBucketMetadataConfiguration", a("s3:CreateBucketMetadataTableConfiguration"), sar},
		{s3, "GetBucketMetadataConfiguration", a("s3:GetBucketMetadataTableConfiguration"), sar},
		{s3, "DeleteBucketMetadataConfiguration", a("s3:DeleteBucketMetadataTableConfiguration"), sar},

		// Lambda: data-plane and renamed operations.
		{lam, "Invoke", a("lambda:InvokeFunction"), "SAR lambda; peers"},
		{lam, "InvokeWithResponseStream", a("lambda:InvokeFunction"), "SAR lambda"},
		{lam, "GetLayerVersionByArn", a("lambda:GetLayerVersion"), "SAR lambda; iam-dataset"},

		// KMS: ReEncrypt needs From on the source key and To on the
		// destination key; the resources are split in resources.go.
		{"kms.amazonaws.com", "ReEncrypt", a("kms:ReEncryptFrom", "kms:ReEncryptTo"), "SAR kms; API ref ReEncrypt; iam-dataset (trailscraper's kms:ReEncrypt* is a wildcard)"},

		// DynamoDB.
		{ddb, "TransactGetItems", a("dynamodb:GetItem"), "SAR dynamodb; iam-dataset"},

		// SQS/SNS batch calls are authorized per entry by the single action.
		{"sqs.amazonaws.com", "SendMessageBatch", a("sqs:SendMessage"), "SAR sqs; SQS developer guide (batch actions)"},
		{"sqs.amazonaws.com", "DeleteMessageBatch", a("sqs:DeleteMessage"), "SAR sqs"},
		{"sqs.amazonaws.com", "ChangeMessageVisibilityBatch", a("sqs:ChangeMessageVisibility"), "SAR sqs"},
		{"sns.amazonaws.com", "PublishBatch", a("sns:Publish"), "SAR sns; API ref PublishBatch"},

		// Budgets authorizes everything with two actions.
		{bud, "CreateBudget", a("budgets:ModifyBudget"), "SAR budgets (TagResource only with tags); iam-dataset"},
		{bud, "UpdateBudget", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "DeleteBudget", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "CreateNotification", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "UpdateNotification", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "DeleteNotification", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "CreateSubscriber", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "UpdateSubscriber", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "DeleteSubscriber", a("budgets:ModifyBudget"), "SAR budgets; iam-dataset"},
		{bud, "DescribeBudget", a("budgets:ViewBudget"), "SAR budgets; iam-dataset"},
		{bud, "DescribeBudgets", a("budgets:ViewBudget"), "SAR budgets; iam-dataset"},
		{bud, "DescribeBudgetPerformanceHistory", a("budgets:ViewBudget"), "SAR budgets; iam-dataset"},
		{bud, "DescribeNotificationsForBudget", a("budgets:ViewBudget"), "SAR budgets; iam-dataset"},
		{bud, "DescribeSubscribersForNotification", a("budgets:ViewBudget"), "SAR budgets; iam-dataset"},
		{bud, "DescribeBudgetNotificationsForAccount", a("budgets:ViewBudget"), "SAR budgets"},

		// Glue: the API reference names the permission ("The IAM permission
		// required for this operation is GetTable"), and SAR agrees, even
		// though actions with the operations' own names exist.
		{glue, "GetColumnStatisticsForTable", a("glue:GetTable"), "Glue API ref; SAR glue; iam-dataset"},
		{glue, "UpdateColumnStatisticsForTable", a("glue:UpdateTable"), "Glue API ref; SAR glue; iam-dataset"},
		{glue, "DeleteColumnStatisticsForTable", a("glue:UpdateTable"), "Glue API ref; SAR glue; iam-dataset"},
		{glue, "GetColumnStatisticsForPartition", a("glue:GetPartition"), "Glue API ref; SAR glue; iam-dataset"},
		{glue, "UpdateColumnStatisticsForPartition", a("glue:UpdatePartition"), "Glue API ref; SAR glue; iam-dataset"},
		{glue, "DeleteColumnStatisticsForPartition", a("glue:UpdatePartition"), "Glue API ref; SAR glue; iam-dataset"},
		{glue, "CreatePartitionIndex", a("glue:UpdateTable"), "SAR glue; iam-dataset"},
		{glue, "DeletePartitionIndex", a("glue:UpdateTable"), "SAR glue; iam-dataset"},
		{glue, "GetPartitionIndexes", a("glue:GetTable"), "iam-dataset; SAR glue publishes no own action for it"},
		// Glue batch/statistics calls.
		{glue, "BatchGetDataQualityResult", a("glue:GetDataQualityResult"), "SAR glue"},
		{glue, "BatchPutDataQualityStatisticAnnotation", a("glue:PutDataQualityStatisticAnnotation"), "SAR glue"},
		{glue, "ListDataQualityStatistics", a("glue:GetDataQualityResult"), "SAR glue"},
		{glue, "ListDataQualityStatisticAnnotations", a("glue:GetDataQualityResult"), "SAR glue"},
	}
}

// permissionlessCall is a call that needs no IAM permission.
type permissionlessCall struct {
	source, event, reason string
}

func permissionlessCalls() []permissionlessCall {
	const (
		sts    = "sts.amazonaws.com"
		signin = "signin.amazonaws.com"
	)
	return []permissionlessCall{
		{sts, "GetCallerIdentity", "STS API ref: no permissions are required, and an explicit deny does not stop it; peers"},
		{sts, "GetSessionToken", "IAM user guide 'Permissions for GetSessionToken': no permissions are required and policies cannot control it; cloudtracker, iam-dataset"},
		{sts, "AssumeRoleWithSAML", "STS API ref: called without AWS credentials; authorized by the role's trust policy, not the caller's policies"},
		{sts, "AssumeRoleWithWebIdentity", "STS API ref: called without AWS credentials; authorized by the role's trust policy, not the caller's policies"},
		{signin, "ConsoleLogin", "console sign-in event, not an authorized API call; cloudtracker"},
		{signin, "CheckMfa", "console sign-in event; cloudtracker"},
		{signin, "SwitchRole", "console sign-in event (the AssumeRole it performs is logged separately); cloudtracker"},
		{signin, "ExitRole", "console sign-in event; cloudtracker"},
		{signin, "RenewRole", "console sign-in event; cloudtracker"},
		{signin, "CredentialChallenge", "IAM Identity Center sign-in event (CloudTrail user guide, sign-in events)"},
		{signin, "CredentialVerification", "IAM Identity Center sign-in event (CloudTrail user guide, sign-in events)"},
		{signin, "UserAuthentication", "IAM Identity Center sign-in event (CloudTrail user guide, sign-in events)"},
		{"dynamodb.amazonaws.com", "DescribeEndpoints", "endpoint discovery needs no permission (iam-dataset sdk_permissionless_actions)"},
	}
}

// passRoleParam names a requestParameters key that passes a role: the call
// also needs iam:PassRole on it.
type passRoleParam struct {
	source string
	events []string
	keys   []string // top-level requestParameters keys holding a role ARN
	reason string
}

func passRoleParams() []passRoleParam {
	a := func(s ...string) []string { return s }
	return []passRoleParam{
		{"lambda.amazonaws.com", a("CreateFunction", "UpdateFunctionConfiguration"), a("role"), "Lambda developer guide: execution role requires iam:PassRole"},
		{"ecs.amazonaws.com", a("RegisterTaskDefinition"), a("taskRoleArn", "executionRoleArn"), "ECS developer guide: task and execution roles require iam:PassRole"},
		{"cloudformation.amazonaws.com", a("CreateStack", "UpdateStack", "CreateChangeSet", "DeleteStack", "ContinueUpdateRollback"), a("roleARN"), "CloudFormation user guide: a service role requires iam:PassRole"},
		{"cloudformation.amazonaws.com", a("CreateStackSet", "UpdateStackSet"), a("administrationRoleARN"), "CloudFormation StackSets administration role requires iam:PassRole"},
		{"states.amazonaws.com", a("CreateStateMachine", "UpdateStateMachine"), a("roleArn"), "Step Functions: state machine role requires iam:PassRole"},
		{"glue.amazonaws.com", a("CreateJob", "UpdateJob", "CreateCrawler", "UpdateCrawler", "CreateDevEndpoint", "CreateSession"), a("role"), "Glue developer guide: job/crawler role requires iam:PassRole (a role name is accepted)"},
		{"codebuild.amazonaws.com", a("CreateProject", "UpdateProject"), a("serviceRole"), "CodeBuild user guide: service role requires iam:PassRole"},
		{"eks.amazonaws.com", a("CreateCluster"), a("roleArn"), "EKS user guide: cluster role requires iam:PassRole"},
		{"eks.amazonaws.com", a("CreateNodegroup"), a("nodeRole"), "EKS user guide: node role requires iam:PassRole"},
		{"sagemaker.amazonaws.com", a("CreateNotebookInstance", "CreateTrainingJob", "CreateProcessingJob", "CreateTransformJob", "CreateModel", "CreateHyperParameterTuningJob"), a("roleArn", "executionRoleArn"), "SageMaker developer guide: execution role requires iam:PassRole"},
		{"batch.amazonaws.com", a("CreateComputeEnvironment", "UpdateComputeEnvironment"), a("serviceRole"), "Batch user guide: service role requires iam:PassRole"},
		{"cloudtrail.amazonaws.com", a("CreateTrail", "UpdateTrail"), a("cloudWatchLogsRoleArn"), "CloudTrail user guide: CloudWatch Logs role requires iam:PassRole"},
		{"rds.amazonaws.com", a("AddRoleToDBCluster", "AddRoleToDBInstance"), a("roleArn"), "RDS user guide: associating a role requires iam:PassRole"},
		{"ec2.amazonaws.com", a("CreateFlowLogs"), a("deliverLogsPermissionArn"), "SAR ec2 CreateFlowLogs lists iam:PassRole for the delivery role"},
		{"datasync.amazonaws.com", a("CreateLocationS3"), a("bucketAccessRoleArn"), "DataSync: S3 access role requires iam:PassRole"},
		{"ssm.amazonaws.com", a("SendCommand"), a("serviceRoleArn"), "SSM Run Command notification role requires iam:PassRole"},
		{"s3.amazonaws.com", a("CreateJob"), a("roleArn"), "S3 Batch Operations job role requires iam:PassRole (iam-dataset)"},
	}
}

// instanceProfileEvents pass a role through an instance profile: the call
// needs iam:PassRole on the role inside the profile, which the event does
// not name. The record gets iam:PassRole with an unknown resource ("")
// rather than the instance-profile ARN, which is not a role.
func instanceProfileEvents() []string {
	return []string{"RunInstances", "AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation", "RequestSpotInstances"}
}
