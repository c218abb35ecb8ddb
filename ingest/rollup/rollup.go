package rollup

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/lifecycle"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Rollup bounds: what the logs control (resource names, source addresses)
// must not decide how many rows the rollups grow by.
const (
	// DefaultObjectPrefixDepth is how many leading key segments S3 object
	// ARNs keep in the rollup: one more than recommend's default
	// --object-prefix-depth, so that it can still choose between the two.
	DefaultObjectPrefixDepth = 2
	// DefaultMaxResources caps the distinct resources stored per principal
	// x day x action x invoking service x account. After generalisation
	// a role rarely touches more than a few dozen distinct resources with
	// one action in a day; 64 keeps those exact and, with a day's
	// overflow row, bounds a role's day at 65 rows per action.
	DefaultMaxResources = 64
	// DefaultCollapseAt folds the resources of one kind (an S3 object's
	// parent path) per principal x day x action x invoking service x
	// account beyond the first DefaultCollapseAt-1 into one pattern: the
	// same threshold as recommend's default --collapse-at, so a default
	// recommendation from the folded rollup is the one from the
	// resources themselves (see foldTracker).
	DefaultCollapseAt = 5
	// DefaultMaxNetworks caps the distinct source networks (/24, /48 or
	// VPC endpoint) per principal and day in the context rollup. The
	// aws:SourceIp and aws:SourceVpce suggestions list at most 4
	// (recommend.MaxSuggestedNetworks) and a principal calling both from
	// networks and through endpoints gets neither, so a day with more
	// than 4 rules them out for any window holding it: keeping 4 and the
	// overflow row changes no suggestion.
	DefaultMaxNetworks = 4
	// trackerLimit bounds the (group, value) pairs the caps remember in a
	// run; past it they start afresh (see capTracker).
	trackerLimit = 1 << 18
)

// Bounds on strings taken from logs before they reach the database. Keys
// of B-tree indexes must stay well under PostgreSQL's ~2.7 kB row limit.
const (
	MaxShort = 128  // account ids, regions, principal types, classes
	MaxName  = 256  // event names and sources, actions, services
	MaxARN   = 1024 // principal ARNs and resources
)

// The overflow values of the caps.
const (
	moreResources = queries.MoreResources
	moreNetworks  = queries.MoreNetworks
)

// Clip returns s as valid UTF-8 without NUL bytes (PostgreSQL text holds
// neither), cut at a rune boundary to at most max bytes.
func Clip(s string, max int) string {
	if len(s) <= max && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// SourceNet is the caller's network for condition suggestions: the /24 of
// an IPv4 address, the /48 of an IPv6 address, "" otherwise.
func SourceNet(ip string) string {
	if n, ok := ipv4Net(ip); ok {
		return n
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// ipv4Net is SourceNet of a dotted-quad IPv4 address, without the parse
// and formatting of netip (most callers come from one): four decimal
// octets of at most 255 without leading zeros, as netip.ParseAddr takes
// them. ok is false for anything else, which SourceNet then parses.
func ipv4Net(ip string) (string, bool) {
	dots, start := 0, 0
	lastDot := -1
	for i := 0; i <= len(ip); i++ {
		if i < len(ip) && ip[i] != '.' {
			if ip[i] < '0' || ip[i] > '9' {
				return "", false
			}
			continue
		}
		n := i - start
		if n == 0 || n > 3 || n > 1 && ip[start] == '0' {
			return "", false
		}
		if n == 3 && ip[start:i] > "255" {
			return "", false
		}
		if i < len(ip) {
			dots++
			lastDot = i
		}
		start = i + 1
	}
	if dots != 3 {
		return "", false
	}
	return ip[:lastDot] + ".0/24", true
}

// PrincipalKey is the principal's identity in usage_principal: its ARN,
// or, for callers CloudTrail gives no ARN (anonymous callers, AWS services,
// identities it could not name), a stable synthetic key that is not an ARN.
func PrincipalKey(p *cloudtrail.Principal, invokedBy string) string {
	if p.ARN != "" {
		return Clip(p.ARN, MaxARN)
	}
	switch p.Type {
	case cloudtrail.PrincipalAnonymous:
		return "anonymous"
	case cloudtrail.PrincipalService:
		name := p.Name
		if name == "" {
			name = invokedBy
		}
		return Clip("service:"+name, MaxARN)
	}
	return Clip("unknown:"+string(p.Type)+":"+p.AccountID+":"+p.Name, MaxARN)
}

// Day is the UTC day of t, the rollup's day: the value (and so the map
// key) time.Date(year, month, day, 0, 0, 0, 0, time.UTC) gives, without
// computing the date, which cost a percent of ingest's CPU (UTC days are
// whole multiples of 24 hours from the zero time).
func Day(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

// Run is what the groups of one ingest run share. It is safe for
// concurrent use by the workers' batches.
type Run struct {
	bounds queries.RollupBounds
	resCap *capTracker[resourceGroup]
	fold   *foldTracker // nil: never fold
	netCap *capTracker[networkGroup]

	mu         sync.Mutex
	principals map[string]queries.StoredPrincipal // committed, by key

	// apart, when set, adds new principals in transactions of their own
	// (see AddPrincipalsApart); guarded by mu, cleared on a failure.
	apart *pgxpool.Pool
}

// AddPrincipalsApart makes the run add the principals it has not seen
// before in a short transaction of their own on pool, committed before
// the group's, instead of in the group's transaction. In the group's, a
// new principal's row stays uncommitted until the whole group commits,
// and every other transaction adding the same principal (another
// worker's, another ingester's) waits for that: at the start of
// concurrent runs, when every group meets the same new principals, all
// of them queue behind one. Apart, the row is committed at once. A
// principal added by a group that then fails stays: it is only a name,
// which usage rows refer to, and the group's retry finds it.
//
// pool must have a connection to spare beside those the groups hold
// (one at a time is enough). Should adding apart fail or wait on a lock
// for long (a transaction of an ingester adding principals in its
// group's transaction, which may itself wait on this group's: a cycle
// PostgreSQL cannot see), the group adds them in its own transaction,
// as without this.
func (r *Run) AddPrincipalsApart(pool *pgxpool.Pool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.apart = pool
}

func (r *Run) apartPool() *pgxpool.Pool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.apart
}

// apartLockTimeout bounds the wait of an insert of principals apart on
// another transaction's uncommitted row.
const apartLockTimeout = time.Second

// apartTimeout bounds the whole of adding principals apart, waiting for
// a connection of the pool included.
const apartTimeout = 2 * time.Second

// NewRun starts a run with the given bounds (valid: see CheckBounds).
func NewRun(b queries.RollupBounds) *Run {
	r := &Run{
		bounds:     b,
		resCap:     newCapTracker[resourceGroup](b.MaxResources, moreResources),
		netCap:     newCapTracker[networkGroup](b.MaxNetworks, moreNetworks),
		principals: map[string]queries.StoredPrincipal{},
	}
	if b.CollapseAt > 0 {
		r.fold = newFoldTracker(b.CollapseAt)
	}
	return r
}

// Bounds returns the run's bounds.
func (r *Run) Bounds() queries.RollupBounds { return r.bounds }

// Committed remembers the principals b's transaction added, once it
// committed, so that later groups need not look them up.
func (r *Run) Committed(b *Batch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, p := range b.newPrincipals {
		r.principals[k] = p
	}
}

// Aggregation keys. Principals are keyed by PrincipalKey until the write,
// when their ids are known.
type usageKey struct {
	principal                            string
	day                                  time.Time
	action, resource, invokedBy, account string
}

type unmappedKey struct {
	principal                              string
	day                                    time.Time
	kind, source, name, invokedBy, account string
}

type contextKey struct {
	principal                string
	day                      time.Time
	region, network, uaClass string
	mfa                      bool
}

type coverageKey struct {
	account, region string
	day             time.Time
}

// Count is how many events a record stands for: 1 for a record read from
// a log (First and Last zero: the record's eventTime), N for a row an
// engine grouped, with the group's first and last event times.
type Count struct {
	N           int64
	First, Last time.Time
}

// Added says what Add did with a record.
type Added struct {
	// Mapped: the record counted for at least one action (else it went
	// to usage_unmapped_daily).
	Mapped bool
	// Overflowed: some resource of the record was beyond the cap and
	// counted in the overflow row.
	Overflowed bool
}

// Batch is one group's aggregates. A worker keeps one and Resets it for
// each group; it is not safe for concurrent use.
type Batch struct {
	run        *Run
	principals map[string]queries.Principal // by key, least metadata seen
	usage      map[usageKey]*queries.Counts
	unmapped   map[unmappedKey]*queries.Counts
	context    map[contextKey]*queries.Counts // Calls only
	coverage   map[coverageKey]*queries.Counts

	// The coverage row of the last record: an object's records nearly
	// all share account, region and day.
	lastCov  coverageKey
	lastCovV *queries.Counts

	counts  []queries.Counts  // preallocated, handed out by newCounts
	nets    map[string]string // SourceNet results
	bounded *boundCache       // bound results
	rows    queries.RollupRows

	newPrincipals map[string]queries.StoredPrincipal // added by this group's transaction
}

// NewBatch returns an empty batch of the run.
func (r *Run) NewBatch() *Batch {
	return &Batch{
		run:           r,
		principals:    map[string]queries.Principal{},
		usage:         map[usageKey]*queries.Counts{},
		unmapped:      map[unmappedKey]*queries.Counts{},
		context:       map[contextKey]*queries.Counts{},
		coverage:      map[coverageKey]*queries.Counts{},
		nets:          map[string]string{},
		bounded:       &boundCache{seed: maphash.MakeSeed()},
		newPrincipals: map[string]queries.StoredPrincipal{},
	}
}

// Reset empties b for the next group (its caches stay).
func (b *Batch) Reset() {
	clear(b.principals)
	clear(b.usage)
	clear(b.unmapped)
	clear(b.context)
	clear(b.coverage)
	b.lastCov, b.lastCovV = coverageKey{}, nil
	clear(b.newPrincipals)
	b.rows.Reset()
}

// Empty reports whether b holds nothing to write.
func (b *Batch) Empty() bool {
	return len(b.usage) == 0 && len(b.unmapped) == 0 && len(b.context) == 0 && len(b.coverage) == 0
}

// newCounts returns zero counters from a block (fewer allocations for the
// garbage collector to track).
func (b *Batch) newCounts() *queries.Counts {
	if len(b.counts) == 0 {
		b.counts = make([]queries.Counts, 512)
	}
	c := &b.counts[0]
	b.counts = b.counts[1:]
	return c
}

// add adds n events of outcome oc between first and last to c.
func add(c *queries.Counts, n int64, first, last time.Time, oc cloudtrail.Outcome) {
	if c.Calls == 0 || first.Before(c.First) {
		c.First = first
	}
	if c.Calls == 0 || last.After(c.Last) {
		c.Last = last
	}
	c.Calls += n
	switch oc {
	case cloudtrail.OutcomeDenied:
		c.Denied += n
	case cloudtrail.OutcomeUnauthenticated:
		c.Unauthenticated += n
	}
}

// Cover notes that logs of account, region and day were read, whether or
// not they held new events.
func (b *Batch) Cover(account, region string, day time.Time) {
	k := coverageKey{account: account, region: region, day: day}
	if _, ok := b.coverage[k]; !ok {
		b.coverage[k] = b.newCounts()
	}
}

// Add adds a normalized record standing for c.N events to the group's
// aggregates. pk is PrincipalKey(&rec.Principal, rec.InvokedBy) and day
// Day(rec.EventTime), which the caller has computed already.
func (b *Batch) Add(pk string, day time.Time, rec *cloudtrail.Record, c Count) Added {
	n, first, last := c.N, c.First, c.Last
	if first.IsZero() {
		first, last = rec.EventTime, rec.EventTime
	}
	if m, ok := b.principals[pk]; !ok || m.Name != rec.Principal.Name || m.Account != rec.Principal.AccountID || m.Type != string(rec.Principal.Type) {
		// Records may give one ARN different metadata (a web identity's
		// subject): keep the least, so that what is stored does not depend
		// on the order records were read in.
		p := queries.Principal{
			ARN:     pk,
			Account: Clip(rec.Principal.AccountID, MaxShort),
			Type:    Clip(string(rec.Principal.Type), MaxShort),
			Name:    Clip(rec.Principal.Name, MaxName),
		}
		if !ok || p.Less(m) {
			b.principals[pk] = p
		}
	}
	invokedBy := Clip(rec.InvokedBy, MaxName)
	account := Clip(rec.AccountID, MaxShort)
	region := Clip(rec.Region, MaxShort)

	var out Added
	if rec.Mapping == cloudtrail.Mapped {
		acc := rec.Access
		if len(acc) == 0 {
			acc = crossAccess(rec.Actions, rec.Resources)
		}
		for i, a := range acc {
			if a.Action == "" || slices.Contains(acc[:i], a) {
				continue
			}
			resource := a.Resource
			if resource == "" && a.Via != "" {
				// iam:PassRole through an instance profile: the role is not
				// logged, the profile is; the analyzer resolves it.
				resource = a.Via
			} else {
				resource = b.bound(resource)
			}
			k := usageKey{principal: pk, day: day, action: Clip(a.Action, MaxName), resource: Clip(resource, MaxARN), invokedBy: invokedBy, account: account}
			v := b.usage[k]
			if v == nil && k.resource != "" {
				// New to this group: folded with others of its kind,
				// then within the cap, or counted in the day's overflow
				// row.
				g := resourceGroup{principal: pk, day: day, action: k.action, invokedBy: invokedBy, account: account}
				if f := b.run.fold; f != nil && a.Via == "" {
					if parent := foldParent(k.resource); parent != "" {
						k.resource = f.fold(foldGroup{resourceGroup: g, parent: parent}, k.resource)
					}
				}
				k.resource = b.run.resCap.admit(g, k.resource)
				v = b.usage[k]
			}
			if k.resource == moreResources {
				out.Overflowed = true
			}
			if v == nil {
				v = b.newCounts()
				b.usage[k] = v
			}
			add(v, n, first, last, rec.Outcome)
			out.Mapped = true
		}
	}
	if !out.Mapped {
		kind := "unmapped"
		if rec.Mapping == cloudtrail.Permissionless {
			kind = "permissionless"
		}
		k := unmappedKey{principal: pk, day: day, kind: kind, source: Clip(rec.EventSource, MaxName), name: Clip(rec.EventName, MaxName), invokedBy: invokedBy, account: account}
		v := b.unmapped[k]
		if v == nil {
			v = b.newCounts()
			b.unmapped[k] = v
		}
		add(v, n, first, last, rec.Outcome)
	}
	network := Clip(rec.Context.VPCEndpointID, MaxShort)
	if network == "" {
		network = b.sourceNet(rec.Context.SourceIP)
	}
	ck := contextKey{principal: pk, day: day, region: region, network: network,
		uaClass: Clip(rec.Context.UserAgentClass, MaxShort), mfa: rec.Context.MFA}
	cc := b.context[ck]
	if cc == nil {
		if network != "" {
			if ck.network = b.run.netCap.admit(networkGroup{principal: pk, day: day}, network); ck.network != network {
				cc = b.context[ck] // not admitted: the overflow row
			}
		}
		if cc == nil {
			cc = b.newCounts()
			b.context[ck] = cc
		}
	}
	cc.Calls += n
	cov := coverageKey{account: account, region: region, day: day}
	if b.lastCovV == nil || cov != b.lastCov {
		v := b.coverage[cov]
		if v == nil {
			v = b.newCounts()
			b.coverage[cov] = v
		}
		b.lastCov, b.lastCovV = cov, v
	}
	add(b.lastCovV, n, first, last, cloudtrail.OutcomeSuccess)
	return out
}

// crossAccess pairs every action with every resource, for records that
// carry no Access pairs.
func crossAccess(actions, resources []string) []cloudtrail.Access {
	if len(resources) == 0 {
		resources = []string{""}
	}
	out := make([]cloudtrail.Access, 0, len(actions)*len(resources))
	for _, a := range actions {
		for _, res := range resources {
			out = append(out, cloudtrail.Access{Action: a, Resource: res})
		}
	}
	return out
}

// sourceNet is SourceNet with a bounded cache for what is not a plain
// IPv4 address (IPv6 addresses, service names): a principal calls from the
// same addresses over and over. IPv4 is cheaper to compute than to look
// up, the more so when callers come from across a /8.
func (b *Batch) sourceNet(ip string) string {
	if n, ok := ipv4Net(ip); ok {
		return n
	}
	if n, ok := b.nets[ip]; ok {
		return n
	}
	if len(b.nets) >= 1<<14 {
		clear(b.nets)
	}
	n := SourceNet(ip)
	b.nets[ip] = n
	return n
}

// bound is the resource as the rollup stores it: minted segments
// generalised by the lifecycle rules recommend uses, S3 keys cut to the
// prefix depth. Results are cached per batch (boundCache).
func (b *Batch) bound(arn string) string {
	if arn == "" {
		return ""
	}
	slot := &b.bounded.slots[maphash.String(b.bounded.seed, arn)&(boundSlots-1)]
	if slot.arn == arn {
		return slot.bound
	}
	p, _, _ := lifecycle.Generalize(arn)
	if d := b.run.bounds.ObjectPrefixDepth; d > 0 {
		p = lifecycle.ObjectPrefix(p, d)
	}
	*slot = boundSlot{arn: arn, bound: p}
	return p
}

// boundSlots is the size of a batch's cache of bound results.
const boundSlots = 1 << 14

// boundCache is a direct-mapped cache of bound results: a slot holds the
// last resource hashed to it. On churning logs about half the resources
// are new, and a map cost a lookup, then an insertion hashing the
// resource again, and a clear whenever it filled up; here a new resource
// costs one hash and takes one slot, so the resources that recur stay.
type boundCache struct {
	seed  maphash.Seed
	slots [boundSlots]boundSlot
}

type boundSlot struct{ arn, bound string }

// Write resolves the group's principals to ids and upserts its aggregates
// in tx, then sends the statements queued in tail (the ledger rows), all
// in one round trip.
func (b *Batch) Write(ctx context.Context, tx pgx.Tx, tail *pgx.Batch) error {
	ids, err := b.principalIDs(ctx, tx)
	if err != nil {
		return err
	}
	rows := &b.rows
	rows.Reset()
	for k, v := range b.usage {
		rows.AddUsage(ids[k.principal], k.day, k.action, k.resource, k.invokedBy, k.account, v)
	}
	for k, v := range b.unmapped {
		rows.AddUnmapped(ids[k.principal], k.day, k.kind, k.source, k.name, k.invokedBy, k.account, v)
	}
	for k, v := range b.context {
		rows.AddContext(ids[k.principal], k.day, k.region, k.network, k.mfa, k.uaClass, v.Calls)
	}
	for k, v := range b.coverage {
		rows.AddCoverage(k.account, k.region, k.day, v)
	}
	batch := &pgx.Batch{}
	queries.QueueRollup(batch, rows, b.run.bounds)
	if tail != nil {
		batch.QueuedQueries = append(batch.QueuedQueries, tail.QueuedQueries...)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("upsert rollups and the ledger: %w", err)
	}
	return nil
}

// principalIDs returns the ids of the group's principals, adding the new
// ones to usage_principal. A known principal is written again only when
// this group has lesser metadata for it than what is stored (see Add), so
// that the stored row is the least over all records whatever the order of
// ingestion; that is rare, and the row is locked only then.
func (b *Batch) principalIDs(ctx context.Context, tx pgx.Tx) (map[string]int64, error) {
	ids := make(map[string]int64, len(b.principals))
	var missing []queries.Principal
	b.run.mu.Lock()
	for k, m := range b.principals {
		if p, ok := b.run.principals[k]; ok && !m.Less(p.Principal) {
			ids[k] = p.ID
		} else {
			missing = append(missing, m)
		}
	}
	b.run.mu.Unlock()
	if len(missing) == 0 {
		return ids, nil
	}
	slices.SortFunc(missing, func(x, y queries.Principal) int { return strings.Compare(x.ARN, y.ARN) })
	if apart := b.run.apartPool(); apart != nil {
		if stored, err := b.run.addApart(ctx, apart, missing); err == nil {
			for k, p := range stored {
				ids[k] = p.ID
			}
			return ids, nil
		} else if ctx.Err() != nil {
			return nil, err
		}
		// The pool had no connection to spare after all, or a lock held
		// it up: the rest of the run adds principals as without apart,
		// rather than wait again.
		b.run.mu.Lock()
		b.run.apart = nil
		b.run.mu.Unlock()
	}
	stored, err := queries.AddPrincipals(ctx, tx, missing)
	if err != nil {
		return nil, err
	}
	for k, p := range stored {
		ids[k] = p.ID
		b.newPrincipals[k] = p
	}
	return ids, nil
}

// addApart adds ps in a transaction of their own and remembers them as
// committed (see AddPrincipalsApart).
func (r *Run) addApart(ctx context.Context, pool *pgxpool.Pool, ps []queries.Principal) (map[string]queries.StoredPrincipal, error) {
	// Never wait long for the connection either: the pool may be shared
	// (two runs in one process, the job's other stages), and a group
	// holding its connection while waiting for another could starve.
	ctx, cancel := context.WithTimeout(ctx, apartTimeout)
	defer cancel()
	var stored map[string]queries.StoredPrincipal
	err := store.InTx(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if err := queries.SetLockTimeout(ctx, tx, apartLockTimeout); err != nil {
			return err
		}
		var err error
		stored, err = queries.AddPrincipals(ctx, tx, ps)
		return err
	})
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, p := range stored {
		r.principals[k] = p
	}
	return stored, nil
}
