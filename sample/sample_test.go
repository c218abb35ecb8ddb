package sample

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/internal/option"
)

var small = Options{Events: 600, Days: 6, Files: 24, Seed: 7}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, small)
	b, _ := generate(t, small)
	fa, fb := listFiles(t, a), listFiles(t, b)
	if diff := cmp.Diff(fa, fb); diff != "" {
		t.Fatalf("file lists differ (-first +second):\n%s", diff)
	}
	for _, f := range fa {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same options", f)
		}
	}

	other := small
	other.Seed++
	c, _ := generate(t, other)
	if cmp.Equal(fa, listFiles(t, c)) {
		t.Errorf("seed %d and %d gave the same file names", small.Seed, other.Seed)
	}
}

func TestStats(t *testing.T) {
	dir, st := generate(t, small)
	files := logFiles(t, dir)
	var size int64
	for _, f := range listFiles(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		size += fi.Size()
	}
	want := Stats{Events: small.Events, Files: len(files), Roles: 23, Users: 4, Bytes: size}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
	if st.Files < small.Files-2 || st.Files > small.Files+2 {
		t.Errorf("got %d files, want about %d", st.Files, small.Files)
	}
}

// ctRecord is the set of top-level fields CloudTrail writes; decoding
// with DisallowUnknownFields catches any field CloudTrail does not have.
type ctRecord struct {
	EventVersion                 string            `json:"eventVersion"`
	UserIdentity                 ctIdentity        `json:"userIdentity"`
	EventTime                    string            `json:"eventTime"`
	EventSource                  string            `json:"eventSource"`
	EventName                    string            `json:"eventName"`
	AwsRegion                    string            `json:"awsRegion"`
	SourceIPAddress              string            `json:"sourceIPAddress"`
	UserAgent                    string            `json:"userAgent"`
	ErrorCode                    string            `json:"errorCode"`
	ErrorMessage                 string            `json:"errorMessage"`
	RequestParameters            json.RawMessage   `json:"requestParameters"`
	ResponseElements             json.RawMessage   `json:"responseElements"`
	AdditionalEventData          json.RawMessage   `json:"additionalEventData"`
	RequestID                    string            `json:"requestID"`
	EventID                      string            `json:"eventID"`
	ReadOnly                     *bool             `json:"readOnly"`
	Resources                    []ctResource      `json:"resources"`
	EventType                    string            `json:"eventType"`
	APIVersion                   string            `json:"apiVersion"`
	ManagementEvent              *bool             `json:"managementEvent"`
	RecipientAccountID           string            `json:"recipientAccountId"`
	SharedEventID                string            `json:"sharedEventID"`
	VpcEndpointID                string            `json:"vpcEndpointId"`
	VpcEndpointAccountID         string            `json:"vpcEndpointAccountId"`
	EventCategory                string            `json:"eventCategory"`
	TLSDetails                   map[string]string `json:"tlsDetails"`
	SessionCredentialFromConsole string            `json:"sessionCredentialFromConsole"`
}

type ctIdentity struct {
	Type             string `json:"type"`
	PrincipalID      string `json:"principalId"`
	ARN              string `json:"arn"`
	AccountID        string `json:"accountId"`
	AccessKeyID      string `json:"accessKeyId"`
	UserName         string `json:"userName"`
	InvokedBy        string `json:"invokedBy"`
	IdentityProvider string `json:"identityProvider"`
	SessionContext   *struct {
		SessionIssuer *struct {
			Type        string `json:"type"`
			PrincipalID string `json:"principalId"`
			ARN         string `json:"arn"`
			AccountID   string `json:"accountId"`
			UserName    string `json:"userName"`
		} `json:"sessionIssuer"`
		WebIDFederationData map[string]any    `json:"webIdFederationData"`
		Attributes          map[string]string `json:"attributes"`
		EC2RoleDelivery     string            `json:"ec2RoleDelivery"`
	} `json:"sessionContext"`
}

type ctResource struct {
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

type ctFile struct {
	Records []ctRecord `json:"Records"`
}

var (
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	logPathRE  = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{4})Z_([A-Za-z0-9]{16})\.json\.gz$`)
	deniedCode = map[string]bool{"AccessDenied": true, "AccessDeniedException": true, "Client.UnauthorizedOperation": true}
)

// readLogs decodes every log file of dir strictly, checking the layout,
// and returns records in file order with the file each came from.
func readLogs(t *testing.T, dir string) ([]ctRecord, []string) {
	t.Helper()
	var recs []ctRecord
	var from []string
	for _, f := range logFiles(t, dir) {
		m := logPathRE.FindStringSubmatch(f)
		if m == nil {
			t.Errorf("%s: not in S3 delivery layout", f)
			continue
		}
		if m[1] != Account || m[6] != Account || m[2] != m[7] || m[3]+m[4]+m[5] != m[8] {
			t.Errorf("%s: account, region or date in path and name disagree", f)
		}
		var file ctFile
		dec := json.NewDecoder(bytes.NewReader(gunzip(t, filepath.Join(dir, f))))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&file); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(file.Records) == 0 {
			t.Errorf("%s: no records", f)
		}
		for i, r := range file.Records {
			if r.AwsRegion != m[2] {
				t.Errorf("%s: record %d: awsRegion %s in a %s file", f, i, r.AwsRegion, m[2])
			}
			recs = append(recs, r)
			from = append(from, f)
		}
	}
	return recs, from
}

func TestCloudTrailRecords(t *testing.T) {
	dir, _ := generate(t, small)
	recs, from := readLogs(t, dir)
	start := DefaultStart
	end := start.AddDate(0, 0, small.Days)
	for i, r := range recs {
		where := from[i] + ": " + r.EventID
		tm, err := time.Parse(time.RFC3339, r.EventTime)
		if err != nil || tm.Before(start) || !tm.Before(end) {
			t.Errorf("%s: eventTime %q outside [%v, %v)", where, r.EventTime, start, end)
		}
		required := map[string]string{"eventVersion": r.EventVersion, "userIdentity.type": r.UserIdentity.Type,
			"eventSource": r.EventSource, "eventName": r.EventName, "sourceIPAddress": r.SourceIPAddress,
			"userAgent": r.UserAgent, "eventType": r.EventType, "recipientAccountId": r.RecipientAccountID,
			"eventCategory": r.EventCategory}
		for k, v := range required {
			if v == "" {
				t.Errorf("%s: %s missing", where, k)
			}
		}
		if !uuidRE.MatchString(r.EventID) {
			t.Errorf("%s: eventID is not a UUID", where)
		}
		if r.ReadOnly == nil || r.ManagementEvent == nil || r.RequestParameters == nil {
			t.Errorf("%s: readOnly, managementEvent or requestParameters missing", where)
		}
		if r.ManagementEvent != nil && *r.ManagementEvent != (r.EventCategory == "Management") {
			t.Errorf("%s: managementEvent %v but eventCategory %s", where, *r.ManagementEvent, r.EventCategory)
		}
		if (r.ErrorCode == "") != (r.ErrorMessage == "") {
			t.Errorf("%s: errorCode %q with errorMessage %q", where, r.ErrorCode, r.ErrorMessage)
		}
		switch r.UserIdentity.Type {
		case "AssumedRole":
			sc := r.UserIdentity.SessionContext
			if sc == nil || sc.SessionIssuer == nil || !strings.HasPrefix(sc.SessionIssuer.ARN, "arn:aws:iam::"+Account+":role/") {
				t.Errorf("%s: assumed role without a session issuer", where)
			} else if !strings.HasPrefix(r.UserIdentity.ARN, "arn:aws:sts::"+Account+":assumed-role/"+sc.SessionIssuer.UserName+"/") {
				t.Errorf("%s: session ARN %s does not match issuer %s", where, r.UserIdentity.ARN, sc.SessionIssuer.ARN)
			}
		case "IAMUser":
			if !strings.HasPrefix(r.UserIdentity.ARN, "arn:aws:iam::"+Account+":user/") {
				t.Errorf("%s: IAM user ARN %q", where, r.UserIdentity.ARN)
			}
		case "AWSService":
			if r.UserIdentity.InvokedBy == "" {
				t.Errorf("%s: AWSService without invokedBy", where)
			}
		}
	}
}

// TestFeatures checks that the default sample has every case the issue
// asks for, so the end-to-end tests built on it exercise them.
func TestFeatures(t *testing.T) {
	dir, _ := generate(t, Options{Seed: 1})
	recs, _ := readLogs(t, dir)
	seen := map[string]bool{}
	ids := map[string]int{}
	for _, r := range recs {
		ids[r.EventID]++
		seen["source:"+r.EventSource] = true
		seen["name:"+r.EventName] = true
		seen["type:"+r.UserIdentity.Type] = true
		seen["region:"+r.AwsRegion] = true
		seen["day:"+r.EventTime[:10]] = true
		if r.ErrorCode != "" {
			seen["error:"+r.ErrorCode] = true
		}
		if r.UserIdentity.InvokedBy != "" && r.UserIdentity.Type == "AssumedRole" {
			seen["invokedBy"] = true
		}
		if r.VpcEndpointID != "" {
			seen["vpce"] = true
		}
		if r.EventCategory == "Data" {
			seen["data:"+r.EventSource] = true
		}
		if roles := rolesPassed(t, actionOf(r.EventSource, r.EventName), r); len(roles) > 0 {
			if deniedCode[r.ErrorCode] {
				seen["passrole:denied"] = true
			} else {
				seen["passrole:"+r.EventSource] = true
			}
		}
	}
	want := []string{
		"name:ListObjects", "name:Invoke", "name:GetFunction20150331v2", "name:UpdateFunctionConfiguration20150331v2",
		"name:CompleteMultipartUpload", "name:HeadObject", "name:ListBuckets", "source:monitoring.amazonaws.com",
		"error:AccessDenied", "error:Client.UnauthorizedOperation", "error:NoSuchKey", "error:ConditionalCheckFailedException",
		"data:s3.amazonaws.com", "data:lambda.amazonaws.com", "data:dynamodb.amazonaws.com",
		"type:AssumedRole", "type:IAMUser", "type:AWSService", "type:WebIdentityUser", "type:SAMLUser", "type:AWSAccount",
		"invokedBy", "vpce", "region:us-east-1", "region:eu-west-1", "region:us-west-2",
		"passrole:lambda.amazonaws.com", "passrole:ecs.amazonaws.com", "passrole:denied", "error:AccessDeniedException",
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("default sample has no %s", w)
		}
	}
	days := 0
	for k := range seen {
		if strings.HasPrefix(k, "day:") {
			days++
		}
	}
	if days < 85 {
		t.Errorf("events cover %d days, want at least 85 of 90", days)
	}
	dups := 0
	for _, n := range ids {
		if n > 1 {
			dups++
		}
	}
	if dups == 0 {
		t.Errorf("no eventID is delivered twice")
	}
}

// TestTrailConsistent checks that no data event the trail does not select
// appears in the logs, and that trails.json says what it selects.
func TestTrailConsistent(t *testing.T) {
	dir, _ := generate(t, Options{Seed: 3, Events: 1500, Days: 20})
	recs, _ := readLogs(t, dir)
	for _, r := range recs {
		if r.EventCategory != "Data" {
			continue
		}
		ok := false
		switch r.EventSource {
		case "s3.amazonaws.com":
			for _, res := range r.Resources {
				if res.ARN == "arn:aws:s3:::acme-data-prod" {
					ok = true
				}
			}
		case "dynamodb.amazonaws.com":
			ok = len(r.Resources) == 1 && strings.HasSuffix(r.Resources[0].ARN, ":table/orders")
		case "lambda.amazonaws.com":
			ok = r.EventName == "Invoke"
		case "monitoring.amazonaws.com":
			ok = r.EventName == "PutMetricData"
		}
		if !ok {
			t.Errorf("%s %s %s: a data event the trail does not log", r.EventID, r.EventSource, r.EventName)
		}
	}
	var tf struct {
		TrailList      []map[string]any `json:"trailList"`
		EventSelectors []struct {
			TrailARN               string             `json:"TrailARN"`
			AdvancedEventSelectors []advancedSelector `json:"AdvancedEventSelectors"`
		} `json:"eventSelectors"`
	}
	readJSON(t, filepath.Join(dir, "trails.json"), &tf, true)
	if len(tf.TrailList) != 1 || len(tf.EventSelectors) != 1 || tf.EventSelectors[0].TrailARN != tf.TrailList[0]["TrailARN"] {
		t.Fatalf("trails.json: want one trail with its selectors, got %+v", tf)
	}
	var types []string
	for _, s := range tf.EventSelectors[0].AdvancedEventSelectors {
		for _, f := range s.FieldSelectors {
			if f.Field == "resources.type" {
				types = append(types, f.Equals...)
			}
		}
	}
	want := []string{"AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::CloudWatch::Metric"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("data resource types selected (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"ok", Options{Out: "x"}, ""},
		{"no out", Options{}, "--out"},
		{"negative events", Options{Out: "x", Events: -1}, "--events -1"},
		{"negative days", Options{Out: "x", Days: -1}, "--days -1"},
		{"more files than events", Options{Out: "x", Events: 10, Files: 11}, "--files 11"},
		{"events beyond the bound", Options{Out: "x", Events: MaxEvents + 1}, fmt.Sprintf("--events %d: more than", MaxEvents+1)},
		{"files beyond the bound", Options{Out: "x", Events: MaxEvents, Files: MaxFiles + 1}, fmt.Sprintf("--files %d: more than", MaxFiles+1)},
		{"most events", Options{Out: "x", Events: MaxEvents}, ""},
		{"most files", Options{Out: "x", Events: MaxEvents, Files: MaxFiles}, ""},
		{"empty regions", Options{Out: "x", Regions: []string{}}, "--regions"},
		{"bad region", Options{Out: "x", Regions: []string{"mars-1"}}, "--regions \"mars-1\""},
		{"repeated region", Options{Out: "x", Regions: []string{"us-east-1", "us-east-1"}}, "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			if err == nil { // as Generate and Complete check them
				err = tc.opts.withDefaults().Validate()
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}

// Values beyond the bounds are refused before anything is written, and
// the defaults they would choose never pass them.
func TestGenerateRefusesBeyondBounds(t *testing.T) {
	for _, o := range []Options{
		{Events: 99999999999999},
		{Events: MaxEvents, Files: MaxFiles + 1},
		{Days: 1, Files: 1 << 40},
	} {
		o.Out = filepath.Join(t.TempDir(), "new")
		_, err := Generate(context.Background(), o, nil)
		var ne *option.Named
		if !errors.As(err, &ne) {
			t.Errorf("Generate(%+v) = %v, want an *option.Named", o, err)
		}
		if _, err := os.Stat(o.Out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Generate(%+v) refused but left %s (stat: %v)", o, o.Out, err)
		}
	}
	if d := (Options{Out: "x", Events: MaxEvents}).withDefaults(); d.Files > MaxFiles || d.Files*MaxEventsPerFile < d.Events {
		t.Errorf("defaults for %d events: %d files, want at most %d holding at most %d events each", d.Events, d.Files, MaxFiles, MaxEventsPerFile)
	}
}

func TestOtherRegionsAndSizes(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"one region", Options{Events: 200, Days: 3, Regions: []string{"ap-southeast-2"}}},
		{"two regions", Options{Events: 200, Days: 2, Regions: []string{"eu-central-1", "us-east-2"}}},
		{"one file", Options{Events: 5, Days: 1, Files: 1}},
		{"one event", Options{Events: 1, Days: 1}},
		{"files raised to the per-file cap", Options{Events: 3*MaxEventsPerFile + 1, Days: 1, Files: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, st := generate(t, tc.opts)
			recs, from := readLogs(t, dir)
			perFile := map[string]int{}
			for _, f := range from {
				if perFile[f]++; perFile[f] == MaxEventsPerFile+2 {
					t.Errorf("%s holds more than %d records", f, MaxEventsPerFile)
				}
			}
			var tr Truth
			readJSON(t, filepath.Join(dir, "truth.json"), &tr, true)
			if int64(len(recs)) != tr.Totals.Records || tr.Totals.UniqueEvents != int64(tc.opts.Events) || st.Events != tc.opts.Events {
				t.Errorf("got %d records, truth says %d records / %d unique, stats %d; want %d events",
					len(recs), tr.Totals.Records, tr.Totals.UniqueEvents, st.Events, tc.opts.Events)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{Out: t.TempDir(), Events: 1000}, nil)
	if err == nil {
		t.Fatal("Generate with a cancelled context returned nil error")
	}
}

func BenchmarkGenerate(b *testing.B) {
	const events = 50_000
	for b.Loop() {
		generate(b, Options{Events: events, Seed: 1})
	}
	b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
}
