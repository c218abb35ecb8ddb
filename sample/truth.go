package sample

import (
	"slices"
	"strings"
	"time"
)

// Truth is truth.json: what the generated events prove about each
// principal, computed while the events are written. The rules it follows
// are in TruthRules (and doc.go).
type Truth struct {
	Account           string           `json:"account"`
	Generator         TruthOptions     `json:"generator"`
	Window            TruthWindow      `json:"window"`
	Rules             []string         `json:"rules"`
	Totals            TruthTotals      `json:"totals"`
	DuplicateEventIDs []string         `json:"duplicateEventIDs"`
	Principals        []TruthPrincipal `json:"principals"`
	OtherCallers      []TruthPrincipal `json:"otherCallers"`
	// Organization is what org.json's SCPs make ineffective.
	Organization *TruthOrg `json:"organization"`
	// LastAccessed describes lastaccessed/: IAM's last-accessed data of
	// every role and user, with the accesses before the logs.
	LastAccessed TruthLastAccessed `json:"lastAccessed"`
}

// TruthOptions records the options the sample was generated with.
type TruthOptions struct {
	Seed    int64    `json:"seed"`
	Events  int      `json:"events"`
	Days    int      `json:"days"`
	Files   int      `json:"files"`
	Start   string   `json:"start"`
	Regions []string `json:"regions"`
}

// TruthWindow is the time span the events cover: [Start, End).
type TruthWindow struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// TruthTotals are exact counts over all log files.
type TruthTotals struct {
	Files int `json:"files"`
	// Records counts every record in every file, duplicates included;
	// UniqueEvents counts distinct eventIDs.
	Records          int64            `json:"records"`
	UniqueEvents     int64            `json:"uniqueEvents"`
	DuplicateRecords int64            `json:"duplicateRecords"`
	Authorized       int64            `json:"authorized"`       // no error, or an error after authorization
	AuthorizedErrors int64            `json:"authorizedErrors"` // of which ended in an error
	Denied           int64            `json:"denied"`
	Permissionless   int64            `json:"permissionless"`
	DataEvents       int64            `json:"dataEvents"`
	ManagementEvents int64            `json:"managementEvents"`
	ServiceInvoked   int64            `json:"serviceInvoked"`
	ByRegion         map[string]int64 `json:"byRegion"`
	ByEventSource    map[string]int64 `json:"byEventSource"`
	// UnloggedCalls are calls the simulated workload made that the trail
	// did not record (they appear in no file).
	UnloggedCalls int64 `json:"unloggedCalls"`
}

// TruthPrincipal is one role, user, or outside caller.
type TruthPrincipal struct {
	ARN  string `json:"arn,omitempty"`
	Type string `json:"type"` // role, user; for outside callers the userIdentity.type
	Name string `json:"name"`
	// Events counts distinct events attributed to it (duplicates once).
	Events     int64  `json:"events"`
	FirstEvent string `json:"firstEvent,omitempty"`
	LastEvent  string `json:"lastEvent,omitempty"`
	// Used: actions its own successful calls needed, with the exact
	// resources.
	Used []TruthUse `json:"used"`
	// UsedViaService: calls an AWS service made with its credentials
	// (userIdentity.invokedBy set).
	UsedViaService []TruthUse `json:"usedViaService"`
	// Denied attempts: not use.
	Denied         []TruthDenied `json:"denied"`
	Permissionless []TruthCall   `json:"permissionless"`
	// Unlogged: calls the workload made that the trail does not record, so
	// no analysis of the logs can see them.
	Unlogged []TruthUnlogged `json:"unlogged"`
	// Implied: actions its calls needed beyond their own that CloudTrail
	// does not log as calls (ec2:CreateTags for a launch that tags the
	// instances it creates), on the resources they created.
	Implied []TruthUse `json:"implied"`
	// Unmapped: successful calls whose event name maps to no IAM action
	// (an API newer than the action catalog), with the action AWS
	// authorizes them with: the analysis cannot name it, so a correct
	// recommendation keeps the principal's grant of that service, and it
	// must allow Action on Resources. Not listed under used.
	Unmapped []TruthUnmapped `json:"unmapped"`
	// NextMonth: calls of the 30 days after the window, on the fresh
	// resources the workload mints then (log streams, dated S3 keys,
	// instances, tasks, task definition revisions, executions) and the
	// next run of its monthly jobs: what a correct recommendation from the
	// window must allow. Logged or not.
	NextMonth []TruthNext `json:"nextMonth"`
}

// TruthNext is one call a correct recommendation must allow next month.
type TruthNext struct {
	Action    string `json:"action"`
	EventName string `json:"eventName"`
	Resource  string `json:"resource"`
	Day       string `json:"day"`
}

// TruthUse is an action with the resources it was used on.
type TruthUse struct {
	Action    string           `json:"action"`
	InvokedBy string           `json:"invokedBy,omitempty"`
	Resources []string         `json:"resources"`
	Events    int64            `json:"events"`
	Errors    map[string]int64 `json:"errors,omitempty"` // authorized failures by errorCode
}

// TruthDenied is a refused attempt.
type TruthDenied struct {
	Action      string   `json:"action"`
	EventSource string   `json:"eventSource"`
	EventName   string   `json:"eventName"`
	ErrorCode   string   `json:"errorCode"`
	Resources   []string `json:"resources"`
	Events      int64    `json:"events"`
}

// TruthCall is a call that needs no IAM permission.
type TruthCall struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	Events      int64  `json:"events"`
}

// TruthUnlogged is a call that happened but was not logged.
type TruthUnlogged struct {
	Action    string   `json:"action"`
	EventName string   `json:"eventName"`
	Resources []string `json:"resources"`
	Calls     int64    `json:"calls"`
	Reason    string   `json:"reason"`
}

// TruthUnmapped is a successful call no IAM action is known for.
type TruthUnmapped struct {
	EventSource string   `json:"eventSource"`
	EventName   string   `json:"eventName"`
	Action      string   `json:"action"` // what AWS authorizes it with
	Resources   []string `json:"resources"`
	Events      int64    `json:"events"`
	Reason      string   `json:"reason"`
}

// TruthRules documents how truth.json is computed; it is written into the
// file so the file explains itself.
var TruthRules = []string{
	"A principal is a role (identified by sessionContext.sessionIssuer.arn, the role ARN with its path, never the session ARN) or an IAM user (userIdentity.arn).",
	"used: actions of the principal's own calls (no userIdentity.invokedBy) that passed authorization: no errorCode, or an errorCode that arises after authorization (NoSuchKey, ConditionalCheckFailedException, ValidationError, NoSuchEntityException, ResourceNotFoundException). Each action lists the exact resource ARNs, or \"*\" for actions that take no resource or whose resource the request does not name (ecs:RegisterTaskDefinition creates the revision it applies to).",
	"usedViaService: the same for calls an AWS service made with the principal's credentials (userIdentity.invokedBy set, e.g. kms:Decrypt by ssm.amazonaws.com, Lambda updates by cloudformation.amazonaws.com, AWS Config's service-linked role). The principal still needs these permissions, but they are not its own calls.",
	"denied: attempts refused by authorization (AccessDenied, AccessDeniedException, Client.UnauthorizedOperation). They are never use.",
	"permissionless: calls that need no IAM permission (sts:GetCallerIdentity, signin ConsoleLogin); counted in events, no action.",
	"unlogged: calls the simulated workload made that the trail does not record (see trails.json); they appear in no log file and are not in events or used.",
	"implied: actions a successful call needed beyond its own that CloudTrail does not log as a call: ec2:CreateTags for a RunInstances that tags the instances it launches (tagSpecificationSet), on the instance launched. Not in used.",
	"Minted resources: Lambda log streams (YYYY/MM/DD/[$LATEST]<id>, one per cold start), S3 keys under a date partition (dt=YYYY-MM-DD/), autoscaled instances, ECS tasks and the task definition revision current that week, Step Functions executions are named by the day they are created on; a later period has fresh ones.",
	"nextMonth: for each activity on minted resources or on a schedule (monthly, quarterly) the principal ran successfully (logged or not), its call on the first day of the 30 days after the window it runs on, on the resource minted that day, and the actions it implies: what a correct recommendation from the window must allow. A quarterly job that does not recur within the 30 days is not listed.",
	"events counts distinct eventIDs attributed to the principal: a record delivered twice counts once. totals.records counts every record in every file.",
	"Event names map to IAM actions where they differ: ListObjects -> s3:ListBucket, ListBuckets -> s3:ListAllMyBuckets, HeadObject -> s3:GetObject, CreateMultipartUpload/UploadPart/CompleteMultipartUpload -> s3:PutObject, GetBucketEncryption -> s3:GetEncryptionConfiguration, Invoke -> lambda:InvokeFunction, GetFunction20150331v2 -> lambda:GetFunction (Lambda's versioned names drop the date suffix), monitoring.amazonaws.com -> cloudwatch.",
	"iam:PassRole: a call that hands a role to a service also needs iam:PassRole on that role, and truth lists it alongside the call's own action, under used (or usedViaService), with the passed roles' ARNs as resources and one event per call however many roles it passes. The records name the roles in requestParameters; in this sample: lambda UpdateFunctionConfiguration role, ecs RegisterTaskDefinition taskRoleArn and executionRoleArn. A refused call that passes a role lists iam:PassRole on it under denied as well: the sample's callers that are refused such calls are granted neither the call's action nor iam:PassRole.",
	"unmapped: successful calls whose event name maps to no IAM action (in this sample monitoring-agent's xray GetSamplingTargetsV2, an API version newer than the action catalog) are listed under unmapped with the action AWS authorizes them with (xray:GetSamplingTargets), not under used: no analysis of the logs can name that action, and a correct recommendation keeps the principal's grant of the service so that the call is still allowed.",
	"sts:AssumeRole*, made by the caller, are the caller's use (resource: the role assumed); a service's AssumeRole of a role is listed under otherCallers.",
}

type useKey struct{ action, via string }

type deniedKey struct{ action, source, name, code string }

type unlogKey struct{ action, name, reason string }

type callKey struct{ source, name string }

type unmappedKey struct{ source, name, action, reason string }

// acc accumulates truth for one principal. Every map is keyed by values
// from the finite organisation, so memory does not grow with the number of
// events.
type acc struct {
	p              *principal
	events         int64
	first, last    time.Time
	lastRegion     string
	used           map[useKey]*useAcc
	denied         map[deniedKey]map[string]int64
	permissionless map[callKey]int64
	unlogged       map[unlogKey]map[string]int64
	implied        map[useKey]*useAcc
	unmapped       map[unmappedKey]*useAcc
	// acts are the activities with successful calls, logged or not.
	acts map[*activity]bool
	// seen is each action's last attempt (successful, refused or not
	// logged) with its region: what IAM's last-accessed data reports.
	seen map[string]lastSeen
}

type lastSeen struct {
	t      time.Time
	region string
}

// saw records an attempt of action at t in region.
func (t *acc) saw(action string, at time.Time, region string) {
	if cur, ok := t.seen[action]; !ok || at.After(cur.t) {
		t.seen[action] = lastSeen{at, region}
	}
}

type useAcc struct {
	resources map[string]bool
	events    int64
	errors    map[string]int64
}

func newAcc(p *principal) *acc {
	return &acc{p: p, used: map[useKey]*useAcc{}, denied: map[deniedKey]map[string]int64{},
		permissionless: map[callKey]int64{}, unlogged: map[unlogKey]map[string]int64{},
		implied: map[useKey]*useAcc{}, unmapped: map[unmappedKey]*useAcc{}, acts: map[*activity]bool{}, seen: map[string]lastSeen{}}
}

func resName(r *res) string {
	if r == nil {
		return "*"
	}
	return r.arn
}

func (t *acc) record(e *event) {
	a := e.a
	t.events++
	if t.first.IsZero() || e.t.Before(t.first) {
		t.first = e.t
	}
	if !e.t.Before(t.last) {
		t.last, t.lastRegion = e.t, e.region
	}
	if a.action != "" {
		t.saw(a.action, e.t, e.region)
		for _, im := range a.implied {
			t.saw(im, e.t, e.region)
		}
		if len(a.pass) > 0 {
			t.saw(passRole, e.t, e.region)
		}
	}
	switch {
	case a.action == "":
		t.permissionless[callKey{a.source, a.name}]++
	case a.unmapped != "" && a.deny == "":
		u := t.unmapped[unmappedKey{a.source, a.name, a.action, a.unmapped}]
		if u == nil {
			u = &useAcc{resources: map[string]bool{}}
			t.unmapped[unmappedKey{a.source, a.name, a.action, a.unmapped}] = u
		}
		u.resources[resName(e.r)] = true
		u.events++
	case a.deny != "":
		t.deny(deniedKey{a.action, a.source, a.name, e.errCode}, resName(e.r))
		// The sample's refused calls that pass a role are refused
		// iam:PassRole as well (nothing grants it to their callers), so
		// the attempt is denied both actions.
		for _, pr := range passedRoles(a) {
			t.deny(deniedKey{passRole, a.source, a.name, e.errCode}, pr)
		}
	default:
		t.acts[a] = true
		named := e.r
		if a.creates {
			named = nil
		}
		t.use(useKey{a.action, a.via}, e.errCode, resName(named))
		for _, im := range a.implied {
			addUse(t.implied, useKey{im, a.via}, "", resName(e.r))
		}
		if roles := passedRoles(a); len(roles) > 0 {
			t.use(useKey{passRole, a.via}, e.errCode, roles...)
		}
	}
}

// passRole is the action a call that passes a role also needs.
const passRole = "iam:PassRole"

// passedRoles returns the distinct ARNs of the roles an activity passes.
func passedRoles(a *activity) []string {
	var out []string
	for _, p := range a.pass {
		if !slices.Contains(out, p.role.arn) {
			out = append(out, p.role.arn)
		}
	}
	return out
}

func (t *acc) deny(k deniedKey, resource string) {
	if t.denied[k] == nil {
		t.denied[k] = map[string]int64{}
	}
	t.denied[k][resource]++
}

// use counts one event of k on the given resources; errCode is the
// authorized failure it ended in, if any.
func (t *acc) use(k useKey, errCode string, resources ...string) {
	addUse(t.used, k, errCode, resources...)
}

func addUse(m map[useKey]*useAcc, k useKey, errCode string, resources ...string) {
	u := m[k]
	if u == nil {
		u = &useAcc{resources: map[string]bool{}, errors: map[string]int64{}}
		m[k] = u
	}
	for _, r := range resources {
		u.resources[r] = true
	}
	u.events++
	if errCode != "" {
		u.errors[errCode]++
	}
}

func (t *acc) recordUnlogged(a *activity, r *res, at time.Time, region string) {
	t.acts[a] = true
	t.saw(a.action, at, region)
	k := unlogKey{a.action, a.name, a.unlogged}
	if t.unlogged[k] == nil {
		t.unlogged[k] = map[string]int64{}
	}
	t.unlogged[k][resName(r)]++
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// nextMonth lists, for each minting or scheduled activity the principal
// ran successfully in the window, its calls on the first day of the 30
// days after end it runs on, on each candidate with the resource minted
// then, and the actions those calls imply.
func (t *acc) nextMonth(o *org, end time.Time) []TruthNext {
	out := []TruthNext{}
	seen := map[TruthNext]bool{}
	add := func(n TruthNext) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, a := range o.acts {
		if !t.acts[a] || (a.mint == nil && a.on == nil) {
			continue
		}
		for d := end; d.Before(end.AddDate(0, 0, 30)); d = d.AddDate(0, 0, 1) {
			if a.on != nil && !a.on(d) {
				continue
			}
			parents := a.cands
			if len(parents) == 0 {
				parents = []*res{nil}
			}
			for _, pr := range parents {
				r := pr
				if a.mint != nil {
					region := a.who.regions[0]
					if pr != nil {
						region = max(pr.region, 0)
					}
					r = a.mint(o, pr, region, d, 0)
				}
				day := d.Format(time.DateOnly)
				named := r
				if a.creates {
					named = nil
				}
				add(TruthNext{Action: a.action, EventName: a.name, Resource: resName(named), Day: day})
				for _, im := range a.implied {
					add(TruthNext{Action: im, EventName: a.name, Resource: resName(r), Day: day})
				}
			}
			break
		}
	}
	slices.SortFunc(out, func(a, b TruthNext) int {
		return strings.Compare(a.Action+"\x00"+a.Resource, b.Action+"\x00"+b.Resource)
	})
	return out
}

func (t *acc) export() TruthPrincipal {
	p := t.p
	out := TruthPrincipal{ARN: p.arn, Type: p.kind, Name: p.name, Events: t.events,
		FirstEvent: fmtTime(t.first), LastEvent: fmtTime(t.last),
		Used: []TruthUse{}, UsedViaService: []TruthUse{}, Denied: []TruthDenied{},
		Permissionless: []TruthCall{}, Unlogged: []TruthUnlogged{}}
	switch p.kind {
	case "service":
		out.Type, out.ARN = "AWSService", ""
	case "web":
		out.Type, out.ARN = "WebIdentityUser", ""
	case "saml":
		out.Type, out.ARN = "SAMLUser", ""
	case "account":
		out.Type, out.ARN = "AWSAccount", ""
	}
	for k, u := range t.used {
		tu := TruthUse{Action: k.action, InvokedBy: k.via, Resources: sortedKeys(u.resources), Events: u.events}
		if len(u.errors) > 0 {
			tu.Errors = u.errors
		}
		if k.via == "" {
			out.Used = append(out.Used, tu)
		} else {
			out.UsedViaService = append(out.UsedViaService, tu)
		}
	}
	out.Implied = []TruthUse{}
	for k, u := range t.implied {
		out.Implied = append(out.Implied, TruthUse{Action: k.action, InvokedBy: k.via, Resources: sortedKeys(u.resources), Events: u.events})
	}
	cmpUse := func(a, b TruthUse) int {
		return strings.Compare(a.Action+"\x00"+a.InvokedBy, b.Action+"\x00"+b.InvokedBy)
	}
	slices.SortFunc(out.Used, cmpUse)
	slices.SortFunc(out.UsedViaService, cmpUse)
	slices.SortFunc(out.Implied, cmpUse)
	for k, rs := range t.denied {
		var n int64
		for _, c := range rs {
			n += c
		}
		out.Denied = append(out.Denied, TruthDenied{Action: k.action, EventSource: k.source, EventName: k.name,
			ErrorCode: k.code, Resources: sortedKeys(rs), Events: n})
	}
	slices.SortFunc(out.Denied, func(a, b TruthDenied) int {
		return strings.Compare(a.Action+"\x00"+a.EventName+"\x00"+a.ErrorCode, b.Action+"\x00"+b.EventName+"\x00"+b.ErrorCode)
	})
	for k, n := range t.permissionless {
		out.Permissionless = append(out.Permissionless, TruthCall{EventSource: k.source, EventName: k.name, Events: n})
	}
	slices.SortFunc(out.Permissionless, func(a, b TruthCall) int {
		return strings.Compare(a.EventSource+a.EventName, b.EventSource+b.EventName)
	})
	for k, rs := range t.unlogged {
		var n int64
		for _, c := range rs {
			n += c
		}
		out.Unlogged = append(out.Unlogged, TruthUnlogged{Action: k.action, EventName: k.name,
			Resources: sortedKeys(rs), Calls: n, Reason: k.reason})
	}
	slices.SortFunc(out.Unlogged, func(a, b TruthUnlogged) int {
		return strings.Compare(a.Action+"\x00"+a.EventName, b.Action+"\x00"+b.EventName)
	})
	out.Unmapped = []TruthUnmapped{}
	for k, u := range t.unmapped {
		out.Unmapped = append(out.Unmapped, TruthUnmapped{EventSource: k.source, EventName: k.name, Action: k.action,
			Resources: sortedKeys(u.resources), Events: u.events, Reason: k.reason})
	}
	slices.SortFunc(out.Unmapped, func(a, b TruthUnmapped) int {
		return strings.Compare(a.EventSource+"\x00"+a.EventName, b.EventSource+"\x00"+b.EventName)
	})
	return out
}
