package authz

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSCPs(t *testing.T) {
	content := doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"Regions","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}`)
	contentStr, _ := json.Marshal(content)
	described := `{"Policy":{"PolicySummary":{"Id":"p-1","Arn":"arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1","Name":"RegionLock","Type":"SERVICE_CONTROL_POLICY","AwsManaged":false},"Content":` + string(contentStr) + `}}`
	tests := []struct {
		name    string
		in      string
		want    []string // name|arn|statements
		wantErr string
	}{
		{"policy document", content, []string{"scp.json||2"}, ""},
		{"describe-policy output", described, []string{"RegionLock|arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1|2"}, ""},
		{"array of levels", "[" + content + "," + described + "]", []string{"scp.json[0]||2", "RegionLock|arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1|2"}, ""},
		{"invalid document", `{"Statement":[{"Effect":"Allow"}]}`, nil, "service control policy: policy scp.json: statement 1: needs an Action or NotAction element"},
		{"empty array", `[]`, nil, "scp.json: no policies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSCPs([]byte(tc.in), "scp.json")
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sum []string
			for _, np := range got {
				if np.Kind != "scp" {
					t.Errorf("%s: kind %q, want scp", np.Name, np.Kind)
				}
				sum = append(sum, fmt.Sprintf("%s|%s|%d", np.Name, np.ARN, len(np.Doc.Statements)))
			}
			if diff := cmp.Diff(tc.want, sum); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
		})
	}
}
