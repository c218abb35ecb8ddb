// Package sample generates a realistic, deterministic synthetic AWS
// account: the input iamtrim reads (IAM authorization details and CloudTrail
// log files) together with the answer it should find (truth.json). It feeds
// the end-to-end tests (testdata/sample is its committed output), the demo
// (`iamtrim sample`) and the benchmarks (up to ten million events).
//
// # Output
//
// Generate writes into Options.Out:
//
//   - authz.json: `aws iam get-account-authorization-details` output as the
//     AWS CLI prints it (UserDetailList, GroupDetailList, RoleDetailList,
//     Policies; policy documents as JSON objects; AWS managed policies
//     under arn:aws:iam::aws:policy/... with their default version only,
//     customer managed policies with every version). Twenty-three roles,
//     four users, three groups. The policies over-grant the way real ones do:
//     "*" and service:* grants, s3:Get*-style wildcards, AWS managed
//     AdministratorAccess (one role), ReadOnlyAccess, AmazonS3FullAccess and
//     PowerUserAccess (reduced to the services used, otherwise unchanged),
//     NotAction with Allow, explicit Denies, a permissions boundary on a role
//     and on a user, Condition blocks, paths in role ARNs, a service-linked
//     role, instance profiles, tags. break-glass and legacy-etl are never
//     used in the window, nor is the user carol.
//   - AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz:
//     CloudTrail log files, each {"Records":[...]}, with the fields
//     CloudTrail writes, for assumed roles, IAM users, AWS services, web
//     identity and SAML federation and another account. They include
//     AccessDenied and Client.UnauthorizedOperation failures, errors that
//     still prove authorization (NoSuchKey, ConditionalCheckFailedException,
//     ValidationError, ...), S3 object, Lambda Invoke, DynamoDB item and
//     CloudWatch metric data events, event names that differ from their IAM
//     action, calls that pass a role to a service (a Lambda function's
//     execution role, an ECS task definition's task and execution roles,
//     and one refused attempt), calls made by AWS services with a
//     principal's credentials (invokedBy), and a few records delivered in
//     two files (same eventID). Workloads also mint resources as they run, named by the day: Lambda
//     log streams (YYYY/MM/DD/[$LATEST]<id>, one per cold start; the
//     monthly invoice-pdf-lambda is cold on every run), S3 keys under date
//     partitions (invoices/dt=…, events/dt=…), instances fleet-scaler-lambda
//     launches (tagging them at launch, so ec2:CreateTags is needed and
//     never logged) and terminates, ECS tasks and the task definition
//     revision of the week, Step Functions executions and CodeBuild builds
//     (batch-scheduler). There are monthly (the 1st) and quarterly jobs,
//     buckets whose data events are logged and not, and a service granted
//     and never used under a trail known to log every management event
//     (fleet-scaler-lambda's route53:*). monitoring-agent's X-Ray client
//     calls GetSamplingTargetsV2, an API newer than the action catalog:
//     a successful call no IAM action is known for (unmapped).
//   - trails.json: the trail, as `aws cloudtrail describe-trails`
//     (trailList) and `get-event-selectors` (eventSelectors) print it. It
//     logs management events, S3 data events for bucket acme-data-prod,
//     Lambda invocations, DynamoDB item events for table orders and
//     CloudWatch metric data events. The workload also makes calls the trail
//     does not record (other buckets and tables, SQS and SNS messages, Logs
//     PutLogEvents): they are in no log file, only in truth.json.
//   - lastaccessed/ACCOUNT.NAME.json: IAM last-accessed data per role and
//     user, as `aws iam get-service-last-accessed-details` prints an
//     ACTION_LEVEL job's result, taken two hours after the logs end: every
//     service the policies allow, with the last attempt the generator made
//     (logged, refused or unlogged) and, for the actions the catalog
//     fixture marks tracked, each action's. It adds accesses from before
//     the logs: backup-operator's quarterly DR drill
//     (dynamodb:DescribeBackup on 2026-07-31, seen only here) and
//     legacy-etl's last run (2025-11-03). truth.json's lastAccessed lists
//     them and each principal's services never accessed.
//   - truth.json: per role and user, the exact actions (with resources) its
//     successful calls needed, the calls AWS services made with its
//     credentials, its denied attempts, its permissionless calls, its
//     unlogged calls, its unmapped calls (with the action AWS authorizes
//     them with), the actions its calls imply (tag-on-create), what a
//     correct recommendation must allow next month (nextMonth: the calls
//     of the 30 days after the window on freshly minted resources, and the
//     next run of its monthly jobs) and its event count; globally the
//     duplicated eventIDs and exact totals.
//
// # How truth.json is computed
//
// The rules are in TruthRules and written into truth.json itself:
//
//   - A role is identified by its ARN with path (the session issuer), never
//     the session ARN; a user by its ARN.
//   - used: the principal's own calls (no invokedBy) that passed
//     authorization, whether or not they then failed for another reason.
//   - usedViaService: calls with invokedBy set (an AWS service acting with
//     the principal's credentials). They count separately: the permission
//     is still needed, but it is not the principal's own call.
//   - iam:PassRole: a call that passes a role (requestParameters role,
//     taskRoleArn, executionRoleArn) also needs iam:PassRole on it, listed
//     beside the call's own action with the passed roles' ARNs as
//     resources, one event per call. A refused call that passes a role
//     lists iam:PassRole under denied too; its caller is granted neither
//     action.
//   - denied: AccessDenied, AccessDeniedException and
//     Client.UnauthorizedOperation. Never use.
//   - permissionless: sts:GetCallerIdentity and console sign-in. Counted as
//     events, no action.
//   - unlogged: calls the trail does not record.
//   - unmapped: successful calls whose event name maps to no IAM action,
//     with the action AWS authorizes them with; not under used, since no
//     analysis of the logs can name it.
//   - events: distinct eventIDs, so a duplicate delivery counts once.
//   - A service's AssumeRole of a role (lambda.amazonaws.com assuming an
//     execution role), web identity and SAML sessions and the partner
//     account are listed under otherCallers.
//
// # Determinism and scale
//
// The same Options give byte-identical output: every random choice comes
// from PCG streams seeded by Options.Seed, gzip settings are fixed, maps are
// never iterated into output unsorted, and no clock is read (Start defaults
// to 2026-08-01). Generation streams: the generator fills one file's records
// at a time and hands it to compressing workers, and truth is accumulated
// per principal over the organisation's finite set of actions and
// resources, so memory does not grow with Events. Minted resources are a
// function of the day and a small index (a few per day and activity), so
// they grow with Days, not Events.
//
// testdata/sample is regenerated with
//
//	go test ./sample -run 'TestCommittedSample|TestCatalogFixture' -update
//
// which also rewrites testdata/catalog from package
// sample/internal/catalogfixture.
package sample

//go:generate go test -run TestCommittedSample|TestCatalogFixture -update
