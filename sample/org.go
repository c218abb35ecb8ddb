package sample

import (
	"fmt"
	"strings"
	"time"
)

// Account is the synthetic account every generated file belongs to.
const Account = "111122223333"

const (
	partnerAccount = "444455556666"
	anyRegion      = -1 // a resource that is not tied to one region
)

// res is one AWS resource of the synthetic organisation. region is an index
// into Options.Regions (anyRegion for global resources such as IAM roles
// and S3 buckets' ARNs; S3 buckets still have a home region for logging).
type res struct {
	kind   string // bucket, object, table, function, queue, topic, key, parameter, secret, loggroup, logstream, stack, role, user, policy, instance, trail
	arn    string
	name   string // bucket, table, function, queue, ... name
	sub    string // object key, log stream, secret suffix, ...
	region int
}

// principal is a role or user of the organisation, or an outside caller
// (an AWS service, a web-identity or SAML session, another account).
type principal struct {
	key     string
	kind    string // role, user, service, web, saml, account
	name    string
	path    string
	arn     string
	id      string // AROA…/AIDA… unique id
	created time.Time

	// How its calls look.
	sessions []string // role session names
	agents   []string
	ipKind   string // aws, corp, github, vpc, partner
	vpce     string // VPC endpoint used for S3/SSM calls, if any
	console  bool   // user with console sessions (MFA)
	keyID    string // long-term access key of a user

	// What it is granted.
	trust     *doc
	inline    []namedDoc
	managed   []*managedPolicy
	boundary  *managedPolicy
	groups    []*group
	tags      [][2]string
	profile   string     // instance profile name
	lastUsed  *time.Time // fixed RoleLastUsed for roles idle in the window
	lastUsedR int
	desc      string
	regions   []int      // regions it works in, for calls on no particular resource
	byRegion  [][]string // instance sessions by region (see instanceSessions)
}

type namedDoc struct {
	name string
	doc  *doc
}

type group struct {
	name, path, id string
	created        time.Time
	inline         []namedDoc
	managed        []*managedPolicy
}

type managedPolicy struct {
	name, path, id string
	aws            bool
	created        time.Time
	updated        time.Time
	desc           string
	versions       []*doc // oldest first; the last is the default
	firstVersion   int    // number of the first listed version (AWS managed: the default's number)
}

func (p *managedPolicy) arn() string {
	if p.aws {
		return "arn:aws:iam::aws:policy" + p.path + p.name
	}
	return "arn:aws:iam::" + Account + ":policy" + p.path + p.name
}

// org is the whole synthetic organisation: resources, principals and the
// calls (activities) each principal makes.
type org struct {
	regions    []string
	res        map[string]*res
	principals []*principal // roles then users, in authz order
	byKey      map[string]*principal
	outside    []*principal // AWS services, web identity, SAML, partner account
	groups     []*group
	policies   []*managedPolicy
	acts       []*activity
	// mintedRes are the resources minting activities made (see
	// activity.mint), by ARN: bounded by days, not events.
	mintedRes map[string]*res
	cache     struct {
		dataKey    string // KMS key of region 0, used for SSE-KMS
		queue      string
		secret     *res
		prodParams []*res
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

// region returns the name of region index i (modulo the configured list, so
// a shorter Regions option still works).
func (o *org) region(i int) string { return o.regions[i%len(o.regions)] }
func (o *org) regionIndex(i int) int {
	if i == anyRegion {
		return anyRegion
	}
	return i % len(o.regions)
}

// regionSet maps region indexes onto the configured regions, without
// duplicates, in first-seen order.
func (o *org) regionSet(in []int) []int {
	var out []int
	seen := map[int]bool{}
	for _, i := range in {
		i = o.regionIndex(i)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}

func (o *org) add(r *res) *res {
	r.region = o.regionIndex(r.region)
	if _, dup := o.res[r.arn]; dup {
		panic("duplicate resource " + r.arn)
	}
	o.res[r.arn] = r
	return r
}

// Resource helpers. Each returns the ARN it registered.
func (o *org) bucket(name string, region int) *res {
	return o.add(&res{kind: "bucket", arn: "arn:aws:s3:::" + name, name: name, region: region})
}

func (o *org) objects(bucket, prefix, ext string, n int) []*res {
	b := o.res["arn:aws:s3:::"+bucket]
	out := make([]*res, n)
	for i := range n {
		key := fmt.Sprintf("%s%s-%03d.%s", prefix, strings.TrimSuffix(strings.ReplaceAll(prefix, "/", "-"), "-"), i, ext)
		out[i] = o.add(&res{kind: "object", arn: b.arn + "/" + key, name: bucket, sub: key, region: b.region})
	}
	return out
}

func (o *org) regional(kind string, region int, format string, name string) *res {
	reg := o.region(region)
	return o.add(&res{kind: kind, arn: fmt.Sprintf(format, reg, Account, name), name: name, region: region})
}

// newOrg builds the organisation for the given regions. It is fully
// determined by the region list: the seed only drives the events.
func newOrg(regions []string) *org {
	o := &org{regions: regions, res: map[string]*res{}, byKey: map[string]*principal{}}
	o.buildResources()
	o.buildPolicies()
	o.buildPrincipals()
	o.buildActivities()
	o.cache.dataKey = o.sel("key:@0")[0].arn
	o.cache.queue = o.sel("queue:order-events")[0].arn
	o.cache.secret = o.sel("secret:prod/orders/")[0]
	o.cache.prodParams = o.sel("parameter:prod/")
	return o
}

func (o *org) buildResources() {
	o.bucket("acme-data-prod", 0)
	o.bucket("acme-build-artifacts", 0)
	o.bucket("acme-logs-archive", 1)
	o.bucket("acme-cloudtrail-"+Account, 0)
	o.objects("acme-data-prod", "incoming/", "csv", 12)
	o.objects("acme-data-prod", "processed/", "parquet", 12)
	o.objects("acme-data-prod", "reports/", "pdf", 8)
	o.objects("acme-data-prod", "config/", "json", 4)
	o.objects("acme-data-prod", "images/", "jpg", 16)
	o.objects("acme-data-prod", "thumbnails/", "jpg", 16)
	o.objects("acme-build-artifacts", "releases/", "zip", 6)
	o.objects("acme-build-artifacts", "terraform/", "tfstate", 2)
	o.objects("acme-logs-archive", "app/", "log.gz", 8)

	const ddb = "arn:aws:dynamodb:%s:%s:table/%s"
	o.regional("table", 0, ddb, "orders")
	o.regional("table", 0, ddb, "sessions")
	o.regional("table", 0, ddb, "terraform-locks")

	const fn = "arn:aws:lambda:%s:%s:function:%s"
	o.regional("function", 0, fn, "orders-api")
	o.regional("function", 0, fn, "thumbnailer")
	o.regional("function", 0, fn, "nightly-report")
	o.regional("function", 1, fn, "edge-router")

	o.regional("queue", 0, "arn:aws:sqs:%s:%s:%s", "order-events")
	o.regional("topic", 0, "arn:aws:sns:%s:%s:%s", "ops-alerts")
	o.regional("key", 0, "arn:aws:kms:%s:%s:key/%s", "6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0")
	o.regional("key", 1, "arn:aws:kms:%s:%s:key/%s", "0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f")

	const param = "arn:aws:ssm:%s:%s:parameter/%s"
	o.regional("parameter", 0, param, "prod/orders/db-host").sub = "/prod/orders/db-host"
	o.regional("parameter", 0, param, "prod/orders/feature-flags").sub = "/prod/orders/feature-flags"
	o.regional("parameter", 1, param, "prod/edge/config").sub = "/prod/edge/config"
	o.regional("parameter", 0, param, "AmazonCloudWatch-linux")
	if len(o.regions) > 1 {
		// In a one-region organisation region 1 is region 0 and the
		// parameter already exists.
		o.regional("parameter", 1, param, "AmazonCloudWatch-linux")
	}
	if len(o.regions) > 2 {
		o.regional("parameter", 2, param, "AmazonCloudWatch-linux")
	}
	s := o.regional("secret", 0, "arn:aws:secretsmanager:%s:%s:secret:%s", "prod/orders/db-password-Xy12Ab")
	s.name, s.sub = "prod/orders/db-password", "Xy12Ab"

	const lg = "arn:aws:logs:%s:%s:log-group:%s"
	o.regional("loggroup", 0, lg, "/aws/lambda/orders-api")
	o.regional("loggroup", 0, lg, "/aws/lambda/thumbnailer")
	o.regional("loggroup", 1, lg, "/aws/lambda/edge-router")
	o.regional("loggroup", 0, lg, "/app/web")
	o.regional("loggroup", 0, lg, "/aws/secrets-rotation")
	o.regional("loggroup", 0, lg, "/aws/lambda/invoice-pdf")
	o.regional("loggroup", 0, lg, "/aws/lambda/fleet-scaler")

	// The nightly batch: an ECS cluster and task definition family (the
	// revision changes with every deploy), a state machine, a CodeBuild
	// project.
	o.regional("cluster", 0, "arn:aws:ecs:%s:%s:cluster/%s", "batch")
	o.regional("taskfamily", 0, "arn:aws:ecs:%s:%s:task-definition/%s", "nightly-batch")
	o.regional("statemachine", 0, "arn:aws:states:%s:%s:stateMachine:%s", "nightly-etl")
	o.regional("project", 0, "arn:aws:codebuild:%s:%s:project/%s", "nightly-images")
	st := o.regional("stack", 0, "arn:aws:cloudformation:%s:%s:stack/%s", "orders-service/3e2d1c0b-aaaa-4bbb-8ccc-0d1e2f3a4b5c")
	st.name, st.sub = "orders-service", "3e2d1c0b-aaaa-4bbb-8ccc-0d1e2f3a4b5c"
	o.regional("trail", 0, "arn:aws:cloudtrail:%s:%s:trail/%s", "acme-org-trail")

	const inst = "arn:aws:ec2:%s:%s:instance/%s"
	o.regional("instance", 0, inst, "i-0a1b2c3d4e5f60718")
	o.regional("instance", 0, inst, "i-0b2c3d4e5f6071829")
	o.regional("instance", 1, inst, "i-0c3d4e5f607182930")
	if len(o.regions) > 2 {
		o.regional("instance", 2, inst, "i-0d4e5f60718293a41")
	}
}

// AWS managed and customer managed policies.
func (o *org) buildPolicies() {
	admin := &managedPolicy{name: "AdministratorAccess", path: "/", id: "ANPAIWMBCKSKIEE64ZLYK", aws: true,
		created: day("2015-02-06T18:39:46Z"), updated: day("2015-02-06T18:39:46Z"), firstVersion: 1,
		desc:     "Provides full access to AWS services and resources.",
		versions: []*doc{policy(allow(acts("*"), "*"))}}
	readOnly := &managedPolicy{name: "ReadOnlyAccess", path: "/", id: "ANPAILL3HVNFSB6DCOWYQ", aws: true,
		created: day("2015-02-06T18:39:48Z"), updated: day("2026-06-18T16:40:21Z"), firstVersion: 188,
		desc: "Provides read-only access to AWS services and resources.",
		// Reduced: the real document lists ~2,900 actions across every
		// service; these are its entries for the services this
		// organisation uses, unchanged.
		versions: []*doc{policy(
			sid("ReadOnlyActionsGroup1", allow(acts(
				"cloudformation:Describe*", "cloudformation:Detect*",
				"cloudformation:Estimate*", "cloudformation:Get*", "cloudformation:List*", "cloudformation:ValidateTemplate",
				"cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents",
				"cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
				"dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*", "dynamodb:PartiQLSelect",
				"dynamodb:Query", "dynamodb:Scan",
				"ec2:Describe*", "ec2:Get*",
				"iam:Generate*", "iam:Get*", "iam:List*", "iam:Simulate*"), "*")),
			sid("ReadOnlyActionsGroup2", allow(acts(
				"kms:Describe*", "kms:Get*", "kms:List*", "lambda:Get*", "lambda:List*",
				"logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
				"logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter",
				"s3:DescribeJob", "s3:Get*", "s3:List*",
				"secretsmanager:Describe*", "secretsmanager:GetResourcePolicy", "secretsmanager:List*",
				"sns:Check*", "sns:Get*", "sns:List*", "sqs:Get*", "sqs:List*", "sqs:Receive*",
				"ssm:Describe*", "ssm:Get*", "ssm:List*",
				"sts:GetAccessKeyInfo", "sts:GetCallerIdentity", "sts:GetSessionToken"), "*")),
		)}}
	s3Full := &managedPolicy{name: "AmazonS3FullAccess", path: "/", id: "ANPAIFIR6V6BVTRAHWINE", aws: true,
		created: day("2015-02-06T18:40:58Z"), updated: day("2021-09-27T20:16:37Z"), firstVersion: 2,
		desc:     "Provides full access to all buckets via the AWS Management Console.",
		versions: []*doc{policy(allow(acts("s3:*", "s3-object-lambda:*"), "*"))}}
	lambdaBasic := &managedPolicy{name: "AWSLambdaBasicExecutionRole", path: "/service-role/", id: "ANPAJNCQGXC42545SKXIK", aws: true,
		created: day("2015-04-09T15:03:43Z"), updated: day("2015-04-09T15:03:43Z"), firstVersion: 1,
		desc:     "Provides write permissions to CloudWatch Logs.",
		versions: []*doc{policy(allow(acts("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), "*"))}}
	powerUser := &managedPolicy{name: "PowerUserAccess", path: "/", id: "ANPAJYRXTHIB4FOVS3ZXS", aws: true,
		created: day("2015-02-06T18:39:47Z"), updated: day("2023-07-06T22:04:00Z"), firstVersion: 5,
		desc: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
		versions: []*doc{policy(
			stmt{Effect: "Allow", NotAction: []string{"iam:*", "organizations:*", "account:*"}, Resource: "*"},
			allow(acts("account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
				"iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
				"organizations:DescribeOrganization"), "*"),
		)}}
	cwAgent := &managedPolicy{name: "CloudWatchAgentServerPolicy", path: "/", id: "ANPAIGOPKN7KRDAKTLG4I", aws: true,
		created: day("2017-09-13T00:00:00Z"), updated: day("2023-12-13T18:02:39Z"), firstVersion: 3,
		desc: "Permissions required to use AmazonCloudWatchAgent on servers",
		versions: []*doc{policy(
			sid("CWACloudWatchServerPermissions", allow(acts("cloudwatch:PutMetricData", "ec2:DescribeVolumes", "ec2:DescribeTags",
				"logs:PutLogEvents", "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:DescribeLogGroups",
				"logs:CreateLogStream", "logs:CreateLogGroup", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
				"xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"), "*")),
			sid("CWASSMServerPermissions", allow(acts("ssm:GetParameter"), "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*")),
		)}}
	changePw := &managedPolicy{name: "IAMUserChangePassword", path: "/", id: "ANPAJ4L4MM2A7QIEB56MS", aws: true,
		created: day("2016-11-15T00:25:16Z"), updated: day("2023-04-25T21:44:18Z"), firstVersion: 5,
		desc: "Provides the ability for an IAM user to change their own password.",
		versions: []*doc{policy(
			allow(acts("iam:ChangePassword"), "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"),
			allow(acts("iam:GetAccountPasswordPolicy"), "*"),
		)}}
	configSLR := &managedPolicy{name: "AWSConfigServiceRolePolicy", path: "/aws-service-role/", id: "ANPAJUCWFHNZER665LLQQ", aws: true,
		created: day("2018-05-30T23:31:46Z"), updated: day("2026-05-27T17:12:03Z"), firstVersion: 94,
		desc: "Enables AWS Config to call AWS services and collect configurations on your behalf.",
		// Reduced to this organisation's services, like ReadOnlyAccess.
		versions: []*doc{policy(
			sid("AWSConfigServiceRolePolicyStatementID1", allow(acts(
				"cloudformation:DescribeStacks", "cloudformation:GetTemplate", "cloudformation:ListStacks",
				"cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus", "cloudtrail:ListTrails",
				"dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable", "dynamodb:ListTables", "dynamodb:ListTagsOfResource",
				"ec2:Describe*", "iam:GetAccountAuthorizationDetails", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole",
				"iam:GetRolePolicy", "iam:GetUser", "iam:ListAttachedRolePolicies", "iam:ListRoles", "iam:ListUsers"), "*")),
			sid("AWSConfigServiceRolePolicyStatementID2", allow(acts(
				"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListKeys",
				"lambda:GetFunction", "lambda:GetPolicy", "lambda:ListFunctions",
				"s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketVersioning",
				"s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:ListAllMyBuckets",
				"sns:GetTopicAttributes", "sns:ListTopics", "sqs:GetQueueAttributes", "sqs:ListQueues"), "*")),
			sid("AWSConfigSLRLogStatementID", allow(acts("logs:CreateLogStream", "logs:CreateLogGroup"), "arn:aws:logs:*:*:log-group:/aws/config/*")),
		)}}

	acct := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
	r0 := o.region(0)
	boundary := &managedPolicy{name: "DeveloperBoundary", path: "/boundaries/", id: "ANPAR7E2LQ5XKDBOUND01",
		created: day("2025-03-02T10:11:12Z"), updated: day("2025-03-02T10:11:12Z"), firstVersion: 1,
		desc: "Permissions boundary for developer-created principals",
		versions: []*doc{policy(
			sid("AllowedServices", allow(acts("s3:*", "dynamodb:*", "lambda:*", "logs:*", "cloudwatch:*", "sqs:*", "sts:GetCallerIdentity"), "*")),
			sid("NoBoundaryEscape", deny(acts("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"), "*")),
		)}}
	ordersData := &managedPolicy{name: "OrdersDataAccess", path: "/app/", id: "ANPAR7E2LQ5XKORDERS01",
		created: day("2024-06-11T08:00:00Z"), updated: day("2025-09-19T14:22:09Z"), firstVersion: 1,
		desc: "Orders table access for the orders services",
		versions: []*doc{
			policy(allow(acts("dynamodb:*"), "*")),
			policy(
				sid("OrdersTable", allow(acts("dynamodb:*"),
					acct("arn:aws:dynamodb:%s:%s:table/orders", r0, Account),
					acct("arn:aws:dynamodb:%s:%s:table/orders/index/*", r0, Account))),
				sid("ListTables", allow(acts("dynamodb:ListTables", "dynamodb:DescribeLimits"), "*")),
			),
		}}
	ec2App := &managedPolicy{name: "EC2AppPolicy", path: "/app/", id: "ANPAR7E2LQ5XKEC2APP01",
		created: day("2024-02-20T12:00:00Z"), updated: day("2024-02-20T12:00:00Z"), firstVersion: 1,
		desc: "Application instances: everything except IAM",
		versions: []*doc{policy(
			sid("EverythingButIAM", stmt{Effect: "Allow", NotAction: []string{"iam:*", "organizations:*", "account:*"}, Resource: "*"}),
			sid("ProtectData", deny(acts("s3:DeleteBucket", "s3:DeleteObject*", "s3:PutBucketPolicy"), "*")),
		)}}
	pipeline := &managedPolicy{name: "DataPipelineAccess", path: "/data/", id: "ANPAR7E2LQ5XKPIPELN01",
		created: day("2024-09-01T09:30:00Z"), updated: day("2026-01-14T16:45:10Z"), firstVersion: 1,
		desc: "Batch pipeline: read incoming, write processed",
		versions: []*doc{
			policy(allow(acts("s3:*"), "arn:aws:s3:::acme-data-prod", "arn:aws:s3:::acme-data-prod/*")),
			policy(
				allow(acts("s3:Get*", "s3:List*"), "arn:aws:s3:::acme-data-prod", "arn:aws:s3:::acme-data-prod/*"),
				allow(acts("s3:PutObject"), "arn:aws:s3:::acme-data-prod/processed/*"),
			),
			policy(
				sid("ReadData", allow(acts("s3:Get*", "s3:List*"), "arn:aws:s3:::acme-data-prod", "arn:aws:s3:::acme-data-prod/*")),
				sid("WriteProcessedEncrypted", cond("StringEquals", "s3:x-amz-server-side-encryption", "aws:kms",
					allow(acts("s3:PutObject"), "arn:aws:s3:::acme-data-prod/processed/*"))),
				sid("UseDataKey", allow(acts("kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"),
					acct("arn:aws:kms:%s:%s:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0", r0, Account))),
				sid("SessionsRead", allow(acts("dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"),
					acct("arn:aws:dynamodb:%s:%s:table/sessions", r0, Account))),
				sid("NeverDeleteRaw", deny(acts("s3:DeleteObject", "s3:DeleteObjectVersion"), "arn:aws:s3:::acme-data-prod/*")),
			),
		}}
	// v2 added the web service's ECS deploys: registering task definitions
	// and passing the roles under /ecs/ to ECS tasks.
	ciDeploy := &managedPolicy{name: "CIDeployPolicy", path: "/ci/", id: "ANPAR7E2LQ5XKCIDEPL01",
		created: day("2024-04-04T04:04:04Z"), updated: day("2025-10-07T13:42:00Z"), firstVersion: 1,
		desc: "GitHub Actions deploys of the orders service",
		versions: []*doc{
			policy(
				sid("Deploy", allow(acts("cloudformation:*", "lambda:*"), "*")),
				sid("Artifacts", allow(acts("s3:*"), "arn:aws:s3:::acme-build-artifacts", "arn:aws:s3:::acme-build-artifacts/*")),
				sid("PassServiceRoles", cond("StringEquals", "iam:PassedToService", "lambda.amazonaws.com",
					allow(acts("iam:PassRole"), "arn:aws:iam::"+Account+":role/service-role/*"))),
				sid("ReadServiceRoles", allow(acts("iam:GetRole"), "arn:aws:iam::"+Account+":role/service-role/*")),
			),
			policy(
				sid("Deploy", allow(acts("cloudformation:*", "lambda:*"), "*")),
				sid("DeployWeb", allow(acts("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition",
					"ecs:DescribeServices", "ecs:UpdateService"), "*")),
				sid("Artifacts", allow(acts("s3:*"), "arn:aws:s3:::acme-build-artifacts", "arn:aws:s3:::acme-build-artifacts/*")),
				sid("PassServiceRoles", cond("StringEquals", "iam:PassedToService", "lambda.amazonaws.com",
					allow(acts("iam:PassRole"), "arn:aws:iam::"+Account+":role/service-role/*"))),
				sid("PassTaskRoles", cond("StringEquals", "iam:PassedToService", "ecs-tasks.amazonaws.com",
					allow(acts("iam:PassRole"), "arn:aws:iam::"+Account+":role/ecs/*"))),
				sid("ReadServiceRoles", allow(acts("iam:GetRole"), "arn:aws:iam::"+Account+":role/service-role/*")),
			),
		}}
	tfState := &managedPolicy{name: "TerraformStateAccess", path: "/ci/", id: "ANPAR7E2LQ5XKTFSTAT01",
		created: day("2025-01-08T11:00:00Z"), updated: day("2025-01-08T11:00:00Z"), firstVersion: 1,
		desc: "Terraform remote state and lock table",
		versions: []*doc{policy(
			allow(acts("s3:ListBucket"), "arn:aws:s3:::acme-build-artifacts"),
			allow(acts("s3:GetObject", "s3:PutObject"), "arn:aws:s3:::acme-build-artifacts/terraform/*"),
			allow(acts("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"),
				acct("arn:aws:dynamodb:%s:%s:table/terraform-locks", r0, Account)),
		)}}

	o.policies = []*managedPolicy{admin, readOnly, s3Full, lambdaBasic, powerUser, cwAgent, changePw, configSLR,
		boundary, ordersData, ec2App, pipeline, ciDeploy, tfState}
}

func (o *org) pol(name string) *managedPolicy {
	for _, p := range o.policies {
		if p.name == name {
			return p
		}
	}
	panic("unknown policy " + name)
}

// instanceSessions returns the sessions of an EC2 instance role whose
// instance lives in region r, so an instance's calls stay in its region.
func (o *org) instanceSessions(p *principal, r int) []string {
	if p.byRegion == nil {
		p.byRegion = make([][]string, len(o.regions))
		for _, s := range p.sessions {
			for ri := range o.regions {
				if i, ok := o.res["arn:aws:ec2:"+o.regions[ri]+":"+Account+":instance/"+s]; ok {
					p.byRegion[i.region] = append(p.byRegion[i.region], s)
				}
			}
		}
	}
	return p.byRegion[r]
}
