package pushdown

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A row becomes a record encoding/json reads back with every value in
// place: strings escaped, request fields as JSON (from CloudTrail Lake's
// map<string,string>, strings stay strings), resources with ARN and type.
func TestDecodeRecord(t *testing.T) {
	header := Columns()
	for _, d := range []Dialect{Athena, Lake} {
		row := make([]*string, len(header))
		set := func(name, v string) {
			for i, h := range header {
				if h == name {
					row[i] = &v
					return
				}
			}
			t.Fatalf("no column %s", name)
		}
		set("event_source", "s3.amazonaws.com")
		set("event_name", "GetObject")
		set("user_agent", "agent \"quoted\"\nline\x01")
		set("outcome", "denied")
		set("ui_type", "AssumedRole")
		set("ui_mfa", "true")
		set("issuer_arn", "arn:aws:iam::111122223333:role/app")
		set("resources", "AWS::S3::Object\tarn:aws:s3:::b/k\n\tarn:aws:s3:::b")
		bucket := `"b"`
		if d == Lake {
			bucket = "b"
		}
		set("rp_bucketname", bucket)
		set("rp_instancesset", `{"items":[{"instanceId":"i-1"}]}`)
		set("day", "2026-11-02")
		set("events", "7")
		set("first_time", "2026-11-02T01:00:00Z")
		set("last_time", "2026-11-02 03:00:00.000")
		dec, err := NewDecoder(d, header)
		if err != nil {
			t.Fatal(err)
		}
		g, err := dec.Decode(row)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(g.Record, &got); err != nil {
			t.Fatalf("%v: %s", err, g.Record)
		}
		want := map[string]any{
			"eventID": "pushdown", "eventTime": "2026-11-02T01:00:00Z",
			"eventSource": "s3.amazonaws.com", "eventName": "GetObject",
			"userAgent": "agent \"quoted\"\nline\x01", "errorCode": "AccessDenied",
			"userIdentity": map[string]any{"type": "AssumedRole", "sessionContext": map[string]any{
				"attributes":    map[string]any{"mfaAuthenticated": true},
				"sessionIssuer": map[string]any{"arn": "arn:aws:iam::111122223333:role/app"},
			}},
			"resources": []any{map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}, map[string]any{"ARN": "arn:aws:s3:::b"}},
			"requestParameters": map[string]any{"bucketName": "b", "instancesSet": map[string]any{
				"items": []any{map[string]any{"instanceId": "i-1"}}}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: record (-want +got):\n%s", d, diff)
		}
		if g.Count != 7 || g.Last.Hour() != 3 {
			t.Errorf("%v: count %d, last %s", d, g.Count, g.Last)
		}
	}
}
