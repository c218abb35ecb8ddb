package sample

import "fmt"

// User agents, as CloudTrail records them.
const (
	uaGoLambda  = "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.1 md/GOOS#linux md/GOARCH#arm64 exec-env/AWS_Lambda_provided.al2023 m/E,g"
	uaPyLambda  = "Boto3/1.37.3 md/Botocore#1.37.3 ua/2.1 os/linux#5.10.234-245.868.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.9 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.37.3"
	uaCLI       = "aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/linux#6.8.0-1021-azure md/arch#x86_64 lang/python#3.12.9 md/pyimpl#CPython exe/x86_64.ubuntu.24 md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#cloudformation.deploy"
	uaCLIMac    = "aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.9 md/pyimpl#CPython exe/arm64 md/installer#source md/prompt#off md/command#s3.ls"
	uaConsole   = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36"
	uaTerraform = "APN/1.0 HashiCorp/1.0 Terraform/1.11.2 (+https://www.terraform.io) terraform-provider-aws/5.92.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.23.7 md/GOOS#linux md/GOARCH#amd64"
	uaJava      = "aws-sdk-java/2.31.1 Linux/5.10.234-245.868.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.6+7-LTS Java/21.0.6 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy"
	uaProwler   = "Boto3/1.37.3 md/Botocore#1.37.3 ua/2.1 os/linux#6.1.0-31-cloud-amd64 md/arch#x86_64 lang/python#3.12.9 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.37.3 prowler/5.4.0"
	uaSSMAgent  = "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64) amazon-ssm-agent/3.3.1802.0"
	uaCWAgent   = "CWAgent/1.300052.0 (go1.23.6; linux; amd64) inputs:(cpu disk mem) outputs:(cloudwatch)"
	uaPython    = "Boto3/1.37.3 md/Botocore#1.37.3 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.37.3"
)

const (
	samlProvider = "arn:aws:iam::" + Account + ":saml-provider/AWSSSO_5a1b2c3d4e5f6789_DO_NOT_DELETE"
	oidcProvider = "arn:aws:iam::" + Account + ":oidc-provider/token.actions.githubusercontent.com"
)

func (o *org) role(key, path, name, id, created string, regions ...int) *principal {
	if len(regions) == 0 {
		regions = []int{0}
	}
	p := &principal{key: key, kind: "role", name: name, path: path, id: id, created: day(created),
		arn: "arn:aws:iam::" + Account + ":role" + path + name, regions: o.regionSet(regions)}
	o.principals = append(o.principals, p)
	o.byKey[key] = p
	o.add(&res{kind: "role", arn: p.arn, name: name, region: anyRegion})
	return p
}

func (o *org) user(key, path, name, id, created, keyID string) *principal {
	p := &principal{key: key, kind: "user", name: name, path: path, id: id, created: day(created), keyID: keyID,
		arn: "arn:aws:iam::" + Account + ":user" + path + name, regions: []int{0}}
	o.principals = append(o.principals, p)
	o.byKey[key] = p
	o.add(&res{kind: "user", arn: p.arn, name: name, region: anyRegion})
	return p
}

func (o *org) outsider(key, kind, name string, agents []string, ip string) *principal {
	p := &principal{key: key, kind: kind, name: name, agents: agents, ipKind: ip, regions: []int{0}}
	o.outside = append(o.outside, p)
	o.byKey[key] = p
	return p
}

func serviceTrust(svc string) *doc {
	return policy(trust("Service", svc, "sts:AssumeRole"))
}

func inline(name string, d *doc) namedDoc { return namedDoc{name: name, doc: d} }

func (o *org) buildPrincipals() {
	r0 := o.region(0)
	arn := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
	lambdaBasic := o.pol("AWSLambdaBasicExecutionRole")
	readOnly := o.pol("ReadOnlyAccess")

	// --- roles -----------------------------------------------------------
	sso := o.role("sso-admin", "/aws-reserved/sso.amazonaws.com/", "AWSReservedSSO_AdministratorAccess_4f1c2e9a7b3d5e60",
		"AROAR7E2LQ5XKSSOADM01", "2024-01-15T09:00:00Z")
	sso.sessions = []string{"bob@acme.example", "dana@acme.example"}
	sso.agents = []string{uaCLIMac, uaConsole}
	sso.ipKind = "corp"
	sso.desc = "AWS SSO role for the AdministratorAccess permission set"
	sso.trust = policy(cond("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml",
		stmt{Effect: "Allow", Principal: map[string]any{"Federated": samlProvider}, Action: []string{"sts:AssumeRoleWithSAML", "sts:TagSession"}}))
	sso.managed = []*managedPolicy{o.pol("AdministratorAccess")}

	ordersAPI := o.role("orders-api", "/service-role/", "orders-api-lambda", "AROAR7E2LQ5XKORDAPI01", "2024-06-11T08:05:00Z")
	ordersAPI.sessions = []string{"orders-api"}
	ordersAPI.agents = []string{uaGoLambda}
	ordersAPI.ipKind = "aws"
	ordersAPI.trust = serviceTrust("lambda.amazonaws.com")
	ordersAPI.managed = []*managedPolicy{lambdaBasic, o.pol("OrdersDataAccess")}
	ordersAPI.inline = []namedDoc{inline("orders-api-extra", policy(
		allow(acts("s3:Get*"), "arn:aws:s3:::acme-data-prod/config/*"),
		allow(acts("sqs:SendMessage", "sqs:GetQueueUrl"), arn("arn:aws:sqs:%s:%s:order-events", r0, Account)),
		allow(acts("ssm:GetParameter*"), arn("arn:aws:ssm:%s:%s:parameter/prod/orders/*", r0, Account)),
		allow(acts("secretsmanager:GetSecretValue"), arn("arn:aws:secretsmanager:%s:%s:secret:prod/orders/*", r0, Account)),
	))}
	ordersAPI.tags = [][2]string{{"team", "orders"}, {"env", "prod"}}

	thumb := o.role("thumbnailer", "/service-role/", "thumbnailer-lambda", "AROAR7E2LQ5XKTHUMB01", "2024-07-01T10:00:00Z")
	thumb.sessions = []string{"thumbnailer"}
	thumb.agents = []string{uaPyLambda}
	thumb.ipKind = "aws"
	thumb.trust = serviceTrust("lambda.amazonaws.com")
	thumb.managed = []*managedPolicy{o.pol("AmazonS3FullAccess"), lambdaBasic}

	report := o.role("nightly-report", "/service-role/", "nightly-report-lambda", "AROAR7E2LQ5XKREPRT01", "2024-08-12T07:30:00Z")
	report.sessions = []string{"nightly-report"}
	report.agents = []string{uaPyLambda}
	report.ipKind = "aws"
	report.trust = serviceTrust("lambda.amazonaws.com")
	report.managed = []*managedPolicy{lambdaBasic}
	report.inline = []namedDoc{inline("nightly-report", policy(
		allow(acts("dynamodb:Scan", "dynamodb:Query"), arn("arn:aws:dynamodb:%s:%s:table/orders", r0, Account)),
		allow(acts("s3:PutObject", "s3:PutObjectAcl"), "arn:aws:s3:::acme-data-prod/reports/*"),
		allow(acts("cloudwatch:PutMetricData"), "*"),
		allow(acts("sns:*"), "*"),
	))}

	ci := o.role("ci-deployer", "/ci/", "ci-deployer", "AROAR7E2LQ5XKCIDEP01", "2024-04-04T04:10:00Z")
	ci.sessions = []string{"GitHubActions"}
	ci.agents = []string{uaCLI}
	ci.ipKind = "github"
	ci.trust = policy(cond("StringLike", "token.actions.githubusercontent.com:sub", "repo:acme/orders-service:*",
		cond("StringEquals", "token.actions.githubusercontent.com:aud", "sts.amazonaws.com",
			stmt{Effect: "Allow", Principal: map[string]any{"Federated": oidcProvider}, Action: "sts:AssumeRoleWithWebIdentity"})))
	ci.managed = []*managedPolicy{o.pol("CIDeployPolicy")}
	ci.tags = [][2]string{{"managed-by", "terraform"}}

	auditor := o.role("auditor", "/", "security-auditor", "AROAR7E2LQ5XKAUDIT01", "2024-03-03T03:03:03Z", 0, 1, 2)
	auditor.sessions = []string{"prowler-scan"}
	auditor.agents = []string{uaProwler}
	auditor.ipKind = "corp"
	auditor.trust = policy(cond("Bool", "aws:MultiFactorAuthPresent", "true",
		trust("AWS", "arn:aws:iam::"+Account+":root", "sts:AssumeRole")))
	auditor.managed = []*managedPolicy{readOnly}

	app := o.role("app-instance", "/app/", "app-instance-role", "AROAR7E2LQ5XKAPPIN01", "2024-02-20T12:05:00Z", 0, 1)
	app.sessions = []string{"i-0a1b2c3d4e5f60718", "i-0b2c3d4e5f6071829", "i-0c3d4e5f607182930"}
	app.agents = []string{uaJava, uaSSMAgent}
	app.ipKind = "vpc"
	app.vpce = "vpce-0a1b2c3d4e5f60789"
	app.trust = serviceTrust("ec2.amazonaws.com")
	app.managed = []*managedPolicy{o.pol("EC2AppPolicy")}
	app.profile = "app-instance-profile"

	pipe := o.role("data-pipeline", "/data/", "data-pipeline", "AROAR7E2LQ5XKPIPEL01", "2024-09-01T09:35:00Z")
	pipe.sessions = []string{"4f3e2d1c0b9a48f7a6b5c4d3e2f1a0b9", "9a8b7c6d5e4f40312a1b0c9d8e7f6a5b"}
	pipe.agents = []string{uaJava}
	pipe.ipKind = "aws"
	pipe.trust = serviceTrust("ecs-tasks.amazonaws.com")
	pipe.managed = []*managedPolicy{o.pol("DataPipelineAccess")}

	sandbox := o.role("dev-sandbox", "/sandbox/", "dev-sandbox", "AROAR7E2LQ5XKSANDB01", "2025-03-02T10:20:00Z", 0, 2)
	sandbox.sessions = []string{"alice"}
	sandbox.agents = []string{uaCLIMac}
	sandbox.ipKind = "corp"
	sandbox.trust = policy(trust("AWS", "arn:aws:iam::"+Account+":root", "sts:AssumeRole"))
	sandbox.managed = []*managedPolicy{o.pol("PowerUserAccess")}
	sandbox.boundary = o.pol("DeveloperBoundary")

	mon := o.role("monitoring", "/monitoring/", "monitoring-agent", "AROAR7E2LQ5XKMONIT01", "2024-05-05T05:05:05Z", 0, 1, 2)
	mon.sessions = []string{"i-0a1b2c3d4e5f60718", "i-0c3d4e5f607182930", "i-0d4e5f60718293a41"}
	mon.agents = []string{uaCWAgent}
	mon.ipKind = "vpc"
	mon.trust = serviceTrust("ec2.amazonaws.com")
	mon.managed = []*managedPolicy{o.pol("CloudWatchAgentServerPolicy")}
	mon.profile = "monitoring-agent-profile"

	backup := o.role("backup-operator", "/ops/", "backup-operator", "AROAR7E2LQ5XKBACKP01", "2024-11-11T11:11:11Z")
	backup.sessions = []string{"backup-cron"}
	backup.agents = []string{uaPython}
	backup.ipKind = "aws"
	backup.trust = policy(trust("AWS", "arn:aws:iam::"+Account+":root", "sts:AssumeRole"))
	backup.inline = []namedDoc{inline("backups", policy(
		allow(acts("dynamodb:CreateBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups", "dynamodb:DescribeContinuousBackups"), "*"),
		allow(acts("s3:Get*", "s3:List*"), "*"),
	))}

	breakGlass := o.role("break-glass", "/", "break-glass", "AROAR7E2LQ5XKBRKGL01", "2023-10-01T00:00:00Z")
	breakGlass.desc = "Emergency access; must stay unused"
	breakGlass.trust = policy(cond("Bool", "aws:MultiFactorAuthPresent", "true",
		trust("AWS", "arn:aws:iam::"+Account+":root", "sts:AssumeRole")))
	breakGlass.inline = []namedDoc{inline("everything", policy(allow(acts("*"), "*")))}

	legacy := o.role("legacy-etl", "/legacy/", "legacy-etl", "AROAR7E2LQ5XKLEGCY01", "2022-05-17T13:00:00Z")
	legacy.trust = serviceTrust("glue.amazonaws.com")
	legacy.inline = []namedDoc{inline("etl", policy(allow(acts("s3:*", "sqs:*", "glue:*"), "*")))}
	t := day("2025-11-03T02:14:51Z")
	legacy.lastUsed, legacy.lastUsedR = &t, 1

	rot := o.role("secrets-rotation", "/service-role/", "secrets-rotation-lambda", "AROAR7E2LQ5XKROTAT01", "2024-06-20T06:20:00Z")
	rot.sessions = []string{"secrets-rotation"}
	rot.agents = []string{uaPyLambda}
	rot.ipKind = "aws"
	rot.trust = serviceTrust("lambda.amazonaws.com")
	rot.managed = []*managedPolicy{lambdaBasic}
	rot.inline = []namedDoc{inline("rotate-db-password", policy(
		allow(acts("secretsmanager:*"), arn("arn:aws:secretsmanager:%s:%s:secret:prod/orders/*", r0, Account)),
		allow(acts("secretsmanager:GetRandomPassword"), "*"),
		allow(acts("kms:Decrypt", "kms:GenerateDataKey"), arn("arn:aws:kms:%s:%s:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0", r0, Account)),
	))}

	worker := o.role("sqs-worker", "/app/", "sqs-worker", "AROAR7E2LQ5XKSQSWK01", "2024-06-11T08:10:00Z")
	worker.sessions = []string{"7c6b5a4f3e2d41c0b9a8f7e6d5c4b3a2"}
	worker.agents = []string{uaJava}
	worker.ipKind = "aws"
	worker.trust = serviceTrust("ecs-tasks.amazonaws.com")
	worker.managed = []*managedPolicy{o.pol("OrdersDataAccess")}
	worker.inline = []namedDoc{inline("queue", policy(
		allow(acts("sqs:*"), arn("arn:aws:sqs:%s:%s:order-events", r0, Account)),
		allow(acts("kms:Decrypt"), arn("arn:aws:kms:%s:%s:key/6f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0", r0, Account)),
	))}

	cfg := o.role("config-slr", "/aws-service-role/config.amazonaws.com/", "AWSServiceRoleForConfig", "AROAR7E2LQ5XKCONFG01", "2023-06-01T00:00:00Z", 0, 1, 2)
	cfg.sessions = []string{"AWSConfig-Describe"}
	cfg.ipKind = "service"
	cfg.trust = serviceTrust("config.amazonaws.com")
	cfg.managed = []*managedPolicy{o.pol("AWSConfigServiceRolePolicy")}

	partner := o.role("partner-audit", "/", "partner-audit-readonly", "AROAR7E2LQ5XKPARTN01", "2025-02-14T14:00:00Z")
	partner.sessions = []string{"partner-audit"}
	partner.agents = []string{uaPython}
	partner.ipKind = "partner"
	partner.trust = policy(cond("StringEquals", "sts:ExternalId", "acme-7f3c91",
		trust("AWS", "arn:aws:iam::"+partnerAccount+":root", "sts:AssumeRole")))
	partner.managed = []*managedPolicy{readOnly}

	web := o.role("ecs-web", "/ecs/", "ecs-web-task", "AROAR7E2LQ5XKECSWB01", "2024-10-10T10:10:10Z")
	web.sessions = []string{"c0ffee0123456789abcdef0123456789"}
	web.agents = []string{uaJava}
	web.ipKind = "aws"
	web.trust = serviceTrust("ecs-tasks.amazonaws.com")
	web.inline = []namedDoc{inline("web-task", policy(
		allow(acts("s3:GetObject"), "arn:aws:s3:::acme-data-prod/config/*"),
		allow(acts("ssm:GetParameters", "ssm:GetParameter"), arn("arn:aws:ssm:%s:%s:parameter/prod/*", r0, Account)),
		allow(acts("secretsmanager:GetSecretValue"), "*"),
		allow(acts("logs:*"), "*"),
	))}

	plan := o.role("tf-plan", "/ci/", "github-actions-plan", "AROAR7E2LQ5XKTFPLN01", "2025-01-08T11:05:00Z", 0, 1)
	plan.sessions = []string{"GitHubActions"}
	plan.agents = []string{uaTerraform}
	plan.ipKind = "github"
	plan.trust = policy(cond("StringLike", "token.actions.githubusercontent.com:sub", "repo:acme/infrastructure:pull_request",
		stmt{Effect: "Allow", Principal: map[string]any{"Federated": oidcProvider}, Action: "sts:AssumeRoleWithWebIdentity"}))
	plan.managed = []*managedPolicy{readOnly, o.pol("TerraformStateAccess")}

	edge := o.role("edge-router", "/service-role/", "edge-router-lambda", "AROAR7E2LQ5XKEDGER01", "2025-05-05T15:00:00Z", 1)
	edge.sessions = []string{"edge-router"}
	edge.agents = []string{uaGoLambda}
	edge.ipKind = "aws"
	edge.trust = serviceTrust("lambda.amazonaws.com")
	edge.managed = []*managedPolicy{lambdaBasic}
	edge.inline = []namedDoc{inline("edge-config", policy(
		allow(acts("ssm:GetParameter"), "arn:aws:ssm:*:"+Account+":parameter/prod/edge/*"),
		allow(acts("kms:Decrypt"), "*"),
	))}

	invoice := o.role("invoice-pdf", "/service-role/", "invoice-pdf-lambda", "AROAR7E2LQ5XKINVPDF01", "2025-02-03T10:00:00Z")
	invoice.sessions = []string{"invoice-pdf"}
	invoice.agents = []string{uaPyLambda}
	invoice.ipKind = "aws"
	invoice.trust = serviceTrust("lambda.amazonaws.com")
	invoice.desc = "Monthly invoice PDFs (runs on the 1st)"
	invoice.managed = []*managedPolicy{lambdaBasic}
	invoice.inline = []namedDoc{inline("invoices", policy(
		allow(acts("s3:PutObject"), "arn:aws:s3:::acme-data-prod/invoices/*"),
		allow(acts("s3:GetObject"), "arn:aws:s3:::acme-data-prod/config/*"),
	))}

	scaler := o.role("fleet-scaler", "/service-role/", "fleet-scaler-lambda", "AROAR7E2LQ5XKFLEET01", "2025-03-10T08:00:00Z")
	scaler.sessions = []string{"fleet-scaler"}
	scaler.agents = []string{uaGoLambda}
	scaler.ipKind = "aws"
	scaler.trust = serviceTrust("lambda.amazonaws.com")
	scaler.desc = "Scales the worker fleet"
	scaler.managed = []*managedPolicy{lambdaBasic}
	scaler.inline = []namedDoc{inline("fleet", policy(
		sid("Fleet", allow(acts("ec2:RunInstances", "ec2:TerminateInstances", "ec2:CreateTags", "ec2:DescribeInstances"), "*")),
		// For a DNS feature that never shipped.
		sid("Dns", allow(acts("route53:*"), "*")),
	))}

	batch := o.role("batch-scheduler", "/service-role/", "batch-scheduler", "AROAR7E2LQ5XKBATCH01", "2025-04-14T06:00:00Z")
	batch.sessions = []string{"nightly-batch"}
	batch.agents = []string{"scheduler.amazonaws.com"}
	batch.ipKind = "aws"
	batch.trust = serviceTrust("scheduler.amazonaws.com")
	batch.desc = "EventBridge Scheduler: the nightly batch and the quarterly export"
	batch.inline = []namedDoc{inline("nightly-batch", policy(
		allow(acts("ecs:RunTask"), arn("arn:aws:ecs:%s:%s:task-definition/nightly-batch:*", r0, Account)),
		allow(acts("ecs:DescribeTasks", "ecs:StopTask"), arn("arn:aws:ecs:%s:%s:task/batch/*", r0, Account)),
		allow(acts("states:StartExecution"), arn("arn:aws:states:%s:%s:stateMachine:nightly-etl", r0, Account)),
		allow(acts("states:DescribeExecution", "states:StopExecution"), arn("arn:aws:states:%s:%s:execution:nightly-etl:*", r0, Account)),
		allow(acts("codebuild:StartBuild", "codebuild:BatchGetBuilds"), arn("arn:aws:codebuild:%s:%s:project/nightly-images", r0, Account)),
		allow(acts("s3:PutObject"), "arn:aws:s3:::acme-data-prod/events/*"),
		allow(acts("dynamodb:ExportTableToPointInTime"), arn("arn:aws:dynamodb:%s:%s:table/orders", r0, Account)),
	))}

	// --- groups and users ------------------------------------------------
	devs := &group{name: "Developers", path: "/", id: "AGPAR7E2LQ5XKDEVEL01", created: day("2023-09-01T09:00:00Z"),
		managed: []*managedPolicy{o.pol("IAMUserChangePassword")},
		inline: []namedDoc{inline("developers-base", policy(
			allow(acts("s3:Get*", "s3:List*", "lambda:Get*", "lambda:List*", "logs:*"), "*"),
			allow(acts("sts:AssumeRole"), "arn:aws:iam::"+Account+":role/sandbox/dev-sandbox"),
		))}}
	auditors := &group{name: "Auditors", path: "/", id: "AGPAR7E2LQ5XKAUDTR01", created: day("2023-09-01T09:05:00Z"),
		managed: []*managedPolicy{readOnly}}
	admins := &group{name: "Admins", path: "/ops/", id: "AGPAR7E2LQ5XKADMIN01", created: day("2023-09-01T09:10:00Z"),
		managed: []*managedPolicy{o.pol("IAMUserChangePassword")},
		inline: []namedDoc{inline("admins", policy(
			sid("ManageIAM", allow(acts("iam:*"), "*")),
			sid("AssumeAnyRoleWithMFA", cond("Bool", "aws:MultiFactorAuthPresent", "true",
				allow(acts("sts:AssumeRole"), "arn:aws:iam::"+Account+":role/*"))),
		))}}
	o.groups = []*group{devs, auditors, admins}

	alice := o.user("alice", "/engineering/", "alice", "AIDAR7E2LQ5XKALICE01", "2023-09-02T10:00:00Z", "AKIAR7E2LQ5XKALICE01")
	alice.groups = []*group{devs, auditors}
	alice.console = true
	alice.agents = []string{uaConsole, uaCLIMac}
	alice.ipKind = "corp"
	alice.tags = [][2]string{{"team", "platform"}}

	bob := o.user("bob", "/ops/", "bob", "AIDAR7E2LQ5XKBOBOB01", "2023-09-02T10:05:00Z", "AKIAR7E2LQ5XKBOBOB01")
	bob.groups = []*group{admins}
	bob.console = true
	bob.agents = []string{uaConsole, uaCLIMac}
	bob.ipKind = "corp"

	ciBot := o.user("ci-bot", "/service-accounts/", "ci-bot", "AIDAR7E2LQ5XKCIBOT01", "2022-01-20T16:00:00Z", "AKIAR7E2LQ5XKCIBOT01")
	ciBot.managed = []*managedPolicy{o.pol("AmazonS3FullAccess")}
	ciBot.inline = []namedDoc{inline("ci-bot-ec2", policy(allow(acts("ec2:Describe*", "ec2:CreateTags"), "*")))}
	ciBot.boundary = o.pol("DeveloperBoundary")
	ciBot.agents = []string{uaPython}
	ciBot.ipKind = "partner"
	ciBot.tags = [][2]string{{"owner", "build-team"}, {"rotate", "quarterly"}}

	carol := o.user("carol", "/engineering/", "carol", "AIDAR7E2LQ5XKCAROL01", "2024-12-01T09:00:00Z", "")
	carol.groups = []*group{devs}

	// --- callers from outside the account's roles and users ---------------
	for _, svc := range []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "config.amazonaws.com", "scheduler.amazonaws.com"} {
		o.outsider("svc:"+svc, "service", svc, []string{svc}, "service")
	}
	o.outsider("web:github", "web", "repo:acme/orders-service:ref:refs/heads/main", []string{uaCLI}, "github")
	o.outsider("web:github-plan", "web", "repo:acme/infrastructure:pull_request", []string{uaTerraform}, "github")
	o.outsider("saml:sso", "saml", "bob@acme.example", []string{uaConsole}, "corp")
	o.outsider("account:partner", "account", partnerAccount, []string{uaPython}, "partner")
}
