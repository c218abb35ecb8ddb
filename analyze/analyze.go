package analyze

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/lastaccess"
	"github.com/iamtrim/iamtrim/policy"
	"github.com/iamtrim/iamtrim/trails"
)

// Window is the analysis window: the days From through To, inclusive.
type Window struct {
	From, To time.Time // UTC midnights
	Days     int
}

// NewWindow returns the window of days days ending on asOf (inclusive).
func NewWindow(asOf time.Time, days int) Window {
	to := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return Window{From: to.AddDate(0, 0, -(days - 1)), To: to, Days: days}
}

// ActionUsage is what the logs show of one action of one principal in the
// window.
type ActionUsage struct {
	Action string
	// Used counts successful calls (denied and unauthenticated ones
	// excluded); Denied the authorization failures.
	Used, Denied        int64
	FirstUsed, LastUsed time.Time
	LastDenied          time.Time
	// Resources maps each ARN successful calls named to their count;
	// DeniedResources those of denied calls.
	Resources       map[string]int64
	DeniedResources map[string]int64
	// MoreResources counts the successful calls on resources the rollup
	// did not keep (beyond ingest's --max-resources in a day): Resources
	// is then incomplete.
	MoreResources int64
	// Via are services that called on the principal's behalf; Own counts
	// the principal's own successful calls.
	Via map[string]int64
	Own int64
	// Remapped counts the successful calls that mapped to no action when
	// they were ingested and map to this one under the analysis's catalog
	// (remapUnmapped): the rollup kept no resource of theirs, so, like
	// MoreResources, they leave Resources incomplete.
	Remapped int64
}

// PrincipalUsage is one principal's usage in the window, by action.
type PrincipalUsage struct {
	ARN     string
	Actions map[string]*ActionUsage
	// Unmapped are the successful calls no IAM action could be found for,
	// by event source and name.
	Unmapped []UnmappedCall
}

// Thresholds tune what the analysis concludes.
type Thresholds struct {
	// MinCoverage is the least share of the window's days that must have
	// logs before any permission may be called unused (default 0.5).
	MinCoverage float64
	// MinDays is the least number of days with logs (default 7).
	MinDays int
}

// DefaultThresholds are used when no thresholds are given. Zero is a
// threshold like any other: MinDays 0 means no least number of days.
var DefaultThresholds = Thresholds{MinCoverage: 0.5, MinDays: 7}

// OrDefault returns t, or DefaultThresholds when t is nil.
func (t *Thresholds) OrDefault() Thresholds {
	if t == nil {
		return DefaultThresholds
	}
	return *t
}

// Input is everything the analysis of one principal needs.
type Input struct {
	Principal authz.Principal
	Effective *authz.Effective
	Usage     *PrincipalUsage // nil when the logs never show it
	Catalog   *catalog.Catalog
	Trails    *trails.Config
	// Seen holds the service prefixes with any event in the principal's
	// account during the window.
	Seen     map[string]bool
	Coverage Coverage
	Window   Window
	// Thresholds: nil means DefaultThresholds.
	Thresholds *Thresholds
	// PathlessARNs maps an IAM role or user ARN without its path
	// (arn:aws:iam::1:role/NAME, as events that name a role by name yield)
	// to the real ARN with its path, from the inventory.
	PathlessARNs map[string]string
	// LastAccessed is the principal's IAM last-accessed data, nil when
	// none is stored.
	LastAccessed *lastaccess.Report
	// ProfileRoles maps "ACCOUNT/NAME" of an instance profile to the ARNs
	// of its roles: an iam:PassRole through an instance profile (EC2
	// RunInstances) logs the profile, not the role.
	ProfileRoles map[string][]string
}

// ProfileRoles indexes the inventory's instance profiles by account and
// name.
func ProfileRoles(inv *authz.Inventory) map[string][]string {
	m := map[string][]string{}
	for _, r := range inv.Roles {
		for _, ip := range r.InstanceProfiles {
			k := authz.AccountOf(ip) + "/" + ip[strings.LastIndexByte(ip, '/')+1:]
			m[k] = append(m[k], r.ARN)
		}
	}
	return m
}

// resolveResources restores role paths and turns instance profiles into
// their roles for iam:PassRole. ok is false when an instance profile is
// unknown: the roles passed cannot be named then.
func resolveResources(in Input, action string, resources map[string]int64) (out []string, ok bool) {
	passRole := strings.EqualFold(action, "iam:PassRole")
	ok = true
	for res := range resources {
		if passRole && strings.Contains(res, ":instance-profile/") {
			roles := in.ProfileRoles[authz.AccountOf(res)+"/"+res[strings.LastIndexByte(res, '/')+1:]]
			if len(roles) == 0 {
				ok = false
			}
			out = append(out, roles...)
			continue
		}
		if full, found := in.PathlessARNs[res]; found {
			res = full
		}
		out = append(out, res)
	}
	sort.Strings(out)
	return slices.Compact(out), ok
}

// PathlessARNs indexes the inventory's roles, users, groups and instance
// profiles that have a path by their ARN without it.
func PathlessARNs(inv *authz.Inventory) map[string]string {
	m := map[string]string{}
	for _, r := range inv.Roles {
		if r.Path != "" && r.Path != "/" {
			m["arn:aws:iam::"+r.AccountID+":role/"+r.Name] = r.ARN
		}
	}
	for _, u := range inv.Users {
		if u.Path != "" && u.Path != "/" {
			m["arn:aws:iam::"+u.AccountID+":user/"+u.Name] = u.ARN
		}
	}
	for _, g := range inv.Groups {
		if g.Path != "" && g.Path != "/" {
			m["arn:aws:iam::"+g.AccountID+":group/"+g.Name] = g.ARN
		}
	}
	for _, r := range inv.Roles {
		for _, ip := range r.InstanceProfiles {
			if i := strings.Index(ip, ":instance-profile/"); i >= 0 && strings.Contains(ip[i+len(":instance-profile/"):], "/") {
				m[ip[:i]+":instance-profile/"+ip[strings.LastIndexByte(ip, '/')+1:]] = ip
			}
		}
	}
	return m
}

// escalation lists privilege-escalation actions: unused, they weigh five
// times their access level.
var escalation = map[string]bool{
	"iam:passrole":                       true,
	"iam:createpolicyversion":            true,
	"iam:setdefaultpolicyversion":        true,
	"iam:attachrolepolicy":               true,
	"iam:attachuserpolicy":               true,
	"iam:attachgrouppolicy":              true,
	"iam:putrolepolicy":                  true,
	"iam:putuserpolicy":                  true,
	"iam:putgrouppolicy":                 true,
	"iam:updateassumerolepolicy":         true,
	"iam:createaccesskey":                true,
	"iam:createloginprofile":             true,
	"iam:updateloginprofile":             true,
	"iam:addusertogroup":                 true,
	"iam:deleterolepermissionsboundary":  true,
	"iam:deleteuserpermissionsboundary":  true,
	"iam:putrolepermissionsboundary":     true,
	"sts:assumerole":                     true,
	"lambda:updatefunctioncode":          true,
	"lambda:createfunction":              true,
	"lambda:updatefunctionconfiguration": true,
	"lambda:addpermission":               true,
	"glue:updatedevendpoint":             true,
	"glue:createdevendpoint":             true,
	"cloudformation:createstack":         true,
	"cloudformation:updatestack":         true,
	"ec2:runinstances":                   true,
	"ssm:sendcommand":                    true,
	"ssm:startsession":                   true,
	"datapipeline:createpipeline":        true,
	"codestar:createproject":             true,
	"kms:creategrant":                    true,
	"kms:putkeypolicy":                   true,
	"secretsmanager:putresourcepolicy":   true,
	"s3:putbucketpolicy":                 true,
	"sso:createpermissionset":            true,
	"organizations:leaveorganization":    true,
}

// IsEscalation reports whether action can grant its caller more power.
func IsEscalation(action string) bool { return escalation[strings.ToLower(action)] }

// The risk score's rule, also shown in the report's methodology: each
// unused action weighs LevelWeight of its access level (1 when the catalog
// does not say), times EscalationFactor for a privilege-escalation action;
// HighScore and MediumScore are the levels' thresholds (see riskLevel).
const (
	EscalationFactor = 5
	HighScore        = 200
	MediumScore      = 40
)

// LevelWeight returns the risk weight of an unused action of access level
// lvl.
func LevelWeight(lvl catalog.AccessLevel) float64 {
	if w := levelWeight[lvl]; w != 0 {
		return w
	}
	return 1
}

var levelWeight = map[catalog.AccessLevel]float64{
	catalog.PermissionsManagement: 8,
	catalog.Write:                 4,
	catalog.Tagging:               2,
	catalog.List:                  1,
	catalog.Read:                  1,
}

// Principal analyzes one principal.
func Principal(in Input) Result {
	p := in.Principal
	eff := in.Effective
	th := in.Thresholds.OrDefault()
	r := Result{
		PrincipalARN: p.ARN, Type: p.Type, AccountID: p.AccountID, Name: p.Name,
		Granted: []string{}, Used: []UsedAction{}, Unused: []string{}, Unobservable: []Unobservable{},
		Denied: []DeniedAction{}, Flags: []string{},
		LastUsed: LastUsed{Services: map[string]time.Time{}},
		Coverage: in.Coverage,
	}
	if p.Role != nil {
		r.Path = p.Role.Path
		r.Workload = isWorkloadTrust(p.Role.Trust)
	} else if p.User != nil {
		r.Path = p.User.Path
	}
	r.Coverage.Sufficient = r.Coverage.DaysWithLogs >= th.MinDays && r.Coverage.Ratio >= th.MinCoverage
	if !r.Coverage.Sufficient {
		r.Flags = append(r.Flags, "insufficient-evidence")
		r.Caveats = append(r.Caveats, fmt.Sprintf("logs cover %d of %d days (%.0f%%), under the %d days and %.0f%% needed: nothing is called unused", r.Coverage.DaysWithLogs, r.Coverage.WindowDays, 100*r.Coverage.Ratio, th.MinDays, 100*th.MinCoverage))
	}
	if in.Trails == nil || !in.Trails.Known {
		r.Caveats = append(r.Caveats, "trail configuration unknown: data events (S3 objects, Lambda Invoke, DynamoDB items, ...) are assumed not logged, so their actions are unobservable")
	}
	if eff == nil {
		eff = &authz.Effective{Grants: map[string]*authz.Grant{}}
	}
	if !eff.Expanded {
		r.GrantedPatterns = eff.Patterns
		r.Caveats = append(r.Caveats, authz.NoCatalogNote)
	}
	r.Caveats = append(r.Caveats, eff.Notes...)
	for _, m := range eff.Missing {
		r.Caveats = append(r.Caveats, "managed policy "+m+" is not in the inventory: what it grants is not counted")
	}

	blocked := blockedBySCP(eff)
	r.BlockedBySCP = blocked
	granted := eff.Actions()
	grantedKey := make(map[string]string, len(granted)) // lower -> canonical
	for _, a := range granted {
		grantedKey[strings.ToLower(a)] = a
	}
	if eff.Expanded {
		r.Granted = granted
	}

	// Used and denied actions, in catalog casing.
	var lastAny time.Time
	usedKey := map[string]bool{}
	deniedOnly := map[string]bool{}
	var unknown []UnmappedCall // calls of actions the catalog does not know
	var stillUnmapped []UnmappedCall
	if in.Usage != nil {
		actions, still, remapped := remapUnmapped(in.Catalog, in.Usage)
		stillUnmapped = still
		if len(remapped) > 0 {
			r.Caveats = append(r.Caveats, fmt.Sprintf("%d successful call name(s) mapped to no IAM action when ingested and map under the current action catalog (%s): they count as used, on resources unknown (the rollup kept none), so their actions keep their current scope", len(remapped), someOf(remapped)))
		}
		names := make([]string, 0, len(actions))
		for a := range actions {
			names = append(names, a)
		}
		sort.Strings(names)
		for _, name := range names {
			u := actions[name]
			action, known := in.Catalog.Action(name)
			if !known {
				action = name
			}
			_, isGranted := grantedKey[strings.ToLower(action)]
			if !eff.Expanded {
				isGranted = patternGranted(eff, action)
			}
			if u.Used > 0 && !isGranted {
				if b, ok := eff.BlockedBySCP[action]; ok {
					r.Caveats = append(r.Caveats, fmt.Sprintf("%s succeeded %d times in the window, yet the SCPs take it away (%s): is the stored organisation current?", action, u.Used, b))
				}
			}
			if u.Used > 0 && !isGranted && !known && in.Catalog.HasService(service(action)) {
				// The rollup names an action the catalog does not know, of
				// a service it knows: mapped without a catalog (ingested
				// before one was loaded) or under another version of it.
				// Which permission the calls needed is unknown, as for calls
				// mapped to no action: not an action used but not granted,
				// or recommend would drop the service's grant they may need.
				unknown = append(unknown, unknownCall(action, u))
				r.Caveats = append(r.Caveats, fmt.Sprintf("%s succeeded %d times in the window, but the action catalog has no such action: the logs were mapped without a catalog or under another version of it, so the calls count as mapping to no IAM action", action, u.Used))
			} else if u.Used > 0 {
				ua := UsedAction{Action: action, Calls: u.Used, FirstUsed: u.FirstUsed, LastUsed: u.LastUsed, Granted: isGranted}
				resolved, ok := resolveResources(in, action, u.Resources)
				ua.MoreResourceCalls = u.MoreResources + u.Remapped
				if u.MoreResources > 0 {
					r.Caveats = append(r.Caveats, fmt.Sprintf("%s: %d calls named more distinct resources in a day than the rollup keeps (ingest --max-resources), so its resource list is incomplete", action, u.MoreResources))
				}
				if ok {
					ua.Resources = resolved
				} else {
					// Some calls passed the role of an instance profile the
					// inventory does not know: name no resource, so the
					// recommendation keeps the current scope.
					r.Caveats = append(r.Caveats, action+": a call passed the role of an instance profile not in the inventory, so the roles passed are not named")
				}
				for svc := range u.Via {
					ua.ViaService = append(ua.ViaService, svc)
				}
				sort.Strings(ua.ViaService)
				r.Used = append(r.Used, ua)
				usedKey[strings.ToLower(action)] = true
				if !isGranted {
					r.UsedNotGranted = append(r.UsedNotGranted, action)
				}
				svc := service(action)
				if u.LastUsed.After(r.LastUsed.Services[svc]) {
					r.LastUsed.Services[svc] = u.LastUsed
				}
				if u.LastUsed.After(lastAny) {
					lastAny = u.LastUsed
				}
			}
			if u.Denied > 0 {
				r.Denied = append(r.Denied, DeniedAction{Action: action, Count: u.Denied, LastSeen: u.LastDenied, Granted: isGranted})
				if u.Used == 0 {
					deniedOnly[strings.ToLower(action)] = true
				}
			}
		}
	}
	if in.Usage != nil {
		lastAny = unmapped(&r, append(slices.Clip(stillUnmapped), unknown...), lastAny)
	}
	if !lastAny.IsZero() {
		r.LastUsed.Any = &lastAny
	}
	r.Used = mergeUsed(r.Used)

	// Each granted action not used is unused or unobservable.
	for _, a := range granted {
		if !eff.Expanded {
			break
		}
		if usedKey[strings.ToLower(a)] {
			continue
		}
		if reason, scope := unobservable(a, eff.Grants[a], in); reason != "" {
			r.Unobservable = append(r.Unobservable, Unobservable{Action: a, Reason: reason, Resources: scope})
			continue
		}
		r.Unused = append(r.Unused, a)
	}
	// Used actions whose data events the trail logs for some resources
	// only: their use of the others could not have shown.
	for _, u := range r.Used {
		if !u.Granted || !eff.Expanded {
			continue
		}
		t := trails.DataEventType(u.Action)
		if t == "" || in.Trails.DataLogged(t, "") != trails.Partly {
			continue
		}
		if scope := unloggedScope(eff.Grants[u.Action], t, in.Trails); len(scope) > 0 {
			r.Unobservable = append(r.Unobservable, Unobservable{Action: u.Action, Reason: "data-event-partly-logged", Resources: scope})
		}
	}
	slices.SortStableFunc(r.Unobservable, func(a, b Unobservable) int { return strings.Compare(a.Action, b.Action) })
	// IAM's last-accessed data, where there is some, decides what
	// CloudTrail cannot, and keeps what was used before the window.
	var laUnused map[string]bool
	if eff.Expanded {
		laUnused = applyLastAccessed(&r, in, usedKey, deniedOnly)
	}
	levelCount := map[string]int{}
	for _, a := range r.Unused {
		lvl := in.Catalog.AccessLevel(a)
		if r.unusedByLevel == nil {
			r.unusedByLevel = map[string][]string{}
		}
		r.unusedByLevel[string(lvl)] = append(r.unusedByLevel[string(lvl)], a)
		w := LevelWeight(lvl)
		if IsEscalation(a) {
			w *= EscalationFactor
			r.Risk.HighRiskUnused = append(r.Risk.HighRiskUnused, a)
		}
		r.Risk.Score += w
		levelCount[string(lvl)]++
	}
	r.Risk.UnusedByAccessLevel = levelCount
	r.Risk.Score = math.Round(r.Risk.Score*10) / 10
	r.Risk.Admin = eff.AllActions || eff.AdminBeforeSCP || grantsStarOnStar(eff)
	if eff.AdminBeforeSCP {
		r.Caveats = append(r.Caveats, fmt.Sprintf("the identity policies grant every action; the SCPs take %d away: an administrator wherever they are detached", len(eff.BlockedBySCP)))
	}
	r.Risk.ServiceWildcards = serviceWildcards(p)

	if r.Risk.Admin {
		r.Flags = append(r.Flags, "admin")
		if r.Workload {
			r.Flags = append(r.Flags, "workload-admin")
		}
	}
	if len(r.Risk.ServiceWildcards) > 0 {
		r.Flags = append(r.Flags, "service-wildcard")
	}
	for _, g := range eff.Grants {
		if len(g.ConditionalDeny) > 0 {
			r.Flags = append(r.Flags, "conditional-deny")
			r.Caveats = append(r.Caveats, "a conditional Deny applies to some granted actions: they are kept, flagged")
			break
		}
	}
	if r.LastUsed.Any == nil && olderThanWindow(p, in.Window) && r.Coverage.Sufficient && len(r.LastAccessedUsed) == 0 && len(r.Seasonal) == 0 {
		r.Flags = append(r.Flags, "unused-principal")
	}
	if !r.Coverage.Sufficient {
		// No removals: nothing may be called unused on thin evidence, not
		// even the logged part of a partly logged grant, and no risk is
		// scored from unused actions.
		r.Risk.HighRiskUnused, r.Risk.UnusedByAccessLevel, r.Risk.Score = nil, map[string]int{}, 0
		for i := range r.Unobservable {
			r.Unobservable[i].Resources = nil
		}
		// What IAM's last-accessed data called unused does not depend on
		// the logs: it stays unused (not scored, like the rest).
		kept := []string{}
		for _, a := range r.Unused {
			if laUnused[a] {
				kept = append(kept, a)
				continue
			}
			r.Unobservable = append(r.Unobservable, Unobservable{Action: a, Reason: "insufficient-evidence"})
		}
		r.Unused = kept
		for i, ev := range r.Evidence {
			if ev.Class == "unused" && !laUnused[ev.Action] {
				r.Evidence[i].Class, r.Evidence[i].Source, r.Evidence[i].Reason = "unobservable", SourceNone, "insufficient-evidence"
			}
		}
		slices.SortFunc(r.Unobservable, func(a, b Unobservable) int { return strings.Compare(a.Action, b.Action) })
	}
	r.Risk.Level = riskLevel(r)
	sort.Strings(r.Flags)
	return r
}

// blockedBySCP lists eff's actions the SCPs take away, sorted.
func blockedBySCP(eff *authz.Effective) []BlockedAction {
	if len(eff.BlockedBySCP) == 0 {
		return nil
	}
	out := make([]BlockedAction, 0, len(eff.BlockedBySCP))
	for a, b := range eff.BlockedBySCP {
		ba := BlockedAction{Action: a, Level: b.Level, Reason: b.String()}
		if b.Deny != nil {
			ba.Policy, ba.Sid, ba.Statement = b.Deny.Policy, b.Deny.Sid, b.Deny.Index+1
		}
		out = append(out, ba)
	}
	slices.SortFunc(out, func(a, b BlockedAction) int { return strings.Compare(a.Action, b.Action) })
	return out
}

// unmapped lists the principal's successful calls that map to no IAM
// action, counts them in the risk and names them in the caveats: the
// actions they needed are unknown, so the analysis cannot call the
// principal's other grants of those services unused with certainty. It
// returns the latest of last and their last calls.
func unmapped(r *Result, calls []UnmappedCall, last time.Time) time.Time {
	var total int64
	var names []string
	for _, u := range calls {
		if u.Calls <= 0 {
			continue
		}
		r.Unmapped = append(r.Unmapped, u)
		total += u.Calls
		if u.LastSeen.After(last) {
			last = u.LastSeen
		}
		if u.Service != "" && u.LastSeen.After(r.LastUsed.Services[u.Service]) {
			r.LastUsed.Services[u.Service] = u.LastSeen
		}
	}
	if total == 0 {
		return last
	}
	slices.SortFunc(r.Unmapped, func(a, b UnmappedCall) int {
		return cmp.Or(strings.Compare(a.EventSource, b.EventSource), strings.Compare(a.EventName, b.EventName))
	})
	for _, u := range r.Unmapped {
		names = append(names, fmt.Sprintf("%s %s ×%d", u.EventSource, u.EventName, u.Calls))
	}
	r.Risk.UnmappedCalls = total
	r.Caveats = append(r.Caveats, fmt.Sprintf("%d successful calls map to no IAM action (%s): the actions they need are unknown, so unused actions of their services may be needed; recommend keeps those services' current grant (KeptUnmapped) or, with --unmapped fail, fails", total, someOf(names)))
	return last
}

// someOf joins the first 5 names, and says how many more there are, so
// that a caveat stays one readable line however many names it has.
func someOf(names []string) string {
	const show = 5
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}

// mergeUsed folds entries that became equal after canonical casing.
func mergeUsed(in []UsedAction) []UsedAction {
	slices.SortStableFunc(in, func(a, b UsedAction) int { return strings.Compare(a.Action, b.Action) })
	out := in[:0]
	for _, u := range in {
		if n := len(out); n > 0 && out[n-1].Action == u.Action {
			o := &out[n-1]
			o.Calls += u.Calls
			o.MoreResourceCalls += u.MoreResourceCalls
			if u.FirstUsed.Before(o.FirstUsed) {
				o.FirstUsed = u.FirstUsed
			}
			if u.LastUsed.After(o.LastUsed) {
				o.LastUsed = u.LastUsed
			}
			o.Resources = sortedUnion(o.Resources, u.Resources)
			o.ViaService = sortedUnion(o.ViaService, u.ViaService)
			continue
		}
		out = append(out, u)
	}
	return out
}

func sortedUnion(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	sort.Strings(out)
	return slices.Compact(out)
}

// remapUnmapped resolves the principal's calls that mapped to no IAM
// action when they were ingested (their service or action was unknown to
// the catalog of that time) against the analysis's catalog, by the
// mapper's own rules (cloudtrail.Mapper.MapStored): the usage by action
// with the calls that map now added, as used on resources unknown
// (Remapped), the calls that still map to no action, and the remapped
// calls named. u is not changed. A call maps only when the catalog decides
// it and its request, which the rollup did not keep, could not change its
// actions; any other stays unmapped, so its service's grant is kept.
func remapUnmapped(cat *catalog.Catalog, u *PrincipalUsage) (actions map[string]*ActionUsage, still []UnmappedCall, remapped []string) {
	actions, still = u.Actions, u.Unmapped
	if cat == nil || len(u.Unmapped) == 0 {
		return actions, still, nil
	}
	still = nil
	for _, c := range u.Unmapped {
		acts := StoredActions(cat, c.EventSource, c.EventName)
		if len(acts) == 0 || c.Calls <= 0 {
			still = append(still, c)
			continue
		}
		if remapped == nil {
			actions = maps.Clone(u.Actions)
			if actions == nil {
				actions = map[string]*ActionUsage{}
			}
		}
		for _, a := range acts {
			au := &ActionUsage{Action: a, Resources: map[string]int64{}, DeniedResources: map[string]int64{}, Via: map[string]int64{}}
			if old := actions[a]; old != nil {
				cp := *old // the maps are shared, and only read
				au = &cp
			}
			au.Used += c.Calls
			au.Remapped += c.Calls
			first := c.FirstSeen
			if first.IsZero() {
				first = c.LastSeen
			}
			if au.FirstUsed.IsZero() || first.Before(au.FirstUsed) {
				au.FirstUsed = first
			}
			if c.LastSeen.After(au.LastUsed) {
				au.LastUsed = c.LastSeen
			}
			actions[a] = au
		}
		remapped = append(remapped, fmt.Sprintf("%s %s ×%d → %s", c.EventSource, c.EventName, c.Calls, strings.Join(acts, ", ")))
	}
	return actions, still, remapped
}

// StoredActions returns the IAM actions under cat of calls stored as
// mapping to no action, of which the rollup kept only the event source and
// name, by the mapper's own rules (cloudtrail.Mapper.MapStored); nil when
// they still map to none, or when their actions could depend on the
// request the rollup did not keep, or cat is nil.
func StoredActions(cat *catalog.Catalog, eventSource, eventName string) []string {
	if cat == nil {
		return nil
	}
	mp := mapperFor(cat).MapStored(eventSource, eventName)
	if mp.Kind != cloudtrail.Mapped {
		return nil
	}
	return mp.Actions
}

// remapper is the mapper of the catalog analyzed with last: building one
// per principal would repeat the same work.
var remapper struct {
	sync.Mutex
	cat *catalog.Catalog
	m   *cloudtrail.Mapper
}

// mapperFor returns a mapper of cat, shared between calls.
func mapperFor(cat *catalog.Catalog) *cloudtrail.Mapper {
	remapper.Lock()
	defer remapper.Unlock()
	if remapper.cat != cat || remapper.m == nil {
		remapper.cat, remapper.m = cat, cloudtrail.NewMapper(cat)
	}
	return remapper.m
}

// unknownCall is the successful calls of an action the catalog does not
// know, as calls that map to no action: event source named after the
// service when that names it back (xray.amazonaws.com), else the service.
func unknownCall(action string, u *ActionUsage) UnmappedCall {
	svc, name, _ := strings.Cut(action, ":")
	source := svc + ".amazonaws.com"
	if !strings.EqualFold(cloudtrail.ServicePrefix(source), svc) {
		source = svc
	}
	return UnmappedCall{EventSource: source, EventName: name, Service: strings.ToLower(svc), Calls: u.Used, LastSeen: u.LastUsed}
}

func service(action string) string {
	if i := strings.IndexByte(action, ':'); i >= 0 {
		return action[:i]
	}
	return action
}

func patternGranted(eff *authz.Effective, action string) bool {
	for _, pat := range eff.Patterns {
		if policy.MatchAction(pat, action) {
			return true
		}
	}
	return false
}

// unobservable returns why CloudTrail could not have shown a use of action
// in the window, or "" when it could have; for data events the trail logs
// for some resources only, also the part of the grant it does not log.
func unobservable(action string, g *authz.Grant, in Input) (string, []string) {
	if trails.PermissionOnly(action) {
		return "permission-only", nil
	}
	t := trails.DataEventType(action)
	if t == "" && in.Trails.ManagementLogged() == trails.NotLogged {
		return "management-events-not-logged", nil
	}
	if t != "" {
		switch in.Trails.DataLogged(t, "") {
		case trails.Unknown:
			return "data-event-logging-unknown", nil
		case trails.NotLogged:
			return "data-event-not-logged", nil
		case trails.Partly:
			if scope := unloggedScope(g, t, in.Trails); len(scope) > 0 {
				return "data-event-partly-logged", scope
			}
		}
	}
	if !in.Seen[strings.ToLower(service(action))] && (t != "" || !in.Trails.AllManagementEverywhere()) {
		// No event of the service: unobservable, unless a trail logs every
		// management event everywhere, when its management actions were
		// simply not called.
		return "service-not-in-logs", nil
	}
	return "", nil
}

// unloggedScope returns the resource patterns of a grant that the trail's
// data event selectors of type t do not cover whole; ["*"] when the grant
// cannot be narrowed that way (no resources, or NotResource).
func unloggedScope(g *authz.Grant, t string, cfg *trails.Config) []string {
	if g == nil || len(g.Resources) == 0 || len(g.NotResources) > 0 {
		return []string{"*"}
	}
	var out []string
	for _, res := range g.Resources {
		if cfg.DataLoggedFor(t, res) != trails.Logged {
			out = append(out, res)
		}
	}
	return out
}

func grantsStarOnStar(eff *authz.Effective) bool {
	g, ok := eff.Grants["*"]
	return ok && !g.Conditional && slices.Contains(g.Resources, "*")
}

// serviceWildcards lists the services granted as "service:*" (or "*") by
// an Allow statement of the principal's identity policies.
func serviceWildcards(p authz.Principal) []string {
	seen := map[string]bool{}
	for _, np := range p.Policies.Identity {
		if np.Doc == nil {
			continue
		}
		for _, st := range np.Doc.Statements {
			if st.Effect != policy.EffectAllow || st.HasNotAction {
				continue
			}
			for _, a := range st.Action {
				if a == "*" {
					seen["*"] = true
				} else if svc, rest, ok := strings.Cut(a, ":"); ok && rest == "*" {
					seen[strings.ToLower(svc)] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// olderThanWindow reports whether the principal existed before the window
// began (unknown creation dates count as older).
func olderThanWindow(p authz.Principal, w Window) bool {
	var created time.Time
	if p.Role != nil {
		created = p.Role.CreateDate
	} else if p.User != nil {
		created = p.User.CreateDate
	}
	return created.IsZero() || created.Before(w.From)
}

// isWorkloadTrust reports whether a trust policy lets AWS services or
// web identities (workloads) assume the role, rather than only people or
// accounts.
func isWorkloadTrust(trust []byte) bool {
	s := string(trust)
	return strings.Contains(s, `"Service"`) || strings.Contains(s, "AssumeRoleWithWebIdentity")
}

func riskLevel(r Result) string {
	switch {
	case r.Risk.Admin && r.Workload, r.Risk.Admin && len(r.Risk.HighRiskUnused) > 0 && r.LastUsed.Any == nil:
		return "critical"
	case r.Risk.Admin || len(r.Risk.HighRiskUnused) > 0 || r.Risk.Score >= HighScore:
		return "high"
	case r.Risk.Score >= MediumScore:
		return "medium"
	case r.Risk.Score > 0:
		return "low"
	}
	return "none"
}
