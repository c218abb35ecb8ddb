package sample

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// activity is one kind of call a principal makes: an event name on a set of
// candidate resources, with a weight (how often), an outcome profile and
// whether the trail records it.
type activity struct {
	who    *principal
	action string // IAM action the call needs; "" for permissionless calls
	source string // eventSource
	name   string // eventName
	cands  []*res // candidate resources; empty means the action takes "*"
	weight int
	via    string // userIdentity.invokedBy: an AWS service calling with the principal's credentials

	// deny is set for attempts that are always refused; it is the reason
	// the error message gives.
	deny string
	// An authorized failure: the call passed authorization and then failed
	// (NoSuchKey, ConditionalCheckFailedException, ...). Still use.
	failCode, failMsg string
	failPct           int

	data     bool   // data event (eventCategory Data)
	readOnly bool   // readOnly field
	logged   bool   // the trail records it
	unlogged string // why not, when !logged

	regions  []int    // regions it happens in
	byRegion [][]*res // candidates per region index (nil entries for regions it skips)
	assumed  *principal

	// pass lists the roles the call passes to a service, each in the
	// requestParameters key that names it: the call also needs
	// iam:PassRole on each of those roles.
	pass []passedRole

	// mint, when set, names the resource each call acts on as the workload
	// mints it: a Lambda log stream named by the day, an S3 key under a
	// date partition, an instance an autoscaler launched, an ECS task, a
	// Step Functions execution, a CodeBuild build. parent is the candidate
	// drawn (nil for activities on "*"); k < mintN tells the day's
	// resources apart. The names depend on the day and k alone, so a later
	// period mints fresh ones (truth's nextMonth).
	mint  func(o *org, parent *res, region int, t time.Time, k int) *res
	mintN int
	// on, when set, limits the activity to the days it returns true for
	// (monthly and quarterly jobs).
	on func(t time.Time) bool
	// implied are actions the call needs beyond its own that CloudTrail
	// does not log as calls of their own (ec2:CreateTags for a launch that
	// tags what it creates), each on the resource the call mints.
	implied []string
	// creates says the call creates the minted resource without naming it
	// (RunInstances): used lists "*", implied actions the new resource.
	creates bool
	// unmapped, when set, says why no IAM action is known for the event
	// name (an API newer than the action catalog): action is the one AWS
	// authorizes the call with, which truth lists under unmapped, not used.
	unmapped string
}

// unmappedAs marks a call whose event name maps to no IAM action.
func unmappedAs(why string) actOpt { return func(a *activity) { a.unmapped = why } }

// creates marks a minting call that creates its resource unnamed.
func creates() actOpt { return func(a *activity) { a.creates = true } }

// mints makes an activity act on minted resources (see activity.mint).
func mints(n int, f func(o *org, parent *res, region int, t time.Time, k int) *res) actOpt {
	return func(a *activity) { a.mint, a.mintN = f, n }
}

// on limits an activity to some days.
func on(f func(t time.Time) bool) actOpt { return func(a *activity) { a.on = f } }

// implies adds actions a call needs that are not logged on their own.
func implies(actions ...string) actOpt {
	return func(a *activity) { a.implied = append(a.implied, actions...) }
}

// monthly is the first day of each month; quarterly the first day of each
// quarter.
func monthly(t time.Time) bool   { return t.Day() == 1 }
func quarterly(t time.Time) bool { return t.Day() == 1 && (t.Month()-1)%3 == 0 }

// passedRole is a role a call hands to a service (a Lambda function's
// execution role, an ECS task role), and the requestParameters key that
// carries its ARN.
type passedRole struct {
	key  string
	role *principal
}

const (
	denyNoIdentity = "no identity-based policy allows the %s action"
	denyBoundary   = "no permissions boundary allows the %s action"
	denyExplicit   = "with an explicit deny in an identity-based policy"
)

type actOpt func(*activity)

func fail(code, msg string, pct int) actOpt {
	return func(a *activity) { a.failCode, a.failMsg, a.failPct = code, msg, pct }
}
func denied(reason string) actOpt { return func(a *activity) { a.deny = reason } }
func via(svc string) actOpt       { return func(a *activity) { a.via = svc } }
func src(s string) actOpt         { return func(a *activity) { a.source = s } }
func assumes(p *principal) actOpt {
	return func(a *activity) { a.assumed = p }
}

// passes adds a role the call passes, named by requestParameters key.
func passes(key string, role *principal) actOpt {
	return func(a *activity) { a.pass = append(a.pass, passedRole{key: key, role: role}) }
}

// sel picks resources: "kind:prefix" matches resources of that kind whose
// name (bucket/key for objects) starts with prefix; "@N" at the end keeps
// region N only. "*" selects none.
func (o *org) sel(s string) []*res {
	if s == "*" {
		return nil
	}
	region := -2
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		fmt.Sscanf(s[i+1:], "%d", &region)
		region = o.regionIndex(region)
		s = s[:i]
	}
	kind, prefix, _ := strings.Cut(s, ":")
	var out []*res
	for _, r := range o.res {
		full := r.name
		if r.kind == "object" || r.kind == "logstream" {
			full = r.name + "/" + r.sub
		}
		if r.kind == kind && strings.HasPrefix(full, prefix) && (region == -2 || r.region == region) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		panic("selector matches nothing: " + s)
	}
	slices.SortFunc(out, func(a, b *res) int { return strings.Compare(a.arn, b.arn) })
	return out
}

// act adds an activity for principal key who.
func (o *org) act(who, action, eventName, selector string, weight int, opts ...actOpt) *activity {
	p := o.byKey[who]
	if p == nil {
		panic("unknown principal " + who)
	}
	a := &activity{who: p, action: action, name: eventName, weight: weight, cands: o.sel(selector)}
	if action != "" {
		svc, _, _ := strings.Cut(action, ":")
		a.source = svc + ".amazonaws.com"
		if svc == "cloudwatch" {
			a.source = "monitoring.amazonaws.com"
		}
	}
	for _, opt := range opts {
		opt(a)
	}
	if a.source == "" {
		panic("no event source for " + eventName)
	}
	o.acts = append(o.acts, a)
	return a
}

const (
	msgNoSuchKey = "The specified key does not exist."
	msgCCF       = "The conditional request failed"
)

// buildActivities says what every principal does. Weights are relative
// call frequencies across the whole window.
func (o *org) buildActivities() {
	for _, p := range o.policies {
		o.add(&res{kind: "policy", arn: p.arn(), name: p.name, region: anyRegion})
	}
	for _, lg := range o.sel("loggroup:/") {
		for i := range 3 {
			stream := fmt.Sprintf("[$LATEST]%08x9d8a7c6b5e4f3a2b%08x", 0x4c1f0e2b+i*0x1111, 0x1c0d9e8f+i)
			if strings.HasPrefix(lg.name, "/app/") {
				stream = fmt.Sprintf("web-%d", i+1)
			}
			o.add(&res{kind: "logstream", arn: lg.arn + ":log-stream:" + stream, name: lg.name, sub: stream, region: lg.region})
		}
	}

	// The SSO administrator: AdministratorAccess, used for a little of
	// everything.
	o.act("sso-admin", "iam:ListRoles", "ListRoles", "*", 6)
	o.act("sso-admin", "iam:GetRole", "GetRole", "role:", 6)
	o.act("sso-admin", "iam:ListAttachedRolePolicies", "ListAttachedRolePolicies", "role:", 3)
	o.act("sso-admin", "iam:GetPolicyVersion", "GetPolicyVersion", "policy:", 2)
	o.act("sso-admin", "iam:ListPolicyVersions", "ListPolicyVersions", "policy:DataPipelineAccess", 1)
	o.act("sso-admin", "ec2:DescribeInstances", "DescribeInstances", "*", 8)
	o.act("sso-admin", "ec2:DescribeSecurityGroups", "DescribeSecurityGroups", "*", 3)
	o.act("sso-admin", "ec2:StopInstances", "StopInstances", "instance:", 1)
	o.act("sso-admin", "cloudtrail:DescribeTrails", "DescribeTrails", "*", 2)
	o.act("sso-admin", "cloudtrail:GetTrailStatus", "GetTrailStatus", "trail:", 1)
	o.act("sso-admin", "cloudtrail:LookupEvents", "LookupEvents", "*", 2)
	o.act("sso-admin", "s3:GetBucketPolicy", "GetBucketPolicy", "bucket:acme-", 2)
	o.act("sso-admin", "kms:DescribeKey", "DescribeKey", "key:", 1)
	o.act("sso-admin", "", "GetCallerIdentity", "*", 2, src("sts.amazonaws.com"))
	o.act("sso-admin", "iam:GetRole", "GetRole", "role:legacy-etl", 1,
		fail("NoSuchEntityException", "The role with name legacy-etl-v2 cannot be found.", 100))
	o.act("saml:sso", "sts:AssumeRoleWithSAML", "AssumeRoleWithSAML", "role:AWSReservedSSO", 3, assumes(o.byKey["sso-admin"]))

	// orders-api: DynamoDB item calls (logged), SQS sends (not logged).
	o.act("orders-api", "dynamodb:GetItem", "GetItem", "table:orders", 60)
	o.act("orders-api", "dynamodb:PutItem", "PutItem", "table:orders", 25,
		fail("ConditionalCheckFailedException", msgCCF, 8))
	o.act("orders-api", "dynamodb:UpdateItem", "UpdateItem", "table:orders", 20,
		fail("ConditionalCheckFailedException", msgCCF, 5))
	o.act("orders-api", "dynamodb:Query", "Query", "table:orders", 30)
	o.act("orders-api", "sqs:SendMessage", "SendMessage", "queue:order-events", 30)
	o.act("orders-api", "sqs:GetQueueUrl", "GetQueueUrl", "queue:order-events", 1)
	o.act("orders-api", "s3:GetObject", "GetObject", "object:acme-data-prod/config/", 6,
		fail("NoSuchKey", msgNoSuchKey, 10))
	o.act("orders-api", "ssm:GetParameter", "GetParameter", "parameter:prod/orders/db-host", 4)
	o.act("orders-api", "secretsmanager:GetSecretValue", "GetSecretValue", "secret:prod/orders/", 3)
	// Each cold start creates a log stream named by the day.
	o.act("orders-api", "logs:CreateLogStream", "CreateLogStream", "loggroup:/aws/lambda/orders-api", 2, mints(4, lambdaStream))
	o.act("orders-api", "logs:PutLogEvents", "PutLogEvents", "loggroup:/aws/lambda/orders-api", 40, mints(4, lambdaStream))
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:orders-api-lambda", 6, assumes(o.byKey["orders-api"]))

	// thumbnailer: AmazonS3FullAccess, uses four S3 object operations.
	o.act("thumbnailer", "s3:GetObject", "GetObject", "object:acme-data-prod/images/", 30)
	o.act("thumbnailer", "s3:GetObject", "HeadObject", "object:acme-data-prod/images/", 8)
	o.act("thumbnailer", "s3:PutObject", "PutObject", "object:acme-data-prod/thumbnails/", 20)
	o.act("thumbnailer", "s3:PutObject", "CreateMultipartUpload", "object:acme-data-prod/thumbnails/", 3)
	o.act("thumbnailer", "s3:PutObject", "UploadPart", "object:acme-data-prod/thumbnails/", 6)
	o.act("thumbnailer", "s3:PutObject", "CompleteMultipartUpload", "object:acme-data-prod/thumbnails/", 3)
	o.act("thumbnailer", "s3:ListBucket", "ListObjects", "bucket:acme-data-prod", 5)
	o.act("thumbnailer", "s3:GetObject", "GetObject", "object:acme-logs-archive/app/", 2)
	o.act("thumbnailer", "logs:CreateLogStream", "CreateLogStream", "loggroup:/aws/lambda/thumbnailer", 1, mints(3, lambdaStream))
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:thumbnailer-lambda", 4, assumes(o.byKey["thumbnailer"]))

	// nightly-report: a Scan, a report upload, custom metrics.
	o.act("nightly-report", "dynamodb:Scan", "Scan", "table:orders", 10)
	o.act("nightly-report", "s3:PutObject", "PutObject", "object:acme-data-prod/reports/", 4)
	o.act("nightly-report", "cloudwatch:PutMetricData", "PutMetricData", "*", 8)
	o.act("nightly-report", "sns:Publish", "Publish", "topic:ops-alerts", 2)
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:nightly-report-lambda", 1, assumes(o.byKey["nightly-report"]))

	// ci-deployer: CloudFormation and Lambda deploys from GitHub Actions.
	o.act("ci-deployer", "cloudformation:DescribeStacks", "DescribeStacks", "stack:orders-service", 10)
	o.act("ci-deployer", "cloudformation:CreateChangeSet", "CreateChangeSet", "stack:orders-service", 2)
	o.act("ci-deployer", "cloudformation:DescribeChangeSet", "DescribeChangeSet", "stack:orders-service", 3)
	o.act("ci-deployer", "cloudformation:ExecuteChangeSet", "ExecuteChangeSet", "stack:orders-service", 2)
	o.act("ci-deployer", "cloudformation:UpdateStack", "UpdateStack", "stack:orders-service", 3,
		fail("ValidationError", "No updates are to be performed.", 40))
	o.act("ci-deployer", "cloudformation:DescribeStackEvents", "DescribeStackEvents", "stack:orders-service", 6)
	o.act("ci-deployer", "cloudformation:GetTemplate", "GetTemplate", "stack:orders-service", 1)
	o.act("ci-deployer", "lambda:GetFunction", "GetFunction20150331v2", "function:orders-api", 5)
	o.act("ci-deployer", "lambda:UpdateFunctionCode", "UpdateFunctionCode20150331v2", "function:orders-api", 2)
	// The deploy sets the function's execution role, so it passes it.
	o.act("ci-deployer", "lambda:UpdateFunctionConfiguration", "UpdateFunctionConfiguration20150331v2", "function:orders-api", 2,
		passes("role", o.byKey["orders-api"]))
	o.act("ci-deployer", "lambda:PublishVersion", "PublishVersion20150331", "function:orders-api", 1)
	o.act("ci-deployer", "lambda:ListVersionsByFunction", "ListVersionsByFunction20150331", "function:orders-api", 1)
	o.act("ci-deployer", "s3:PutObject", "PutObject", "object:acme-build-artifacts/releases/", 4)
	o.act("ci-deployer", "iam:GetRole", "GetRole", "role:orders-api-lambda", 1)
	o.act("ci-deployer", "lambda:UpdateFunctionConfiguration", "UpdateFunctionConfiguration20150331v2", "function:orders-api", 2,
		via("cloudformation.amazonaws.com"))
	o.act("ci-deployer", "lambda:GetFunction", "GetFunction20150331v2", "function:orders-api", 2, via("cloudformation.amazonaws.com"))
	o.act("ci-deployer", "iam:CreateRole", "CreateRole", "*", 1, denied(denyNoIdentity))
	// ECS deploys of the web service: a new task definition revision with
	// its task and execution role (one role for both).
	o.act("ci-deployer", "ecs:DescribeTaskDefinition", "DescribeTaskDefinition", "*", 2)
	o.act("ci-deployer", "ecs:RegisterTaskDefinition", "RegisterTaskDefinition", "*", 2,
		passes("taskRoleArn", o.byKey["ecs-web"]), passes("executionRoleArn", o.byKey["ecs-web"]))
	o.act("web:github", "sts:AssumeRoleWithWebIdentity", "AssumeRoleWithWebIdentity", "role:ci-deployer", 4, assumes(o.byKey["ci-deployer"]))

	// security-auditor: ReadOnlyAccess, a scanner across regions.
	for _, n := range []string{"DescribeInstances", "DescribeSecurityGroups", "DescribeVpcs", "DescribeRegions", "DescribeVolumes"} {
		o.act("auditor", "ec2:"+n, n, "*", 4)
	}
	o.act("auditor", "iam:ListRoles", "ListRoles", "*", 3)
	o.act("auditor", "iam:ListUsers", "ListUsers", "*", 2)
	o.act("auditor", "iam:GetAccountAuthorizationDetails", "GetAccountAuthorizationDetails", "*", 1)
	o.act("auditor", "iam:ListPolicies", "ListPolicies", "*", 1)
	o.act("auditor", "s3:ListAllMyBuckets", "ListBuckets", "*", 2)
	o.act("auditor", "s3:GetBucketPolicy", "GetBucketPolicy", "bucket:acme-", 2)
	o.act("auditor", "s3:GetBucketAcl", "GetBucketAcl", "bucket:acme-", 2)
	o.act("auditor", "s3:GetEncryptionConfiguration", "GetBucketEncryption", "bucket:acme-", 2)
	o.act("auditor", "s3:GetBucketPublicAccessBlock", "GetBucketPublicAccessBlock", "bucket:acme-", 2)
	o.act("auditor", "s3:GetBucketVersioning", "GetBucketVersioning", "bucket:acme-", 1)
	o.act("auditor", "kms:ListKeys", "ListKeys", "*", 1)
	o.act("auditor", "kms:DescribeKey", "DescribeKey", "key:", 1)
	o.act("auditor", "cloudtrail:DescribeTrails", "DescribeTrails", "*", 1)
	o.act("auditor", "cloudtrail:GetEventSelectors", "GetEventSelectors", "trail:", 1)
	o.act("auditor", "lambda:ListFunctions", "ListFunctions20150331", "*", 2)
	o.act("auditor", "logs:DescribeLogGroups", "DescribeLogGroups", "*", 1)
	o.act("auditor", "secretsmanager:ListSecrets", "ListSecrets", "*", 1)
	o.act("auditor", "secretsmanager:GetSecretValue", "GetSecretValue", "secret:prod/orders/", 1, denied(denyNoIdentity))

	// app-instance-role: NotAction policy with an explicit Deny.
	o.act("app-instance", "ssm:GetParameter", "GetParameter", "parameter:prod/", 10)
	o.act("app-instance", "ssm:GetParameters", "GetParameters", "parameter:prod/orders/", 3)
	o.act("app-instance", "s3:GetObject", "GetObject", "object:acme-data-prod/config/", 8)
	o.act("app-instance", "s3:GetObject", "GetObject", "object:acme-logs-archive/app/", 2)
	o.act("app-instance", "ec2:DescribeTags", "DescribeTags", "*", 4)
	o.act("app-instance", "cloudwatch:PutMetricData", "PutMetricData", "*", 10)
	o.act("app-instance", "logs:CreateLogStream", "CreateLogStream", "logstream:/app/web/", 1)
	o.act("app-instance", "logs:PutLogEvents", "PutLogEvents", "logstream:/app/web/", 20)
	o.act("app-instance", "kms:Decrypt", "Decrypt", "key:", 4, via("ssm.amazonaws.com"))
	o.act("app-instance", "iam:GetRole", "GetRole", "role:app-instance-role", 1, denied(denyNoIdentity))
	o.act("app-instance", "s3:DeleteObject", "DeleteObject", "object:acme-data-prod/config/", 1, denied(denyExplicit))
	o.act("svc:ec2.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:app-instance-role", 2, assumes(o.byKey["app-instance"]))

	// data-pipeline: three policy versions, SSE-KMS writes.
	o.act("data-pipeline", "s3:GetObject", "GetObject", "object:acme-data-prod/incoming/", 25)
	o.act("data-pipeline", "s3:ListBucket", "ListObjects", "bucket:acme-data-prod", 6)
	o.act("data-pipeline", "s3:PutObject", "PutObject", "object:acme-data-prod/processed/", 15)
	o.act("data-pipeline", "s3:GetObjectTagging", "GetObjectTagging", "object:acme-data-prod/incoming/", 2)
	o.act("data-pipeline", "kms:GenerateDataKey", "GenerateDataKey", "key:@0", 8, via("s3.amazonaws.com"))
	o.act("data-pipeline", "kms:Decrypt", "Decrypt", "key:@0", 10, via("s3.amazonaws.com"))
	o.act("data-pipeline", "dynamodb:Query", "Query", "table:sessions", 5)
	o.act("data-pipeline", "s3:DeleteObject", "DeleteObject", "object:acme-data-prod/incoming/", 1, denied(denyExplicit))
	o.act("svc:ecs-tasks.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:data-pipeline", 2, assumes(o.byKey["data-pipeline"]))

	// dev-sandbox: PowerUserAccess capped by a permissions boundary.
	o.act("dev-sandbox", "s3:ListAllMyBuckets", "ListBuckets", "*", 3)
	o.act("dev-sandbox", "s3:ListBucket", "ListObjects", "bucket:acme-data-prod", 3)
	o.act("dev-sandbox", "s3:GetObject", "GetObject", "object:acme-data-prod/reports/", 4,
		fail("NoSuchKey", msgNoSuchKey, 15))
	o.act("dev-sandbox", "dynamodb:DescribeTable", "DescribeTable", "table:orders", 2)
	o.act("dev-sandbox", "dynamodb:Scan", "Scan", "table:sessions", 1)
	o.act("dev-sandbox", "lambda:ListFunctions", "ListFunctions20150331", "*", 3)
	o.act("dev-sandbox", "lambda:GetFunction", "GetFunction20150331v2", "function:", 2)
	o.act("dev-sandbox", "lambda:InvokeFunction", "Invoke", "function:orders-api", 4)
	o.act("dev-sandbox", "logs:FilterLogEvents", "FilterLogEvents", "loggroup:/aws/lambda/", 3)
	o.act("dev-sandbox", "ec2:RunInstances", "RunInstances", "*", 1, denied(denyBoundary))
	o.act("dev-sandbox", "ec2:DescribeInstances", "DescribeInstances", "*", 2, denied(denyBoundary))
	// Reusing the production task role from the sandbox: the boundary
	// refuses ECS, and nothing grants iam:PassRole.
	o.act("dev-sandbox", "ecs:RegisterTaskDefinition", "RegisterTaskDefinition", "*", 1, denied(denyBoundary),
		passes("taskRoleArn", o.byKey["ecs-web"]))

	// monitoring-agent: CloudWatchAgentServerPolicy.
	o.act("monitoring", "cloudwatch:PutMetricData", "PutMetricData", "*", 20)
	o.act("monitoring", "ec2:DescribeTags", "DescribeTags", "*", 6)
	// The agent's X-Ray sampling client calls GetSamplingTargetsV2, an API
	// version newer than the action catalog: no IAM action is known for
	// the event name (an unmapped call). AWS authorizes it with
	// xray:GetSamplingTargets, which the role holds.
	o.act("monitoring", "xray:GetSamplingTargets", "GetSamplingTargetsV2", "*", 2,
		unmappedAs("an API version newer than the action catalog: no IAM action is known for the event name"))
	o.act("monitoring", "ssm:GetParameter", "GetParameter", "parameter:AmazonCloudWatch-", 2)
	o.act("monitoring", "logs:DescribeLogStreams", "DescribeLogStreams", "loggroup:/app/web", 3)
	o.act("monitoring", "logs:PutLogEvents", "PutLogEvents", "logstream:/app/web/", 10)
	o.act("svc:ec2.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:monitoring-agent", 1, assumes(o.byKey["monitoring"]))

	// backup-operator.
	o.act("backup-operator", "dynamodb:ListBackups", "ListBackups", "*", 3)
	o.act("backup-operator", "dynamodb:CreateBackup", "CreateBackup", "table:orders", 1)
	o.act("backup-operator", "dynamodb:DescribeContinuousBackups", "DescribeContinuousBackups", "table:", 2)

	// secrets-rotation-lambda.
	o.act("secrets-rotation", "secretsmanager:DescribeSecret", "DescribeSecret", "secret:prod/orders/", 4)
	o.act("secrets-rotation", "secretsmanager:GetSecretValue", "GetSecretValue", "secret:prod/orders/", 4)
	o.act("secrets-rotation", "secretsmanager:PutSecretValue", "PutSecretValue", "secret:prod/orders/", 1)
	o.act("secrets-rotation", "secretsmanager:UpdateSecretVersionStage", "UpdateSecretVersionStage", "secret:prod/orders/", 1)
	o.act("secrets-rotation", "secretsmanager:GetRandomPassword", "GetRandomPassword", "*", 1)
	o.act("secrets-rotation", "kms:Decrypt", "Decrypt", "key:@0", 3, via("secretsmanager.amazonaws.com"))
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:secrets-rotation-lambda", 1, assumes(o.byKey["secrets-rotation"]))

	// sqs-worker.
	o.act("sqs-worker", "sqs:GetQueueAttributes", "GetQueueAttributes", "queue:order-events", 2)
	o.act("sqs-worker", "sqs:GetQueueUrl", "GetQueueUrl", "queue:order-events", 3)
	o.act("sqs-worker", "sqs:ReceiveMessage", "ReceiveMessage", "queue:order-events", 20)
	o.act("sqs-worker", "sqs:DeleteMessage", "DeleteMessage", "queue:order-events", 15)
	o.act("sqs-worker", "dynamodb:UpdateItem", "UpdateItem", "table:orders", 15,
		fail("ConditionalCheckFailedException", msgCCF, 5))
	o.act("sqs-worker", "dynamodb:GetItem", "GetItem", "table:orders", 10)
	o.act("sqs-worker", "kms:Decrypt", "Decrypt", "key:@0", 5, via("sqs.amazonaws.com"))
	o.act("svc:ecs-tasks.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:sqs-worker", 1, assumes(o.byKey["sqs-worker"]))

	// AWS Config's service-linked role: every call is made by the service.
	cfg := via("config.amazonaws.com")
	o.act("config-slr", "ec2:DescribeInstances", "DescribeInstances", "*", 3, cfg)
	o.act("config-slr", "ec2:DescribeSecurityGroups", "DescribeSecurityGroups", "*", 2, cfg)
	o.act("config-slr", "ec2:DescribeVpcs", "DescribeVpcs", "*", 1, cfg)
	o.act("config-slr", "iam:GetRole", "GetRole", "role:", 2, cfg)
	o.act("config-slr", "iam:ListRoles", "ListRoles", "*", 1, cfg)
	o.act("config-slr", "s3:GetBucketAcl", "GetBucketAcl", "bucket:acme-", 1, cfg)
	o.act("config-slr", "s3:GetEncryptionConfiguration", "GetBucketEncryption", "bucket:acme-", 1, cfg)
	o.act("svc:config.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:AWSServiceRoleForConfig", 1, assumes(o.byKey["config-slr"]))

	// partner-audit-readonly: a third party, cross-account.
	o.act("partner-audit", "iam:ListRoles", "ListRoles", "*", 1)
	o.act("partner-audit", "ec2:DescribeInstances", "DescribeInstances", "*", 1)
	o.act("partner-audit", "s3:ListAllMyBuckets", "ListBuckets", "*", 1)
	o.act("partner-audit", "s3:GetBucketPolicy", "GetBucketPolicy", "bucket:acme-data-prod", 1)
	o.act("account:partner", "sts:AssumeRole", "AssumeRole", "role:partner-audit-readonly", 1, assumes(o.byKey["partner-audit"]))

	// ecs-web-task.
	o.act("ecs-web", "", "GetCallerIdentity", "*", 2, src("sts.amazonaws.com"))
	o.act("ecs-web", "ssm:GetParameters", "GetParameters", "parameter:prod/orders/", 5)
	o.act("ecs-web", "secretsmanager:GetSecretValue", "GetSecretValue", "secret:prod/orders/", 3)
	o.act("ecs-web", "s3:GetObject", "GetObject", "object:acme-data-prod/config/", 3, fail("NoSuchKey", msgNoSuchKey, 20))
	o.act("ecs-web", "logs:CreateLogStream", "CreateLogStream", "logstream:/app/web/", 1)

	// github-actions-plan: terraform plan, ReadOnlyAccess plus state.
	o.act("tf-plan", "ec2:DescribeVpcs", "DescribeVpcs", "*", 3)
	o.act("tf-plan", "ec2:DescribeSubnets", "DescribeSubnets", "*", 3)
	o.act("tf-plan", "ec2:DescribeSecurityGroups", "DescribeSecurityGroups", "*", 3)
	o.act("tf-plan", "iam:GetRole", "GetRole", "role:", 3)
	o.act("tf-plan", "iam:GetPolicy", "GetPolicy", "policy:", 2)
	o.act("tf-plan", "iam:GetPolicyVersion", "GetPolicyVersion", "policy:", 2)
	o.act("tf-plan", "iam:ListRolePolicies", "ListRolePolicies", "role:", 2)
	o.act("tf-plan", "iam:ListAttachedRolePolicies", "ListAttachedRolePolicies", "role:", 2)
	o.act("tf-plan", "lambda:GetFunction", "GetFunction20150331v2", "function:", 2)
	o.act("tf-plan", "lambda:GetPolicy", "GetPolicy20150331v2", "function:", 1,
		fail("ResourceNotFoundException", "The resource you requested does not exist.", 50))
	o.act("tf-plan", "lambda:ListVersionsByFunction", "ListVersionsByFunction20150331", "function:", 1)
	o.act("tf-plan", "s3:GetObject", "GetObject", "object:acme-build-artifacts/terraform/", 3)
	o.act("tf-plan", "s3:PutObject", "PutObject", "object:acme-build-artifacts/terraform/", 1)
	o.act("tf-plan", "dynamodb:GetItem", "GetItem", "table:terraform-locks", 2)
	o.act("tf-plan", "dynamodb:PutItem", "PutItem", "table:terraform-locks", 1)
	o.act("tf-plan", "dynamodb:DeleteItem", "DeleteItem", "table:terraform-locks", 1)
	o.act("tf-plan", "s3:GetBucketPolicy", "GetBucketPolicy", "bucket:acme-", 1)
	o.act("web:github-plan", "sts:AssumeRoleWithWebIdentity", "AssumeRoleWithWebIdentity", "role:github-actions-plan", 3, assumes(o.byKey["tf-plan"]))

	// edge-router-lambda, in the second region.
	o.act("edge-router", "ssm:GetParameter", "GetParameter", "parameter:prod/edge/", 8)
	o.act("edge-router", "kms:Decrypt", "Decrypt", "key:@1", 2, via("ssm.amazonaws.com"))
	o.act("edge-router", "logs:CreateLogStream", "CreateLogStream", "loggroup:/aws/lambda/edge-router", 1, mints(2, lambdaStream))
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:edge-router-lambda", 1, assumes(o.byKey["edge-router"]))

	// invoice-pdf-lambda: a monthly job (the 1st), so rarely warm that
	// every run is a cold start with a new log stream; its S3 keys are
	// partitioned by date.
	o.act("invoice-pdf", "logs:CreateLogStream", "CreateLogStream", "loggroup:/aws/lambda/invoice-pdf", 60, on(monthly), mints(2, lambdaStream))
	o.act("invoice-pdf", "logs:PutLogEvents", "PutLogEvents", "loggroup:/aws/lambda/invoice-pdf", 200, on(monthly), mints(2, lambdaStream))
	o.act("invoice-pdf", "s3:GetObject", "GetObject", "object:acme-data-prod/config/", 40, on(monthly))
	o.act("invoice-pdf", "s3:PutObject", "PutObject", "bucket:acme-data-prod", 150, on(monthly), mints(20, datedObject("invoices/", "pdf")))
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:invoice-pdf-lambda", 40, on(monthly), assumes(o.byKey["invoice-pdf"]))

	// fleet-scaler-lambda: scales the worker fleet. Launches tag what they
	// create (tag-on-create: ec2:CreateTags is needed, never logged on its
	// own); it terminates the instances it launched. Its route53:* grant
	// was never used.
	o.act("fleet-scaler", "ec2:DescribeInstances", "DescribeInstances", "*", 6)
	o.act("fleet-scaler", "ec2:RunInstances", "RunInstances", "*", 3, mints(3, scaledInstance), creates(), implies("ec2:CreateTags"))
	o.act("fleet-scaler", "ec2:TerminateInstances", "TerminateInstances", "*", 3, mints(3, scaledInstance))
	o.act("fleet-scaler", "logs:CreateLogStream", "CreateLogStream", "loggroup:/aws/lambda/fleet-scaler", 1, mints(2, lambdaStream))
	o.act("svc:lambda.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:fleet-scaler-lambda", 1, assumes(o.byKey["fleet-scaler"]))

	// batch-scheduler: the nightly batch, started by EventBridge
	// Scheduler: an ECS task of the task definition revision current that
	// week, a Step Functions execution, a CodeBuild build and date
	// partitioned event files; on the first day of each quarter, an export
	// of the orders table (seasonal work).
	o.act("svc:scheduler.amazonaws.com", "sts:AssumeRole", "AssumeRole", "role:batch-scheduler", 3, assumes(o.byKey["batch-scheduler"]))
	o.act("batch-scheduler", "ecs:RunTask", "RunTask", "taskfamily:nightly-batch", 3, mints(1, taskRevision))
	o.act("batch-scheduler", "ecs:DescribeTasks", "DescribeTasks", "cluster:batch", 6, mints(2, ecsTask))
	o.act("batch-scheduler", "states:StartExecution", "StartExecution", "statemachine:nightly-etl", 3)
	o.act("batch-scheduler", "states:DescribeExecution", "DescribeExecution", "statemachine:nightly-etl", 6, mints(2, sfnExecution))
	o.act("batch-scheduler", "codebuild:StartBuild", "StartBuild", "project:nightly-images", 2)
	o.act("batch-scheduler", "codebuild:BatchGetBuilds", "BatchGetBuilds", "project:nightly-images", 3)
	o.act("batch-scheduler", "s3:PutObject", "PutObject", "bucket:acme-data-prod", 4, mints(8, datedObject("events/", "json.gz")))
	o.act("batch-scheduler", "dynamodb:ExportTableToPointInTime", "ExportTableToPointInTime", "table:orders", 400, on(quarterly))

	// Users.
	o.act("alice", "", "ConsoleLogin", "*", 3, src("signin.amazonaws.com"))
	o.act("alice", "sts:AssumeRole", "AssumeRole", "role:dev-sandbox", 4, assumes(o.byKey["dev-sandbox"]))
	o.act("alice", "s3:ListAllMyBuckets", "ListBuckets", "*", 2)
	o.act("alice", "s3:GetObject", "GetObject", "object:acme-data-prod/reports/", 2)
	o.act("alice", "lambda:ListFunctions", "ListFunctions20150331", "*", 1)
	o.act("alice", "logs:FilterLogEvents", "FilterLogEvents", "loggroup:/aws/lambda/orders-api", 2)
	o.act("alice", "dynamodb:PutItem", "PutItem", "table:orders", 1, denied(denyNoIdentity))

	o.act("bob", "", "ConsoleLogin", "*", 2, src("signin.amazonaws.com"))
	o.act("bob", "iam:ListUsers", "ListUsers", "*", 3)
	o.act("bob", "iam:ListAccessKeys", "ListAccessKeys", "user:", 2)
	o.act("bob", "iam:GetAccountSummary", "GetAccountSummary", "*", 1)
	o.act("bob", "iam:CreateAccessKey", "CreateAccessKey", "user:ci-bot", 1)
	o.act("bob", "iam:UpdateAccessKey", "UpdateAccessKey", "user:ci-bot", 1)
	o.act("bob", "", "GetCallerIdentity", "*", 2, src("sts.amazonaws.com"))
	o.act("bob", "ec2:DescribeInstances", "DescribeInstances", "*", 1, denied(denyNoIdentity))
	o.act("bob", "s3:ListAllMyBuckets", "ListBuckets", "*", 1, denied(denyNoIdentity))

	o.act("ci-bot", "s3:PutObject", "PutObject", "object:acme-data-prod/incoming/", 15)
	o.act("ci-bot", "s3:ListBucket", "ListObjects", "bucket:acme-data-prod", 5)
	o.act("ci-bot", "s3:GetObject", "GetObject", "object:acme-data-prod/incoming/", 3, fail("NoSuchKey", msgNoSuchKey, 15))
	o.act("ci-bot", "s3:PutObject", "PutObject", "object:acme-build-artifacts/releases/", 3)
	o.act("ci-bot", "ec2:DescribeInstances", "DescribeInstances", "*", 2, denied(denyBoundary))

	for _, a := range o.acts {
		o.finish(a)
	}
}

// globalSource reports services whose calls CloudTrail logs in the first
// region (us-east-1) whatever the caller's region: IAM, STS through its
// global endpoint, console sign-in, and S3 ListBuckets.
func globalSource(source, name string) bool {
	switch source {
	case "iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com":
		return true
	case "s3.amazonaws.com":
		return name == "ListBuckets"
	}
	return false
}

// finish derives the regions, event category and logging of an activity.
func (o *org) finish(a *activity) {
	a.data, a.readOnly = classify(a.source, a.name)
	a.byRegion = make([][]*res, len(o.regions))
	switch {
	case globalSource(a.source, a.name):
		a.regions = []int{0}
		a.byRegion[0] = a.cands
	case len(a.cands) == 0:
		a.regions = a.who.regions
		for _, r := range a.regions {
			a.byRegion[r] = []*res{}
		}
	default:
		for _, c := range a.cands {
			r := c.region
			if r == anyRegion {
				r = 0
			}
			if a.byRegion[r] == nil {
				a.regions = append(a.regions, r)
			}
			a.byRegion[r] = append(a.byRegion[r], c)
		}
		slices.Sort(a.regions)
	}
	a.logged, a.unlogged = trailLogs(a)
}
