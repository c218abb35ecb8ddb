package report

import (
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/exception"
	"regexp"

	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// Hostile strings, as they could arrive in role names, ARNs, actions,
// regions and log-derived text.
const (
	hostileScript  = "<script>alert(1)</script>"
	hostileFormula = "=cmd|' /C calc'!A0"
	hostileANSI    = "\x1b[31mred"
	hostileMD      = "a|b*c_`x`[y](z)"
	hostileNewline = "line1\nline2\r\tend"
)

func ptr[T any](v T) *T { return &v }

// testData is a report with every section filled and hostile strings in
// every place a string from AWS or the logs can appear.
func testData() *Data {
	at := func(s string) *time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return &t
	}
	ref := func(kind, acct, name string) PrincipalRef {
		return PrincipalRef{ARN: "arn:aws:iam::" + acct + ":" + kind + "/" + name, Kind: kind, Account: acct, Name: name}
	}
	admin := ref("role", "111122223333", "break-glass-admin")
	script := ref("role", "111122223333", hostileScript)
	formula := ref("user", "444455556666", hostileFormula)
	ansi := ref("role", "111122223333", hostileANSI)
	md := ref("role", "444455556666", hostileMD+hostileNewline)
	d := &Data{
		Period: Period{
			Label: "2026Q4", Quarter: "2026Q4", From: "2026-10-01", To: "2026-12-31", Days: 92,
			PreviousLabel: "2026Q3", PreviousFrom: "2026-07-01", PreviousTo: "2026-09-30",
		},
		GeneratedAt: *at("2026-12-31T09:30:00Z"),
		Snapshot: SnapshotInfo{
			ID: 12, CreatedAt: *at("2026-12-30T02:00:00Z"), AsOf: "2026-12-30", WindowDays: 90,
			WindowFrom: "2026-10-02", Quarter: "2026Q4", InPeriod: true,
		},
		Previous: &SnapshotInfo{
			ID: 8, CreatedAt: *at("2026-09-29T02:00:00Z"), AsOf: "2026-09-29", WindowDays: 90,
			WindowFrom: "2026-07-02", Quarter: "2026Q3", InPeriod: true,
		},
		Catalog: &CatalogInfo{Version: 3, Source: "https://servicereference.us-east-1.amazonaws.com/", FetchedAt: *at("2026-08-22T00:00:00Z"), Digest: "sha256:abc", Services: 455, Actions: 21785},
		Summary: Summary{
			Accounts: 2, Principals: 5, Roles: 4, Users: 1,
			Granted: 15172, Used: 54, Unused: 15018, Unobservable: 100, UnusedShare: 15018.0 / 15172.0,
			UnusedPrincipals: 1, PrivilegedPrincipals: 2, AdminPrincipals: 1, HighRiskUnused: 10,
			DeniedAttempts: 57, FirstUsedActions: 2, ProvenRecommendations: 1, RecommendationsKnown: true,
			LogCoverage: 0,
		},
		UnusedPrincipals: []string{formula.ARN},
		Privileged: []Privileged{
			{PrincipalRef: admin, Admin: true, ServiceWildcards: []string{"iam"}},
			{PrincipalRef: script, ServiceWildcards: []string{"s3", hostileScript}, Workload: true},
		},
		HighRiskUnused: []HighRisk{
			{PrincipalRef: admin, Actions: []string{"iam:AttachRolePolicy", "iam:CreateAccessKey", "iam:PassRole", "iam:PutRolePolicy", "kms:CreateGrant", "lambda:CreateFunction", "ssm:SendCommand", "sts:AssumeRole"}},
			{PrincipalRef: script, Actions: []string{"iam:" + hostileScript}},
			{PrincipalRef: formula, Actions: []string{hostileFormula}},
		},
		Denied: Denied{
			Source: "usage", Total: 57,
			TopPrincipals: []DeniedPrincipal{{ARN: ansi.ARN, Count: 50, Actions: 2}, {ARN: formula.ARN, Count: 7, Actions: 1}},
			TopActions:    []DeniedAction{{Action: "-2+3", Count: 50, Principals: 1}, {Action: "s3:" + hostileMD, Count: 7, Principals: 1}},
		},
		Unmapped: Unmapped{Total: 12, Items: []UnmappedCall{
			{ARN: script.ARN, EventSource: "s3.amazonaws.com", EventName: "Put" + hostileScript, Calls: 10, LastSeen: time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC)},
			{ARN: ansi.ARN, EventSource: "x" + hostileANSI, EventName: hostileMD, Calls: 2, LastSeen: time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC)},
		}},
		LastAccessed: LastAccessedEvidence{Seasonal: 1, Conflicts: 1, PrincipalsWith: 2,
			SeasonalItems: []SeasonalAction{{ARN: script.ARN, Action: "dynamodb:" + hostileMD, LastAccessed: time.Date(2026, 7, 31, 3, 0, 0, 0, time.UTC), ActionLevel: true}},
			ConflictItems: []EvidenceConflict{{ARN: ansi.ARN, Action: "s3:" + hostileScript, Kind: "cloudtrail-only", Detail: "x" + hostileANSI}},
		},
		FirstUsed: FirstUsed{
			Source: "usage", Available: true, Total: 3,
			Items: []FirstUse{
				{ARN: script.ARN, Action: "iam:" + hostileMD, FirstDay: "2026-11-02", Calls: 4, Granted: ptr(false)},
				{ARN: ansi.ARN, Action: "s3:GetObject" + hostileANSI, FirstDay: "2026-12-24", Calls: 1},
			},
		},
		Coverage: Coverage{
			Source: "usage", From: "2026-10-01", To: "2026-12-31", Days: 92,
			Accounts: []AccountCoverage{
				{
					Account: "111122223333", DaysWithLogs: 89, Ratio: 89.0 / 92,
					Gaps: []DateRange{{From: "2026-11-03", To: "2026-11-05"}},
					Regions: []RegionCoverage{
						{Region: "eu-west-1\x1b]0;pwned\x07", DaysWithLogs: 10, Ratio: 10.0 / 92, Gaps: []DateRange{{From: "2026-10-01", To: "2026-12-21"}}},
						{Region: "us-west-2", DaysWithLogs: 84, Ratio: 84.0 / 92, Gaps: []DateRange{
							{From: "2026-10-02", To: "2026-10-02"}, {From: "2026-10-09", To: "2026-10-09"}, {From: "2026-10-16", To: "2026-10-16"},
							{From: "2026-10-23", To: "2026-10-23"}, {From: "2026-10-30", To: "2026-10-30"}, {From: "2026-11-03", To: "2026-11-05"},
							{From: "2026-11-06", To: "2026-11-06"}, {From: "2026-11-13", To: "2026-11-14"},
						}},
						{Region: "us-east-1", DaysWithLogs: 89, Ratio: 89.0 / 92, Gaps: []DateRange{{From: "2026-11-03", To: "2026-11-05"}}},
					},
				},
				{Account: "444455556666", Gaps: []DateRange{{From: "2026-10-01", To: "2026-12-31"}}},
			},
		},
		Principals: []Principal{
			{PrincipalRef: admin, Granted: 15000, Used: 12, Unused: 14900, Unobservable: 88, HighRiskUnused: 8, RiskScore: 982.5, RiskLevel: "critical", Denied: 0, LastActivity: at("2026-12-01T10:00:00Z"), Flags: []string{"admin"}, Change: &Change{Unused: 20, RiskScore: 3}},
			{PrincipalRef: script, Workload: true, Granted: 120, Used: 30, UsedNotGranted: 2, Unused: 80, Unobservable: 10, HighRiskUnused: 1, RiskScore: 210, RiskLevel: hostileScript, LastActivity: at("2026-12-29T23:59:59Z"), Flags: []string{"service-wildcard", hostileScript}, RecommendationProven: ptr(false), Backtest: &Backtest{AsOf: "2026-12-30", TrainDays: 60, TestDays: 30, TestCalls: 40, Denied: 3, DeniedTrained: 1}, Change: &Change{New: true, Granted: 120, Used: 30, Unused: 80, RiskScore: 210}},
			{PrincipalRef: formula, Granted: 40, Used: 0, Unused: 38, Unobservable: 2, HighRiskUnused: 1, RiskScore: 44, RiskLevel: "medium", Denied: 7, Flags: []string{"unused-principal"}, RecommendationProven: ptr(true), Backtest: &Backtest{AsOf: "2026-12-30", TrainDays: 60, TestDays: 30, TestCalls: 127}, Change: &Change{}},
			{PrincipalRef: ansi, Workload: true, Granted: 12, Used: 12, RiskScore: 0, RiskLevel: "none", Denied: 50, LastActivity: at("2026-12-28T08:00:00Z"), Change: &Change{Used: 2, Unused: -2, RiskScore: -4}},
			{PrincipalRef: md, RiskLevel: "none", Flags: []string{"insufficient-evidence"}, Change: &Change{Granted: -5, Unused: -5, RiskScore: -5}},
		},
		Removed: []PrincipalRef{ref("role", "111122223333", "old-"+hostileScript)},
		Trend: []TrendPoint{
			{Quarter: "2026Q2", SnapshotID: 4, AsOf: "2026-06-28", WindowDays: 90, Principals: 3, Granted: 15080, Used: 40, Unused: 14990},
			{Quarter: "2026Q3", SnapshotID: 8, AsOf: "2026-09-29", WindowDays: 90, Principals: 4, Granted: 15057, Used: 22, Unused: 14925},
			{Quarter: "2026Q4", SnapshotID: 9, AsOf: "2026-10-01", WindowDays: 90, InPeriod: true, Principals: 4, Granted: 15060, Used: 25, Unused: 14920},
			{Quarter: "2026Q4", SnapshotID: 10, AsOf: "2026-11-15", WindowDays: 90, InPeriod: true, Principals: 5, Granted: 15170, Used: 50, Unused: 15010},
			{Quarter: "2026Q4", SnapshotID: 12, AsOf: "2026-12-30", WindowDays: 90, InPeriod: true, Principals: 5, Granted: 15172, Used: 54, Unused: 15018},
		},
		TrendSnapshots: 4,
		Caveats:        []string{"log object s3://bucket/" + hostileScript + " was unreadable", hostileANSI + hostileNewline},
		// The register's strings are written by people: escaped like AWS's.
		Exceptions: []exception.Registered{
			{ExceptionRef: adminException, Status: exception.Active, Principals: []string{admin.ARN}, Excepted: 2},
			{ExceptionRef: analyze.ExceptionRef{File: "exceptions.yaml", Line: 9, Principal: "arn:aws:iam::*:role/" + hostileMD, Actions: []string{"s3:*", hostileFormula},
				Reason: hostileScript, Owner: hostileANSI, Created: "2026-01-01", Expires: "2026-06-30"}, Status: exception.Expired, Principals: []string{formula.ARN}},
		},
	}
	d.Details = []Detail{
		{ARN: admin.ARN, Anchor: anchor(admin.ARN), UsedTotal: 1,
			Used:         []DetailUsed{{Action: "s3:GetObject", Calls: 3, LastUsed: "2026-12-01", Granted: true, Resources: []string{"arn:aws:s3:::b/" + hostileScript}, ResourcesTotal: 7}},
			Unused:       []ActionGroup{{Name: "Permissions management", Total: 300, Actions: []string{"iam:AttachRolePolicy", "iam:" + hostileMD}}},
			Unobservable: []ActionGroup{{Name: "permission-only", Total: 1, Actions: []string{"iam:PassRole"}}},
			Denied:       []analyze.DeniedAction{}, Unmapped: []analyze.UnmappedCall{},
			Recommendation: &RecommendationInfo{Proven: true, Kept: 12, Removed: 14988, Digest: "sha256:rec", RemovedByAccessLevel: map[string]int{"Write": 9000, "Read": 5988},
				ObservedCalls: 40, Link: "policies/admin.policy.json"}},
		{ARN: script.ARN, Anchor: anchor(script.ARN), Used: []DetailUsed{}, Unused: []ActionGroup{}, Unobservable: []ActionGroup{},
			Denied:         []analyze.DeniedAction{{Action: "s3:" + hostileScript, Count: 2, LastSeen: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}},
			Unmapped:       []analyze.UnmappedCall{{EventSource: "x" + hostileANSI, EventName: hostileMD, Calls: 1}},
			Recommendation: &RecommendationInfo{Proven: false, Failures: []string{hostileScript}, Link: "policies/" + hostileScript + ".UNPROVEN.json"}},
	}
	d.Evidence = Evidence{AuthzSnapshot: &AuthzEvidence{ID: 3, Digest: "sha256:authz", Source: hostileScript, Accounts: []string{"111122223333"}},
		Sources: []SourceLedger{{Source: "s3", Status: "done", Objects: 1000, Records: 50000, Events: 49000}}}
	d.SignOff = SignOff{PreparedBy: hostileScript, Date: "2026-12-31"}
	d.Methodology = methodology()
	d.Summary.ExceptedFindings, d.Summary.ExpiredExceptions = 2, 1
	d.Principals[0].Excepted = []analyze.ExceptedFinding{{Kind: "critical", Exception: adminException}, {Kind: "admin", Exception: adminException}}
	d.Principals[2].ExpiredExceptions = []analyze.ExceptionRef{d.Exceptions[1].ExceptionRef}
	d.Principals[1].Remediation = &Remediation{Status: PartiallyRemediated, RecommendationAsOf: "2026-09-29", RecommendationDigest: "sha256:prev",
		Removed: 5, StillGrantedTotal: 2, StillGranted: []string{"s3:" + hostileScript, hostileFormula}, AuthzSnapshot: 3, AuthzTakenAt: "2026-12-30T01:00:00Z"}
	d.Remediation = &RemediationSummary{Period: "2026Q3", Recommendations: 3, Remediated: 1, Partial: 1, Deleted: 1, Unknown: 1,
		Other: []RemediationOf{
			{ARN: "arn:aws:iam::111122223333:role/old-" + hostileScript, Remediation: Remediation{Status: PrincipalDeleted, RecommendationAsOf: "2026-09-29", Removed: 3, StillGranted: []string{}, AuthzSnapshot: 3}},
			{ARN: "arn:aws:iam::444455556666:role/elsewhere", Remediation: Remediation{Status: RemediationUnknown, Reason: "no authorization snapshot taken in 2026Q4 covers account 444455556666", RecommendationAsOf: "2026-08-01", Removed: 1, StillGranted: []string{}}},
		}}
	return d
}

var adminException = analyze.ExceptionRef{File: "exceptions.yaml", Line: 3, Principal: "arn:aws:iam::111122223333:role/admin",
	Reason: "break-glass", Owner: "security@example.com", Ticket: "SEC-1", Created: "2026-07-01", Expires: "2027-06-30"}

var goldenExt = map[string]string{"table": "txt", "md": "md", "html": "html", "csv": "csv", "json": "json", "trend-csv": "trend.csv"}

func TestRenderGolden(t *testing.T) {
	d := testData()
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, d, format); err != nil {
				t.Fatalf("Render(%s): %v", format, err)
			}
			path := filepath.Join("testdata", "report."+goldenExt[format]+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test ./report -run TestRenderGolden -update): %v", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("Render(%s) differs from %s (-want +got):\n%s", format, path, diff)
			}
		})
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, testData(), "pdf")
	if err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("Render(pdf) error = %v, want an error naming the format", err)
	}
}

func render(t *testing.T, format string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, testData(), format); err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return buf.String()
}

// The golden files fix the output; these checks say why it is safe, so a
// golden updated carelessly cannot make it unsafe unnoticed.

func TestTableHasNoControlCharacters(t *testing.T) {
	out := render(t, "table")
	for i, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("table output has control character %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
	for _, want := range []string{`\x1b[31mred`, `line1\nline2\r\tend`, `eu-west-1\x1b]0;pwned\x07`} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks the visible escape %q", want)
		}
	}
}

func TestHTMLEscapesUntrustedStrings(t *testing.T) {
	out := render(t, "html")
	if strings.Contains(out, hostileScript) {
		t.Errorf("HTML output contains the raw string %q", hostileScript)
	}
	if got := strings.Count(out, "<script"); got != 2 {
		t.Errorf("HTML output has %d <script elements, want the page's own 2", got)
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("HTML output lacks the escaped hostile name")
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("HTML output contains a raw ESC")
	}
	// Self-contained: nothing to fetch (no sources; the catalog's URL is
	// shown as text). Links go to a principal's section or, relative to
	// the report, to its recommendation file: never to another site, and a
	// hostile name cannot make one (its scheme's colon is escaped).
	for _, ref := range []string{"src=", "@import", "url("} {
		if strings.Contains(out, ref) {
			t.Errorf("HTML output references an external resource (%q)", ref)
		}
	}
	hrefs := regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(out, -1)
	if len(hrefs) == 0 {
		t.Error("HTML output has no links to the principals' sections")
	}
	for _, h := range hrefs {
		v := h[1]
		if !regexp.MustCompile(`^(#p-[0-9a-f]{12}|policies/[^:]+)$`).MatchString(v) {
			t.Errorf("HTML output links to %q: want #p-HEX or a relative path under policies/", v)
		}
	}
	if !strings.Contains(out, "@media print") {
		t.Errorf("HTML output has no print stylesheet")
	}
}

func TestMarkdownEscapesUntrustedStrings(t *testing.T) {
	out := render(t, "md")
	for _, raw := range []string{hostileScript, "a|b", "*c_", "`x`", "[y]", "\x1b", "line1\nline2"} {
		if strings.Contains(out, raw) {
			t.Errorf("Markdown output contains the raw string %q", raw)
		}
	}
	// Every table row has as many unescaped pipes as its header.
	var want int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		n := unescapedPipes(line)
		if want == 0 {
			want = n
			continue
		}
		if n != want {
			t.Errorf("Markdown table row has %d cell separators, want %d: %s", n, want, line)
		}
	}
}

func unescapedPipes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// The CSV has one row per principal and finding, read back with
// encoding/csv: every cell a spreadsheet would run is neutralised, and the
// rows say what each finding is, whether an exception accepts it and
// which.
func TestCSVFindings(t *testing.T) {
	out := render(t, "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("read CSV back: %v", err)
	}
	if diff := cmp.Diff(csvHeader, recs[0]); diff != "" {
		t.Fatalf("header (-want +got):\n%s", diff)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		for i, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !isNumber(cell) {
				t.Errorf("CSV cell %s = %q starts with a formula character", recs[0][i], cell)
			}
		}
	}
	d := testData()
	type key struct{ arn, finding, action string }
	got := map[key][]string{}
	kinds := map[string]map[string]bool{}
	for _, r := range recs[1:] {
		k := key{r[col["principal_arn"]], r[col["finding"]], r[col["action"]]}
		got[k] = r
		if kinds[k.arn] == nil {
			kinds[k.arn] = map[string]bool{}
		}
		kinds[k.arn][k.finding] = true
	}
	admin, script, formula, md := d.Principals[0].ARN, d.Principals[1].ARN, csvSafe(d.Principals[2].ARN), csvSafe(d.Principals[4].ARN)
	tests := []struct {
		name                string
		key                 key
		excepted, id, level string
		severity, count     string
	}{
		{"risk row excepted", key{admin, "risk", ""}, "yes", "exceptions.yaml:3", "", "critical", ""},
		{"unused action excepted with the risk", key{admin, "unused-action", "iam:AttachRolePolicy"}, "yes", "exceptions.yaml:3", "Permissions management", "critical", ""},
		{"unused actions not listed are counted", key{admin, "unused-action", ""}, "yes", "exceptions.yaml:3", "Permissions management", "critical", "298"},
		{"admin excepted", key{admin, "admin", "*"}, "yes", "exceptions.yaml:3", "", "critical", ""},
		{"high-risk not excepted", key{admin, "high-risk-unused", "iam:AttachRolePolicy"}, "no", "", "Permissions management", "critical", ""},
		{"unobservable listed with its reason", key{admin, "unobservable", "iam:PassRole"}, "no", "", "", "info", ""},
		{"denied", key{script, "denied", "s3:" + hostileScript}, "no", "", "", "info", "2"},
		{"still granted after the recommendation", key{script, "not-remediated", csvSafe(hostileFormula)}, "no", "", "", "info", ""},
		{"remediation status", key{script, "remediation", ""}, "no", "", "", "info", "2"},
		{"expired exception", key{formula, "expired-exception", ""}, "no", "exceptions.yaml:9", "", "medium", ""},
		{"formula action neutralised", key{formula, "high-risk-unused", csvSafe(hostileFormula)}, "no", "", "", "medium", ""},
		{"unused principal", key{formula, "unused-principal", ""}, "no", "", "", "medium", ""},
		{"insufficient evidence", key{md, "insufficient-evidence", ""}, "no", "", "", "info", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := got[tc.key]
			if !ok {
				t.Fatalf("no row %+v; kinds of the principal: %v", tc.key, kinds[tc.key.arn])
			}
			gotRow := []string{r[col["excepted"]], r[col["exception_id"]], r[col["access_level"]], r[col["severity"]], r[col["count"]]}
			if diff := cmp.Diff([]string{tc.excepted, tc.id, tc.level, tc.severity, tc.count}, gotRow); diff != "" {
				t.Errorf("excepted, exception_id, access_level, severity, count (-want +got):\n%s", diff)
			}
		})
	}
	if got := got[key{admin, "unobservable", "iam:PassRole"}][col["detail"]]; got != "permission-only" {
		t.Errorf("unobservable detail = %q, want its reason", got)
	}
	if n := len(kinds[d.Principals[3].ARN]); n != 0 {
		t.Errorf("principal with no finding has rows of %v, want none", kinds[d.Principals[3].ARN])
	}
}

func isNumber(s string) bool {
	var f float64
	return json.Unmarshal([]byte(s), &f) == nil
}

func TestJSONRoundTrips(t *testing.T) {
	out := render(t, "json")
	var got Data
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode JSON output: %v", err)
	}
	if diff := cmp.Diff(testData(), &got); diff != "" {
		t.Errorf("JSON round trip differs (-want +got):\n%s", diff)
	}
}

func TestTermSafe(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/app"},
		{"ansi", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"osc title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"newlines and tabs", "a\nb\r\tc", `a\nb\r\tc`},
		{"backslash doubled", `a\x1b`, `a\\x1b`},
		{"c1 csi", "a\u009b31m", `a\u009b31m`},
		{"bidi override", "abc\u202egnp.exe", `abc\u202egnp.exe`},
		{"zero width", "ad\u200bmin", `ad\u200bmin`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"invalid utf8", "a\xffb", `a\xffb`},
		{"del", "a\x7fb", `a\x7fb`},
		{"unicode kept", "é中文", "é中文"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := termSafe(tc.in); got != tc.want {
				t.Errorf("termSafe(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMDEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "role/app-1", "role/app-1"},
		{"pipe", "a|b", `a\|b`},
		{"emphasis", "*a* _b_", `\*a\* \_b\_`},
		{"code", "`x`", "\\`x\\`"},
		{"link", "[a](javascript:x)", `\[a\](javascript:x)`},
		{"html", "<script>", `\<script\>`},
		{"entity", "&lt;", `\&lt;`},
		{"newline", "a\nb", `a\\nb`},
		{"backslash", `a\b`, `a\\\\b`},
		{"ansi", "\x1b[1m", `\\x1b\[1m`},
		{"heading", "# h", `\# h`},
		{"list", "- x", `\- x`},
		{"plus", "+1", `\+1`},
		{"setext", "===", `\===`},
		{"ordered", "12. x", `12\. x`},
		{"ordered paren", "1) x", `1\) x`},
		{"number", "123", "123"},
		{"decimal", "0.5 low", "0.5 low"},
		{"inner dash", "a-b", "a-b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mdEscape(tc.in); got != tc.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCSVSafe(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "role/app", "role/app"},
		{"empty", "", ""},
		{"equals", "=1+1", "'=1+1"},
		{"plus", "+1", "'+1"},
		{"minus", "-1", "'-1"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab shown escaped", "\t=1", `\t=1`},
		{"cr shown escaped", "\r=1", `\r=1`},
		{"escape sequence", "a\x1b[2Jb", `a\x1b[2Jb`},
		{"leading spaces", "  =1", "'  =1"},
		{"fullwidth", "＝1", "'＝1"},
		{"inside is fine", "a=b", "a=b"},
		{"dde", hostileFormula, "'" + hostileFormula},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := csvSafe(tc.in); got != tc.want {
				t.Errorf("csvSafe(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWithStringsCopies(t *testing.T) {
	d := testData()
	got := withStrings(d, strings.ToUpper)
	if diff := cmp.Diff(testData(), d); diff != "" {
		t.Errorf("withStrings changed its input (-want +got):\n%s", diff)
	}
	if got.Principals[0].Name != "BREAK-GLASS-ADMIN" || got.Privileged[1].ServiceWildcards[0] != "S3" || got.Caveats[0][:3] != "LOG" {
		t.Errorf("withStrings missed strings: %q %q %q", got.Principals[0].Name, got.Privileged[1].ServiceWildcards[0], got.Caveats[0])
	}
	if !got.GeneratedAt.Equal(d.GeneratedAt) || *got.Principals[1].RecommendationProven != false || got.Summary.Granted != d.Summary.Granted {
		t.Errorf("withStrings changed non-string fields")
	}
}

// CSV goes to stdout as often as to a file: the escape sequences a role
// name or region can carry must arrive visible, not raw.
func TestCSVHasNoControlCharacters(t *testing.T) {
	out := render(t, "csv")
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("CSV output has control character %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
	for _, want := range []string{`\x1b[31mred`, `line1\nline2\r\tend`} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV output lacks the visible escape %q", want)
		}
	}
}
