package cloudtrail

import (
	"hash/maphash"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// maxCache bounds the mapper's (eventSource, eventName) cache: names come
// from logs and are untrusted, so a flood of distinct names must not grow
// memory without end. Past the bound, mappings are computed per record.
const maxCache = 1 << 16

// Mapper turns raw records into Records, mapping each event to the IAM
// actions it needs. It is safe for concurrent use.
type Mapper struct {
	cat         Catalog
	prefixes    map[string]string
	exc         map[string]*exception
	perm        map[string]string
	passRole    map[string][]string
	instProfile map[string]bool
	formats     map[fmtKey]*arnTemplate
	// canonical spellings of actions added by code
	passRoleAction  string
	s3GetObject     string
	ec2CreateTags   string
	partiQL         [4]string // select, insert, update, delete
	transactActions [4]string // ConditionCheckItem, PutItem, UpdateItem, DeleteItem
	s3Version       map[string]string

	mu     sync.RWMutex
	cache  map[string]*mapping
	seed   maphash.Seed
	recent *[recentSlots]atomic.Pointer[mapping] // by hash of source and name
	uas    *[uaSlots]atomic.Pointer[uaEntry]     // user agents by hash
	strs   *internTable
}

// recentSlots is the size of the Mapper's lock-free cache of mappings.
const recentSlots = 1 << 10

// NewMapper returns a Mapper validating against cat; cat may be nil (also
// a typed nil pointer, such as a *catalog.Catalog that was not loaded).
func NewMapper(cat Catalog) *Mapper {
	if cat != nil {
		if v := reflect.ValueOf(cat); v.Kind() == reflect.Pointer && v.IsNil() {
			cat = nil
		}
	}
	m := &Mapper{
		cat:         cat,
		prefixes:    map[string]string{},
		exc:         map[string]*exception{},
		perm:        map[string]string{},
		passRole:    map[string][]string{},
		instProfile: map[string]bool{},
		formats:     map[fmtKey]*arnTemplate{},
		s3Version:   map[string]string{},
		cache:       map[string]*mapping{},
		seed:        maphash.MakeSeed(),
		recent:      new([recentSlots]atomic.Pointer[mapping]),
		uas:         new([uaSlots]atomic.Pointer[uaEntry]),
		strs:        &internTable{seed: maphash.MakeSeed()},
	}
	for _, p := range sourcePrefixes() {
		m.prefixes[p.source] = p.prefix
	}
	for _, e := range exceptions() {
		e := e
		m.exc[e.source+"\x00"+e.event] = &e
	}
	for _, p := range permissionlessCalls() {
		m.perm[p.source+"\x00"+p.event] = p.reason
	}
	for _, p := range passRoleParams() {
		for _, ev := range p.events {
			k := p.source + "\x00" + ev
			m.passRole[k] = append(m.passRole[k], p.keys...)
		}
	}
	for _, ev := range instanceProfileEvents() {
		m.instProfile[ev] = true
	}
	for _, f := range builtinFormats() {
		format := f.format
		if cat != nil {
			if fs := cat.ResourceARNFormats(f.service, f.rtype); len(fs) > 0 && fs[0] != "" {
				format = fs[0]
			}
		}
		m.formats[fmtKey{f.service, f.rtype}] = compileFormat(format)
	}
	m.passRoleAction = m.canonical("iam:PassRole")
	m.s3GetObject = m.canonical("s3:GetObject")
	m.ec2CreateTags = m.canonical("ec2:CreateTags")
	for i, v := range []string{"Select", "Insert", "Update", "Delete"} {
		m.partiQL[i] = m.canonical("dynamodb:PartiQL" + v)
	}
	for i, v := range []string{"ConditionCheckItem", "PutItem", "UpdateItem", "DeleteItem"} {
		m.transactActions[i] = m.canonical("dynamodb:" + v)
	}
	// S3 calls that name an object version need the Version variant.
	for base, ver := range map[string]string{
		"GetObject":           "GetObjectVersion",
		"DeleteObject":        "DeleteObjectVersion",
		"GetObjectAcl":        "GetObjectVersionAcl",
		"PutObjectAcl":        "PutObjectVersionAcl",
		"GetObjectTagging":    "GetObjectVersionTagging",
		"PutObjectTagging":    "PutObjectVersionTagging",
		"DeleteObjectTagging": "DeleteObjectVersionTagging",
		"GetObjectAttributes": "GetObjectVersionAttributes",
	} {
		b, v := m.canonical("s3:"+base), m.canonical("s3:"+ver)
		if b != "" && v != "" {
			m.s3Version[b] = v
		}
	}
	return m
}

// canonical returns the catalog spelling of a known action, the action
// itself without a catalog, or "" when the catalog does not have it.
func (m *Mapper) canonical(action string) string {
	if m.cat == nil {
		return action
	}
	c, _ := m.cat.Action(action)
	return c
}

// Mapping is how one (eventSource, eventName) maps to IAM actions.
type Mapping struct {
	Kind    MappingKind
	Actions []string // primary first; empty unless Kind is Mapped
	// Rule says which rule decided, for reports on unmapped events.
	Rule string
}

// Map maps an event without a record. Calls whose actions depend on the
// request (DynamoDB PartiQL and TransactWriteItems) come back Unmapped with
// a Rule saying so; Normalize resolves them from requestParameters.
func (m *Mapper) Map(eventSource, eventName string) Mapping {
	e := m.lookup([]byte(eventSource), []byte(eventName))
	mp := Mapping{Kind: e.kind, Actions: append([]string(nil), e.actions...), Rule: e.rule}
	if e.dyn != dynNone {
		mp.Kind = Unmapped
	}
	return mp
}

// MapStored maps an event of which only the source and name were kept,
// such as the rollup's rows of calls that mapped to no action when they
// were ingested (usage_unmapped_daily), by Map's rules under the Mapper's
// catalog. It is stricter than Map: the result is Mapped only when the
// catalog decided it and the actions cannot depend on the request, which
// is gone: events whose actions come from requestParameters (PartiQL,
// TransactWriteItems), that may pass a role (iam:PassRole, instance
// profiles), carry tags (tagging actions, ec2:CreateTags) or name an S3
// object version or copy source all stay Unmapped, with a Rule saying why,
// for a permission they may have needed must not be taken away.
func (m *Mapper) MapStored(eventSource, eventName string) Mapping {
	mp := m.Map(eventSource, eventName)
	if mp.Kind != Mapped {
		return mp
	}
	if m.cat == nil {
		return Mapping{Kind: Unmapped, Rule: "no catalog: the naming rule alone may be wrong"}
	}
	if why := requestDependent(m.lookup([]byte(eventSource), []byte(eventName))); why != "" {
		return Mapping{Kind: Unmapped, Rule: "the request is not stored and " + why}
	}
	return mp
}

// requestDependent says why the actions of e's calls may depend on their
// request (see access), or "" when they do not.
func requestDependent(e *mapping) string {
	switch {
	case e.dyn != dynNone:
		return "the actions come from the request"
	case len(e.passRoleKeys) > 0 || e.instanceProfile:
		return "the call may pass a role (iam:PassRole)"
	case len(e.tagging) > 0:
		return "a call with tags also needs " + strings.Join(e.tagging, ", ")
	case e.prefix == "ec2":
		return "an EC2 call with tags also needs ec2:CreateTags"
	case e.prefix == "s3":
		return "an S3 call may name an object version or a copy source"
	}
	return ""
}

type dynRule uint8

const (
	dynNone          dynRule = iota
	dynPartiQL               // actions from the PartiQL statement verb(s)
	dynTransactWrite         // actions from the TransactItems members
)

// mapping is the cached, per-(source, name) part of normalization.
type mapping struct {
	source, name    string // as logged (bounded); shared by records
	prefix, event   string // IAM prefix, version-stripped name
	kind            MappingKind
	actions         []string
	rule            string
	dyn             dynRule
	passRoleKeys    []string
	instanceProfile bool
	// tagging lists the tagging actions a call of actions needs when it
	// carries tags (catalog.TagOnCreate), not already among actions.
	tagging []string
}

// lookup returns the cached mapping, computing it on first use.
func (m *Mapper) lookup(src, name []byte) *mapping {
	// The recent slots first: a hit takes no lock, so workers normalizing
	// side by side do not contend on the cache's lock.
	h := maphash.Bytes(m.seed, name) ^ maphash.Bytes(m.seed, src)
	slot := &m.recent[h&(recentSlots-1)]
	if e := slot.Load(); e != nil && e.name == string(name) && e.source == string(src) {
		return e
	}
	e := m.lookupSlow(src, name)
	slot.Store(e)
	return e
}

// lookupSlow is lookup from the bounded map.
func (m *Mapper) lookupSlow(src, name []byte) *mapping {
	var kb [2*maxNameLen + 1]byte
	k := append(append(append(kb[:0], src...), 0), name...)
	m.mu.RLock()
	e := m.cache[string(k)]
	m.mu.RUnlock()
	if e != nil {
		return e
	}
	e = m.compute(string(src), string(name))
	if m.cat != nil && e.prefix != "ec2" {
		for _, a := range e.actions {
			if tag := m.cat.TagOnCreate(a); tag != "" && !contains(e.actions, tag) && !contains(e.tagging, tag) {
				e.tagging = append(e.tagging, tag)
			}
		}
	}
	m.mu.Lock()
	if old := m.cache[string(k)]; old != nil {
		e = old
	} else if len(m.cache) < maxCache {
		m.cache[string(k)] = e
	}
	m.mu.Unlock()
	return e
}

func (m *Mapper) compute(source, name string) *mapping {
	e := &mapping{source: source, name: name, kind: Unmapped}
	ev := stripVersion(name)
	e.event = ev
	e.prefix = m.prefixOf(source)
	key := source + "\x00" + ev
	e.passRoleKeys = m.passRole[key]
	e.instanceProfile = source == "ec2.amazonaws.com" && m.instProfile[ev]
	if r, ok := m.perm[key]; ok {
		e.kind, e.rule = Permissionless, "permissionless: "+r
		return e
	}
	if e.prefix == "" || !validName(ev) {
		e.rule = "malformed event source or name"
		return e
	}
	if source == "dynamodb.amazonaws.com" {
		switch ev {
		case "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction":
			e.kind, e.dyn, e.rule = Mapped, dynPartiQL, "PartiQL: dynamodb:PartiQL<verb> from the statement (SAR dynamodb lists all four)"
			return e
		case "TransactWriteItems":
			e.kind, e.dyn, e.rule = Mapped, dynTransactWrite, "TransactWriteItems: one action per kind of TransactItems member (SAR dynamodb lists all four)"
			return e
		}
	}
	if x, ok := m.exc[key]; ok {
		if acts := m.validate(x.actions); len(acts) > 0 {
			e.kind, e.actions, e.rule = Mapped, acts, "exception: "+x.reason
			return e
		}
	}
	cand := e.prefix + ":" + ev
	if source == "apigateway.amazonaws.com" {
		// API Gateway's control plane authorizes by HTTP method
		// (apigateway:GET on /restapis/...), except for the few operations
		// that have their own action (trailscraper; API Gateway developer
		// guide, "Control access for managing an API").
		_, own := m.catAction(cand)
		if verb := apigatewayMethod(ev); verb != "" && !own {
			if c := m.canonical("apigateway:" + verb); c != "" {
				e.kind, e.actions, e.rule = Mapped, []string{c}, "API Gateway: HTTP method of the operation (by verb prefix)"
				return e
			}
		}
	}
	if m.cat == nil {
		e.kind, e.actions, e.rule = Mapped, []string{cand}, "naming rule (no catalog)"
		return e
	}
	if !m.cat.HasService(e.prefix) {
		e.rule = "catalog has no service " + e.prefix
		return e
	}
	if c, ok := m.cat.Action(cand); ok {
		e.kind, e.actions, e.rule = Mapped, []string{c}, "catalog action"
		return e
	}
	var own []string
	for _, a := range m.cat.OperationActions(e.prefix, ev) {
		if strings.HasPrefix(a, e.prefix+":") && !contains(own, a) {
			own = append(own, a)
		}
	}
	switch len(own) {
	case 0:
		e.rule = "catalog has no action " + cand
	case 1:
		e.kind, e.actions, e.rule = Mapped, own, "catalog operation "+ev
	default:
		e.rule = "operation " + ev + " authorizes several actions (" + strings.Join(own, ", ") + "); not in the exceptions table"
	}
	return e
}

func (m *Mapper) catAction(a string) (string, bool) {
	if m.cat == nil {
		return "", false
	}
	return m.cat.Action(a)
}

func (m *Mapper) validate(acts []string) []string {
	if m.cat == nil {
		return acts
	}
	out := make([]string, 0, len(acts))
	for _, a := range acts {
		if c, ok := m.cat.Action(a); ok {
			out = append(out, c)
		}
	}
	return out
}

// prefixOf returns the IAM service prefix for an event source.
func (m *Mapper) prefixOf(source string) string {
	if p, ok := m.prefixes[source]; ok {
		return p
	}
	return hostPrefix(source)
}

// sourcePrefixIndex is sourcePrefixes by event source, built once.
var sourcePrefixIndex = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, p := range sourcePrefixes() {
		m[p.source] = p.prefix
	}
	return m
})

// ServicePrefix returns the IAM service prefix of an event source
// ("monitoring.amazonaws.com" -> "cloudwatch", "s3.amazonaws.com" -> "s3"),
// or "" when the source is malformed.
func ServicePrefix(source string) string {
	if p, ok := sourcePrefixIndex()[source]; ok {
		return p
	}
	return hostPrefix(source)
}

// hostPrefix is the IAM prefix the event source's host names by rule.
func hostPrefix(source string) string {
	host, ok := strings.CutSuffix(source, ".amazonaws.com")
	if !ok {
		host = source
	}
	// Multi-label sources (runtime.sagemaker, streams.dynamodb) are
	// sub-APIs of the service named by their last label.
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		host = host[i+1:]
	}
	if host == "" || !validPrefix(host) {
		return ""
	}
	return host
}

func validPrefix(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// stripVersion removes API-version suffixes some services put in event
// names: Lambda's ListFunctions20150331 and GetFunction20150331v2,
// CloudFront's UpdateDistribution2017_03_25 (trailscraper, cloudtracker).
func stripVersion(n string) string {
	s := n
	// Lambda: <Name>YYYYMMDD[vN]
	if i := strings.LastIndexByte(s, 'v'); i >= 9 && allDigits(s[i+1:]) && allDigits(s[i-8:i]) {
		s = s[:i]
	}
	if l := len(s); l > 9 && allDigits(s[l-8:]) && s[l-8:l-6] == "20" && isLetter(s[l-9]) {
		return s[:l-8]
	}
	// CloudFront: <Name>YYYY_MM_DD
	if l := len(s); l > 11 && s[l-3] == '_' && s[l-6] == '_' && allDigits(s[l-10:l-6]) && allDigits(s[l-5:l-3]) && allDigits(s[l-2:]) && isLetter(s[l-11]) {
		return s[:l-10]
	}
	return n
}

// apigatewayMethod maps an API Gateway operation to the HTTP method IAM
// authorizes it by, from its verb.
func apigatewayMethod(op string) string {
	for _, v := range [...]struct{ prefix, method string }{
		{"Get", "GET"}, {"Create", "POST"}, {"Import", "POST"}, {"Generate", "POST"}, {"Test", "POST"},
		{"Update", "PATCH"}, {"Put", "PUT"}, {"Tag", "PUT"},
		{"Delete", "DELETE"}, {"Untag", "DELETE"}, {"Flush", "DELETE"},
	} {
		if strings.HasPrefix(op, v.prefix) && len(op) > len(v.prefix) && op[len(v.prefix)] >= 'A' && op[len(v.prefix)] <= 'Z' {
			return v.method
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
