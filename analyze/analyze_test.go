package analyze

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/trails"
)

const testAuthz = `{
 "UserDetailList": [],
 "GroupDetailList": [],
 "RoleDetailList": [
  {"Path": "/app/", "RoleName": "worker", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/app/worker",
   "CreateDate": "2025-01-01T00:00:00Z",
   "AssumeRolePolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},
   "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version":"2012-10-17","Statement":[
     {"Effect":"Allow","Action":["s3:Get*","s3:ListBucket","s3:PutObject"],"Resource":"*"},
     {"Effect":"Allow","Action":["sqs:*"],"Resource":"*"},
     {"Effect":"Allow","Action":["iam:PassRole","iam:GetRole","iam:AttachRolePolicy"],"Resource":"*"}]}}],
   "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []},
  {"Path": "/", "RoleName": "admin", "RoleId": "AROA2", "Arn": "arn:aws:iam::111122223333:role/admin",
   "CreateDate": "2025-01-01T00:00:00Z",
   "AssumeRolePolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]},
   "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}],
   "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []},
  {"Path": "/", "RoleName": "archiver", "RoleId": "AROA3", "Arn": "arn:aws:iam::111122223333:role/archiver",
   "CreateDate": "2025-01-01T00:00:00Z",
   "AssumeRolePolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},
   "RolePolicyList": [{"PolicyName": "data", "PolicyDocument": {"Version":"2012-10-17","Statement":[
     {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::logged/*","arn:aws:s3:::archive/*"]},
     {"Effect":"Allow","Action":"s3:GetObjectTagging","Resource":"arn:aws:s3:::logged/tags/*"},
     {"Effect":"Allow","Action":"s3:PutObjectTagging","Resource":"*"}]}}],
   "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []}
 ],
 "Policies": []
}`

func testInput(t *testing.T, arn string) (Input, *catalog.Catalog) {
	t.Helper()
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := authz.Parse(strings.NewReader(testAuthz), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := inv.Principal(arn)
	if !ok {
		t.Fatalf("no principal %s", arn)
	}
	eff, err := authz.Expand(context.Background(), p, cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWindow(time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), 90)
	return Input{
		Principal: p, Effective: eff, Catalog: cat,
		Trails:   trails.UnknownConfig(),
		Seen:     map[string]bool{"s3": true, "iam": true, "sqs": true},
		Coverage: Coverage{WindowDays: 90, DaysWithLogs: 90, Ratio: 1},
		Window:   w,
	}, cat
}

func use(action string, used, denied int64, resources ...string) *ActionUsage {
	u := &ActionUsage{Action: action, Used: used, Denied: denied, Resources: map[string]int64{}, Via: map[string]int64{},
		FirstUsed: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC), LastUsed: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC),
		LastDenied: time.Date(2026, 10, 21, 0, 0, 0, 0, time.UTC), Own: used}
	for _, r := range resources {
		u.Resources[r] = used
	}
	return u
}

func unobservableNames(r Result) map[string]string {
	m := map[string]string{}
	for _, u := range r.Unobservable {
		m[u.Action] = u.Reason
	}
	return m
}

func TestClassification(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
		"s3:GetObject":    use("s3:GetObject", 5, 0, "arn:aws:s3:::data/a"),
		"iam:getrole":     use("iam:getrole", 2, 0),
		"sqs:SendMessage": use("sqs:SendMessage", 0, 3),
	}}
	r := Principal(in)
	var used []string
	for _, u := range r.Used {
		used = append(used, u.Action)
	}
	if diff := cmp.Diff([]string{"iam:GetRole", "s3:GetObject"}, used); diff != "" {
		t.Errorf("used (-want +got):\n%s", diff)
	}
	// Unknown trail configuration: every data-plane action is unobservable.
	wantUnobs := map[string]string{
		"iam:PassRole":        "permission-only",
		"s3:GetObjectAcl":     "data-event-logging-unknown",
		"s3:GetObjectTagging": "data-event-logging-unknown",
		"s3:ListBucket":       "data-event-logging-unknown",
		"s3:PutObject":        "data-event-logging-unknown",
		"sqs:ReceiveMessage":  "data-event-logging-unknown",
		"sqs:SendMessage":     "data-event-logging-unknown",
	}
	if diff := cmp.Diff(wantUnobs, unobservableNames(r)); diff != "" {
		t.Errorf("unobservable (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"iam:AttachRolePolicy", "s3:GetBucketPolicy", "sqs:ListQueues"}, r.Unused); diff != "" {
		t.Errorf("unused (-want +got):\n%s", diff)
	}
	if len(r.Denied) != 1 || r.Denied[0].Action != "sqs:SendMessage" || r.Denied[0].Count != 3 {
		t.Errorf("denied: got %+v", r.Denied)
	}
	if !slices.Contains(r.Risk.HighRiskUnused, "iam:AttachRolePolicy") {
		t.Errorf("high-risk unused %v lacks iam:AttachRolePolicy", r.Risk.HighRiskUnused)
	}
	if !r.Workload || r.Risk.Admin {
		t.Errorf("workload %v admin %v, want a non-admin workload", r.Workload, r.Risk.Admin)
	}
	if !slices.Contains(r.Flags, "service-wildcard") {
		t.Errorf("flags %v lack service-wildcard (sqs:*)", r.Flags)
	}
	if r.LastUsed.Any == nil || r.LastUsed.Services["s3"].IsZero() {
		t.Errorf("last used: %+v", r.LastUsed)
	}
}

func TestTrailConfigDecidesDataEvents(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	cfg, err := trails.Parse([]byte(`{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1",
	  "EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	in.Trails = cfg
	r := Principal(in)
	got := unobservableNames(r)
	if _, ok := got["s3:PutObject"]; ok {
		t.Errorf("s3:PutObject unobservable (%s) though every S3 data event is logged", got["s3:PutObject"])
	}
	if !slices.Contains(r.Unused, "s3:PutObject") {
		t.Errorf("unused %v lacks s3:PutObject", r.Unused)
	}
	if got["sqs:SendMessage"] != "data-event-not-logged" {
		t.Errorf("sqs:SendMessage: got %q, want data-event-not-logged", got["sqs:SendMessage"])
	}
}

func TestServiceNotInLogs(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.Seen = map[string]bool{"s3": true, "iam": true}
	r := Principal(in)
	if got := unobservableNames(r)["sqs:ListQueues"]; got != "service-not-in-logs" {
		t.Errorf("sqs:ListQueues: got %q, want service-not-in-logs", got)
	}
}

func TestInsufficientEvidenceRemovesNothing(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.Coverage = Coverage{WindowDays: 90, DaysWithLogs: 5, Ratio: 5.0 / 90}
	r := Principal(in)
	if len(r.Unused) != 0 {
		t.Errorf("unused %v on thin evidence, want none", r.Unused)
	}
	if !slices.Contains(r.Flags, "insufficient-evidence") {
		t.Errorf("flags %v lack insufficient-evidence", r.Flags)
	}
	if got := unobservableNames(r)["iam:AttachRolePolicy"]; got != "insufficient-evidence" {
		t.Errorf("iam:AttachRolePolicy: got %q", got)
	}
}

func TestAdminAndUnusedPrincipal(t *testing.T) {
	in, cat := testInput(t, "arn:aws:iam::111122223333:role/admin")
	r := Principal(in)
	if !r.Risk.Admin || !slices.Contains(r.Flags, "admin") || !slices.Contains(r.Flags, "unused-principal") {
		t.Errorf("admin %v flags %v, want admin and unused-principal", r.Risk.Admin, r.Flags)
	}
	if len(r.Granted) != len(cat.Actions()) {
		t.Errorf("granted %d actions, want every catalog action (%d)", len(r.Granted), len(cat.Actions()))
	}
	if r.Risk.Level != "critical" {
		t.Errorf("never-used admin: risk level %q, want critical", r.Risk.Level)
	}
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{"iam:GetRole": use("iam:GetRole", 1, 0)}}
	if r := Principal(in); r.Risk.Level != "high" {
		t.Errorf("used admin: risk level %q, want high", r.Risk.Level)
	}
	in.Usage = nil
	// A principal created inside the window is not "unused".
	in.Principal.Role.CreateDate = in.Window.From.AddDate(0, 0, 10)
	if r := Principal(in); slices.Contains(r.Flags, "unused-principal") {
		t.Errorf("new principal flagged unused: %v", r.Flags)
	}
}

func TestNoCatalog(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.Catalog = nil
	var err error
	if in.Effective, err = authz.Expand(context.Background(), in.Principal, nil, nil); err != nil {
		t.Fatal(err)
	}
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{"s3:GetObject": use("s3:GetObject", 1, 0)}}
	r := Principal(in)
	if len(r.Granted) != 0 || len(r.GrantedPatterns) == 0 {
		t.Errorf("granted %v patterns %v: want patterns only", r.Granted, r.GrantedPatterns)
	}
	if len(r.Used) != 1 || !r.Used[0].Granted {
		t.Errorf("used %+v: want s3:GetObject, granted by s3:Get*", r.Used)
	}
	if !strings.Contains(strings.Join(r.Caveats, "\n"), "no action catalog") {
		t.Errorf("caveats %v do not say the catalog is missing", r.Caveats)
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{{"90d", 90, true}, {"12w", 84, true}, {"30", 30, true}, {"0d", 0, false}, {"x", 0, false}, {"-5d", 0, false}}
	for _, tc := range tests {
		got, err := ParseWindow(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseWindow(%q): got %d, %v", tc.in, got, err)
		}
	}
}

func TestGaps(t *testing.T) {
	w := NewWindow(time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), 10)
	have := map[time.Time]bool{}
	for _, d := range []int{1, 2, 5, 6, 7} {
		have[time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC)] = true
	}
	got := gaps(w, have)
	want := []DateRange{{"2026-01-03", "2026-01-04"}, {"2026-01-08", "2026-01-10"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gaps (-want +got):\n%s", diff)
	}
}

// Events that name a role by its name yield an ARN without the role's path;
// the inventory restores it, or a policy on that ARN would not match.
func TestPathlessRoleARNResolved(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	inv, err := authz.Parse(strings.NewReader(testAuthz), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	in.PathlessARNs = PathlessARNs(inv)
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
		"iam:PassRole": use("iam:PassRole", 1, 0, "arn:aws:iam::111122223333:role/worker", "arn:aws:iam::111122223333:role/app/worker", "arn:aws:iam::111122223333:role/other"),
	}}
	r := Principal(in)
	want := []string{"arn:aws:iam::111122223333:role/app/worker", "arn:aws:iam::111122223333:role/other"}
	if diff := cmp.Diff(want, r.Used[0].Resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}

// EC2 RunInstances logs the instance profile, not the role it passes: the
// inventory names the role.
func TestPassRoleThroughInstanceProfile(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.ProfileRoles = map[string][]string{"111122223333/web": {"arn:aws:iam::111122223333:role/app/web"}}
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
		"iam:PassRole": use("iam:PassRole", 1, 0, "arn:aws:iam::111122223333:instance-profile/web"),
	}}
	r := Principal(in)
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/app/web"}, r.Used[0].Resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	in.Usage.Actions["iam:PassRole"] = use("iam:PassRole", 2, 0, "arn:aws:iam::111122223333:instance-profile/web", "arn:aws:iam::111122223333:instance-profile/unknown")
	r = Principal(in)
	if len(r.Used[0].Resources) != 0 || !strings.Contains(strings.Join(r.Caveats, "\n"), "instance profile not in the inventory") {
		t.Errorf("unknown profile: resources %v caveats %v, want none and a caveat", r.Used[0].Resources, r.Caveats)
	}
}

func TestTableDetailForOnePrincipal(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
		"s3:GetObject":    use("s3:GetObject", 5, 0, "arn:aws:s3:::data/a"),
		"sqs:SendMessage": use("sqs:SendMessage", 0, 3),
	}}
	r := Principal(in)
	r.Name = "worker\x1b[31m" // hostile name from an inventory
	var b strings.Builder
	if err := WriteTable(&b, &Snapshot{Principals: []Result{r}, WindowDays: 90}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"s3:GetObject", "arn:aws:s3:::data/a", "denied: sqs:SendMessage ×3", "unused (4): Permissions management 1", "high-risk unused: iam:AttachRolePolicy", "unobservable (7, never called unused)", "worker\\x1b[31m"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("table carries a raw escape character")
	}
	// The unused actions themselves are listed under their access level,
	// not only counted.
	if !strings.Contains(out, "  Permissions management (1): iam:AttachRolePolicy") {
		t.Errorf("table does not list the unused permissions-management action:\n%s", out)
	}
	for _, a := range r.Unused {
		if !strings.Contains(out, a) {
			t.Errorf("unused action %s not listed:\n%s", a, out)
		}
	}
}

func TestWriteWrappedFitsWidth(t *testing.T) {
	var items []string
	for i := range 40 {
		items = append(items, fmt.Sprintf("service:SomeLongActionName%02d", i))
	}
	var b strings.Builder
	writeWrapped(&b, "  Read (40): ", items, 100)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("40 long actions on one line:\n%s", b.String())
	}
	for _, l := range lines {
		if len(l) > 100 {
			t.Errorf("line of %d columns, want at most 100: %q", len(l), l)
		}
	}
	if got := strings.Count(b.String(), "service:"); got != 40 {
		t.Errorf("%d actions written, want 40", got)
	}
}

func TestManagementEventsNotLogged(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	cfg, err := trails.Parse([]byte(`{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1",
	  "EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	in.Trails = cfg
	r := Principal(in)
	got := unobservableNames(r)
	if got["iam:AttachRolePolicy"] != "management-events-not-logged" {
		t.Errorf("iam:AttachRolePolicy: got %q, want management-events-not-logged", got["iam:AttachRolePolicy"])
	}
	if !slices.Contains(r.Unused, "s3:PutObject") {
		t.Errorf("s3:PutObject (a logged data event) should be unused: %v", r.Unused)
	}
}

// A trail that logs S3 data events for one bucket only: the unlogged part
// of each object action's grant is unobservable, used or not, and named so
// the recommendation keeps exactly that part.
func TestPartlyLoggedDataEvents(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/archiver")
	cfg, err := trails.Parse([]byte(`{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1",
	  "AdvancedEventSelectors":[{"Name":"mgmt","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},
	    {"Name":"logged bucket","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},
	      {"Field":"resources.ARN","StartsWith":["arn:aws:s3:::logged/"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	in.Trails = cfg
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
		"s3:GetObject": use("s3:GetObject", 4, 0, "arn:aws:s3:::logged/a"),
	}}
	r := Principal(in)
	got := map[string]Unobservable{}
	for _, u := range r.Unobservable {
		got[u.Action] = u
	}
	want := map[string]Unobservable{
		// Used in the logged bucket; its use of archive/ could not show.
		"s3:GetObject": {Action: "s3:GetObject", Reason: "data-event-partly-logged", Resources: []string{"arn:aws:s3:::archive/*"}},
		// Unused: logged/* is unused, archive/* unobservable.
		"s3:PutObject": {Action: "s3:PutObject", Reason: "data-event-partly-logged", Resources: []string{"arn:aws:s3:::archive/*"}},
		// "*" cannot leave the logged bucket out: the whole current scope.
		"s3:PutObjectTagging": {Action: "s3:PutObjectTagging", Reason: "data-event-partly-logged", Resources: []string{"*"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unobservable (-want +got):\n%s", diff)
	}
	// Granted only inside the logged bucket and never used: unused.
	if !slices.Contains(r.Unused, "s3:GetObjectTagging") {
		t.Errorf("unused %v lacks s3:GetObjectTagging, granted only where data events are logged", r.Unused)
	}
	if len(r.Used) != 1 || r.Used[0].Action != "s3:GetObject" {
		t.Errorf("used %+v: want s3:GetObject alone", r.Used)
	}
	// On thin evidence not even the logged part is unused.
	in.Coverage = Coverage{WindowDays: 90, DaysWithLogs: 5, Ratio: 5.0 / 90}
	for _, u := range Principal(in).Unobservable {
		if len(u.Resources) != 0 {
			t.Errorf("insufficient evidence: %s keeps only %v of its grant", u.Action, u.Resources)
		}
	}
}

// A window that ends in the future would be stored as the quarter's
// analysis while it holds no logs for the days to come.
func TestOptionsRejectFutureAsOf(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		asOf time.Time
		want string
	}{
		{"today", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), ""},
		{"yesterday", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), ""},
		{"tomorrow", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), "as-of: 2026-12-03 is after today (2026-12-02): the window cannot end in the future"},
		{"end of quarter", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "as-of: 2026-12-31 is after today (2026-12-02): the window cannot end in the future"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Options{AsOf: tc.asOf, WindowDays: 90, Now: now}.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

// Logs that cover too little of the window prove no principal unused
// either: no unused-principal, no high-risk unused, no unused-weighted risk.
func TestInsufficientEvidenceNoUnusedPrincipal(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/admin")
	in.Coverage = Coverage{WindowDays: 90}
	r := Principal(in)
	if slices.Contains(r.Flags, "unused-principal") || !slices.Contains(r.Flags, "insufficient-evidence") {
		t.Errorf("flags %v: want insufficient-evidence without unused-principal", r.Flags)
	}
	if len(r.Risk.HighRiskUnused) != 0 || len(r.Risk.UnusedByAccessLevel) != 0 || r.Risk.Score != 0 {
		t.Errorf("risk %d high-risk unused, by level %v, score %v: want no unused finding", len(r.Risk.HighRiskUnused), r.Risk.UnusedByAccessLevel, r.Risk.Score)
	}
	if !r.Risk.Admin || r.Risk.Level != "high" {
		t.Errorf("admin %v level %q: the grant itself is still admin (high)", r.Risk.Admin, r.Risk.Level)
	}
}

// Zero thresholds are thresholds, not "use the default": with MinDays 0 and
// MinCoverage 0, five days of logs are enough evidence.
func TestZeroThresholdsHonoured(t *testing.T) {
	tests := []struct {
		name       string
		th         *Thresholds
		sufficient bool
	}{
		{"defaults", nil, false},
		{"zero", &Thresholds{MinCoverage: 0, MinDays: 0}, true},
		{"zero coverage, default days", &Thresholds{MinCoverage: 0, MinDays: DefaultThresholds.MinDays}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
			in.Coverage = Coverage{WindowDays: 90, DaysWithLogs: 5, Ratio: 5.0 / 90}
			in.Thresholds = tc.th
			r := Principal(in)
			if r.Coverage.Sufficient != tc.sufficient {
				t.Errorf("sufficient %v, want %v (flags %v)", r.Coverage.Sufficient, tc.sufficient, r.Flags)
			}
		})
	}
}

// Successful calls that map to no IAM action are a result of their own:
// listed per principal, counted in the risk, and named in the caveats.
func TestUnmappedCallsListed(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	last := time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{}, Unmapped: []UnmappedCall{
		{EventSource: "sqs.amazonaws.com", EventName: "PurgeQueueV9", Service: "sqs", Calls: 3, LastSeen: last},
		{EventSource: "s3.amazonaws.com", EventName: "DeleteBucketThing", Service: "s3", Calls: 10, LastSeen: last},
	}}
	r := Principal(in)
	want := []UnmappedCall{
		{EventSource: "s3.amazonaws.com", EventName: "DeleteBucketThing", Service: "s3", Calls: 10, LastSeen: last},
		{EventSource: "sqs.amazonaws.com", EventName: "PurgeQueueV9", Service: "sqs", Calls: 3, LastSeen: last},
	}
	if diff := cmp.Diff(want, r.Unmapped); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
	if r.Risk.UnmappedCalls != 13 {
		t.Errorf("risk unmapped calls %d, want 13", r.Risk.UnmappedCalls)
	}
	if c := strings.Join(r.Caveats, "\n"); !strings.Contains(c, "13 successful calls") || !strings.Contains(c, "s3.amazonaws.com DeleteBucketThing") {
		t.Errorf("caveats do not name the unmapped calls:\n%s", c)
	}
	if r.LastUsed.Any == nil || !r.LastUsed.Any.Equal(last) {
		t.Errorf("last used %v: unmapped calls are uses too", r.LastUsed.Any)
	}
}

// With a trail known to log every management event of every region (global
// service events included), a service absent from the logs was not used:
// its management actions are unused, not unobservable. A trail that logs
// one region, leaves global events out, or logs only read or only write
// management events leaves them unobservable.
func TestServiceNotInLogsUnderKnownTrail(t *testing.T) {
	tests := []struct {
		name, trail string
		want        string // "" for unused
	}{
		{"multi-region, global, all management", `{"trailList":[{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true}]}`, ""},
		{"one region", `{"trailList":[{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1","IsMultiRegionTrail":false,"IncludeGlobalServiceEvents":true}]}`, "service-not-in-logs"},
		{"no global events", `{"trailList":[{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":false}]}`, "service-not-in-logs"},
		{"write-only management", `{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true,
		  "EventSelectors":[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true}]}`, "service-not-in-logs"},
		{"advanced, management excluding a source", `{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true,
		  "AdvancedEventSelectors":[{"Name":"m","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventSource","NotEquals":["sqs.amazonaws.com"]}]}]}`, "service-not-in-logs"},
		{"advanced, all management", `{"Name":"t","TrailARN":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","HomeRegion":"us-east-1","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true,
		  "AdvancedEventSelectors":[{"Name":"m","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
			in.Seen = map[string]bool{"s3": true, "iam": true}
			cfg, err := trails.Parse([]byte(tc.trail))
			if err != nil {
				t.Fatal(err)
			}
			in.Trails = cfg
			r := Principal(in)
			if got := unobservableNames(r)["sqs:ListQueues"]; got != tc.want {
				t.Errorf("sqs:ListQueues: reason %q, want %q", got, tc.want)
			}
			if unused := slices.Contains(r.Unused, "sqs:ListQueues"); unused != (tc.want == "") {
				t.Errorf("sqs:ListQueues unused %v, want %v", unused, tc.want == "")
			}
			// SQS data events stay unobservable: the trail selects none.
			if got := unobservableNames(r)["sqs:SendMessage"]; got != "data-event-not-logged" {
				t.Errorf("sqs:SendMessage: reason %q, want data-event-not-logged", got)
			}
		})
	}
}

// Calls the rollup maps to an action the catalog does not know, of a
// service it knows (logs ingested before a catalog was loaded, or under
// another version of it), needed a permission that is unknown: they count
// as unmapped calls of the service (recommend keeps its current grant),
// not as an action used but not granted (recommend would drop the
// service's grant and call the result proven).
func TestUnknownActionCountsAsUnmapped(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{
		"sqs:PurgeQueueV9":  use("sqs:PurgeQueueV9", 3, 1),
		"sqs:SendMessage":   use("sqs:SendMessage", 5, 0),
		"madeup:DoThing":    use("madeup:DoThing", 2, 0), // a service the catalog does not know: as before
		"s3:GetObjectThing": use("s3:GetObjectThing", 0, 4),
	}}
	r := Principal(in)
	for _, u := range r.Used {
		if u.Action == "sqs:PurgeQueueV9" {
			t.Errorf("an action the catalog does not know is listed used: %+v", u)
		}
	}
	if slices.Contains(r.UsedNotGranted, "sqs:PurgeQueueV9") {
		t.Errorf("an action the catalog does not know is used-not-granted: %v", r.UsedNotGranted)
	}
	want := []UnmappedCall{{EventSource: "sqs.amazonaws.com", EventName: "PurgeQueueV9", Service: "sqs", Calls: 3, LastSeen: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC)}}
	if diff := cmp.Diff(want, r.Unmapped); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
	if c := strings.Join(r.Caveats, "\n"); !strings.Contains(c, "sqs:PurgeQueueV9") || !strings.Contains(c, "catalog") {
		t.Errorf("caveats do not say the action is unknown to the catalog:\n%s", c)
	}
	if !slices.Contains(r.UsedNotGranted, "madeup:DoThing") {
		t.Errorf("an action of a service the catalog does not know: used-not-granted %v", r.UsedNotGranted)
	}
	if !slices.ContainsFunc(r.Denied, func(d DeniedAction) bool { return d.Action == "s3:GetObjectThing" && d.Count == 4 }) {
		t.Errorf("denied calls of an unknown action are still listed denied: %+v", r.Denied)
	}
	if !slices.ContainsFunc(r.Used, func(u UsedAction) bool { return u.Action == "sqs:SendMessage" && u.Calls == 5 }) {
		t.Errorf("sqs:SendMessage not used: %+v", r.Used)
	}
}

// A stored unmapped call that maps under the analysis's catalog adds to
// the action's use without naming a resource: the action's resources are
// then incomplete (MoreResourceCalls), so recommend keeps its current
// scope rather than narrowing it to the resources other calls named. The
// usage read is not changed.
func TestRemappedCallsLeaveResourcesIncomplete(t *testing.T) {
	in, _ := testInput(t, "arn:aws:iam::111122223333:role/app/worker")
	q := "arn:aws:sqs:eu-west-1:111122223333:q1"
	last := time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)
	in.Usage = &PrincipalUsage{Actions: map[string]*ActionUsage{"sqs:SendMessage": use("sqs:SendMessage", 5, 0, q)},
		Unmapped: []UnmappedCall{
			{EventSource: "sqs.amazonaws.com", EventName: "SendMessage", Service: "sqs", Calls: 2, LastSeen: last, FirstSeen: last},
			{EventSource: "sqs.amazonaws.com", EventName: "PurgeQueue", Service: "sqs", Calls: 1, LastSeen: last, FirstSeen: last},
		}}
	r := Principal(in)
	i := slices.IndexFunc(r.Used, func(u UsedAction) bool { return u.Action == "sqs:SendMessage" })
	if i < 0 {
		t.Fatalf("sqs:SendMessage not used: %+v", r.Used)
	}
	if u := r.Used[i]; u.Calls != 7 || u.MoreResourceCalls != 2 || !slices.Equal(u.Resources, []string{q}) || !u.LastUsed.Equal(last) {
		t.Errorf("sqs:SendMessage %+v: want 7 calls, 2 on resources unknown, %s named, last %s", u, q, last)
	}
	if len(r.Unmapped) != 1 || r.Unmapped[0].EventName != "PurgeQueue" {
		t.Errorf("unmapped %+v, want PurgeQueue only", r.Unmapped)
	}
	if u := in.Usage.Actions["sqs:SendMessage"]; u.Used != 5 || u.Remapped != 0 || len(in.Usage.Unmapped) != 2 {
		t.Errorf("the usage read was changed: %+v, %d unmapped", u, len(in.Usage.Unmapped))
	}
}

// A caveat names at most 5 calls and counts the rest, for the unmapped
// and the remapped calls alike.
func TestSomeOf(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b", "c", "d", "e"}, "a, b, c, d, e"},
		{[]string{"a", "b", "c", "d", "e", "f", "g"}, "a, b, c, d, e and 2 more"},
	} {
		if got := someOf(c.names); got != c.want {
			t.Errorf("someOf(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}
