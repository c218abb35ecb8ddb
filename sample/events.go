package sample

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// event is one generated CloudTrail record before encoding.
type event struct {
	a       *activity
	t       time.Time
	region  string
	r       *res // nil when the action takes "*"
	session string
	agent   string
	ip      string
	errCode string
	errMsg  string
	id      string // eventID
}

// ids draws the random identifiers of records from the event stream.
type ids struct{ rng *rand.Rand }

func (g ids) uuid() string {
	var b [16]byte
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(out[:])
}

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g ids) chars(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.rng.IntN(len(set))]
	}
	return string(b)
}

func (g ids) hexUpper(n int) string { return g.chars("0123456789ABCDEF", n) }

func (g ids) b64(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.UintN(256))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// sessionKey is a stable temporary access key for a role session on a
// given day, so one session's calls share a key as in real logs.
func sessionKey(prefix, who, session string, day int) string {
	h := uint64(14695981039346656037)
	for _, s := range []string{who, session} {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	h ^= uint64(day) * 0x9e3779b97f4a7c15
	b := make([]byte, 16)
	for i := range b {
		h ^= h >> 29
		h *= 0xbf58476d1ce4e5b9
		b[i] = upperAlnum[h%uint64(len(upperAlnum))]
	}
	return prefix + string(b)
}

func (e *event) sessionARN() string {
	p := e.a.who
	switch p.kind {
	case "role":
		return "arn:aws:sts::" + Account + ":assumed-role/" + p.name + "/" + e.session
	case "user":
		return p.arn
	}
	return ""
}

// resourceARN is what an error message names: the resource or "*".
func (e *event) resourceARN() string {
	if e.r == nil {
		if strings.HasPrefix(e.a.action, "ec2:") {
			return "arn:aws:ec2:" + e.region + ":" + Account + ":instance/*"
		}
		return "*"
	}
	return e.r.arn
}

// denyMessage builds the errorCode and errorMessage of an authorization
// failure the way each service words it.
func (e *event) denyMessage(g ids) (string, string) {
	reason := e.a.deny
	if strings.Contains(reason, "%s") {
		reason = fmt.Sprintf(reason, e.a.action)
	}
	user := e.sessionARN()
	switch e.a.source {
	case "ec2.amazonaws.com":
		return "Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: " + user +
			" is not authorized to perform: " + e.a.action + " on resource: " + e.resourceARN() + " because " + reason +
			". Encoded authorization failure message: " + strings.ReplaceAll(g.b64(96), "+", "-")
	case "s3.amazonaws.com":
		return "AccessDenied", "Access Denied"
	case "ssm.amazonaws.com", "ecs.amazonaws.com":
		return "AccessDeniedException", "User: " + user + " is not authorized to perform: " + e.a.action +
			" on resource: " + e.resourceARN() + " because " + reason
	}
	return "AccessDenied", "User: " + user + " is not authorized to perform: " + e.a.action +
		" on resource: " + e.resourceARN() + " because " + reason
}

func (o *org) ipFor(p *principal, g ids) string {
	switch p.ipKind {
	case "corp":
		return fmt.Sprintf("203.0.113.%d", 10+g.rng.IntN(20))
	case "github":
		return fmt.Sprintf("20.%d.%d.%d", 42+g.rng.IntN(8), g.rng.IntN(256), 1+g.rng.IntN(254))
	case "vpc":
		return fmt.Sprintf("10.20.%d.%d", 1+g.rng.IntN(3), 10+g.rng.IntN(200))
	case "partner":
		return fmt.Sprintf("198.51.100.%d", 20+g.rng.IntN(10))
	case "service":
		return p.name
	}
	return fmt.Sprintf("3.%d.%d.%d", 80+g.rng.IntN(16), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func awsDate(t time.Time) string { return t.UTC().Format("Jan 2, 2006, 3:04:05 PM") }

// encode writes e as one CloudTrail record, fields in CloudTrail's order.
func (o *org) encode(w *jw, e *event, g ids) {
	a := e.a
	p := a.who
	w.open()
	ver := "1.11"
	if a.data {
		ver = "1.10"
	}
	if a.source == "lambda.amazonaws.com" || a.source == "signin.amazonaws.com" {
		ver = "1.09"
	}
	w.kstr("eventVersion", ver)
	w.kobj("userIdentity", func() { o.userIdentity(w, e) })
	w.ktime("eventTime", e.t)
	w.kstr("eventSource", a.source)
	w.kstr("eventName", a.name)
	w.kstr("awsRegion", e.region)
	src, agent := e.ip, e.agent
	if a.via != "" {
		src, agent = a.via, a.via
	}
	w.kstr("sourceIPAddress", src)
	w.kstr("userAgent", agent)
	if e.errCode != "" {
		w.kstr("errorCode", e.errCode)
		w.kstr("errorMessage", e.errMsg)
	}
	o.requestParameters(w, e, g)
	if e.errCode != "" {
		w.key("responseElements")
		w.null()
	} else {
		o.responseElements(w, e, g)
	}
	o.additionalEventData(w, e, g)
	if a.source != "signin.amazonaws.com" {
		switch a.source {
		case "s3.amazonaws.com":
			w.kstr("requestID", g.hexUpper(16))
		case "dynamodb.amazonaws.com":
			w.kstr("requestID", g.chars(upperAlnum, 52))
		default:
			w.kstr("requestID", g.uuid())
		}
	}
	w.kstr("eventID", e.id)
	w.kbool("readOnly", a.readOnly)
	o.resources(w, e)
	eventType := "AwsApiCall"
	if a.source == "signin.amazonaws.com" {
		eventType = "AwsConsoleSignIn"
	}
	w.kstr("eventType", eventType)
	w.kbool("managementEvent", !a.data)
	w.kstr("recipientAccountId", Account)
	if p.kind == "account" {
		w.kstr("sharedEventID", g.uuid())
	}
	if p.vpce != "" && a.via == "" && (a.source == "s3.amazonaws.com" || a.source == "ssm.amazonaws.com") {
		w.kstr("vpcEndpointId", p.vpce)
		w.kstr("vpcEndpointAccountId", Account)
	}
	if a.data {
		w.kstr("eventCategory", "Data")
	} else {
		w.kstr("eventCategory", "Management")
	}
	if a.via == "" && p.kind != "service" && a.source != "signin.amazonaws.com" {
		w.kobj("tlsDetails", func() {
			w.kstr("tlsVersion", "TLSv1.3")
			w.kstr("cipherSuite", "TLS_AES_128_GCM_SHA256")
			w.kstr("clientProvidedHostHeader", o.host(e))
		})
	}
	if p.kind == "user" && p.console && e.agent == uaConsole && a.source != "signin.amazonaws.com" {
		w.kstr("sessionCredentialFromConsole", "true")
	}
	w.close()
}

func (o *org) host(e *event) string {
	svc := strings.TrimSuffix(e.a.source, ".amazonaws.com")
	switch {
	case svc == "iam":
		return "iam.amazonaws.com"
	case svc == "sts" && e.region == o.region(0):
		return "sts.amazonaws.com"
	case svc == "s3" && e.r != nil:
		return e.r.name + ".s3." + e.region + ".amazonaws.com"
	case svc == "s3":
		return "s3." + e.region + ".amazonaws.com"
	}
	return svc + "." + e.region + ".amazonaws.com"
}

func (o *org) userIdentity(w *jw, e *event) {
	dayIndex := dayOf(e.t)
	p := e.a.who
	switch p.kind {
	case "role":
		w.kstr("type", "AssumedRole")
		w.kstr("principalId", p.id+":"+e.session)
		w.kstr("arn", e.sessionARN())
		w.kstr("accountId", Account)
		w.kstr("accessKeyId", sessionKey("ASIA", p.name, e.session, dayIndex))
		w.kobj("sessionContext", func() {
			w.kobj("sessionIssuer", func() {
				w.kstr("type", "Role")
				w.kstr("principalId", p.id)
				w.kstr("arn", p.arn)
				w.kstr("accountId", Account)
				w.kstr("userName", p.name)
			})
			if strings.HasPrefix(p.key, "ci-") || p.key == "tf-plan" {
				w.kobj("webIdFederationData", func() {
					w.kstr("federatedProvider", oidcProvider)
					w.kobj("attributes", func() {})
				})
			} else {
				w.kobj("webIdFederationData", func() {})
			}
			w.kobj("attributes", func() {
				created := e.t.Truncate(time.Hour)
				w.ktime("creationDate", created)
				mfa := "false"
				if p.key == "sso-admin" || p.key == "auditor" {
					mfa = "true"
				}
				w.kstr("mfaAuthenticated", mfa)
			})
			if p.key == "app-instance" || p.key == "monitoring" {
				w.kstr("ec2RoleDelivery", "2.0")
			}
		})
		if e.a.via != "" {
			w.kstr("invokedBy", e.a.via)
		}
	case "user":
		w.kstr("type", "IAMUser")
		w.kstr("principalId", p.id)
		w.kstr("arn", p.arn)
		w.kstr("accountId", Account)
		if e.a.source != "signin.amazonaws.com" {
			if p.console && e.agent == uaConsole {
				w.kstr("accessKeyId", sessionKey("ASIA", p.name, "console", dayIndex))
			} else {
				w.kstr("accessKeyId", p.keyID)
			}
		}
		w.kstr("userName", p.name)
		if p.console && e.agent == uaConsole && e.a.source != "signin.amazonaws.com" {
			w.kobj("sessionContext", func() {
				w.kobj("attributes", func() {
					w.ktime("creationDate", e.t.Truncate(time.Hour))
					w.kstr("mfaAuthenticated", "true")
				})
			})
		}
	case "service":
		w.kstr("type", "AWSService")
		w.kstr("invokedBy", p.name)
	case "web":
		w.kstr("type", "WebIdentityUser")
		w.kstr("principalId", oidcProvider+":sts.amazonaws.com:"+p.name)
		w.kstr("userName", p.name)
		w.kstr("identityProvider", oidcProvider)
	case "saml":
		w.kstr("type", "SAMLUser")
		w.kstr("principalId", "Kq2ZxWvT8bN3pQ7rLmYs0dHfJc4=:"+p.name)
		w.kstr("userName", p.name)
		w.kstr("identityProvider", "Kq2ZxWvT8bN3pQ7rLmYs0dHfJc4=")
	case "account":
		w.kstr("type", "AWSAccount")
		w.kstr("principalId", "AROAPARTNERAUDIT00001:partner-scanner")
		w.kstr("accountId", p.name)
	}
}

func (o *org) resources(w *jw, e *event) {
	r := e.r
	if r == nil {
		return
	}
	typ := ""
	switch e.a.source {
	case "s3.amazonaws.com":
		w.key("resources")
		w.openArr()
		if r.kind == "object" {
			w.open()
			w.kstr("type", "AWS::S3::Object")
			w.kstr("ARN", r.arn)
			w.close()
		}
		w.open()
		w.kstr("accountId", Account)
		w.kstr("type", "AWS::S3::Bucket")
		w.kstr("ARN", "arn:aws:s3:::"+r.name)
		w.close()
		w.closeArr()
		return
	case "dynamodb.amazonaws.com":
		typ = "AWS::DynamoDB::Table"
	case "lambda.amazonaws.com":
		if e.a.name == "Invoke" {
			typ = "AWS::Lambda::Function"
		}
	case "kms.amazonaws.com":
		typ = "AWS::KMS::Key"
	case "sts.amazonaws.com":
		typ = "AWS::IAM::Role"
	case "sqs.amazonaws.com":
		if e.a.data {
			typ = "AWS::SQS::Queue"
		}
	case "sns.amazonaws.com":
		if e.a.data {
			typ = "AWS::SNS::Topic"
		}
	case "ecs.amazonaws.com":
		typ = map[string]string{"taskdef": "AWS::ECS::TaskDefinition", "task": "AWS::ECS::Task"}[r.kind]
	case "states.amazonaws.com":
		typ = map[string]string{"statemachine": "AWS::StepFunctions::StateMachine", "execution": "AWS::StepFunctions::Execution"}[r.kind]
	case "codebuild.amazonaws.com":
		typ = "AWS::CodeBuild::Project"
	}
	if typ == "" {
		return
	}
	w.key("resources")
	w.openArr()
	w.open()
	w.kstr("accountId", Account)
	w.kstr("type", typ)
	w.kstr("ARN", r.arn)
	w.close()
	w.closeArr()
}

func (o *org) additionalEventData(w *jw, e *event, g ids) {
	a := e.a
	switch a.source {
	case "s3.amazonaws.com":
		w.kobj("additionalEventData", func() {
			w.kstr("SignatureVersion", "SigV4")
			w.kstr("CipherSuite", "TLS_AES_128_GCM_SHA256")
			in, out := int64(0), int64(0)
			if a.data && e.errCode == "" {
				switch a.name {
				case "GetObject":
					out = 1024 + g.rng.Int64N(4<<20)
				case "PutObject", "UploadPart":
					in = 1024 + g.rng.Int64N(8<<20)
				case "ListObjects":
					out = 512 + g.rng.Int64N(8192)
				}
			}
			w.knum("bytesTransferredIn", in)
			w.kstr("AuthenticationMethod", "AuthHeader")
			w.kstr("x-amz-id-2", g.b64(54))
			w.knum("bytesTransferredOut", out)
		})
	case "lambda.amazonaws.com":
		if a.name == "Invoke" {
			w.kobj("additionalEventData", func() { w.kstr("functionVersion", e.r.arn+":$LATEST") })
		}
	case "signin.amazonaws.com":
		w.kobj("additionalEventData", func() {
			w.kstr("LoginTo", "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_"+e.region+"_"+g.chars("0123456789abcdef", 16))
			w.kstr("MobileVersion", "No")
			w.kstr("MFAIdentifier", "arn:aws:iam::"+Account+":mfa/"+a.who.name)
			w.kstr("MFAUsed", "Yes")
		})
	case "kms.amazonaws.com":
		if a.via != "" {
			w.kobj("additionalEventData", func() { w.kstr("keyMaterialId", "a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4d5e6f708192a3b4c5d6e7f809") })
		}
	}
}

func (o *org) requestParameters(w *jw, e *event, g ids) {
	a := e.a
	r := e.r
	w.key("requestParameters")
	if a.source == "signin.amazonaws.com" {
		w.null()
		return
	}
	w.open()
	defer w.close()
	switch a.source {
	case "s3.amazonaws.com":
		if r == nil {
			w.kstr("Host", o.host(e))
			return
		}
		w.kstr("bucketName", r.name)
		w.kstr("Host", o.host(e))
		switch a.name {
		case "ListObjects":
			w.kstr("list-type", "2")
			w.kstr("prefix", []string{"incoming/", "processed/", "reports/", "images/"}[g.rng.IntN(4)])
			w.kstr("encoding-type", "url")
		case "GetBucketPolicy":
			w.kstr("policy", "")
		case "GetBucketAcl":
			w.kstr("acl", "")
		case "GetBucketEncryption":
			w.kstr("encryption", "")
		case "GetBucketPublicAccessBlock":
			w.kstr("publicAccessBlock", "")
		case "GetBucketVersioning":
			w.kstr("versioning", "")
		case "GetObjectTagging":
			w.kstr("key", r.sub)
			w.kstr("tagging", "")
		case "UploadPart":
			w.kstr("key", r.sub)
			w.knum("partNumber", 1+g.rng.Int64N(8))
			w.kstr("uploadId", g.chars(alnum, 64))
		case "CompleteMultipartUpload":
			w.kstr("key", r.sub)
			w.kstr("uploadId", g.chars(alnum, 64))
		case "CreateMultipartUpload":
			w.kstr("key", r.sub)
			w.kstr("uploads", "")
		case "PutObject":
			w.kstr("key", r.sub)
			if a.who.key == "data-pipeline" {
				w.kstr("x-amz-server-side-encryption", "aws:kms")
				w.kstr("x-amz-server-side-encryption-aws-kms-key-id", o.cache.dataKey)
			}
		default:
			w.kstr("key", r.sub)
		}
	case "dynamodb.amazonaws.com":
		if r != nil {
			w.kstr("tableName", r.name)
		}
		hiddenKey := func() {
			w.kobj("key", func() {
				w.kstr("pk", "HIDDEN_DUE_TO_SECURITY_REASONS")
				w.kstr("sk", "HIDDEN_DUE_TO_SECURITY_REASONS")
			})
		}
		switch a.name {
		case "GetItem":
			hiddenKey()
			w.kbool("consistentRead", false)
		case "DeleteItem":
			hiddenKey()
		case "PutItem":
			hiddenKey()
			w.key("item")
			w.openArr()
			for _, f := range []string{"pk", "sk", "status", "total", "updatedAt"} {
				w.str(f)
			}
			w.closeArr()
			w.kstr("conditionExpression", "attribute_not_exists(pk)")
		case "UpdateItem":
			hiddenKey()
			w.kstr("updateExpression", "SET #s = :s, updatedAt = :t")
			w.kstr("conditionExpression", "#s <> :s")
			w.kobj("expressionAttributeNames", func() { w.kstr("#s", "status") })
		case "Query":
			w.kstr("keyConditionExpression", "pk = :pk")
			w.knum("limit", 25)
			w.kbool("scanIndexForward", false)
		case "Scan":
			w.knum("limit", 1000)
		case "CreateBackup":
			w.kstr("backupName", r.name+"-"+e.t.Format("2006-01-02"))
		case "ExportTableToPointInTime":
			w.kstr("tableArn", r.arn)
			w.kstr("s3Bucket", "acme-data-prod")
			w.kstr("s3Prefix", "exports/orders/"+e.t.Format("2006-01-02"))
			w.kstr("exportFormat", "DYNAMODB_JSON")
		}
	case "lambda.amazonaws.com":
		if r == nil {
			if a.name == "ListFunctions20150331" {
				w.kstr("functionVersion", "ALL")
			}
			return
		}
		switch a.name {
		case "Invoke":
			w.kstr("functionName", r.arn)
			w.kstr("invocationType", "RequestResponse")
		case "UpdateFunctionCode20150331v2":
			w.kstr("functionName", r.name)
			w.kstr("s3Bucket", "acme-build-artifacts")
			w.kstr("s3Key", fmt.Sprintf("releases/%s-%d.zip", r.name, 100+g.rng.IntN(50)))
			w.kbool("publish", false)
			w.kbool("dryRun", false)
		case "UpdateFunctionConfiguration20150331v2":
			w.kstr("functionName", r.name)
			o.passedRoles(w, a)
			w.knum("timeout", 30)
			w.knum("memorySize", 512)
		default:
			w.kstr("functionName", r.name)
		}
	case "iam.amazonaws.com":
		if r == nil {
			switch a.name {
			case "GetAccountAuthorizationDetails":
				w.key("filter")
				w.openArr()
				for _, f := range []string{"Role", "User", "Group", "LocalManagedPolicy", "AWSManagedPolicy"} {
					w.str(f)
				}
				w.closeArr()
			case "ListPolicies":
				w.kstr("scope", "Local")
				w.kbool("onlyAttached", false)
			case "CreateRole":
				w.kstr("roleName", "deploy-temp")
				w.kstr("assumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
			}
			return
		}
		switch r.kind {
		case "role", "missingrole":
			w.kstr("roleName", r.name)
		case "user":
			w.kstr("userName", r.name)
			switch a.name {
			case "UpdateAccessKey":
				w.kstr("accessKeyId", a.who.keyID[:4]+"R7E2LQ5XKOLDKEY1")
				w.kstr("status", "Inactive")
			}
		case "policy":
			w.kstr("policyArn", r.arn)
			if a.name == "GetPolicyVersion" {
				w.kstr("versionId", "v1")
			}
		}
	case "sts.amazonaws.com":
		if r == nil {
			return
		}
		w.kstr("roleArn", r.arn)
		switch a.name {
		case "AssumeRoleWithSAML":
			w.kstr("principalArn", samlProvider)
			w.knum("durationSeconds", 43200)
		case "AssumeRoleWithWebIdentity":
			w.kstr("roleSessionName", "GitHubActions")
			w.knum("durationSeconds", 3600)
		default:
			w.kstr("roleSessionName", e.assumedSession())
			if a.who.kind == "account" {
				w.kstr("externalId", "acme-7f3c91")
			}
		}
	case "ec2.amazonaws.com":
		switch a.name {
		case "DescribeInstances":
			w.kobj("instancesSet", func() {})
			w.kobj("filterSet", func() {})
		case "DescribeSecurityGroups":
			w.kobj("securityGroupSet", func() {})
			w.kobj("securityGroupIdSet", func() {})
			w.kobj("filterSet", func() {})
		case "DescribeVpcs":
			w.kobj("vpcSet", func() {})
			w.kobj("filterSet", func() {})
		case "DescribeSubnets":
			w.kobj("subnetSet", func() {})
			w.kobj("filterSet", func() {})
		case "DescribeVolumes":
			w.kobj("volumeSet", func() {})
			w.kobj("filterSet", func() {})
		case "DescribeRegions":
			w.kobj("regionSet", func() {})
			w.kbool("allRegions", false)
		case "DescribeTags":
			w.kobj("filterSet", func() {
				w.key("items")
				w.openArr()
				w.open()
				w.kstr("name", "resource-id")
				w.kobj("valueSet", func() {
					w.key("items")
					w.openArr()
					w.open()
					w.kstr("value", e.session)
					w.close()
					w.closeArr()
				})
				w.close()
				w.closeArr()
			})
		case "RunInstances":
			w.kobj("instancesSet", func() {
				w.key("items")
				w.openArr()
				w.open()
				w.kstr("imageId", "ami-0c1d2e3f4a5b6c7d8")
				w.knum("minCount", 1)
				w.knum("maxCount", 1)
				w.close()
				w.closeArr()
			})
			w.kstr("instanceType", "t3.large")
			w.kobj("blockDeviceMapping", func() {})
			w.kobj("monitoring", func() { w.kbool("enabled", false) })
			w.kbool("disableApiTermination", false)
			w.kbool("disableApiStop", false)
			w.kstr("clientToken", g.uuid())
			if slices.Contains(a.implied, "ec2:CreateTags") {
				// Tag-on-create: the launch tags what it creates, which
				// needs ec2:CreateTags on the new instance.
				w.kobj("tagSpecificationSet", func() {
					w.key("items")
					w.openArr()
					w.open()
					w.kstr("resourceType", "instance")
					w.key("tags")
					w.openArr()
					w.open()
					w.kstr("key", "fleet")
					w.kstr("value", "workers")
					w.close()
					w.closeArr()
					w.close()
					w.closeArr()
				})
			}
		case "StopInstances", "TerminateInstances":
			w.kobj("instancesSet", func() {
				w.key("items")
				w.openArr()
				w.open()
				w.kstr("instanceId", r.name)
				w.close()
				w.closeArr()
			})
			w.kbool("force", false)
		}
	case "kms.amazonaws.com":
		switch a.name {
		case "Decrypt", "GenerateDataKey":
			if a.name == "GenerateDataKey" {
				w.kstr("keyId", r.arn)
				w.kstr("keySpec", "AES_256")
			}
			w.kstr("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
			w.kobj("encryptionContext", func() { o.encryptionContext(w, e) })
		case "DescribeKey":
			w.kstr("keyId", r.arn)
		case "ListKeys":
			w.knum("limit", 100)
		}
	case "logs.amazonaws.com":
		switch a.name {
		case "CreateLogStream", "PutLogEvents":
			w.kstr("logGroupName", r.name)
			w.kstr("logStreamName", r.sub)
		case "DescribeLogStreams":
			w.kstr("logGroupName", r.name)
			w.kstr("orderBy", "LastEventTime")
			w.kbool("descending", true)
		case "FilterLogEvents":
			w.kstr("logGroupName", r.name)
			w.knum("startTime", e.t.Add(-time.Hour).UnixMilli())
			w.knum("endTime", e.t.UnixMilli())
			w.kstr("filterPattern", "ERROR")
		case "DescribeLogGroups":
			w.knum("limit", 50)
		}
	case "monitoring.amazonaws.com":
		ns, metric, unit := "CWAgent", "mem_used_percent", "Percent"
		if a.who.key == "nightly-report" {
			ns, metric, unit = "Acme/Reports", "OrdersExported", "Count"
		} else if a.who.key == "app-instance" {
			ns, metric, unit = "Acme/App", "RequestLatency", "Milliseconds"
		}
		w.kstr("namespace", ns)
		w.key("metricData")
		w.openArr()
		w.open()
		w.kstr("metricName", metric)
		w.key("value")
		w.float(float64(g.rng.IntN(10000)) / 100)
		w.kstr("unit", unit)
		w.close()
		w.closeArr()
	case "ssm.amazonaws.com":
		name := r.sub
		if name == "" {
			name = r.name
		}
		if a.name == "GetParameters" {
			w.key("names")
			w.openArr()
			w.str(name)
			w.closeArr()
		} else {
			w.kstr("name", name)
		}
		w.kbool("withDecryption", true)
	case "secretsmanager.amazonaws.com":
		switch a.name {
		case "ListSecrets":
			w.knum("maxResults", 100)
		case "GetRandomPassword":
			w.knum("passwordLength", 32)
			w.kstr("excludeCharacters", `/@"'\`)
		default:
			w.kstr("secretId", r.name)
			switch a.name {
			case "PutSecretValue":
				w.kstr("clientRequestToken", g.uuid())
				w.key("versionStages")
				w.openArr()
				w.str("AWSPENDING")
				w.closeArr()
			case "UpdateSecretVersionStage":
				w.kstr("versionStage", "AWSCURRENT")
				w.kstr("moveToVersionId", g.uuid())
				w.kstr("removeFromVersionId", g.uuid())
			}
		}
	case "sqs.amazonaws.com":
		switch a.name {
		case "GetQueueUrl":
			w.kstr("queueName", r.name)
		case "GetQueueAttributes":
			w.kstr("queueUrl", "https://sqs."+e.region+".amazonaws.com/"+Account+"/"+r.name)
			w.key("attributeNames")
			w.openArr()
			w.str("All")
			w.closeArr()
		default:
			w.kstr("queueUrl", "https://sqs."+e.region+".amazonaws.com/"+Account+"/"+r.name)
		}
	case "sns.amazonaws.com":
		w.kstr("topicArn", r.arn)
	case "cloudformation.amazonaws.com":
		w.kstr("stackName", r.name)
		switch a.name {
		case "CreateChangeSet":
			w.kstr("templateURL", fmt.Sprintf("https://acme-build-artifacts.s3.amazonaws.com/releases/orders-service-%d.yaml", 100+g.rng.IntN(50)))
			w.key("capabilities")
			w.openArr()
			w.str("CAPABILITY_IAM")
			w.closeArr()
			w.kstr("changeSetName", fmt.Sprintf("deploy-%d", e.t.Unix()))
			w.kstr("changeSetType", "UPDATE")
		case "DescribeChangeSet", "ExecuteChangeSet":
			w.kstr("changeSetName", fmt.Sprintf("deploy-%d", e.t.Add(-time.Duration(g.rng.IntN(600))*time.Second).Unix()))
		case "UpdateStack":
			w.kbool("usePreviousTemplate", true)
			w.key("capabilities")
			w.openArr()
			w.str("CAPABILITY_IAM")
			w.closeArr()
		case "GetTemplate":
			w.kstr("templateStage", "Original")
		}
	case "ecs.amazonaws.com":
		switch a.name {
		case "DescribeTaskDefinition":
			w.kstr("taskDefinition", "ecs-web")
		case "RegisterTaskDefinition":
			o.taskDefinition(w, e, false)
		case "RunTask":
			w.kstr("cluster", "batch")
			w.kstr("taskDefinition", r.name+":"+r.sub)
			w.knum("count", 1)
			w.kstr("launchType", "FARGATE")
		case "DescribeTasks":
			w.kstr("cluster", r.name)
			w.key("tasks")
			w.openArr()
			w.str(r.arn)
			w.closeArr()
		}
	case "states.amazonaws.com":
		switch a.name {
		case "StartExecution":
			w.kstr("stateMachineArn", r.arn)
			w.kstr("name", e.t.Format("20060102")+"-"+g.chars("0123456789abcdef", 8))
		case "DescribeExecution":
			w.kstr("executionArn", r.arn)
		}
	case "codebuild.amazonaws.com":
		switch a.name {
		case "StartBuild":
			w.kstr("projectName", r.name)
		case "BatchGetBuilds":
			// The build ids are minted per run; the IAM resource is the
			// project.
			w.key("ids")
			w.openArr()
			w.str(r.name + ":" + hexID(8, r.arn, e.t.Format("2006-01-02")) + "-" + hexID(4, e.t.Hour()) + "-4" + hexID(3, e.t.Minute()) + "-8" + hexID(3, e.t.Second()) + "-" + hexID(12, e.t.Unix()))
			w.closeArr()
		}
	case "cloudtrail.amazonaws.com":
		switch a.name {
		case "DescribeTrails":
			w.key("trailNameList")
			w.openArr()
			w.closeArr()
			w.kbool("includeShadowTrails", true)
		case "GetTrailStatus":
			w.kstr("name", r.arn)
		case "GetEventSelectors":
			w.kstr("trailName", r.name)
		case "LookupEvents":
			w.knum("maxResults", 50)
			w.key("lookupAttributes")
			w.openArr()
			w.open()
			w.kstr("attributeKey", "EventName")
			w.kstr("attributeValue", "ConsoleLogin")
			w.close()
			w.closeArr()
		}
	}
}

// passedRoles writes the requestParameters members that pass a role.
func (o *org) passedRoles(w *jw, a *activity) {
	for _, p := range a.pass {
		w.kstr(p.key, p.role.arn)
	}
}

// taskDefinition writes an ECS task definition: the request of
// RegisterTaskDefinition, or with registered the registered revision its
// response returns.
func (o *org) taskDefinition(w *jw, e *event, registered bool) {
	family := "ecs-web"
	if e.a.who.key == "dev-sandbox" {
		family = "ecs-web-sandbox"
	}
	revision := int64(100 + dayOf(e.t)%400)
	if registered {
		w.kstr("taskDefinitionArn", fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", e.region, Account, family, revision))
	} else {
		w.kstr("family", family)
	}
	o.passedRoles(w, e.a)
	w.kstr("networkMode", "awsvpc")
	w.key("containerDefinitions")
	w.openArr()
	w.open()
	w.kstr("name", "web")
	// The build's commit, the same in the request and the response.
	w.kstr("image", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/ecs-web:sha-%07x", Account, e.region, mix(uint64(e.t.Unix()))>>36))
	w.knum("cpu", 0)
	w.key("portMappings")
	w.openArr()
	w.open()
	w.knum("containerPort", 8080)
	w.knum("hostPort", 8080)
	w.kstr("protocol", "tcp")
	w.close()
	w.closeArr()
	w.kbool("essential", true)
	w.kobj("logConfiguration", func() {
		w.kstr("logDriver", "awslogs")
		w.kobj("options", func() {
			w.kstr("awslogs-group", "/app/web")
			w.kstr("awslogs-region", e.region)
			w.kstr("awslogs-stream-prefix", "web")
		})
	})
	w.close()
	w.closeArr()
	if registered {
		w.kstr("family", family)
		w.knum("revision", revision)
		w.kstr("status", "ACTIVE")
	}
	w.key("requiresCompatibilities")
	w.openArr()
	w.str("FARGATE")
	w.closeArr()
	w.kstr("cpu", "512")
	w.kstr("memory", "1024")
	if registered {
		w.kstr("registeredAt", awsDate(e.t))
		w.kstr("registeredBy", e.sessionARN())
	}
}

func (o *org) encryptionContext(w *jw, e *event) {
	region := e.r.region
	switch e.a.via {
	case "ssm.amazonaws.com":
		for _, p := range o.cache.prodParams {
			if p.region == region {
				w.kstr("PARAMETER_ARN", p.arn)
				return
			}
		}
	case "s3.amazonaws.com":
		w.kstr("aws:s3:arn", "arn:aws:s3:::"+loggedBucket)
		return
	case "secretsmanager.amazonaws.com":
		s := o.cache.secret
		w.kstr("SecretARN", s.arn)
		w.kstr("SecretVersionId", "5b0a7c1e-2d3f-4a5b-8c6d-7e8f9a0b1c2d")
		return
	case "sqs.amazonaws.com":
		w.kstr("aws:sqs:arn", o.cache.queue)
		return
	}
	w.kstr("aws:ebs:id", "vol-0a1b2c3d4e5f60718")
}

// assumedSession is the session name an AssumeRole call asks for.
func (e *event) assumedSession() string {
	if e.a.assumed != nil && len(e.a.assumed.sessions) > 0 {
		return e.session
	}
	return "session"
}

func (o *org) credentials(w *jw, e *event, g ids) {
	dayIndex := dayOf(e.t)
	t := e.a.assumed
	w.kobj("credentials", func() {
		w.kstr("accessKeyId", sessionKey("ASIA", t.name, e.session, dayIndex))
		w.kstr("sessionToken", "IQoJb3JpZ2luX2VjE"+g.chars(alnum, 80))
		w.kstr("expiration", awsDate(e.t.Add(time.Hour)))
	})
	w.kobj("assumedRoleUser", func() {
		w.kstr("assumedRoleId", t.id+":"+e.session)
		w.kstr("arn", "arn:aws:sts::"+Account+":assumed-role/"+t.name+"/"+e.session)
	})
}

func (o *org) responseElements(w *jw, e *event, g ids) {
	a := e.a
	r := e.r
	w.key("responseElements")
	switch {
	case a.source == "signin.amazonaws.com":
		w.open()
		w.kstr("ConsoleLogin", "Success")
		w.close()
	case a.source == "sts.amazonaws.com" && a.assumed != nil:
		w.open()
		o.credentials(w, e, g)
		switch a.name {
		case "AssumeRoleWithWebIdentity":
			w.kstr("subjectFromWebIdentityToken", a.who.name)
			w.kstr("provider", oidcProvider)
			w.kstr("audience", "sts.amazonaws.com")
		case "AssumeRoleWithSAML":
			w.kstr("subject", a.who.name)
			w.kstr("subjectType", "persistent")
			w.kstr("issuer", "https://portal.sso."+o.region(0)+".amazonaws.com/saml/assertion/MDEyMzQ1Njc4OTAx")
			w.kstr("audience", "https://signin.aws.amazon.com/saml")
			w.kstr("nameQualifier", "Kq2ZxWvT8bN3pQ7rLmYs0dHfJc4=")
		}
		w.close()
	case a.source == "s3.amazonaws.com" && (a.name == "PutObject" || a.name == "CompleteMultipartUpload"):
		w.open()
		if a.who.key == "data-pipeline" {
			w.kstr("x-amz-server-side-encryption", "aws:kms")
			w.kstr("x-amz-server-side-encryption-aws-kms-key-id", o.cache.dataKey)
		} else {
			w.kstr("x-amz-server-side-encryption", "AES256")
		}
		w.kstr("x-amz-version-id", g.chars(alnum, 32))
		w.close()
	case a.source == "s3.amazonaws.com" && a.name == "CreateMultipartUpload":
		w.open()
		w.kstr("bucketName", r.name)
		w.kstr("key", r.sub)
		w.kstr("uploadId", g.chars(alnum, 64))
		w.kstr("x-amz-server-side-encryption", "AES256")
		w.close()
	case a.name == "UpdateFunctionConfiguration20150331v2" || a.name == "UpdateFunctionCode20150331v2" || a.name == "PublishVersion20150331":
		w.open()
		w.kstr("functionName", r.name)
		w.kstr("functionArn", r.arn)
		w.kstr("runtime", "provided.al2023")
		w.kstr("role", o.byKey["orders-api"].arn)
		w.kstr("handler", "bootstrap")
		w.knum("codeSize", 7340032+g.rng.Int64N(1<<20))
		w.knum("timeout", 30)
		w.knum("memorySize", 512)
		w.kstr("lastModified", e.t.Format("2006-01-02T15:04:05.000-0700"))
		w.kstr("codeSha256", g.b64(32))
		if a.name == "PublishVersion20150331" {
			w.kstr("version", fmt.Sprintf("%d", 40+dayOf(e.t)%60))
		} else {
			w.kstr("version", "$LATEST")
		}
		w.kobj("tracingConfig", func() { w.kstr("mode", "PassThrough") })
		w.kstr("revisionId", g.uuid())
		w.kstr("state", "Active")
		w.kstr("lastUpdateStatus", "InProgress")
		w.kstr("packageType", "Zip")
		w.key("architectures")
		w.openArr()
		w.str("arm64")
		w.closeArr()
		w.close()
	case a.name == "RegisterTaskDefinition":
		w.open()
		w.kobj("taskDefinition", func() { o.taskDefinition(w, e, true) })
		w.close()
	case a.name == "CreateChangeSet":
		w.open()
		w.kstr("id", fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/deploy-%d/%s", e.region, Account, e.t.Unix(), g.uuid()))
		w.kstr("stackId", r.arn)
		w.close()
	case a.name == "UpdateStack":
		w.open()
		w.kstr("stackId", r.arn)
		w.close()
	case a.name == "CreateAccessKey":
		w.open()
		w.kobj("accessKey", func() {
			w.kstr("userName", r.name)
			w.kstr("accessKeyId", "AKIA"+g.chars(upperAlnum, 16))
			w.kstr("status", "Active")
			w.kstr("createDate", awsDate(e.t))
		})
		w.close()
	case a.name == "CreateBackup":
		w.open()
		w.kobj("backupDetails", func() {
			w.kstr("backupArn", r.arn+"/backup/0"+fmt.Sprintf("%d", e.t.UnixMilli())+"-"+g.chars("0123456789abcdef", 8))
			w.kstr("backupName", r.name+"-"+e.t.Format("2006-01-02"))
			w.knum("backupSizeBytes", 0)
			w.kstr("backupStatus", "CREATING")
			w.kstr("backupType", "USER")
			w.kstr("backupCreationDateTime", awsDate(e.t))
		})
		w.close()
	case a.name == "StopInstances" || a.name == "TerminateInstances":
		code, state := int64(64), "stopping"
		if a.name == "TerminateInstances" {
			code, state = 32, "shutting-down"
		}
		w.open()
		w.kstr("requestId", g.uuid())
		w.kobj("instancesSet", func() {
			w.key("items")
			w.openArr()
			w.open()
			w.kstr("instanceId", r.name)
			w.kobj("currentState", func() { w.knum("code", code); w.kstr("name", state) })
			w.kobj("previousState", func() { w.knum("code", 16); w.kstr("name", "running") })
			w.close()
			w.closeArr()
		})
		w.close()
	case a.name == "GenerateDataKey":
		// CloudTrail never records key material: responseElements is null.
		w.null()
	case a.name == "PutSecretValue":
		w.open()
		w.kstr("arn", r.arn)
		w.kstr("name", r.name)
		w.kstr("versionId", g.uuid())
		w.key("versionStages")
		w.openArr()
		w.str("AWSPENDING")
		w.closeArr()
		w.close()
	case a.name == "SendMessage":
		w.open()
		w.kstr("mD5OfMessageBody", g.chars("0123456789abcdef", 32))
		w.kstr("messageId", g.uuid())
		w.close()
	default:
		w.null()
	}
}

// dayOf numbers days since the Unix epoch; used to rotate session keys.
func dayOf(t time.Time) int { return int(t.Unix() / 86400) }
