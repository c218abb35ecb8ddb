package analyze_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/backtest"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/iamtrim/iamtrim/trails"
	"github.com/jackc/pgx/v5"
)

// benchCatalog is the full catalog when IAMTRIM_CATALOG names one, else the
// repository's fixture.
func benchCatalog(b *testing.B) *catalog.Catalog {
	dir := os.Getenv("IAMTRIM_CATALOG")
	if dir == "" {
		dir = "../testdata/catalog"
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	cat, err := catalog.LoadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	return cat
}

// Policy templates the synthetic roles get, as real accounts mix them.
var benchPolicies = []string{
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","dynamodb:*"],"Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","s3:Get*","s3:List*","iam:Get*","iam:List*","lambda:Get*","lambda:List*","logs:*"],"Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueUrl","kms:Decrypt","secretsmanager:GetSecretValue","ssm:GetParameter*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
}

var benchActions = [][]string{
	{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
	{"ec2:DescribeInstances", "s3:GetObject", "iam:GetRole", "lambda:GetFunction", "logs:CreateLogStream", "s3:ListBucket"},
	{"sqs:SendMessage", "sqs:ReceiveMessage", "kms:Decrypt", "secretsmanager:GetSecretValue", "ssm:GetParameter"},
	{"ec2:DescribeInstances", "s3:GetObject", "lambda:InvokeFunction", "sns:Publish", "cloudwatch:PutMetricData"},
	{"iam:ListRoles", "ec2:DescribeVpcs", "s3:ListAllMyBuckets"},
}

const (
	benchAccount = "111122223333"
	benchRoles   = 1000
	benchDays    = 90
	benchEvents  = 10_000_000
)

// BenchmarkAnalyzeRecommend measures analyze over 1,000 roles and 90 days
// of a usage rollup shaped like what 10M events aggregate to (about a
// million rows), analyze of one principal, and recommend for every role.
// The rollup is written directly: ingest has its own benchmark.
func BenchmarkAnalyzeRecommend(b *testing.B) {
	ctx := context.Background()
	db := storetest.New(b)
	cat := benchCatalog(b)
	if _, err := catalog.Store(ctx, db, cat, "bench"); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var details authz.Details
	for i := range benchRoles {
		tmpl := i % len(benchPolicies)
		if tmpl == 4 && i%50 != 4 { // admins are rare
			tmpl = i % 4
		}
		details.RoleDetailList = append(details.RoleDetailList, authz.RoleDetail{
			Path: "/app/", RoleName: fmt.Sprintf("role-%04d", i), RoleID: fmt.Sprintf("AROA%016d", i),
			Arn:                      fmt.Sprintf("arn:aws:iam::%s:role/app/role-%04d", benchAccount, i),
			CreateDate:               "2025-01-01T00:00:00Z",
			AssumeRolePolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
			RolePolicyList:           []authz.InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(benchPolicies[tmpl])}},
		})
	}
	inv := authz.NewInventory("bench", &details)
	snapID, _, err := authz.SaveSnapshot(ctx, db, inv, "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}

	// The rollup: each role uses its template's actions on two resources,
	// every day, with call counts adding up to about benchEvents.
	asOf := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	w := analyze.NewWindow(asOf, benchDays)
	var principals [][]any
	for i := range benchRoles {
		principals = append(principals, []any{int64(i + 1), fmt.Sprintf("arn:aws:iam::%s:role/app/role-%04d", benchAccount, i), benchAccount, "AssumedRole", fmt.Sprintf("role-%04d", i)})
	}
	if _, err := db.Pool.Exec(ctx, `ALTER TABLE usage_principal ALTER COLUMN id DROP IDENTITY IF EXISTS`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"usage_principal"}, []string{"id", "arn", "account_id", "type", "name"}, pgx.CopyFromRows(principals)); err != nil {
		b.Fatal(err)
	}
	rowsPerRole := 0
	for _, a := range benchActions {
		rowsPerRole += len(a)
	}
	perRow := int64(benchEvents / (benchRoles * benchDays * 2 * rowsPerRole / len(benchActions)))
	var rows [][]any
	var total int64
	for i := range benchRoles {
		acts := benchActions[i%len(benchActions)]
		for d := range benchDays {
			day := w.From.AddDate(0, 0, d)
			for _, a := range acts {
				for r := range 2 {
					calls := perRow/2 + rng.Int64N(perRow+1)
					denied := int64(0)
					if rng.IntN(50) == 0 {
						denied = 1
					}
					total += calls
					res := fmt.Sprintf("arn:aws:s3:::bucket-%d/key-%d", i%37, r)
					rows = append(rows, []any{int64(i + 1), day, a, res, "", benchAccount, calls, denied, int64(0), day.Add(time.Hour), day.Add(20 * time.Hour)})
				}
			}
		}
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"usage_daily"},
		[]string{"principal_id", "day", "action", "resource", "invoked_by", "account_id", "calls", "denied", "unauthenticated", "first_seen", "last_seen"},
		pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	var cov [][]any
	for d := range benchDays {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			cov = append(cov, []any{benchAccount, region, w.From.AddDate(0, 0, d), int64(1000)})
		}
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"log_coverage_daily"}, []string{"account_id", "region", "day", "events"}, pgx.CopyFromRows(cov)); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("rollup: %d rows for %d roles x %d days, %d calls; catalog %d actions", len(rows), benchRoles, benchDays, total, len(cat.Actions()))
	rows = nil

	ev := analyze.Evidence{Inventory: inv, AuthzSnapshot: snapID, Catalog: cat, Trails: trails.UnknownConfig()}
	log := slog.New(slog.DiscardHandler)
	var snap *analyze.Snapshot
	b.Run("analyze-1000-roles", func(b *testing.B) {
		for b.Loop() {
			snap, err = analyze.Run(ctx, db, ev, analyze.Options{AsOf: asOf, WindowDays: benchDays}, log)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchRoles)/(b.Elapsed().Seconds()/float64(b.N)), "roles/s")
	})
	b.Run("analyze-one-principal", func(b *testing.B) {
		for b.Loop() {
			if _, err := analyze.Run(ctx, db, ev, analyze.Options{AsOf: asOf, WindowDays: benchDays, Principal: "role-0500", NoStore: true}, log); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("recommend-1000-roles", func(b *testing.B) {
		exp := authz.NewExpander(cat, nil)
		byARN := map[string]authz.Principal{}
		for _, p := range inv.Principals() {
			byARN[p.ARN] = p
		}
		for b.Loop() {
			proven := 0
			for _, r := range snap.Principals {
				p := byARN[r.PrincipalARN]
				rec, err := recommend.Recommend(ctx, recommend.Input{Principal: p, Effective: expandOne(b, exp, p), Result: r, Catalog: cat}, recommend.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if rec.Proof.Proven {
					proven++
				}
			}
			if proven != len(snap.Principals) {
				b.Fatalf("%d of %d recommendations proven", proven, len(snap.Principals))
			}
		}
		b.ReportMetric(float64(benchRoles)/(b.Elapsed().Seconds()/float64(b.N)), "roles/s")
	})
	// backtest --all: recommend from the first 60 days, replay the last 30
	// (package backtest). Compare with analyze-1000-roles plus
	// recommend-1000-roles, which together are recommend --all.
	b.Run("backtest-1000-roles", func(b *testing.B) {
		for b.Loop() {
			rep, err := backtest.Run(ctx, db, ev, backtest.Options{AsOf: asOf, TrainDays: 60, TestDays: 30}, log)
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Principals) != benchRoles || rep.Totals.TestCalls == 0 {
				b.Fatalf("backtested %d roles, %d test calls", len(rep.Principals), rep.Totals.TestCalls)
			}
		}
		b.ReportMetric(float64(benchRoles)/(b.Elapsed().Seconds()/float64(b.N)), "roles/s")
	})
}

// expandOne is exp.Expand with a background context, failing b on an error.
func expandOne(b *testing.B, exp *authz.Expander, p authz.Principal) *authz.Effective {
	b.Helper()
	eff, err := exp.Expand(context.Background(), p)
	if err != nil {
		b.Fatal(err)
	}
	return eff
}

// BenchmarkConditionalWildcards analyzes and recommends for one role at
// IAM's inline size limit: 100 statements
// {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/tN":"*"}}}
// (issue 10 item 13: 6.3 s and 860 MB for analyze before). It reports the
// process's peak RSS during each operation (VmHWM, reset before it).
func BenchmarkConditionalWildcards(b *testing.B) {
	ctx := context.Background()
	db := storetest.New(b)
	cat := benchCatalog(b)
	var stmts []string
	for i := range 100 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/t%d":"*"}}}`, i))
	}
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	b.Logf("policy of %d characters (IAM's inline limit: %d)", len(doc), recommend.RoleInlineLimit)
	inv := authz.NewInventory("bench", &authz.Details{RoleDetailList: []authz.RoleDetail{{
		Path: "/", RoleName: "tagged", RoleID: "AROA0000000000000001", Arn: "arn:aws:iam::" + benchAccount + ":role/tagged", CreateDate: "2025-01-01T00:00:00Z",
		RolePolicyList: []authz.InlinePolicy{{PolicyName: "p", PolicyDocument: json.RawMessage(doc)}},
	}}})
	asOf := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	ev := analyze.Evidence{Inventory: inv, Catalog: cat, Trails: trails.UnknownConfig()}
	log := slog.New(slog.DiscardHandler)
	var snap *analyze.Snapshot
	b.Run("analyze", func(b *testing.B) {
		resetPeakRSS(b)
		cpu := cpuSeconds(b)
		for b.Loop() {
			var err error
			if snap, err = analyze.Run(ctx, db, ev, analyze.Options{AsOf: asOf, WindowDays: benchDays}, log); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuSeconds(b)-cpu)/float64(b.N), "cpu-s/op")
		b.ReportMetric(peakRSS(b), "peak-RSS-MB")
	})
	b.Run("recommend", func(b *testing.B) {
		p := inv.Principals()[0]
		var answer string
		if snap == nil { // -bench named only this one
			var err error
			if snap, err = analyze.Run(ctx, db, ev, analyze.Options{AsOf: asOf, WindowDays: benchDays, NoStore: true}, log); err != nil {
				b.Fatal(err)
			}
		}
		resetPeakRSS(b)
		cpu := cpuSeconds(b)
		for b.Loop() {
			in := recommend.Input{Principal: p, Effective: expandOne(b, authz.NewExpander(cat, nil), p), Result: snap.Principals[0], Catalog: cat}
			rec, err := recommend.Recommend(ctx, in, recommend.Options{})
			answer = recommendAnswer(b, rec, err)
		}
		b.ReportMetric((cpuSeconds(b)-cpu)/float64(b.N), "cpu-s/op")
		b.ReportMetric(peakRSS(b), "peak-RSS-MB")
		b.Log(answer)
	})
}

// resetPeakRSS returns freed memory to the system and resets the
// process's peak RSS (Linux: VmHWM) to the current RSS.
func resetPeakRSS(b *testing.B) {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset peak RSS (%v): it includes earlier work", err)
	}
}

// cpuSeconds is the process's user and system CPU time so far: on a shared
// machine a better measure of work than wall time. It includes the garbage
// collector's work on the other cores.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSS is the process's peak RSS in MB since resetPeakRSS.
func peakRSS(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// recommendAnswer says what Recommend answered: a proven policy, or a
// refusal naming how many policies the kept grant would need
// (recommend.BudgetError).
func recommendAnswer(b *testing.B, rec *recommend.Recommendation, err error) string {
	var be *recommend.BudgetError
	switch {
	case errors.As(err, &be):
		return err.Error()
	case err != nil:
		b.Fatal(err)
	case !rec.Proof.Proven:
		b.Fatal("not proven")
	}
	return fmt.Sprintf("proven, %d policies", len(rec.Policies))
}
