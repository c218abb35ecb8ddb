package authz

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const oneRole = `{"RoleDetailList":[{"RoleName":"a","Arn":"arn:aws:iam::111122223333:role/a"}],"UserDetailList":[],"GroupDetailList":[],"Policies":[]}`

// A file that holds no authorization details is refused, saying what it
// looks like; it used to be stored as an empty snapshot with exit 0.
func TestParseRefusesOtherKinds(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"empty", "", "test.json: empty: no get-account-authorization-details output"},
		{"white space", " \n", "test.json: empty: no get-account-authorization-details output"},
		{"CloudTrail log", `{"Records":[{"eventVersion":"1.08","eventName":"GetObject"}]}`, "test.json: value 1: looks like a CloudTrail log file (Records), not get-account-authorization-details output; load it with 'iamtrim ingest cloudtrail'"},
		{"gzipped CloudTrail log", "gz", "test.json: value 1: looks like a CloudTrail log file (Records)"},
		{"lookup-events", `{"Events":[{"EventId":"x"}]}`, "looks like CloudTrail lookup-events output (Events)"},
		{"trail configuration", `{"trailList":[{"Name":"t"}]}`, "looks like a trail configuration (describe-trails); load it with 'iamtrim ingest trails'"},
		{"policy document", `{"Version":"2012-10-17","Statement":[]}`, "looks like an IAM policy document"},
		{"something else", `{"b":1,"a":2}`, "test.json: value 1: an object with keys a, b: none of UserDetailList, GroupDetailList, RoleDetailList, Policies"},
		{"wrongly typed field", `{"RoleDetailList":[{"RoleName":5}]}`, "test.json: value 1: json: cannot unmarshal number into Go struct field RoleDetail.RoleDetailList.RoleName of type string"},
		{"not an object", `[1]`, "test.json: value 1[0]: a number, not an object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in == "gz" {
				in = gzipped(t, `{"Records":[{"eventVersion":"1.08"}]}`)
			}
			inv, err := Parse(strings.NewReader(in), "test.json")
			var rej *RejectedError
			if !errors.As(err, &rej) || inv != nil {
				t.Fatalf("Parse = %v, %v; want a *RejectedError and no inventory", inv, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func TestParseGzip(t *testing.T) {
	inv, err := Parse(strings.NewReader(gzipped(t, oneRole)), "authz.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Roles) != 1 {
		t.Errorf("roles %v, want one", inv.Roles)
	}
}

// Values and policy documents that cannot be read beside good ones are
// rejected (counted, named), not warnings.
func TestParseRejectsPartly(t *testing.T) {
	in := oneRole + `{"RoleDetailList":[{"RoleName":5}]}` +
		`{"RoleDetailList":[{"RoleName":"b","Arn":"arn:aws:iam::111122223333:role/b","RolePolicyList":[{"PolicyName":"bad","PolicyDocument":{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}}]}]}`
	inv, err := Parse(strings.NewReader(in), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"test.json: value 2: json: cannot unmarshal number into Go struct field RoleDetail.RoleDetailList.RoleName of type string",
		`test.json: role arn:aws:iam::111122223333:role/b: inline policy bad: policy bad: statement 1: Effect must be Allow or Deny, not "allow"; its permissions are not counted`,
	}
	if strings.Join(inv.Rejected, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejected\n got %q\nwant %q", inv.Rejected, want)
	}
	if len(inv.Roles) != 2 {
		t.Errorf("%d roles, want the two readable ones", len(inv.Roles))
	}
	if m := Merge(inv, nil); len(m.Rejected) != 2 {
		t.Errorf("Merge keeps %d rejections, want 2", len(m.Rejected))
	}
}
