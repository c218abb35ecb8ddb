package sample

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/sample/internal/catalogfixture"
)

// IAM last-accessed data: one file per role and user, as `aws iam
// get-service-last-accessed-details` prints an ACTION_LEVEL job's result,
// named ACCOUNT.NAME.json under lastaccessed/. It reports every attempt the
// generator made (logged, refused or not logged) and the accesses of
// history, which happened before the logs begin.

// laDir is where the files go.
const laDir = "lastaccessed"

// historyAccess is an access before the logs begin: only last-accessed
// data shows it.
type historyAccess struct {
	principal, action, at, region, note string
}

// history is the organisation's accesses before the logs: the quarterly
// DR drill of backup-operator (the last day of January, April, July and
// October: it ran on 2026-07-31, the day before the logs begin, and runs
// next on 2026-10-31, after them, so any 90-day window of the logs misses
// it), and legacy-etl's last run (as its RoleLastUsed says).
var history = []historyAccess{
	{"backup-operator", "dynamodb:DescribeBackup", "2026-07-31T03:10:00Z", "us-east-1",
		"quarterly DR drill (last day of Jan/Apr/Jul/Oct): restores the newest backup of table orders; next run 2026-10-31"},
	{"backup-operator", "dynamodb:ListBackups", "2026-07-31T03:09:00Z", "us-east-1", "quarterly DR drill"},
	{"legacy-etl", "s3:GetObject", "2025-11-03T02:14:51Z", "eu-west-1", "the last run of the retired ETL job (RoleLastUsed)"},
	{"legacy-etl", "sqs:ReceiveMessage", "2025-11-03T02:14:40Z", "eu-west-1", "the last run of the retired ETL job"},
}

// TruthLastAccessed describes the last-accessed files.
type TruthLastAccessed struct {
	// TakenAt is the reports' JobCompletionDate; TrackingStart is 400 days
	// before it.
	TakenAt       string `json:"takenAt"`
	TrackingStart string `json:"trackingStart"`
	Files         int    `json:"files"`
	// History are accesses before the logs begin, seen only in the
	// last-accessed data.
	History []TruthHistory `json:"history"`
	// NeverAccessed lists, per principal, the services its policies allow
	// that it never accessed in the tracking period.
	NeverAccessed []TruthNeverAccessed `json:"neverAccessed"`
}

// TruthHistory is one access before the logs.
type TruthHistory struct {
	Principal    string `json:"principal"`
	Action       string `json:"action"`
	LastAccessed string `json:"lastAccessed"`
	ActionLevel  bool   `json:"actionLevel"`
	Note         string `json:"note"`
}

// TruthNeverAccessed is a principal's services never accessed.
type TruthNeverAccessed struct {
	Principal string   `json:"principal"`
	Services  []string `json:"services"`
}

// laOutput mirrors the AWS CLI's JSON (lastaccess.Output), written here so
// the generator depends on no iamtrim package.
type laOutput struct {
	JobStatus            string      `json:"JobStatus"`
	JobType              string      `json:"JobType"`
	JobCreationDate      string      `json:"JobCreationDate"`
	ServicesLastAccessed []laService `json:"ServicesLastAccessed"`
	JobCompletionDate    string      `json:"JobCompletionDate"`
	IsTruncated          bool        `json:"IsTruncated"`
}

type laService struct {
	ServiceName                string     `json:"ServiceName"`
	LastAuthenticated          string     `json:"LastAuthenticated,omitempty"`
	ServiceNamespace           string     `json:"ServiceNamespace"`
	LastAuthenticatedEntity    string     `json:"LastAuthenticatedEntity,omitempty"`
	LastAuthenticatedRegion    string     `json:"LastAuthenticatedRegion,omitempty"`
	TotalAuthenticatedEntities int        `json:"TotalAuthenticatedEntities"`
	TrackedActionsLastAccessed []laAction `json:"TrackedActionsLastAccessed,omitempty"`
}

type laAction struct {
	ActionName         string `json:"ActionName"`
	LastAccessedEntity string `json:"LastAccessedEntity"`
	LastAccessedTime   string `json:"LastAccessedTime"`
	LastAccessedRegion string `json:"LastAccessedRegion"`
}

func cliTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// grantedServices lists the service prefixes a principal's identity
// policies allow something of ("*" and NotAction: every catalog service),
// as IAM lists them in the report.
func grantedServices(p *principal) []string {
	seen := map[string]bool{}
	all := catalogfixture.Services()
	addDoc := func(d *doc) {
		for _, st := range d.Statement {
			if st.Effect != "Allow" {
				continue
			}
			if st.NotAction != nil {
				for _, s := range all {
					seen[s] = true
				}
				continue
			}
			var list []string
			switch a := st.Action.(type) {
			case string:
				list = []string{a}
			case []string:
				list = a
			}
			for _, a := range list {
				if a == "*" {
					for _, s := range all {
						seen[s] = true
					}
					continue
				}
				if svc, _, ok := strings.Cut(a, ":"); ok && slices.Contains(all, strings.ToLower(svc)) {
					seen[strings.ToLower(svc)] = true
				}
			}
		}
	}
	docs := func(inline []namedDoc, managed []*managedPolicy) {
		for _, d := range inline {
			addDoc(d.doc)
		}
		for _, m := range managed {
			addDoc(m.versions[len(m.versions)-1])
		}
	}
	docs(p.inline, p.managed)
	for _, g := range p.groups {
		docs(g.inline, g.managed)
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// writeLastAccessed writes one report per role and user and returns what
// truth.json says of them. The reports are taken two hours after the logs
// end.
func (g *generator) writeLastAccessed() (TruthLastAccessed, error) {
	end := g.opts.Start.AddDate(0, 0, g.opts.Days)
	taken := end.Add(2 * time.Hour)
	tl := TruthLastAccessed{TakenAt: cliTime(taken), TrackingStart: cliTime(taken.Add(-400 * 24 * time.Hour)),
		History: []TruthHistory{}, NeverAccessed: []TruthNeverAccessed{}}
	if err := os.MkdirAll(filepath.Join(g.opts.Out, laDir), 0o755); err != nil {
		return tl, fmt.Errorf("create %s: %w", laDir, err)
	}
	for _, p := range g.org.principals {
		if p.kind != "role" && p.kind != "user" {
			continue
		}
		seen := map[string]lastSeen{}
		for k, v := range g.accs[p].seen {
			seen[k] = v
		}
		for _, h := range history {
			if h.principal != p.key {
				continue
			}
			at := day(h.at)
			if cur, ok := seen[h.action]; !ok || at.After(cur.t) {
				seen[h.action] = lastSeen{at, h.region}
			}
			svc, name, _ := strings.Cut(h.action, ":")
			tl.History = append(tl.History, TruthHistory{Principal: p.arn, Action: h.action, LastAccessed: cliTime(at),
				ActionLevel: slices.Contains(catalogfixture.LastAccessTracked(svc), name), Note: h.note})
		}
		out := laOutput{JobStatus: "COMPLETED", JobType: "ACTION_LEVEL", JobCreationDate: cliTime(taken.Add(-5 * time.Second)),
			JobCompletionDate: cliTime(taken), ServicesLastAccessed: []laService{}}
		var never []string
		for _, svc := range grantedServices(p) {
			s := laService{ServiceName: serviceName(svc), ServiceNamespace: svc}
			var last lastSeen
			tracked := catalogfixture.LastAccessTracked(svc)
			for action, ls := range seen {
				prefix, name, _ := strings.Cut(action, ":")
				if prefix != svc {
					continue
				}
				if ls.t.After(last.t) {
					last = ls
				}
				if slices.Contains(tracked, name) {
					s.TrackedActionsLastAccessed = append(s.TrackedActionsLastAccessed, laAction{ActionName: name,
						LastAccessedEntity: p.arn, LastAccessedTime: cliTime(ls.t), LastAccessedRegion: ls.region})
				}
			}
			slices.SortFunc(s.TrackedActionsLastAccessed, func(a, b laAction) int { return cmp.Compare(a.ActionName, b.ActionName) })
			if last.t.IsZero() {
				never = append(never, svc)
			} else {
				s.LastAuthenticated, s.LastAuthenticatedEntity, s.LastAuthenticatedRegion = cliTime(last.t), p.arn, last.region
				s.TotalAuthenticatedEntities = 1
			}
			out.ServicesLastAccessed = append(out.ServicesLastAccessed, s)
		}
		if len(never) > 0 {
			tl.NeverAccessed = append(tl.NeverAccessed, TruthNeverAccessed{Principal: p.arn, Services: never})
		}
		if err := g.writeJSON(filepath.Join(laDir, Account+"."+p.name+".json"), out); err != nil {
			return tl, err
		}
		tl.Files++
	}
	return tl, nil
}

// serviceName is the display name IAM gives a service; the report needs
// one, iamtrim does not read it.
func serviceName(prefix string) string {
	if n, ok := serviceNames[prefix]; ok {
		return n
	}
	return "AWS " + prefix
}

var serviceNames = map[string]string{
	"account": "AWS Account Management", "cloudformation": "AWS CloudFormation", "cloudtrail": "AWS CloudTrail",
	"cloudwatch": "Amazon CloudWatch", "codebuild": "AWS CodeBuild", "dynamodb": "Amazon DynamoDB",
	"ec2": "Amazon EC2", "ecs": "Amazon Elastic Container Service", "iam": "AWS Identity and Access Management",
	"kms": "AWS Key Management Service", "lambda": "AWS Lambda", "logs": "Amazon CloudWatch Logs",
	"organizations": "AWS Organizations", "route53": "Amazon Route 53", "s3": "Amazon S3",
	"secretsmanager": "AWS Secrets Manager", "sns": "Amazon SNS", "sqs": "Amazon SQS",
	"ssm": "AWS Systems Manager", "states": "AWS Step Functions", "sts": "AWS Security Token Service",
	"xray": "AWS X-Ray",
}
