// Package churn generates a CloudTrail corpus whose resources churn the way
// a busy account's do, for `make bench` and the rollup-bound tests: EC2
// calls name freshly launched instances, S3 data events name unique object
// keys, DynamoDB item calls carry per-item keys, log streams are new every
// time, and in-VPC callers come from addresses across 10.0.0.0/8. Half of
// the events are data events. The corpus sample.Generate makes is the
// friendly counterpart: its resources repeat.
//
// Output is deterministic for given Options (PCG seeded by Seed) and
// written as CloudTrail delivers it:
// AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_ID.json.gz,
// each {"Records":[...]}. There is no truth.json: the corpus is for
// measuring ingest, not for checking recommendations.
package churn

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Account is the account every event is logged for.
const Account = "444455556666"

// Options says what to generate.
type Options struct {
	Out    string // output directory, created if missing
	Events int    // events written (no duplicates)
	Files  int    // log files; 0 means one per 1,000 events
	Days   int    // length of the window; 0 means 30
	Roles  int    // roles calling; 0 means 40
	Seed   uint64
	// Start is the first day; zero means 2026-08-01.
	Start time.Time
}

// Stats says what Generate wrote.
type Stats struct {
	Events, Files int
	Bytes         int64
}

var regions = []string{"us-east-1", "eu-west-1", "us-west-2"}

// Generate writes the corpus into opts.Out.
func Generate(ctx context.Context, opts Options) (Stats, error) {
	if opts.Out == "" || opts.Events <= 0 {
		return Stats{}, errors.New("churn: Out and a positive Events are required")
	}
	if opts.Files <= 0 {
		opts.Files = max(1, opts.Events/1000)
	}
	opts.Files = min(opts.Files, opts.Events)
	if opts.Days <= 0 {
		opts.Days = 30
	}
	if opts.Roles <= 0 {
		opts.Roles = 40
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	}
	type job struct{ file, events int }
	jobs := make(chan job)
	var (
		mu    sync.Mutex
		st    Stats
		first error
	)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				n, err := writeFile(opts, j.file, j.events)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				st.Files++
				st.Events += j.events
				st.Bytes += n
				mu.Unlock()
			}
		}()
	}
	per, extra := opts.Events/opts.Files, opts.Events%opts.Files
	for f := 0; f < opts.Files; f++ {
		n := per
		if f < extra {
			n++
		}
		select {
		case jobs <- job{f, n}:
		case <-ctx.Done():
			close(jobs)
			wg.Wait()
			return st, ctx.Err()
		}
	}
	close(jobs)
	wg.Wait()
	return st, first
}

// writeFile writes file number f with n events, spread over its hour.
func writeFile(opts Options, f, n int) (int64, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, uint64(f)+1))
	day := f * opts.Days / opts.Files
	region := regions[f%len(regions)]
	start := opts.Start.AddDate(0, 0, day).Add(time.Duration(rng.IntN(23*60)) * time.Minute)
	dir := filepath.Join(opts.Out, "AWSLogs", Account, "CloudTrail", region, start.Format("2006/01/02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	name := fmt.Sprintf("%s_CloudTrail_%s_%sZ_%016x.json.gz", Account, region, start.Format("20060102T1504"), rng.Uint64())
	path := filepath.Join(dir, name)
	fh, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	gz, _ := gzip.NewWriterLevel(fh, gzip.BestSpeed)
	w := bufio.NewWriterSize(gz, 64<<10)
	g := gen{rng: rng, opts: opts, region: region}
	w.WriteString(`{"Records":[`)
	buf := make([]byte, 0, 4096)
	for i := range n {
		t := start.Add(time.Duration(i) * time.Hour / time.Duration(max(n, 1)))
		buf = g.record(buf[:0], t)
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(buf)
	}
	w.WriteString("]}\n")
	err = errors.Join(w.Flush(), gz.Close())
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

type gen struct {
	rng    *rand.Rand
	opts   Options
	region string
	t      time.Time // the event being written
}

var words = []string{"amber", "basil", "cedar", "delta", "ember", "fjord", "gale", "harbor", "iris", "juniper",
	"kelp", "lumen", "maple", "nectar", "onyx", "pine", "quartz", "raven", "sage", "tundra", "umber", "vale",
	"willow", "xenon", "yarrow", "zephyr", "alder", "birch", "coral", "dune"}

func (g *gen) hex(b []byte, n int) []byte {
	const digits = "0123456789abcdef"
	for range n {
		b = append(b, digits[g.rng.IntN(16)])
	}
	return b
}

func (g *gen) uuid(b []byte) []byte {
	b = g.hex(b, 8)
	b = append(b, '-')
	b = g.hex(b, 4)
	b = append(b, "-4"...)
	b = g.hex(b, 3)
	b = append(b, '-')
	b = append(b, "89ab"[g.rng.IntN(4)])
	b = g.hex(b, 3)
	b = append(b, '-')
	return g.hex(b, 12)
}

// record appends one event. Half are data events (S3 objects, DynamoDB
// items, Lambda Invoke); the rest are management calls on minted
// resources (instances, log streams) and on a few stable ones.
func (g *gen) record(b []byte, t time.Time) []byte {
	rng := g.rng
	g.t = t
	role := rng.IntN(g.opts.Roles)
	b = append(b, `{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLECHURN`...)
	b = strconv.AppendInt(b, int64(role), 10)
	b = append(b, `:`...)
	b = g.hex(b, 12)
	b = append(b, `","arn":"arn:aws:sts::`+Account+`:assumed-role/churn-role-`...)
	b = strconv.AppendInt(b, int64(role), 10)
	b = append(b, '/')
	b = g.hex(b, 16) // a session per task: the session name churns too
	b = append(b, `","accountId":"`+Account+`","accessKeyId":"ASIA`...)
	b = g.hex(b, 16)
	b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLECHURN`...)
	b = strconv.AppendInt(b, int64(role), 10)
	b = append(b, `","arn":"arn:aws:iam::`+Account+`:role/churn-role-`...)
	b = strconv.AppendInt(b, int64(role), 10)
	b = append(b, `","accountId":"`+Account+`","userName":"churn-role-`...)
	b = strconv.AppendInt(b, int64(role), 10)
	b = append(b, `"},"attributes":{"creationDate":"`...)
	b = t.Truncate(time.Hour).AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","mfaAuthenticated":"false"}}},"eventTime":"`...)
	b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `",`...)
	var data bool
	b, data = g.call(b, role)
	b = append(b, `,"awsRegion":"`...)
	b = append(b, g.region...)
	b = append(b, `","sourceIPAddress":"`...)
	vpce := rng.IntN(10) == 0
	if rng.IntN(5) > 0 {
		// In-VPC callers: any address of 10.0.0.0/8.
		b = append(b, "10."...)
		b = strconv.AppendInt(b, int64(rng.IntN(256)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(rng.IntN(256)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(rng.IntN(254)+1), 10)
	} else {
		b = append(b, "203.0.113."...)
		b = strconv.AppendInt(b, int64(rng.IntN(254)+1), 10)
		vpce = false
	}
	b = append(b, `","userAgent":"`...)
	if rng.IntN(2) == 0 {
		b = append(b, `aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.23.7 md/GOOS#linux md/GOARCH#amd64 api/x#1.0`...)
	} else {
		b = append(b, `Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.4`...)
	}
	b = append(b, `","requestID":"`...)
	b = g.uuid(b)
	b = append(b, `","eventID":"`...)
	b = g.uuid(b)
	b = append(b, `","readOnly":false,"eventType":"AwsApiCall","managementEvent":`...)
	b = strconv.AppendBool(b, !data)
	b = append(b, `,"recipientAccountId":"`+Account+`","eventCategory":"`...)
	if data {
		b = append(b, `Data"`...)
	} else {
		b = append(b, `Management"`...)
	}
	if vpce {
		b = append(b, `,"vpcEndpointId":"vpce-0`...)
		b = g.hex(b, 16)
		b = append(b, '"')
	}
	b = append(b, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256"}}`...)
	return b
}

// call appends eventSource, eventName, errorCode and requestParameters,
// and says whether the call is a data event.
func (g *gen) call(b []byte, role int) ([]byte, bool) {
	rng := g.rng
	denied := rng.IntN(50) == 0
	src := func(s, name string) {
		b = append(b, `"eventSource":"`...)
		b = append(b, s...)
		b = append(b, `","eventName":"`...)
		b = append(b, name...)
		b = append(b, '"')
		if denied {
			b = append(b, `,"errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation"`...)
		}
		b = append(b, `,"requestParameters":{`...)
	}
	bucket := func() {
		b = append(b, `"bucketName":"churn-data-`...)
		b = strconv.AppendInt(b, int64(role%8), 10)
		b = append(b, `","key":"`...)
	}
	data := true
	switch k := rng.IntN(100); {
	case k < 12: // dated partitions with a unique file
		src("s3.amazonaws.com", "GetObject")
		bucket()
		b = append(b, "raw/"...)
		b = g.t.AppendFormat(b, "2006/01/02")
		b = append(b, '/')
		b = g.uuid(b)
		b = append(b, `.parquet"}`...)
	case k < 20: // uploads named by id
		src("s3.amazonaws.com", "PutObject")
		bucket()
		b = append(b, "uploads/"...)
		b = g.uuid(b)
		b = append(b, `/original.bin"}`...)
	case k < 25: // customer folders with names a workload chooses
		src("s3.amazonaws.com", "GetObject")
		bucket()
		b = append(b, "customers/"...)
		b = append(b, words[rng.IntN(len(words))]...)
		b = append(b, '-')
		b = append(b, words[rng.IntN(len(words))]...)
		b = append(b, '-')
		b = append(b, words[rng.IntN(len(words))]...)
		b = append(b, `/profile.json"}`...)
	case k < 42: // per-item keys
		src("dynamodb.amazonaws.com", []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem"}[rng.IntN(4)])
		b = append(b, `"tableName":"churn-orders-`...)
		b = strconv.AppendInt(b, int64(role%4), 10)
		b = append(b, `","key":{"pk":{"S":"`...)
		b = g.uuid(b)
		b = append(b, `"}}}`...)
	case k < 50:
		src("lambda.amazonaws.com", "Invoke")
		b = append(b, `"functionName":"churn-fn-`...)
		b = strconv.AppendInt(b, int64(role%6), 10)
		b = append(b, `"}`...)
	case k < 64: // instances launched and replaced all day
		data = false
		src("ec2.amazonaws.com", []string{"StartInstances", "StopInstances", "TerminateInstances", "DescribeInstanceAttribute"}[rng.IntN(4)])
		b = append(b, `"instancesSet":{"items":[{"instanceId":"i-0`...)
		b = g.hex(b, 16)
		b = append(b, `"}]}}`...)
	case k < 76: // a log stream per task
		data = false
		src("logs.amazonaws.com", "CreateLogStream")
		b = append(b, `"logGroupName":"/churn/service-`...)
		b = strconv.AppendInt(b, int64(role%5), 10)
		b = append(b, `","logStreamName":"task/`...)
		b = g.hex(b, 32)
		b = append(b, `"}`...)
	case k < 84:
		data = false
		src("kms.amazonaws.com", "Decrypt")
		b = append(b, `"keyId":"arn:aws:kms:`...)
		b = append(b, g.region...)
		b = append(b, `:`+Account+`:key/0b1c2d3e-0000-4000-8000-00000000000`...)
		b = strconv.AppendInt(b, int64(role%3), 10)
		b = append(b, `","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
	case k < 92:
		data = false
		src("ssm.amazonaws.com", "GetParameter")
		b = append(b, `"name":"/churn/config/`...)
		b = append(b, words[rng.IntN(len(words))]...)
		b = append(b, `","withDecryption":true}`...)
	default:
		data = false
		src("sts.amazonaws.com", "AssumeRole")
		b = append(b, `"roleArn":"arn:aws:iam::`+Account+`:role/churn-role-`...)
		b = strconv.AppendInt(b, int64(rng.IntN(g.opts.Roles)), 10)
		b = append(b, `","roleSessionName":"`...)
		b = g.hex(b, 16)
		b = append(b, `"}`...)
	}
	return b, data
}
