package sample

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An independent event-name-to-action mapping, kept apart from the
// generator's activity table on purpose: the test recomputes truth.json
// from the log files alone.
var (
	lambdaVersioned = regexp.MustCompile(`\d{8}(v\d+)?$`)
	renamed         = map[string]string{
		"s3:ListObjects": "s3:ListBucket", "s3:ListObjectsV2": "s3:ListBucket", "s3:ListBuckets": "s3:ListAllMyBuckets",
		"s3:HeadObject": "s3:GetObject", "s3:CreateMultipartUpload": "s3:PutObject", "s3:UploadPart": "s3:PutObject",
		"s3:CompleteMultipartUpload": "s3:PutObject", "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
		"lambda:Invoke": "lambda:InvokeFunction",
	}
	noPermission = map[string]bool{"sts:GetCallerIdentity": true, "signin:ConsoleLogin": true}
	// notAnAction are event names no IAM action is known for (an API
	// newer than the action catalog): truth lists them as unmapped.
	notAnAction = map[string]bool{"xray:GetSamplingTargetsV2": true}
	// passRoleKeys are the requestParameters members that pass a role, by
	// action of the call: the call also needs iam:PassRole on each.
	passRoleKeys = map[string][]string{
		"lambda:CreateFunction":              {"role"},
		"lambda:UpdateFunctionConfiguration": {"role"},
		"ecs:RegisterTaskDefinition":         {"taskRoleArn", "executionRoleArn"},
		"cloudformation:CreateStack":         {"roleARN"},
		"cloudformation:UpdateStack":         {"roleARN"},
		"cloudformation:CreateChangeSet":     {"roleARN"},
	}
)

// rolesPassed returns the distinct role ARNs a record's call passes.
func rolesPassed(t *testing.T, action string, r ctRecord) []string {
	t.Helper()
	keys := passRoleKeys[action]
	if len(keys) == 0 {
		return nil
	}
	var params map[string]any
	if err := json.Unmarshal(r.RequestParameters, &params); err != nil {
		t.Errorf("%s: requestParameters: %v", r.EventID, err)
		return nil
	}
	var out []string
	for _, k := range keys {
		if v, ok := params[k].(string); ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func actionOf(source, name string) string {
	prefix := strings.TrimSuffix(source, ".amazonaws.com")
	if prefix == "monitoring" {
		prefix = "cloudwatch"
	}
	if prefix == "lambda" {
		name = lambdaVersioned.ReplaceAllString(name, "")
	}
	a := prefix + ":" + name
	if r, ok := renamed[a]; ok {
		return r
	}
	return a
}

// resourceOf reads the resource a record names, for the services whose
// records carry it; "" when the record does not say.
func resourceOf(r ctRecord) string {
	switch r.EventSource {
	case "s3.amazonaws.com", "dynamodb.amazonaws.com", "kms.amazonaws.com", "sts.amazonaws.com":
		if len(r.Resources) == 0 {
			if r.EventSource == "s3.amazonaws.com" && r.EventName == "ListBuckets" {
				return "*"
			}
			return ""
		}
		return r.Resources[0].ARN
	case "lambda.amazonaws.com":
		if r.EventName == "Invoke" {
			return r.Resources[0].ARN
		}
	case "ec2.amazonaws.com", "monitoring.amazonaws.com":
		if r.EventName != "StopInstances" && r.EventName != "TerminateInstances" {
			return "*"
		}
	}
	return ""
}

func principalOf(r ctRecord) (key, typ string) {
	u := r.UserIdentity
	switch u.Type {
	case "AssumedRole":
		return u.SessionContext.SessionIssuer.ARN, "role"
	case "IAMUser":
		return u.ARN, "user"
	case "AWSService":
		return "AWSService/" + u.InvokedBy, u.Type
	case "AWSAccount":
		return "AWSAccount/" + u.AccountID, u.Type
	}
	return u.Type + "/" + u.UserName, u.Type
}

type recomputed struct {
	events         int64
	used           map[string]map[string]bool // action(+ "@" invokedBy) -> resources ("" unknown)
	usedEvents     map[string]int64
	denied         map[string]int64 // action errorCode
	permissionless map[string]int64
	unmapped       map[string]int64 // eventSource eventName
}

// use records one event of k on resources.
func (p *recomputed) use(k string, resources ...string) {
	if p.used[k] == nil {
		p.used[k] = map[string]bool{}
	}
	for _, r := range resources {
		p.used[k][r] = true
	}
	p.usedEvents[k]++
}

func TestTruthMatchesEvents(t *testing.T) {
	dir, _ := generate(t, Options{Seed: 11, Events: 2500, Days: 30})
	recs, from := readLogs(t, dir)
	var tr Truth
	readJSON(t, filepath.Join(dir, "truth.json"), &tr, true)

	seen := map[string]string{}
	var dups []string
	got := map[string]*recomputed{}
	var denied, permissionless, data int64
	for i, r := range recs {
		if f, ok := seen[r.EventID]; ok {
			if f == from[i] {
				t.Errorf("%s repeated within %s", r.EventID, f)
			}
			dups = append(dups, r.EventID)
			continue
		}
		seen[r.EventID] = from[i]
		key, _ := principalOf(r)
		p := got[key]
		if p == nil {
			p = &recomputed{used: map[string]map[string]bool{}, usedEvents: map[string]int64{},
				denied: map[string]int64{}, permissionless: map[string]int64{}, unmapped: map[string]int64{}}
			got[key] = p
		}
		p.events++
		if r.EventCategory == "Data" {
			data++
		}
		action := actionOf(r.EventSource, r.EventName)
		switch {
		case noPermission[action]:
			p.permissionless[r.EventSource+" "+r.EventName]++
			permissionless++
		case notAnAction[action] && !deniedCode[r.ErrorCode]:
			p.unmapped[r.EventSource+" "+r.EventName]++
		case deniedCode[r.ErrorCode]:
			p.denied[action+" "+r.ErrorCode]++
			for range rolesPassed(t, action, r) {
				p.denied["iam:PassRole "+r.ErrorCode]++
			}
			denied++
		default:
			via := ""
			if r.UserIdentity.Type == "AssumedRole" && r.UserIdentity.InvokedBy != "" {
				via = "@" + r.UserIdentity.InvokedBy
			}
			p.use(action+via, resourceOf(r))
			if roles := rolesPassed(t, action, r); len(roles) > 0 {
				p.use("iam:PassRole"+via, roles...) // one event per call
			}
		}
	}

	sort.Strings(dups)
	if diff := cmp.Diff(tr.DuplicateEventIDs, dups); diff != "" {
		t.Errorf("duplicateEventIDs (-truth +logs):\n%s", diff)
	}
	tot := tr.Totals
	if tot.Records != int64(len(recs)) || tot.UniqueEvents != int64(len(seen)) || tot.DuplicateRecords != int64(len(dups)) ||
		tot.Denied != denied || tot.Permissionless != permissionless || tot.DataEvents != data {
		t.Errorf("totals %+v; logs have %d records, %d unique, %d duplicates, %d denied, %d permissionless, %d data",
			tot, len(recs), len(seen), len(dups), denied, permissionless, data)
	}

	all := append(slices.Clone(tr.Principals), tr.OtherCallers...)
	checked := 0
	for _, tp := range all {
		key := tp.ARN
		if key == "" {
			key = tp.Type + "/" + tp.Name
			if tp.Type == "WebIdentityUser" || tp.Type == "SAMLUser" {
				key = tp.Type + "/" + tp.Name
			}
		}
		p := got[key]
		delete(got, key)
		if p == nil {
			if tp.Events != 0 {
				t.Errorf("%s: truth says %d events, logs have none", key, tp.Events)
			}
			continue
		}
		checked++
		if p.events != tp.Events {
			t.Errorf("%s: truth says %d events, logs have %d", key, tp.Events, p.events)
		}
		wantUsed := map[string]int64{}
		for _, u := range tp.Used {
			wantUsed[u.Action] = u.Events
			checkResources(t, key, u.Action, u.Resources, p.used[u.Action])
		}
		for _, u := range tp.UsedViaService {
			k := u.Action + "@" + u.InvokedBy
			wantUsed[k] = u.Events
			checkResources(t, key, k, u.Resources, p.used[k])
		}
		if diff := cmp.Diff(wantUsed, p.usedEvents); diff != "" {
			t.Errorf("%s: used actions and counts (-truth +logs):\n%s", key, diff)
		}
		wantDenied := map[string]int64{}
		for _, d := range tp.Denied {
			wantDenied[d.Action+" "+d.ErrorCode] += d.Events
		}
		if diff := cmp.Diff(wantDenied, p.denied); diff != "" {
			t.Errorf("%s: denied (-truth +logs):\n%s", key, diff)
		}
		wantFree := map[string]int64{}
		for _, c := range tp.Permissionless {
			wantFree[c.EventSource+" "+c.EventName] = c.Events
		}
		if diff := cmp.Diff(wantFree, p.permissionless); diff != "" {
			t.Errorf("%s: permissionless (-truth +logs):\n%s", key, diff)
		}
		wantUnmapped := map[string]int64{}
		for _, u := range tp.Unmapped {
			wantUnmapped[u.EventSource+" "+u.EventName] = u.Events
			if notAnAction[u.Action] || !strings.Contains(u.Action, ":") {
				t.Errorf("%s: unmapped %s %s: action %q is not what AWS authorizes it with", key, u.EventSource, u.EventName, u.Action)
			}
		}
		if diff := cmp.Diff(wantUnmapped, p.unmapped); diff != "" {
			t.Errorf("%s: unmapped (-truth +logs):\n%s", key, diff)
		}
	}
	if unmappedCallers := func() (n int) {
		for _, tp := range all {
			n += len(tp.Unmapped)
		}
		return
	}(); unmappedCallers == 0 {
		t.Error("the sample has no unmapped calls (issue 9 wants one)")
	}
	for key := range got {
		t.Errorf("%s: has events in the logs but is not in truth.json", key)
	}
	if checked < 20 {
		t.Errorf("only %d callers had events; the sample is too thin to test", checked)
	}
}

// checkResources compares truth's resources with those the records name,
// where they name one.
func checkResources(t *testing.T, who, action string, truth []string, fromLogs map[string]bool) {
	t.Helper()
	var logs []string
	for r := range fromLogs {
		if r == "" {
			return // this service's records do not name the resource
		}
		logs = append(logs, r)
	}
	sort.Strings(logs)
	if diff := cmp.Diff(truth, logs); diff != "" {
		t.Errorf("%s %s resources (-truth +logs):\n%s", who, action, diff)
	}
}

// TestTruthShape checks truth.json's invariants on the default sample.
func TestTruthShape(t *testing.T) {
	dir, _ := generate(t, Options{Seed: 1})
	var tr Truth
	readJSON(t, filepath.Join(dir, "truth.json"), &tr, true)
	var idle []string
	unlogged := 0
	for _, p := range tr.Principals {
		if p.Events == 0 {
			idle = append(idle, p.Name)
		}
		unlogged += len(p.Unlogged)
		for _, u := range p.Used {
			if len(u.Resources) == 0 || u.Events == 0 {
				t.Errorf("%s %s: no resources or events", p.Name, u.Action)
			}
		}
	}
	// Passed roles: ci-deployer's deploys pass the Lambda execution role
	// and the ECS task role; dev-sandbox's attempt to pass the task role
	// is refused.
	role := func(name string) string {
		for _, p := range tr.Principals {
			if p.Name == name {
				return p.ARN
			}
		}
		t.Fatalf("no principal %s", name)
		return ""
	}
	byName := map[string]TruthPrincipal{}
	for _, p := range tr.Principals {
		byName[p.Name] = p
	}
	var passed []string
	for _, u := range byName["ci-deployer"].Used {
		if u.Action == "iam:PassRole" {
			passed = u.Resources
		}
	}
	if diff := cmp.Diff([]string{role("ecs-web-task"), role("orders-api-lambda")}, passed); diff != "" {
		t.Errorf("ci-deployer iam:PassRole resources (-want +got):\n%s", diff)
	}
	var refused []string
	for _, d := range byName["dev-sandbox"].Denied {
		if d.Action == "iam:PassRole" {
			refused = append(refused, d.EventName+" "+strings.Join(d.Resources, ","))
		}
	}
	if diff := cmp.Diff([]string{"RegisterTaskDefinition " + role("ecs-web-task")}, refused); diff != "" {
		t.Errorf("dev-sandbox denied iam:PassRole (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"break-glass", "carol", "legacy-etl"}, sorted(idle)); diff != "" {
		t.Errorf("idle principals (-want +got):\n%s", diff)
	}
	if unlogged == 0 {
		t.Error("no unlogged calls recorded")
	}
	if len(tr.Rules) == 0 {
		t.Error("truth.json does not state its rules")
	}
	b, err := json.Marshal(tr.Generator)
	if err != nil || !strings.Contains(string(b), `"start":"2026-08-01"`) {
		t.Errorf("generator options %s do not record the default start", b)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }
