package awsconf

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// noCredentialEnv empties every place the SDK's chain looks for
// credentials; the instance metadata endpoint refuses connections.
func noCredentialEnv(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")
}

func describeTrails(t *testing.T, url string, opts Options) error {
	t.Helper()
	cfg, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(url) })
	_, err = c.DescribeTrails(context.Background(), &cloudtrail.DescribeTrailsInput{})
	return err
}

// Without credentials the SDK's raw chain (failed to refresh cached
// credentials, no EC2 IMDS role found, ...) becomes one line saying what to
// provide.
func TestExplainNoCredentials(t *testing.T) {
	noCredentialEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("a request was sent without credentials") }))
	defer srv.Close()
	err := Explain(describeTrails(t, srv.URL, Options{MaxAttempts: 1}))
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "no AWS credentials found") || !strings.Contains(msg, "--profile") || !strings.Contains(msg, "AWS_ACCESS_KEY_ID") {
		t.Errorf("message %q: want one line naming what to provide", msg)
	}
	if strings.Contains(msg, "IMDS") {
		t.Errorf("message %q still carries the SDK's chain", msg)
	}
}

// AccessDenied, as CloudTrail sends it, points at the read-only policy.
func TestExplainAccessDenied(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"__type":"AccessDeniedException","message":"User: arn:aws:iam::111122223333:user/x is not authorized to perform: cloudtrail:DescribeTrails"}`))
	}))
	defer srv.Close()
	err := Explain(describeTrails(t, srv.URL, Options{MaxAttempts: 1, Region: "us-east-1"}))
	want := "AWS denied CloudTrail DescribeTrails (AccessDeniedException: User: arn:aws:iam::111122223333:user/x is not authorized to perform: cloudtrail:DescribeTrails): the identity iamtrim runs as needs the read-only permissions in docs/iamtrim-readonly-policy.json"
	if err == nil || err.Error() != want {
		t.Errorf("message\n got %v\nwant %s", err, want)
	}
}

// Retries are logged at info instead of waiting silently.
func TestRetriesLogged(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	describeTrails(t, srv.URL, Options{MaxAttempts: 3, MaxBackoff: time.Millisecond, Region: "us-east-1", Log: log})
	if got := strings.Count(logs.String(), "AWS call failed, retrying"); got != 2 || n.Load() != 3 {
		t.Errorf("%d requests, %d retry lines, want 3 and 2:\n%s", n.Load(), got, logs.String())
	}
	for _, want := range []string{"service=CloudTrail operation=DescribeTrails attempt=1 of=3", "attempt=2 of=3"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("retry lines lack %q:\n%s", want, logs.String())
		}
	}
}
