package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The oracle: encoding/json decodes the same bytes into map[string]any and
// every value the walker extracts must agree with it. It runs over the
// testdata records, the shared samples, hand-made edge cases, and (from
// fuzz_test.go) arbitrary input.

// bound cuts s to at most max bytes at a rune boundary; written apart from
// truncate so the two can check each other.
func bound(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// strAt returns obj[key] when it is a string.
func strAt(obj any, keys ...string) (string, bool) {
	v := obj
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[k]
	}
	s, ok := v.(string)
	return s, ok
}

func objAt(obj any, keys ...string) (map[string]any, bool) {
	v := obj
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v = m[k]
	}
	m, ok := v.(map[string]any)
	return m, ok
}

func decodeStr(s jstr) string {
	var buf [256]byte
	return string(s.bytes(buf[:0]))
}

// checkOracle compares the walker with encoding/json on raw. It returns
// false when raw is not a JSON object (nothing more to compare).
func checkOracle(t *testing.T, m *Mapper, raw []byte) bool {
	t.Helper()
	var f fields
	_, perr := f.parse(raw, true)
	var rec Record
	nerr := m.Normalize(raw, &rec)
	if perr == nil {
		// What ReadNormalized does: the record with more input after it
		// normalizes the same, and its end is found.
		more := append(slices.Clip(raw), `,{"eventID":"next"}`...)
		var rec2 Record
		end, parsed, err2 := m.normalize(more, &rec2, false)
		if !parsed || end != len(bytes.TrimRight(raw, " \t\r\n")) || fmt.Sprint(err2) != fmt.Sprint(nerr) || nerr == nil && !reflect.DeepEqual(rec, rec2) {
			t.Fatalf("normalize with input after the record: end %d (want %d), parsed %v, err %v (Normalize: %v), same record %v: %q",
				end, len(bytes.TrimRight(raw, " \t\r\n")), parsed, err2, nerr, reflect.DeepEqual(rec, rec2), raw)
		}
	}
	if !json.Valid(raw) {
		if perr == nil || nerr == nil {
			t.Fatalf("accepted invalid JSON (parse: %v, Normalize: %v): %q", perr, nerr, raw)
		}
		return false
	}
	var top any
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatalf("json.Valid but Unmarshal failed: %v", err)
	}
	if _, ok := top.(map[string]any); !ok {
		if nerr == nil {
			t.Fatalf("Normalize accepted a non-object: %q", raw)
		}
		return false
	}
	if perr != nil {
		if errors.Is(perr, errDepth) {
			return false
		}
		t.Fatalf("rejected valid JSON: %v: %q", perr, raw)
	}

	// Field extraction.
	for _, c := range []struct {
		key string
		got jstr
	}{
		{"eventID", f.eventID}, {"eventTime", f.eventTime}, {"eventSource", f.eventSource},
		{"eventName", f.eventName}, {"awsRegion", f.region}, {"sourceIPAddress", f.sourceIP},
		{"userAgent", f.userAgent}, {"errorCode", f.errorCode}, {"recipientAccountId", f.recipient},
		{"eventType", f.eventType}, {"eventCategory", f.eventCategory}, {"vpcEndpointId", f.vpce},
	} {
		want, _ := strAt(top, c.key)
		if got := decodeStr(c.got); got != want {
			t.Errorf("%s = %q, encoding/json %q", c.key, got, want)
		}
	}
	ui, hasUI := objAt(top, "userIdentity")
	if f.hasUI != hasUI {
		t.Errorf("hasUI = %v, encoding/json %v", f.hasUI, hasUI)
	}
	if hasUI {
		for _, c := range []struct {
			path []string
			got  jstr
		}{
			{[]string{"type"}, f.ui.typ}, {[]string{"arn"}, f.ui.arn}, {[]string{"accountId"}, f.ui.accountID},
			{[]string{"userName"}, f.ui.userName}, {[]string{"invokedBy"}, f.ui.invokedBy},
			{[]string{"sessionContext", "sessionIssuer", "arn"}, f.ui.issuerARN},
			{[]string{"sessionContext", "sessionIssuer", "userName"}, f.ui.issuerUserName},
			{[]string{"sessionContext", "webIdFederationData", "federatedProvider"}, f.ui.webIDProvider},
			{[]string{"onBehalfOf", "userId"}, f.ui.onBehalfUser},
		} {
			want, _ := strAt(ui, c.path...)
			if got := decodeStr(c.got); got != want {
				t.Errorf("userIdentity.%s = %q, encoding/json %q", strings.Join(c.path, "."), got, want)
			}
		}
		mfa := false
		switch v := mapGet(ui, "sessionContext", "attributes", "mfaAuthenticated").(type) {
		case bool:
			mfa = v
		case string:
			mfa = v == "true"
		}
		if f.ui.mfa != mfa {
			t.Errorf("mfa = %v, encoding/json %v", f.ui.mfa, mfa)
		}
	}
	for _, c := range []struct {
		key  string
		span []byte
	}{{"requestParameters", f.reqParams}, {"additionalEventData", f.addl}} {
		want, isObj := objAt(top, c.key)
		if (c.span != nil) != isObj {
			t.Errorf("%s span present = %v, encoding/json object = %v", c.key, c.span != nil, isObj)
			continue
		}
		if isObj {
			var got any
			if err := json.Unmarshal(c.span, &got); err != nil || !reflect.DeepEqual(got, any(want)) {
				t.Errorf("%s span decodes to %v (%v), encoding/json %v", c.key, got, err, want)
			}
		}
	}
	if reqp, ok := objAt(top, "requestParameters"); ok {
		var p params
		p.parse(f.reqParams, []string{"role"})
		for _, c := range []struct {
			key string
			got jstr
		}{
			{"bucketName", p.bucketName}, {"key", p.key}, {"versionId", p.versionID}, {"tableName", p.tableName},
			{"queueUrl", p.queueURL}, {"topicArn", p.topicARN}, {"keyId", p.keyID}, {"functionName", p.functionName},
			{"secretId", p.secretID}, {"name", p.name}, {"logGroupName", p.logGroupName}, {"statement", p.statement},
		} {
			want, _ := strAt(reqp, c.key)
			if got := decodeStr(c.got); got != want {
				t.Errorf("requestParameters.%s = %q, encoding/json %q", c.key, got, want)
			}
		}
		if want, ok := strAt(reqp, "role"); ok != (p.nPassRole == 1) || ok && decodeStr(p.passRole[0]) != want {
			t.Errorf("requestParameters.role: got %d values, encoding/json %q", p.nPassRole, want)
		}
	}
	var wantARNs []string
	if list, ok := mapGet(top, "resources").([]any); ok {
		for _, r := range list {
			if a, ok := strAt(r, "ARN"); ok && strings.HasPrefix(a, "arn:") && len(wantARNs) < maxResources {
				wantARNs = append(wantARNs, bound(a, maxARNLen))
			}
		}
	}

	// Normalize's verdict and the values it copies out.
	id, okID := strAt(top, "eventID")
	tm, okTime := strAt(top, "eventTime")
	src, okSrc := strAt(top, "eventSource")
	name, okName := strAt(top, "eventName")
	ok := okID && id != "" && okTime && tm != "" && okSrc && src != "" && okName && name != "" && hasUI
	wantTime, terr := time.Parse(time.RFC3339Nano, tm)
	cat, _ := strAt(top, "eventCategory")
	typ, _ := strAt(top, "eventType")
	insight := cat == "Insight" || typ == "AwsCloudTrailInsight"
	if !ok || terr != nil || insight {
		if nerr == nil {
			t.Errorf("Normalize accepted a record encoding/json sees as incomplete: %q", raw)
		}
		return true
	}
	if nerr != nil {
		t.Fatalf("Normalize rejected a complete record: %v: %q", nerr, raw)
	}
	region, _ := strAt(top, "awsRegion")
	recipient, _ := strAt(top, "recipientAccountId")
	code, _ := strAt(top, "errorCode")
	vpce, _ := strAt(top, "vpcEndpointId")
	acct, _ := strAt(ui, "accountId")
	by, _ := strAt(ui, "invokedBy")
	for _, c := range []struct{ field, got, want string }{
		{"EventID", rec.EventID, bound(id, maxIDLen)},
		{"EventSource", rec.EventSource, bound(src, maxNameLen)},
		{"EventName", rec.EventName, bound(name, maxNameLen)},
		{"Region", rec.Region, bound(region, maxNameLen)},
		{"AccountID", rec.AccountID, bound(recipient, maxIDLen)},
		{"ErrorCode", rec.ErrorCode, bound(code, maxNameLen)},
		{"EventType", rec.EventType, bound(typ, maxNameLen)},
		{"VPCEndpointID", rec.Context.VPCEndpointID, bound(vpce, maxIDLen)},
		{"InvokedBy", rec.InvokedBy, bound(by, maxNameLen)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, encoding/json %q", c.field, c.got, c.want)
		}
	}
	if t2, _ := strAt(ui, "type"); t2 != "AWSAccount" && rec.Principal.AccountID != bound(acct, maxIDLen) {
		t.Errorf("Principal.AccountID = %q, encoding/json %q", rec.Principal.AccountID, bound(acct, maxIDLen))
	}
	if !rec.EventTime.Equal(wantTime) {
		t.Errorf("EventTime = %v, encoding/json %v", rec.EventTime, wantTime)
	}
	uiType, _ := strAt(ui, "type")
	switch uiType {
	case "IAMUser":
		if a, _ := strAt(ui, "arn"); a != "" && rec.Principal.ARN != bound(a, maxARNLen) {
			t.Errorf("IAMUser ARN = %q, encoding/json %q", rec.Principal.ARN, a)
		}
	case "AssumedRole":
		if a, _ := strAt(ui, "sessionContext", "sessionIssuer", "arn"); a != "" && rec.Principal.ARN != bound(a, maxARNLen) {
			t.Errorf("AssumedRole ARN = %q, sessionIssuer.arn %q", rec.Principal.ARN, a)
		}
	}
	for _, a := range wantARNs {
		if len(rec.Resources) < maxResources && !contains(rec.Resources, a) {
			t.Errorf("Resources %q lack resources[] ARN %q", rec.Resources, a)
		}
	}
	return true
}

func mapGet(obj any, keys ...string) any {
	v := obj
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestOracleTestdata(t *testing.T) {
	m := NewMapper(nil)
	byID, order := testRecords(t)
	for _, id := range order {
		t.Run(id, func(t *testing.T) { checkOracle(t, m, byID[id]) })
	}
}

func TestOracleSharedSamples(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "cloudtrail")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	m := NewMapper(nil)
	n := 0
	for _, f := range files {
		_, raws, _, err := readAll(t, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range raws {
			checkOracle(t, m, raw)
			n++
		}
	}
	if n == 0 {
		t.Skip("no sample records")
	}
}

// TestOracleEdgeCases are inputs where a hand-written decoder is most
// likely to part ways with encoding/json.
func TestOracleEdgeCases(t *testing.T) {
	m := NewMapper(nil)
	const rest = `"eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","accountId":"111122223333"}`
	cases := []string{
		`{"eventID":"a",` + rest + `}`,
		`{"event\u0049D":"escaped key",` + rest + `}`,
		`{"eventID":"dup","eventID":"last wins",` + rest + `}`,
		`{"eventID":"a","eventID":5,` + rest + `}`,
		`{"eventID":"\ud83d\ude00 surrogate pair \u00e9 \/ \" \\ \b\f\n\r\t",` + rest + `}`,
		`{"eventID":"lone surrogate \ud800 x \udc00",` + rest + `}`,
		"{\"eventID\":\"invalid utf8 \xff\xfe here\"," + rest + "}",
		`{"eventID":"a",` + rest + `,"userIdentity":{"type":"Root"}}`,
		`{"eventID":"a",` + rest + `,"userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"arn":"x"},"sessionIssuer":{"userName":"y"}}}}`,
		`{"eventID":"a",` + rest + `,"requestParameters":{"bucketName":"b","key":{"nested":[1,2,{"x":null}]},"bucketName":"b2"}}`,
		`{"eventID":"a",` + rest + `,"requestParameters":null}`,
		`{"eventID":"a",` + rest + `,"requestParameters":[1,2]}`,
		`{"eventID":"a",` + rest + `,"resources":[{"ARN":"arn:aws:s3:::b"},{"ARN":5},"x",null,{"ARN":"notarn"}]}`,
		`{"eventID":"a",` + rest + `,"readOnly":"true","managementEvent":"false"}`,
		`{"eventID":"a",` + rest + `,"n":-0.5e+10,"m":[true,false,null,{}],"o":{"":""}}`,
		`{"eventID":"a","eventTime":"2025-01-01T00:00:00.123+02:00","eventSource":"s","eventName":"n","userIdentity":{}}`,
		`{"eventID":"a","eventTime":"2024-02-29T23:59:59Z","eventSource":"s","eventName":"n","userIdentity":{}}`,
		`{"eventID":"a","eventTime":"2023-02-29T00:00:00Z","eventSource":"s","eventName":"n","userIdentity":{}}`,
		`{"eventID":"","eventTime":"2025-01-01T00:00:00Z","eventSource":"s","eventName":"n","userIdentity":{}}`,
		`  {"eventID":"ws"  ,  ` + rest + `  }  `,
		`{"eventID":"a",` + rest + `}}`,
		`{"eventID":"a",` + rest + `,}`,
		`{"eventID":"a" ` + rest + `}`,
		`{"eventID":"a",` + rest + `,"x":01}`,
		`{"eventID":"a",` + rest + `,"x":1.}`,
		`{"eventID":"a",` + rest + `,"x":.5}`,
		`{"eventID":"a",` + rest + `,"x":-}`,
		`{"eventID":"a",` + rest + `,"x":1e}`,
		`{"eventID":"a",` + rest + `,"x":"\u12"}`,
		`{"eventID":"a",` + rest + `,"x":[1,]}`,
		`{"eventID":"a",` + rest + `,"x":nul}`,
		`{"eventID":"a",` + rest + `,"x":{"a" 1}}`,
		`{"eventID":"a",` + rest + `,"x":{1:1}}`,
		`[]`, `"str"`, `5`, `null`, ``, `{`, `{"eventID"`,
		`{"eventID":"a",` + rest + `,"x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`,
	}
	for i, c := range cases {
		t.Run(itoa(i), func(t *testing.T) { checkOracle(t, m, []byte(c)) })
	}
}
