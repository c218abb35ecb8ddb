package catalog

import (
	"cmp"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// AccessLevel is the access level AWS assigns to an action.
type AccessLevel string

// The access levels, as the Service Authorization Reference names them.
const (
	List                  AccessLevel = "List"
	Read                  AccessLevel = "Read"
	Write                 AccessLevel = "Write"
	PermissionsManagement AccessLevel = "Permissions management"
	Tagging               AccessLevel = "Tagging"
)

// AccessLevels lists every access level, from least to most powerful.
func AccessLevels() []AccessLevel {
	return []AccessLevel{List, Read, Tagging, Write, PermissionsManagement}
}

// valid reports whether l is one of the five access levels.
func (l AccessLevel) valid() bool {
	switch l {
	case List, Read, Write, PermissionsManagement, Tagging:
		return true
	}
	return false
}

// ErrNoCatalog is returned by LoadCurrent and CurrentVersion when no
// catalog has been loaded into the database.
var ErrNoCatalog = errors.New("no action catalog loaded (run `iamtrim catalog load DIR` or `iamtrim catalog update`)")

// Version identifies one loaded catalog.
type Version struct {
	// ID is the catalog_version row; 0 until the catalog is stored.
	ID int64
	// Source says where the documents came from: a directory or a URL.
	Source string
	// FetchedAt is when the documents were read or downloaded.
	FetchedAt time.Time
	// Digest is "sha256:<hex>" over the catalog's content (not its source
	// or time), so the same content always has the same digest.
	Digest string
	// Services and Actions count what the catalog holds.
	Services, Actions int
}

// ActionInfo describes one action.
type ActionInfo struct {
	// Name is the canonical action, "s3:GetObject".
	Name string
	// Service is the service prefix, "s3".
	Service     string
	AccessLevel AccessLevel
	// Resources are the resource types the action can be scoped to, in
	// published order; empty means only "*" applies.
	Resources []ActionResource
	// ConditionKeys are the action-specific condition keys.
	ConditionKeys []string
}

// ActionResource is a resource type an action supports.
type ActionResource struct {
	Name       string
	ARNFormats []string
}

// ConditionKey is a service condition key and its value types.
type ConditionKey struct {
	Name  string
	Types []string
}

// maxCachedPatterns bounds Expand's per-catalog pattern cache; patterns
// past the bound are still answered, just not remembered.
const maxCachedPatterns = 1 << 16

// Catalog is a loaded action catalog. It is immutable after load and safe
// for concurrent use; a nil *Catalog answers as an empty catalog.
type Catalog struct {
	version  Version
	services []*service          // sorted by name
	byName   map[string]*service // lower-case prefix -> service
	actions  map[string]*action  // lower-case "svc:action" -> action
	all      []string            // every canonical action, sorted

	cache     sync.Map // pattern -> []string (shared; cloned on return)
	cacheSize atomic.Int64
}

// service is one service document, normalized: every list sorted by name
// (actions by canonical name) so the digest and the database agree.
type service struct {
	name          string
	docVersion    string
	actions       []*action // sorted by name
	resources     []*resource
	conditionKeys []ConditionKey
	operations    []*operation

	names     []string             // canonical full names, sorted (Expand "svc:*")
	lower     []lowerEntry         // sorted by lower-case action name (prefix search)
	resByName map[string]*resource // lower-case name
	opByName  map[string]*operation
}

type lowerEntry struct {
	name string // lower-case action name, no prefix
	a    *action
}

type action struct {
	full          string // "s3:GetObject"
	name          string // "GetObject"
	level         AccessLevel
	resources     []string // resource type names, published order
	conditionKeys []string
	// lastAccessed: IAM tracks this action's last access one by one
	// (SupportedBy "IAM Action Last Accessed").
	lastAccessed bool
	svc          *service
}

type resource struct {
	name          string
	arnFormats    []string
	conditionKeys []string
}

type operation struct {
	name string
	// authorized lists canonical "svc:Action" names, published order,
	// duplicates removed. Empty when AWS publishes none.
	authorized []string
}

// Version returns which catalog this is.
func (c *Catalog) Version() Version {
	if c == nil {
		return Version{}
	}
	return c.version
}

// Action returns the canonical spelling of an action name, matched
// case-insensitively: "S3:getobject" -> "s3:GetObject".
func (c *Catalog) Action(name string) (canonical string, ok bool) {
	a := c.lookup(name)
	if a == nil {
		return "", false
	}
	return a.full, true
}

func (c *Catalog) lookup(name string) *action {
	if c == nil {
		return nil
	}
	return c.actions[strings.ToLower(name)]
}

// HasService reports whether the catalog knows a service prefix,
// case-insensitively.
func (c *Catalog) HasService(prefix string) bool {
	if c == nil {
		return false
	}
	_, ok := c.byName[strings.ToLower(prefix)]
	return ok
}

// Services returns every service prefix, sorted.
func (c *Catalog) Services() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.services))
	for i, s := range c.services {
		out[i] = s.name
	}
	return out
}

// Actions returns every action, canonical and sorted.
func (c *Catalog) Actions() []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.all)
}

// ServiceActions returns the canonical actions of one service, sorted; nil
// when the service is unknown.
func (c *Catalog) ServiceActions(prefix string) []string {
	if c == nil {
		return nil
	}
	s := c.byName[strings.ToLower(prefix)]
	if s == nil {
		return nil
	}
	return slices.Clone(s.names)
}

// AccessLevel returns an action's access level, or "" when the action is
// unknown.
func (c *Catalog) AccessLevel(action string) AccessLevel {
	a := c.lookup(action)
	if a == nil {
		return ""
	}
	return a.level
}

// LastAccessTracked reports whether IAM's last-accessed data reports this
// action's last access on its own (the Service Reference's SupportedBy
// "IAM Action Last Accessed"); false for unknown actions and for services
// IAM tracks at service level only.
func (c *Catalog) LastAccessTracked(action string) bool {
	a := c.lookup(action)
	return a != nil && a.lastAccessed
}

// ActionInfo describes an action, matched case-insensitively.
func (c *Catalog) ActionInfo(action string) (ActionInfo, bool) {
	a := c.lookup(action)
	if a == nil {
		return ActionInfo{}, false
	}
	info := ActionInfo{
		Name:          a.full,
		Service:       a.svc.name,
		AccessLevel:   a.level,
		ConditionKeys: slices.Clone(a.conditionKeys),
	}
	for _, rt := range a.resources {
		ar := ActionResource{Name: rt}
		if r := a.svc.resByName[strings.ToLower(rt)]; r != nil {
			ar.ARNFormats = slices.Clone(r.arnFormats)
		}
		info.Resources = append(info.Resources, ar)
	}
	return info, true
}

// SupportsResourceLevel reports whether an action can be scoped to resource
// ARNs. It is false when the action lists no resource types (then only "*"
// applies) and when the action is unknown.
func (c *Catalog) SupportsResourceLevel(action string) bool {
	a := c.lookup(action)
	return a != nil && len(a.resources) > 0
}

// ResourceARNFormats returns the ARN formats of a service's resource type,
// both matched case-insensitively; nil when unknown.
func (c *Catalog) ResourceARNFormats(service, resourceType string) []string {
	if c == nil {
		return nil
	}
	s := c.byName[strings.ToLower(service)]
	if s == nil {
		return nil
	}
	r := s.resByName[strings.ToLower(resourceType)]
	if r == nil {
		return nil
	}
	return slices.Clone(r.arnFormats)
}

// ConditionKeys returns the condition keys a service defines, sorted by
// name; nil when the service is unknown.
func (c *Catalog) ConditionKeys(service string) []ConditionKey {
	if c == nil {
		return nil
	}
	s := c.byName[strings.ToLower(service)]
	if s == nil || len(s.conditionKeys) == 0 {
		return nil
	}
	out := make([]ConditionKey, len(s.conditionKeys))
	for i, k := range s.conditionKeys {
		out[i] = ConditionKey{Name: k.Name, Types: slices.Clone(k.Types)}
	}
	return out
}

// OperationActions returns the actions AWS says an API operation of a
// service (its IAM prefix) authorizes, as canonical "svc:Action" names in
// published order, matched case-insensitively. It is nil when AWS publishes
// no mapping for the operation.
//
// The list is a superset: it names every action the operation may touch,
// across services (s3 GetObject lists s3-object-lambda:GetObject and
// s3:GetObjectVersion, among others). Use it to learn names, not to grant
// all of them. Names from services the catalog does not hold are kept as
// published.
func (c *Catalog) OperationActions(service, operation string) []string {
	if c == nil {
		return nil
	}
	s := c.byName[strings.ToLower(service)]
	if s == nil {
		return nil
	}
	op := s.opByName[strings.ToLower(operation)]
	if op == nil || len(op.authorized) == 0 {
		return nil
	}
	return slices.Clone(op.authorized)
}

// HasOperations reports whether the catalog holds AWS's operation-to-action
// map for a service.
func (c *Catalog) HasOperations(service string) bool {
	if c == nil {
		return false
	}
	s := c.byName[strings.ToLower(service)]
	return s != nil && len(s.operations) > 0
}

// Expand returns the actions a policy action pattern matches, canonical and
// sorted: "*", "s3:*", "s3:Get*", "ec2:Describe?pcs"... Matching is
// case-insensitive; "*" matches any run of characters and "?" exactly one,
// as IAM does. A pattern without wildcards returns its canonical action. An
// unknown service or action, or a pattern matching nothing, returns nil.
//
// The result is the caller's to keep and modify. Results are cached per
// catalog, so repeated patterns cost a map lookup and a copy.
func (c *Catalog) Expand(pattern string) []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.expandShared(pattern))
}

// Count returns len(c.Expand(pattern)) without copying the result.
func (c *Catalog) Count(pattern string) int {
	if c == nil {
		return 0
	}
	return len(c.expandShared(pattern))
}

// expandShared returns the cached expansion; callers must not modify it.
func (c *Catalog) expandShared(pattern string) []string {
	if v, ok := c.cache.Load(pattern); ok {
		return v.([]string)
	}
	res := c.expand(strings.ToLower(pattern))
	if c.cacheSize.Load() < maxCachedPatterns {
		if _, loaded := c.cache.LoadOrStore(pattern, res); !loaded {
			c.cacheSize.Add(1)
		}
	}
	return res
}

// expand matches a lower-case pattern.
func (c *Catalog) expand(p string) []string {
	if p == "*" {
		return nilIfEmpty(c.all)
	}
	i := strings.IndexByte(p, ':')
	if i < 0 {
		// Not "svc:action": match the whole name. Rare (IAM rejects most
		// such patterns), so a scan is fine.
		var out []string
		for _, s := range c.services {
			for _, e := range s.lower {
				if match(p, s.name+":"+e.name) {
					out = append(out, e.a.full)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	svcPat, actPat := p[:i], p[i+1:]
	if strings.IndexByte(actPat, ':') >= 0 {
		return nil // names hold exactly one colon
	}
	if !hasWildcard(svcPat) {
		s := c.byName[svcPat]
		if s == nil {
			return nil
		}
		return s.expand(actPat)
	}
	var out []string
	for _, s := range c.services {
		if match(svcPat, s.name) {
			out = append(out, s.expand(actPat)...)
		}
	}
	// Service order is not name order when one prefix extends another
	// ("s3-object-lambda:" sorts before "s3:").
	slices.Sort(out)
	return nilIfEmpty(out)
}

// expand matches a lower-case action-name pattern within one service.
func (s *service) expand(p string) []string {
	if p == "*" {
		return nilIfEmpty(s.names)
	}
	k := strings.IndexAny(p, "*?")
	if k < 0 {
		j := sort.Search(len(s.lower), func(j int) bool { return s.lower[j].name >= p })
		if j < len(s.lower) && s.lower[j].name == p {
			return []string{s.lower[j].a.full}
		}
		return nil
	}
	prefix := p[:k]
	lo := sort.Search(len(s.lower), func(j int) bool { return s.lower[j].name >= prefix })
	var out []string
	for _, e := range s.lower[lo:] {
		if !strings.HasPrefix(e.name, prefix) {
			break
		}
		if match(p, e.name) {
			out = append(out, e.a.full)
		}
	}
	if !slices.IsSorted(out) {
		slices.Sort(out)
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// match reports whether s matches the glob p, where '*' matches any run of
// bytes and '?' exactly one. Both are lower-case ASCII in practice. It
// backtracks only to the last '*', so it is linear for IAM-sized patterns.
func match(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// Match reports whether an action name matches a policy action pattern
// ("*" and "?" wildcards), case-insensitively, without consulting any
// catalog.
func Match(pattern, action string) bool {
	return match(strings.ToLower(pattern), strings.ToLower(action))
}

// byNameCmp orders by a name key, byte-wise (as COLLATE "C" does).
func byNameCmp[T any](key func(T) string) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(key(a), key(b)) }
}
