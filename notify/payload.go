package notify

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/iamtrim/iamtrim/snapdiff"
	"github.com/iamtrim/iamtrim/untrusted"
)

// Bounds of the lists a payload carries; counts are always complete.
const (
	// MaxTop is how many principals TopPrincipals lists.
	MaxTop = 5
	// MaxListed is how many principals each list of the diff carries.
	MaxListed = 10
	// textNames is how many names each line of the text shows.
	textNames = 3
	// maxText bounds the text field (Slack shows about 4,000 characters
	// before truncating a message; a notification should be read at a
	// glance).
	maxText = 1500
)

// Event is what a run tells the notifier.
type Event struct {
	RunID  int64
	Status string // ok, partial or failed
	// Error is the run's error when it failed.
	Error                      string
	Principals, HighRisk       int
	Proven, Unproven, Rejected int
	// Findings count principals per finding kind of the notification's
	// fail_on, excepted findings left out.
	Findings map[string]int
	// Top are the principals with findings, most at risk first (at most
	// MaxTop).
	Top []Principal
	// Diff is the change since the previous analysis; nil on the first
	// run or when the run failed before the diff.
	Diff     *snapdiff.Result
	DiffFile string
	Report   string
}

// Principal is one principal of TopPrincipals.
type Principal struct {
	ARN       string   `json:"arn"`
	RiskLevel string   `json:"risk_level"`
	RiskScore float64  `json:"risk_score"`
	Findings  []string `json:"findings"`
}

// Payload is the JSON body posted. Field names are part of iamtrim's
// interface (add fields, never rename them).
type Payload struct {
	// Text is a short summary for people (Slack incoming webhooks show
	// it; other receivers may ignore it).
	Text               string         `json:"text"`
	Source             string         `json:"source"` // "iamtrim"
	RunID              int64          `json:"run_id"`
	Status             string         `json:"status"`
	Error              string         `json:"error,omitempty"`
	Triggers           []string       `json:"triggers"`
	Principals         int            `json:"principals"`
	HighRiskPrincipals int            `json:"high_risk_principals"`
	Proven             int            `json:"recommendations_proven"`
	Unproven           int            `json:"recommendations_unproven"`
	Rejected           int            `json:"rejected_inputs"`
	Findings           map[string]int `json:"findings"`
	TopPrincipals      []Principal    `json:"top_principals"`
	// Diff is null on the first run.
	Diff   *Diff  `json:"diff"`
	Report string `json:"report,omitempty"`
}

// Diff sums up a snapdiff.Result.
type Diff struct {
	From   snapdiff.Snapshot `json:"from"`
	To     snapdiff.Snapshot `json:"to"`
	Totals snapdiff.Totals   `json:"totals"`
	// NewPrincipals and RemovedPrincipals list at most MaxListed ARNs;
	// Changed the MaxListed principals with the most changes.
	NewPrincipals     []string  `json:"new_principals"`
	RemovedPrincipals []string  `json:"removed_principals"`
	Changed           []Changed `json:"changed"`
	// Omitted counts the principals the three lists leave out.
	Omitted int    `json:"omitted"`
	File    string `json:"file,omitempty"`
}

// Changed counts one principal's changes.
type Changed struct {
	ARN           string `json:"arn"`
	GrantsAdded   int    `json:"grants_added"`
	GrantsRemoved int    `json:"grants_removed"`
	NewlyUsed     int    `json:"newly_used"`
	NewlyUnused   int    `json:"newly_unused"`
	RiskFrom      string `json:"risk_from"`
	RiskTo        string `json:"risk_to"`
}

// NewPayload is ev's notification for the triggers fired.
func NewPayload(ev *Event, fired []string) Payload {
	p := Payload{Source: "iamtrim", RunID: ev.RunID, Status: ev.Status, Error: ev.Error, Triggers: nonNil(fired),
		Principals: ev.Principals, HighRiskPrincipals: ev.HighRisk, Proven: ev.Proven, Unproven: ev.Unproven,
		Rejected: ev.Rejected, Findings: ev.Findings, TopPrincipals: ev.Top, Report: ev.Report}
	if p.Findings == nil {
		p.Findings = map[string]int{}
	}
	if p.TopPrincipals == nil {
		p.TopPrincipals = []Principal{}
	}
	if ev.Diff != nil {
		p.Diff = summarise(ev.Diff)
		p.Diff.File = ev.DiffFile
	}
	p.Text = text(&p)
	return p
}

func summarise(r *snapdiff.Result) *Diff {
	d := &Diff{From: r.From, To: r.To, Totals: r.Totals, NewPrincipals: head(r.NewPrincipals, MaxListed),
		RemovedPrincipals: head(r.RemovedPrincipals, MaxListed), Changed: []Changed{}}
	d.Omitted = len(r.NewPrincipals) - len(d.NewPrincipals) + len(r.RemovedPrincipals) - len(d.RemovedPrincipals)
	ch := make([]Changed, 0, len(r.Principals))
	for _, c := range r.Principals {
		ch = append(ch, Changed{ARN: c.ARN, GrantsAdded: len(c.GrantsAdded), GrantsRemoved: len(c.GrantsRemoved),
			NewlyUsed: len(c.NewlyUsed), NewlyUnused: len(c.NewlyUnused), RiskFrom: c.RiskFrom.Level, RiskTo: c.RiskTo.Level})
	}
	// Most changes first; ARN order among equals (Principals is by ARN
	// and the sort is stable).
	slices.SortStableFunc(ch, func(a, b Changed) int { return changes(b) - changes(a) })
	d.Changed = head(ch, MaxListed)
	d.Omitted += len(ch) - len(d.Changed)
	return d
}

func changes(c Changed) int {
	n := c.GrantsAdded + c.GrantsRemoved + c.NewlyUsed + c.NewlyUnused
	if c.RiskFrom != c.RiskTo {
		n++
	}
	return n
}

// text is the payload for people in a few lines: status and findings, the
// diff's counts, the principals most at risk, the new ones, the report.
func text(p *Payload) string {
	var lines []string
	first := fmt.Sprintf("iamtrim run %d (%s)", p.RunID, p.Status)
	if n := total(p.Findings); n > 0 {
		first += fmt.Sprintf(": %d finding(s): %s", n, strings.Join(counts(p.Findings), ", "))
	} else {
		first += ": no findings"
	}
	lines = append(lines, first)
	if p.Error != "" {
		lines = append(lines, "Error: "+clip(p.Error, 300))
	}
	if p.Rejected > 0 {
		lines = append(lines, fmt.Sprintf("Rejected inputs: %d (retried by the next run)", p.Rejected))
	}
	if d := p.Diff; d != nil {
		var parts []string
		for _, k := range diffKinds {
			if n := k.count(d.Totals); n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, k.label))
			}
		}
		if len(parts) == 0 {
			parts = []string{"no changes"}
		}
		lines = append(lines, fmt.Sprintf("Since analysis %d (as of %s): %s", d.From.ID, d.From.AsOf, strings.Join(parts, ", ")))
		if len(d.NewPrincipals) > 0 {
			lines = append(lines, "New: "+names(d.NewPrincipals, d.Totals.NewPrincipals))
		}
		var grew []string
		for _, c := range d.Changed {
			if c.GrantsAdded > 0 {
				grew = append(grew, fmt.Sprintf("%s (+%d)", short(c.ARN), c.GrantsAdded))
			}
		}
		if len(grew) > 0 {
			lines = append(lines, "Grants added: "+list(grew, len(grew)))
		}
	}
	if len(p.TopPrincipals) > 0 {
		var top []string
		for _, t := range p.TopPrincipals {
			top = append(top, fmt.Sprintf("%s (%s %.1f)", short(t.ARN), t.RiskLevel, t.RiskScore))
		}
		lines = append(lines, "Most at risk: "+list(top, len(top)))
	}
	if p.Report != "" {
		lines = append(lines, "Report: "+p.Report)
	}
	for i, l := range lines {
		lines[i] = slack(l)
	}
	return clip(strings.Join(lines, "\n"), maxText)
}

// counts is "kind=n" per kind, sorted.
func counts(m map[string]int) []string {
	var out []string
	for k, n := range m {
		if n > 0 {
			out = append(out, fmt.Sprintf("%s=%d", k, n))
		}
	}
	slices.Sort(out)
	return out
}

// names shows the first textNames ARNs of arns, of total.
func names(arns []string, total int) string {
	s := make([]string, len(arns))
	for i, a := range arns {
		s[i] = short(a)
	}
	return list(s, total)
}

// list joins the first textNames items and says how many more of total.
func list(items []string, total int) string {
	s := strings.Join(head(items, textNames), ", ")
	if more := total - min(len(items), textNames); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// short is an ARN's kind and name without the path ("role/name"), or the
// ARN when it has no resource.
func short(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[5] == "" {
		return arn
	}
	kind, rest, ok := strings.Cut(parts[5], "/")
	if !ok {
		return parts[5]
	}
	return kind + "/" + rest[strings.LastIndex(rest, "/")+1:]
}

// slack makes a line safe for Slack's mrkdwn (which reads &, < and > as
// markup) and for a terminal (names from AWS may hold control
// characters).
func slack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(untrusted.Terminal(s))
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func head[T any](s []T, n int) []T {
	if len(s) > n {
		s = s[:n]
	}
	return append([]T{}, s...)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
