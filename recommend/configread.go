package recommend

import (
	"strings"

	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/policy"
)

// Configuration reads keep the current grant's scope.
//
// A read or list of configuration and metadata (access level Read or List
// in the catalog: iam:GetPolicy, s3:GetBucketPolicy, logs:DescribeLogGroups,
// lambda:GetFunctionConfiguration) is not narrowed to the resources seen in
// the window. Auditing, admin and Config roles read resources that exist
// all along but are touched only now and then, and a read of a role's
// configuration exposes little; narrowing them breaks the next audit
// (the backtest on the sample showed it) and removes little risk. For such
// an action the recommendation keeps, per condition set, every resource
// pattern of the current grant, provided the current policies allow each
// pattern whole under those conditions (so the proof still holds); when
// one does not (NotResource, a Deny carving out a part), the action is
// narrowed as any other.
//
// Everything else stays scoped to the resources seen, with the lifecycle
// and collapse generalisation: Write, Tagging and Permissions management
// actions, and the reads in dataReads, which return the customer's data or
// secrets rather than configuration.
func keepsGrantScope(cat *catalog.Catalog, action string) bool {
	if cat == nil || DataRead(action) {
		return false
	}
	switch cat.AccessLevel(action) {
	case catalog.Read, catalog.List:
		return true
	}
	return false
}

// dataReads is the reviewed list of Read and List actions that return the
// customer's data or secrets (object contents, items, secret values,
// plaintext, parameters, messages, records, log events, query results,
// images, passwords), lower case. They are narrowed to the resources seen
// like writes. An action missing here that returns data is a defect: add
// it.
var dataReads = lowerSet(
	// Objects and archives.
	"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent", "s3:GetObjectVersionTorrent",
	"s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", "s3-object-lambda:GetObject",
	"s3-object-lambda:GetObjectVersion", "glacier:GetJobOutput",
	// Tables, streams and queues.
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
	"dynamodb:PartiQLSelect", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
	"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:SubscribeToShard",
	"kinesisvideo:GetMedia", "kinesisvideo:GetMediaForFragmentList", "kinesisvideo:GetClip",
	"sqs:ReceiveMessage", "timestream:Select", "es:ESHttpGet", "es:ESHttpHead",
	"aoss:APIAccessAll", "rds-data:ExecuteStatement",
	// Secrets, keys and parameters.
	"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue",
	"kms:Decrypt", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
	"ssm:GetParameterHistory", "ec2:GetPasswordData", "ecr:GetAuthorizationToken",
	"codeartifact:GetAuthorizationToken", "rds:DownloadDBLogFilePortion",
	// Logs, query results and code.
	"logs:GetLogEvents", "logs:FilterLogEvents", "logs:GetQueryResults", "logs:GetLogRecord",
	"logs:StartLiveTail", "athena:GetQueryResults", "athena:GetQueryResultsStream",
	"cloudwatch:GetMetricData", "ec2:GetConsoleOutput", "ec2:GetConsoleScreenshot",
	"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "codecommit:GetBlob", "codecommit:GetFile",
	"codecommit:GitPull", "lambda:GetFunction", "lambda:GetLayerVersion",
)

// DataRead reports whether action is in the reviewed list of reads that
// return the customer's data or secrets (case-insensitive).
func DataRead(action string) bool {
	return dataReads[strings.ToLower(action)]
}

func lowerSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

// grantScopeParts is the current grant's parts for action when the
// current policies allow every pattern of every part whole under the
// part's conditions; nil otherwise (the caller then narrows).
func grantScopeParts(allow policy.PolicySet, action string, parts []part) []part {
	if len(parts) == 0 {
		return nil
	}
	for _, pt := range parts {
		for _, pat := range pt.resources {
			if ok, _ := policy.AllowsAllWhen(allow, action, pat, pt.conds); !ok {
				return nil
			}
		}
	}
	return parts
}
