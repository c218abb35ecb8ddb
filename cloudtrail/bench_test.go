package cloudtrail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	gojson "github.com/goccy/go-json"
)

// The benchmarks run over a generated corpus shaped like real S3-delivered
// CloudTrail: compact JSON, a mix of data and management events from the
// common services, assumed-role callers with session context, TLS details,
// resources[] and some responseElements. Records average about 1.4 KB.

const benchRecords = 4000

var (
	corpusOnce sync.Once
	corpusRaw  [][]byte // individual records
	corpusObj  []byte   // {"Records":[...]}
	corpusGz   []byte
)

func benchCorpus(b testing.TB) ([][]byte, []byte, []byte) {
	corpusOnce.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		var buf bytes.Buffer
		buf.WriteString(`{"Records":[`)
		for i := 0; i < benchRecords; i++ {
			rec := genRecord(r, i)
			raw, err := json.Marshal(rec)
			if err != nil {
				panic(err)
			}
			corpusRaw = append(corpusRaw, raw)
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(raw)
		}
		buf.WriteString(`]}`)
		corpusObj = buf.Bytes()
		corpusGz = gz(b, corpusObj)
	})
	return corpusRaw, corpusObj, corpusGz
}

func genRecord(r *rand.Rand, i int) map[string]any {
	acct := fmt.Sprintf("%012d", 100000000000+r.IntN(5))
	roles := []string{"service-role/app-" + fmt.Sprint(r.IntN(40)), "teams/data/etl", "ecsTaskExecutionRole", "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"}
	role := roles[r.IntN(len(roles))]
	roleName := role[strings.LastIndexByte(role, '/')+1:]
	session := fmt.Sprintf("i-%017x", r.Uint64()>>4)
	ui := map[string]any{
		"type": "AssumedRole", "principalId": "AROA" + strings.ToUpper(fmt.Sprintf("%016x", r.Uint64())) + ":" + session,
		"arn": "arn:aws:sts::" + acct + ":assumed-role/" + roleName + "/" + session, "accountId": acct,
		"accessKeyId": "ASIA" + strings.ToUpper(fmt.Sprintf("%016x", r.Uint64())),
		"sessionContext": map[string]any{
			"sessionIssuer":       map[string]any{"type": "Role", "principalId": "AROAEXAMPLE", "arn": "arn:aws:iam::" + acct + ":role/" + role, "accountId": acct, "userName": roleName},
			"webIdFederationData": map[string]any{},
			"attributes":          map[string]any{"creationDate": "2025-03-04T05:00:00Z", "mfaAuthenticated": "false"},
			"ec2RoleDelivery":     "2.0",
		},
	}
	if r.IntN(10) == 0 {
		ui = map[string]any{"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}
	}
	region := []string{"us-east-1", "eu-west-1", "ap-southeast-2"}[r.IntN(3)]
	rec := map[string]any{
		"eventVersion": "1.09", "userIdentity": ui,
		"eventTime":       fmt.Sprintf("2025-03-%02dT%02d:%02d:%02dZ", 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60)),
		"awsRegion":       region,
		"sourceIPAddress": fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256)),
		"userAgent":       "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
		"requestID":       fmt.Sprintf("%016X", r.Uint64()),
		"eventID":         fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Uint64()>>16),
		"readOnly":        true, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": acct, "eventCategory": "Management",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "service." + region + ".amazonaws.com"},
	}
	key := fmt.Sprintf("data/year=2025/month=03/day=%02d/part-%05d-%x.snappy.parquet", r.IntN(28), i, r.Uint64())
	switch k := r.IntN(10); k {
	case 0, 1, 2:
		rec["eventSource"], rec["eventName"] = "s3.amazonaws.com", []string{"GetObject", "PutObject", "HeadObject"}[r.IntN(3)]
		rec["requestParameters"] = map[string]any{"bucketName": "lake-" + acct, "Host": "lake-" + acct + ".s3." + region + ".amazonaws.com", "key": key}
		rec["additionalEventData"] = map[string]any{"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": strings.Repeat("Ab1/", 19), "bytesTransferredOut": r.IntN(1 << 20)}
		rec["resources"] = []any{
			map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::lake-" + acct + "/" + key},
			map[string]any{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::lake-" + acct},
		}
		rec["managementEvent"], rec["eventCategory"] = false, "Data"
	case 3:
		rec["eventSource"], rec["eventName"] = "kms.amazonaws.com", "Decrypt"
		rec["requestParameters"] = map[string]any{"encryptionContext": map[string]any{"aws:s3:arn": "arn:aws:s3:::lake-" + acct + "/" + key}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
		rec["resources"] = []any{map[string]any{"accountId": acct, "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:" + region + ":" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}}
	case 4:
		rec["eventSource"], rec["eventName"] = "sts.amazonaws.com", "AssumeRole"
		rec["requestParameters"] = map[string]any{"roleArn": "arn:aws:iam::" + acct + ":role/" + role, "roleSessionName": session, "durationSeconds": 3600}
		rec["responseElements"] = map[string]any{"credentials": map[string]any{"accessKeyId": "ASIAXXXX", "sessionToken": strings.Repeat("IQoJb3JpZ2luX2VjE", 20), "expiration": "Mar 4, 2025, 6:06:07 AM"}, "assumedRoleUser": map[string]any{"assumedRoleId": "AROA:x", "arn": "arn:aws:sts::" + acct + ":assumed-role/x/y"}}
		rec["resources"] = []any{map[string]any{"ARN": "arn:aws:iam::" + acct + ":role/" + role, "accountId": acct, "type": "AWS::IAM::Role"}}
		rec["readOnly"] = false
	case 5:
		rec["eventSource"], rec["eventName"] = "ec2.amazonaws.com", []string{"DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups"}[r.IntN(3)]
		rec["requestParameters"] = map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:Name", "valueSet": map[string]any{"items": []any{map[string]any{"value": "web"}}}}}}}
	case 6:
		rec["eventSource"], rec["eventName"] = "dynamodb.amazonaws.com", []string{"GetItem", "PutItem", "Query"}[r.IntN(3)]
		rec["requestParameters"] = map[string]any{"tableName": "orders-" + fmt.Sprint(r.IntN(9)), "key": map[string]any{"pk": "ORDER#123"}, "consistentRead": false}
		rec["resources"] = []any{map[string]any{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": "arn:aws:dynamodb:" + region + ":" + acct + ":table/orders"}}
		rec["managementEvent"], rec["eventCategory"] = false, "Data"
	case 7:
		rec["eventSource"], rec["eventName"] = "lambda.amazonaws.com", "Invoke"
		rec["requestParameters"] = map[string]any{"functionName": "arn:aws:lambda:" + region + ":" + acct + ":function:worker-" + fmt.Sprint(r.IntN(20)), "invocationType": "Event"}
		rec["managementEvent"], rec["eventCategory"] = false, "Data"
	case 8:
		rec["eventSource"], rec["eventName"] = "sqs.amazonaws.com", []string{"SendMessage", "ReceiveMessage", "DeleteMessage"}[r.IntN(3)]
		rec["requestParameters"] = map[string]any{"queueUrl": "https://sqs." + region + ".amazonaws.com/" + acct + "/jobs", "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS"}
	default:
		rec["eventSource"], rec["eventName"] = "logs.amazonaws.com", "PutLogEvents"
		rec["requestParameters"] = map[string]any{"logGroupName": "/aws/lambda/worker", "logStreamName": "2025/03/04/[$LATEST]0123456789abcdef"}
		if r.IntN(4) == 0 {
			rec["errorCode"], rec["errorMessage"] = "AccessDenied", "User is not authorized to perform: logs:PutLogEvents"
		}
	}
	return rec
}

func reportRate(b *testing.B, records int) {
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkNormalize(b *testing.B) {
	raws, _, _ := benchCorpus(b)
	m := NewMapper(nil)
	var rec Record
	var size int64
	for _, r := range raws {
		size += int64(len(r))
	}
	b.SetBytes(size / int64(len(raws)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Normalize(raws[i%len(raws)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N)
}

func BenchmarkNormalizeParallel(b *testing.B) {
	raws, _, _ := benchCorpus(b)
	m := NewMapper(nil)
	b.ReportAllocs()
	b.ResetTimer()
	var n int64
	var mu sync.Mutex
	b.RunParallel(func(pb *testing.PB) {
		var rec Record
		k := 0
		for pb.Next() {
			if err := m.Normalize(raws[k%len(raws)], &rec); err != nil {
				b.Error(err)
				return
			}
			k++
		}
		mu.Lock()
		n += int64(k)
		mu.Unlock()
	})
	reportRate(b, int(n))
}

func benchReadNormalize(b *testing.B, obj []byte, normalize bool) {
	m := NewMapper(nil)
	or := NewObjectReader()
	var rec Record
	b.SetBytes(int64(len(obj)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		_, errs, err := or.ReadObject(bytes.NewReader(obj), "bench", DefaultLimits(), func(_ int, raw []byte) error {
			n++
			if normalize {
				return m.Normalize(raw, &rec)
			}
			return nil
		})
		if err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
	}
	reportRate(b, n)
}

// BenchmarkReadObject* measure ReadObject alone and ReadObject+Normalize,
// on the plain and the gzipped object (SetBytes is the object's size).
func BenchmarkReadObject(b *testing.B) {
	_, obj, _ := benchCorpus(b)
	benchReadNormalize(b, obj, false)
}

func BenchmarkReadObjectGzip(b *testing.B) {
	_, _, objGz := benchCorpus(b)
	benchReadNormalize(b, objGz, false)
}

func BenchmarkReadObjectNormalize(b *testing.B) {
	_, obj, _ := benchCorpus(b)
	benchReadNormalize(b, obj, true)
}

func BenchmarkReadObjectNormalizeGzip(b *testing.B) {
	_, _, objGz := benchCorpus(b)
	benchReadNormalize(b, objGz, true)
}

// BenchmarkReadNormalized* measure ReadNormalized, what ingest uses: the
// same work as ReadObjectNormalize*, in one pass over each record.
func BenchmarkReadNormalized(b *testing.B) {
	_, obj, _ := benchCorpus(b)
	benchReadNormalized(b, obj)
}

func BenchmarkReadNormalizedGzip(b *testing.B) {
	_, _, objGz := benchCorpus(b)
	benchReadNormalized(b, objGz)
}

func benchReadNormalized(b *testing.B, obj []byte) {
	m := NewMapper(nil)
	or := NewObjectReader()
	b.SetBytes(int64(len(obj)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		_, errs, err := or.ReadNormalized(bytes.NewReader(obj), "bench", DefaultLimits(), m, func(_ int, _ []byte, _ *Record, err error) error {
			n++
			return err
		})
		if err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
	}
	reportRate(b, n)
}

// benchEvent is what a reflection decoder would need to fill to do
// Normalize's job, for comparison with the walker.
type benchEvent struct {
	EventID            string          `json:"eventID"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode"`
	ReadOnly           bool            `json:"readOnly"`
	ManagementEvent    bool            `json:"managementEvent"`
	EventType          string          `json:"eventType"`
	RecipientAccountID string          `json:"recipientAccountId"`
	VPCEndpointID      string          `json:"vpcEndpointId"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	Resources          []struct {
		ARN  string `json:"ARN"`
		Type string `json:"type"`
	} `json:"resources"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			Attributes struct {
				MFAAuthenticated string `json:"mfaAuthenticated"`
			} `json:"attributes"`
			SessionIssuer struct {
				ARN      string `json:"arn"`
				UserName string `json:"userName"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

func BenchmarkDecodeEncodingJSON(b *testing.B) {
	raws, _, _ := benchCorpus(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var ev benchEvent
		if err := json.Unmarshal(raws[i%len(raws)], &ev); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N)
}

func BenchmarkDecodeGoccy(b *testing.B) {
	raws, _, _ := benchCorpus(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var ev benchEvent
		if err := gojson.Unmarshal(raws[i%len(raws)], &ev); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N)
}
