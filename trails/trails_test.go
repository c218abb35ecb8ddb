package trails

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

const describeTrails = `{"trailList":[{"Name":"org-trail","S3BucketName":"logs","IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":true,"HomeRegion":"us-east-1","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail","HasCustomEventSelectors":true,"IsOrganizationTrail":false}]}`

const selectors = `{"TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::app-data/"]},{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}],"ExcludeManagementEventSources":[]}]}`

const advanced = `{"TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/adv","AdvancedEventSelectors":[{"Name":"mgmt","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},{"Name":"ddb","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::DynamoDB::Table"]},{"Field":"resources.ARN","StartsWith":["arn:aws:dynamodb:us-east-1:111122223333:table/orders"]}]}]}`

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		trails    int
		rtype     string
		arn       string
		want      Status
		wantWhole Status
	}{
		{"describe-trails alone logs management only", describeTrails, 1, S3Object, "arn:aws:s3:::app-data/x", NotLogged, NotLogged},
		{"array of describe + selectors", "[" + describeTrails + "," + selectors + "]", 1, S3Object, "arn:aws:s3:::app-data/k", Logged, Partly},
		{"other bucket not logged", "[" + describeTrails + "," + selectors + "]", 1, S3Object, "arn:aws:s3:::other/k", NotLogged, Partly},
		{"all lambda functions", "[" + describeTrails + "," + selectors + "]", 1, LambdaFunction, "arn:aws:lambda:us-east-1:111122223333:function:f", Logged, Logged},
		{"merged object", `{"trails":` + describeTrails + `,"selectors":[` + selectors + `]}`, 1, S3Object, "arn:aws:s3:::app-data/k", Logged, Partly},
		{"advanced selectors alone", advanced, 1, DynamoDBTable, "arn:aws:dynamodb:us-east-1:111122223333:table/orders", Logged, Partly},
		{"advanced other table", advanced, 1, DynamoDBTable, "arn:aws:dynamodb:us-east-1:111122223333:table/users", NotLogged, Partly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Trails) != tc.trails {
				t.Fatalf("trails: got %d, want %d", len(cfg.Trails), tc.trails)
			}
			if got := cfg.DataLogged(tc.rtype, tc.arn); got != tc.want {
				t.Errorf("DataLogged(%s, %s): got %v, want %v", tc.rtype, tc.arn, got, tc.want)
			}
			if got := cfg.DataLogged(tc.rtype, ""); got != tc.wantWhole {
				t.Errorf("DataLogged(%s): got %v, want %v", tc.rtype, got, tc.wantWhole)
			}
			if cfg.ManagementLogged() != Logged {
				t.Errorf("management events: got %v, want logged", cfg.ManagementLogged())
			}
		})
	}
}

func TestParseRejectsNonTrail(t *testing.T) {
	for _, in := range []string{`{}`, `[1,2]`, `not json`, `{"Records":[]}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q): got nil error", in)
		}
	}
}

func TestUnknownConfig(t *testing.T) {
	cfg := UnknownConfig()
	if got := cfg.DataLogged(S3Object, "arn:aws:s3:::b/k"); got != Unknown {
		t.Fatalf("got %v, want unknown", got)
	}
	if !strings.Contains(cfg.Summary(), "assumed not logged") {
		t.Fatalf("summary %q does not say data events are assumed not logged", cfg.Summary())
	}
}

func TestDataEventType(t *testing.T) {
	tests := []struct{ action, want string }{
		{"s3:GetObject", S3Object},
		{"S3:putobjectacl", S3Object},
		{"s3:ListBucket", S3Object},
		{"s3:AbortMultipartUpload", S3Object},
		{"s3:CreateBucket", ""},
		{"s3:GetBucketPolicy", ""},
		{"lambda:InvokeFunction", LambdaFunction},
		{"lambda:GetFunction", ""},
		{"dynamodb:Query", DynamoDBTable},
		{"dynamodb:DescribeTable", ""},
		{"sqs:SendMessage", SQSQueue},
		{"sns:Publish", SNSTopic},
		{"iam:PassRole", ""},
	}
	for _, tc := range tests {
		if got := DataEventType(tc.action); got != tc.want {
			t.Errorf("DataEventType(%s): got %q, want %q", tc.action, got, tc.want)
		}
	}
	if !PermissionOnly("iam:PassRole") || PermissionOnly("iam:GetRole") {
		t.Error("PermissionOnly: iam:PassRole must be permission-only and iam:GetRole not")
	}
}

// TestFetch drives the real SDK client against a local endpoint speaking
// the CloudTrail JSON 1.1 protocol.
func TestFetch(t *testing.T) {
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		calls = append(calls, target[strings.LastIndex(target, ".")+1:])
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch {
		case strings.HasSuffix(target, "DescribeTrails"):
			w.Write([]byte(describeTrails))
		case strings.HasSuffix(target, "GetEventSelectors"):
			var in map[string]string
			json.NewDecoder(r.Body).Decode(&in)
			if !strings.HasSuffix(in["TrailName"], "org-trail") {
				w.WriteHeader(400)
				w.Write([]byte(`{"__type":"TrailNotFoundException","message":"no"}`))
				return
			}
			w.Write([]byte(selectors))
		default:
			w.WriteHeader(400)
		}
	}))
	defer srv.Close()
	client := cloudtrail.New(cloudtrail.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
	cfg, err := Fetch(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(calls, ",") != "DescribeTrails,GetEventSelectors" {
		t.Fatalf("calls: got %v", calls)
	}
	if got := cfg.DataLogged(S3Object, "arn:aws:s3:::app-data/x"); got != Logged {
		t.Fatalf("S3 data for app-data: got %v, want logged", got)
	}
}

func TestDataLoggedFor(t *testing.T) {
	cfg, err := Parse([]byte("[" + describeTrails + "," + selectors + "]"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    Status
	}{
		{"arn:aws:s3:::app-data/*", Logged},
		{"arn:aws:s3:::app-data/reports/*", Logged},
		{"arn:aws:s3:::app-*", Partly},
		{"*", Partly},
		{"arn:aws:s3:::other/*", Partly},
	}
	for _, tc := range tests {
		if got := cfg.DataLoggedFor(S3Object, tc.pattern); got != tc.want {
			t.Errorf("DataLoggedFor(%s): got %v, want %v", tc.pattern, got, tc.want)
		}
	}
	if got := cfg.DataLoggedFor(DynamoDBTable, "*"); got != NotLogged {
		t.Errorf("DynamoDB: got %v, want not logged", got)
	}
}

func TestForAccountOrganizationTrail(t *testing.T) {
	cfg, err := Parse([]byte(`{"Name":"org","TrailARN":"arn:aws:cloudtrail:us-east-1:999999999999:trail/org","HomeRegion":"us-east-1","IsOrganizationTrail":true,
	  "EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ForAccount("111122223333").DataLogged(LambdaFunction, ""); got != Logged {
		t.Fatalf("organization trail does not cover a member account: %v", got)
	}
}
