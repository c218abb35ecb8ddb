package cloudtrail

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// API Gateway's control plane authorizes apigateway:GET|POST|... on the
// path of what the call touches: the API collection, the API, or anything
// under the API, from requestParameters.
func TestAPIGatewayResourcePaths(t *testing.T) {
	m := NewMapper(testCatalog(t))
	const tmpl = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","userName":"ci"},
	 "eventTime":"2026-10-01T10:00:00Z","eventSource":"apigateway.amazonaws.com","eventName":"%s","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9",
	 "requestParameters":%s,"eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
	const api = "arn:aws:apigateway:eu-west-1::"
	tests := []struct {
		event, params string
		want          []string
	}{
		{"GetRestApis", `{"limit":25}`, []string{api + "/restapis"}},
		{"CreateRestApi", `{"name":"orders"}`, []string{api + "/restapis"}},
		{"GetRestApi", `{"restApiId":"a1b2c3"}`, []string{api + "/restapis/a1b2c3"}},
		{"GetStages", `{"restApiId":"a1b2c3"}`, []string{api + "/restapis/a1b2c3/*"}},
		{"GetStage", `{"restApiId":"a1b2c3","stageName":"prod"}`, []string{api + "/restapis/a1b2c3/*"}},
		{"CreateDeployment", `{"restApiId":"a1b2c3","stageName":"prod"}`, []string{api + "/restapis/a1b2c3/*"}},
		{"GetMethod", `{"restApiId":"a1b2c3","resourceId":"r9","httpMethod":"GET"}`, []string{api + "/restapis/a1b2c3/*"}},
		{"GetResources", `{"restApiId":"a1b2c3"}`, []string{api + "/restapis/a1b2c3/*"}},
		{"GetApi", `{"apiId":"h1"}`, []string{api + "/apis/h1"}},
		{"GetRoutes", `{"apiId":"h1"}`, []string{api + "/apis/h1/*"}},
		{"GetDomainNames", `{}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			var rec Record
			if err := m.Normalize([]byte(fmt.Sprintf(tmpl, tc.event, tc.params)), &rec); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range rec.Access {
				if a.Resource != "" {
					got = append(got, a.Resource)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s resources (-want +got):\n%s (access %+v)", tc.event, diff, rec.Access)
			}
		})
	}
}
