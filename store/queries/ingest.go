package queries

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/jackc/pgx/v5"
)

// The rollup writes of ingest (package ingest/rollup): principals, then
// the four rollup tables, upserted in one round trip with the ledger rows
// of the objects they came from.

// Counts are a rollup row's counters: Calls counts every event, Denied
// and Unauthenticated the failures among them; First and Last bound the
// events' times.
type Counts struct {
	Calls, Denied, Unauthenticated int64
	First, Last                    time.Time
}

// Principal is a usage_principal row's metadata.
type Principal struct {
	ARN, Account, Type, Name string
}

// Less orders metadata by (account, type, name), bytewise, as the
// COLLATE "C" columns do.
func (p Principal) Less(o Principal) bool {
	if p.Account != o.Account {
		return p.Account < o.Account
	}
	if p.Type != o.Type {
		return p.Type < o.Type
	}
	return p.Name < o.Name
}

// StoredPrincipal is a usage_principal row.
type StoredPrincipal struct {
	ID int64
	Principal
}

// AddPrincipals adds the principals usage_principal does not hold yet (in
// ARN order, so that concurrent writers lock rows in the same order) and
// lowers a stored row's metadata to the given one when that is less
// (records may give one ARN different metadata, a web identity's subject:
// the least is kept whatever the order of ingestion). It returns every
// given principal's row, by ARN.
func AddPrincipals(ctx context.Context, tx pgx.Tx, ps []Principal) (map[string]StoredPrincipal, error) {
	arns, accts, types, names := make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		arns[i], accts[i], types[i], names[i] = p.ARN, p.Account, p.Type, p.Name
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO usage_principal AS u (arn, account_id, type, name)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
		ORDER BY 1
		ON CONFLICT (arn) DO UPDATE SET account_id = EXCLUDED.account_id, type = EXCLUDED.type, name = EXCLUDED.name
		WHERE (EXCLUDED.account_id, EXCLUDED.type, EXCLUDED.name) < (u.account_id, u.type, u.name)`, arns, accts, types, names); err != nil {
		return nil, fmt.Errorf("add principals: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, arn, account_id, type, name FROM usage_principal WHERE arn = ANY($1)`, arns)
	if err != nil {
		return nil, fmt.Errorf("look up principals: %w", err)
	}
	out := make(map[string]StoredPrincipal, len(ps))
	var p StoredPrincipal
	if _, err := pgx.ForEachRow(rows, []any{&p.ID, &p.ARN, &p.Account, &p.Type, &p.Name}, func() error {
		out[p.ARN] = p
		return nil
	}); err != nil {
		return nil, fmt.Errorf("look up principals: %w", err)
	}
	for _, arn := range arns {
		if _, ok := out[arn]; !ok {
			return nil, fmt.Errorf("principal %q missing after insert", arn)
		}
	}
	return out, nil
}

// SetLockTimeout bounds, for the rest of tx, how long a statement waits
// on a lock before it fails with lock_not_available (55P03).
func SetLockTimeout(ctx context.Context, tx pgx.Tx, d time.Duration) error {
	_, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", max(d.Milliseconds(), 1)))
	return err
}

// RollupRows are a group's rollup rows as columns, the form
// QueueRollup sends them in (binary arrays, as compact on the wire as
// COPY). Reset empties them for the next group, keeping their storage.
type RollupRows struct {
	usage    usageCols
	unmapped unmappedCols
	context  contextCols
	coverage coverageCols
}

type countCols struct {
	calls, denied, unauth []int64
	first, last           []time.Time
}

func (c *countCols) add(v *Counts) {
	c.calls, c.denied, c.unauth = append(c.calls, v.Calls), append(c.denied, v.Denied), append(c.unauth, v.Unauthenticated)
	c.first, c.last = append(c.first, v.First), append(c.last, v.Last)
}

func (c *countCols) reset() {
	c.calls, c.denied, c.unauth, c.first, c.last = c.calls[:0], c.denied[:0], c.unauth[:0], c.first[:0], c.last[:0]
}

type usageCols struct {
	pids                                  []int64
	days                                  []time.Time
	actions, resources, invokers, account []string
	countCols
}

type unmappedCols struct {
	pids                                    []int64
	days                                    []time.Time
	kinds, sources, names, invokers, accnts []string
	countCols
}

type contextCols struct {
	pids               []int64
	days               []time.Time
	regions, nets, uas []string
	mfas               []bool
	calls              []int64
}

type coverageCols struct {
	accounts, regions []string
	days              []time.Time
	events            []int64
	firsts, lasts     []*time.Time
}

// AddUsage adds a usage_daily row: principal's calls of action on
// resource ("" for none) through invokedBy ("" for its own calls), logged
// for account.
func (r *RollupRows) AddUsage(principal int64, day time.Time, action, resource, invokedBy, account string, c *Counts) {
	u := &r.usage
	u.pids, u.days = append(u.pids, principal), append(u.days, day)
	u.actions, u.resources, u.invokers, u.account = append(u.actions, action), append(u.resources, resource), append(u.invokers, invokedBy), append(u.account, account)
	u.add(c)
}

// AddUnmapped adds a usage_unmapped_daily row; kind is "unmapped" or
// "permissionless".
func (r *RollupRows) AddUnmapped(principal int64, day time.Time, kind, source, name, invokedBy, account string, c *Counts) {
	u := &r.unmapped
	u.pids, u.days = append(u.pids, principal), append(u.days, day)
	u.kinds, u.sources, u.names = append(u.kinds, kind), append(u.sources, source), append(u.names, name)
	u.invokers, u.accnts = append(u.invokers, invokedBy), append(u.accnts, account)
	u.add(c)
}

// AddContext adds a usage_context_daily row.
func (r *RollupRows) AddContext(principal int64, day time.Time, region, network string, mfa bool, uaClass string, calls int64) {
	c := &r.context
	c.pids, c.days, c.calls = append(c.pids, principal), append(c.days, day), append(c.calls, calls)
	c.regions, c.nets, c.uas, c.mfas = append(c.regions, region), append(c.nets, network), append(c.uas, uaClass), append(c.mfas, mfa)
}

// AddCoverage adds a log_coverage_daily row: logs of account, region and
// day were read, holding c.Calls new events (0: first and last unknown).
func (r *RollupRows) AddCoverage(account, region string, day time.Time, c *Counts) {
	v := &r.coverage
	v.accounts, v.regions, v.days, v.events = append(v.accounts, account), append(v.regions, region), append(v.days, day), append(v.events, c.Calls)
	if c.Calls > 0 {
		first, last := c.First, c.Last
		v.firsts, v.lasts = append(v.firsts, &first), append(v.lasts, &last)
	} else {
		v.firsts, v.lasts = append(v.firsts, nil), append(v.lasts, nil)
	}
}

// Reset empties r, keeping its storage.
func (r *RollupRows) Reset() {
	u := &r.usage
	u.pids, u.days, u.actions, u.resources, u.invokers, u.account = u.pids[:0], u.days[:0], u.actions[:0], u.resources[:0], u.invokers[:0], u.account[:0]
	u.reset()
	m := &r.unmapped
	m.pids, m.days, m.kinds, m.sources, m.names, m.invokers, m.accnts = m.pids[:0], m.days[:0], m.kinds[:0], m.sources[:0], m.names[:0], m.invokers[:0], m.accnts[:0]
	m.reset()
	c := &r.context
	c.pids, c.days, c.regions, c.nets, c.uas, c.mfas, c.calls = c.pids[:0], c.days[:0], c.regions[:0], c.nets[:0], c.uas[:0], c.mfas[:0], c.calls[:0]
	v := &r.coverage
	v.accounts, v.regions, v.days, v.events, v.firsts, v.lasts = v.accounts[:0], v.regions[:0], v.days[:0], v.events[:0], v.firsts[:0], v.lasts[:0]
}

// QueueRollup queues the upserts of r's rows into b: each table's rows are
// added to what is stored, in key order, so that concurrent writers lock
// rows in the same order and cannot deadlock. r must stay unchanged until
// b is sent.
//
// The caps (caps.MaxResources and caps.MaxNetworks; 0 means uncapped)
// are applied against what is stored: a resource (network) the rollup
// does not hold yet is added only while its group holds fewer than the
// cap, in resource order; beyond, its calls go to the group's overflow
// row. So the caps hold across runs, not only within one (the writer caps
// each run in memory too, which bounds what reaches here). Writers that
// run at the same moment each count what was committed when their
// statement began: a group two of them fill at once can end with up to
// the cap's excess of the last of them, still bounded by the number of
// concurrent writers and not by the logs.
func QueueRollup(b *pgx.Batch, r *RollupRows, caps RollupBounds) {
	maxRes, maxNets := int64(caps.MaxResources), int64(caps.MaxNetworks)
	if maxRes <= 0 {
		maxRes = math.MaxInt32
	}
	if maxNets <= 0 {
		maxNets = math.MaxInt32
	}
	if u := &r.usage; len(u.pids) > 0 {
		b.Queue(`
			WITH t AS (
				SELECT principal_id, day, action COLLATE "C" AS action, resource COLLATE "C" AS resource,
					invoked_by COLLATE "C" AS invoked_by, account_id COLLATE "C" AS account_id,
					calls, denied, unauthenticated, first_seen, last_seen
				FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[],
					$7::bigint[], $8::bigint[], $9::bigint[], $10::timestamptz[], $11::timestamptz[])
					AS t(principal_id, day, action, resource, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
			), g AS ( -- the groups of the resources written, with how many
				SELECT principal_id, day, action, invoked_by, account_id, count(*) AS m
				FROM t WHERE resource NOT IN ('', $12) GROUP BY 1, 2, 3, 4, 5
			), near AS MATERIALIZED ( -- those the write could take over the cap (few): one index scan a group
				SELECT g.principal_id, g.day, g.action, g.invoked_by, g.account_id, s.n
				FROM g, LATERAL (SELECT count(*) AS n FROM usage_daily u
					WHERE u.principal_id = g.principal_id AND u.day = g.day AND u.action = g.action
					  AND u.invoked_by = g.invoked_by AND u.account_id = g.account_id AND u.resource NOT IN ('', $12)) s
				WHERE g.m + s.n > $13
			), fresh AS ( -- their resources the rollup does not hold, ranked
				SELECT t.principal_id, t.day, t.action, t.resource, t.invoked_by, t.account_id, near.n,
					row_number() OVER (PARTITION BY t.principal_id, t.day, t.action, t.invoked_by, t.account_id ORDER BY t.resource) AS rank
				FROM t JOIN near USING (principal_id, day, action, invoked_by, account_id)
				WHERE t.resource NOT IN ('', $12) AND NOT EXISTS (SELECT 1 FROM usage_daily u
					WHERE u.principal_id = t.principal_id AND u.day = t.day AND u.action = t.action
					  AND u.resource = t.resource AND u.invoked_by = t.invoked_by AND u.account_id = t.account_id)
			), over AS (
				SELECT principal_id, day, action, resource, invoked_by, account_id FROM fresh WHERE rank > $13 - n
			)
			INSERT INTO usage_daily AS u (principal_id, day, action, resource, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
			SELECT t.principal_id, t.day, t.action, CASE WHEN o.resource IS NULL THEN t.resource ELSE $12 END AS r, t.invoked_by, t.account_id,
				sum(t.calls)::bigint, sum(t.denied)::bigint, sum(t.unauthenticated)::bigint, min(t.first_seen), max(t.last_seen)
			FROM t LEFT JOIN over o USING (principal_id, day, action, resource, invoked_by, account_id)
			GROUP BY 1, 2, 3, 4, 5, 6
			ORDER BY 1, 2, 3, 4, 5, 6
			ON CONFLICT (principal_id, day, action, resource, invoked_by, account_id) DO UPDATE SET
				calls = u.calls + EXCLUDED.calls, denied = u.denied + EXCLUDED.denied,
				unauthenticated = u.unauthenticated + EXCLUDED.unauthenticated,
				first_seen = LEAST(u.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(u.last_seen, EXCLUDED.last_seen)`,
			u.pids, u.days, u.actions, u.resources, u.invokers, u.account, u.calls, u.denied, u.unauth, u.first, u.last,
			MoreResources, maxRes)
	}
	if u := &r.unmapped; len(u.pids) > 0 {
		b.Queue(`
			INSERT INTO usage_unmapped_daily AS u (principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
			SELECT * FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::bigint[], $9::bigint[], $10::bigint[], $11::timestamptz[], $12::timestamptz[])
				AS t(principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
			ORDER BY principal_id, day, kind COLLATE "C", event_source COLLATE "C", event_name COLLATE "C", invoked_by COLLATE "C", account_id COLLATE "C"
			ON CONFLICT (principal_id, day, kind, event_source, event_name, invoked_by, account_id) DO UPDATE SET
				calls = u.calls + EXCLUDED.calls, denied = u.denied + EXCLUDED.denied,
				unauthenticated = u.unauthenticated + EXCLUDED.unauthenticated,
				first_seen = LEAST(u.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(u.last_seen, EXCLUDED.last_seen)`,
			u.pids, u.days, u.kinds, u.sources, u.names, u.invokers, u.accnts, u.calls, u.denied, u.unauth, u.first, u.last)
	}
	if c := &r.context; len(c.pids) > 0 {
		b.Queue(`
			WITH t AS (
				SELECT principal_id, day, region COLLATE "C" AS region, network COLLATE "C" AS network, mfa,
					user_agent_class COLLATE "C" AS user_agent_class, calls
				FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::bigint[])
					AS t(principal_id, day, region, network, mfa, user_agent_class, calls)
			), n AS (
				SELECT DISTINCT principal_id, day, network FROM t WHERE network NOT IN ('', $8)
			), g AS ( -- the principals' days written, with how many networks
				SELECT principal_id, day, count(*) AS m FROM n GROUP BY 1, 2
			), near AS MATERIALIZED ( -- those the write could take over the cap
				SELECT g.principal_id, g.day, s.n
				FROM g, LATERAL (SELECT count(DISTINCT u.network) AS n FROM usage_context_daily u
					WHERE u.principal_id = g.principal_id AND u.day = g.day AND u.network NOT IN ('', $8)) s
				WHERE g.m + s.n > $9
			), fresh AS ( -- their networks not held yet, ranked
				SELECT n.principal_id, n.day, n.network, near.n AS held,
					row_number() OVER (PARTITION BY n.principal_id, n.day ORDER BY n.network) AS rank
				FROM n JOIN near USING (principal_id, day)
				WHERE NOT EXISTS (SELECT 1 FROM usage_context_daily u
					WHERE u.principal_id = n.principal_id AND u.day = n.day AND u.network = n.network)
			), over AS (
				SELECT principal_id, day, network FROM fresh WHERE rank > $9 - held
			)
			INSERT INTO usage_context_daily AS u (principal_id, day, region, network, mfa, user_agent_class, calls)
			SELECT t.principal_id, t.day, t.region, CASE WHEN o.network IS NULL THEN t.network ELSE $8 END AS n,
				t.mfa, t.user_agent_class, sum(t.calls)::bigint
			FROM t LEFT JOIN over o USING (principal_id, day, network)
			GROUP BY 1, 2, 3, 4, 5, 6
			ORDER BY 1, 2, 3, 4, 5, 6
			ON CONFLICT (principal_id, day, region, network, mfa, user_agent_class) DO UPDATE SET
				calls = u.calls + EXCLUDED.calls`,
			c.pids, c.days, c.regions, c.nets, c.mfas, c.uas, c.calls, MoreNetworks, maxNets)
	}
	if v := &r.coverage; len(v.accounts) > 0 {
		b.Queue(`
			INSERT INTO log_coverage_daily AS u (account_id, region, day, events, first_seen, last_seen)
			SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
				AS t(account_id, region, day, events, first_seen, last_seen)
			ORDER BY account_id COLLATE "C", region COLLATE "C", day
			ON CONFLICT (account_id, region, day) DO UPDATE SET
				events = u.events + EXCLUDED.events,
				first_seen = LEAST(u.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(u.last_seen, EXCLUDED.last_seen)`,
			v.accounts, v.regions, v.days, v.events, v.firsts, v.lasts)
	}
}

// RecordBounds notes how an ingest run bounded the rollup: the shallowest
// S3 key depth and the smallest fold threshold any run used (0: whole
// keys, never folded, which any other value lowers) and the largest caps,
// so that recommend knows how deep it may scope S3 objects and how many
// resources of a kind it may list.
func RecordBounds(ctx context.Context, db *store.DB, b RollupBounds) error {
	return store.Retry(ctx, func() error {
		// Depth and threshold: the smaller of the two, where 0 (whole
		// keys, never folded) is lowered by any other value.
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO ingest_rollup_bounds AS b (object_prefix_depth, max_resources, max_networks, collapse_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET
				object_prefix_depth = CASE
					WHEN b.object_prefix_depth = 0 THEN EXCLUDED.object_prefix_depth
					WHEN EXCLUDED.object_prefix_depth = 0 THEN b.object_prefix_depth
					ELSE LEAST(b.object_prefix_depth, EXCLUDED.object_prefix_depth) END,
				max_resources = GREATEST(b.max_resources, EXCLUDED.max_resources),
				max_networks = GREATEST(b.max_networks, EXCLUDED.max_networks),
				collapse_at = CASE
					WHEN b.collapse_at = 0 THEN EXCLUDED.collapse_at
					WHEN EXCLUDED.collapse_at = 0 THEN b.collapse_at
					ELSE LEAST(b.collapse_at, EXCLUDED.collapse_at) END,
				updated_at = now()`,
			b.ObjectPrefixDepth, b.MaxResources, b.MaxNetworks, b.CollapseAt)
		if err != nil {
			return fmt.Errorf("record rollup bounds: %w", err)
		}
		return nil
	})
}

// StoredResource is a resource the usage rollup holds for a principal's
// action on a day, as StoredResources returns it.
type StoredResource struct {
	Principal, Action, InvokedBy, Resource string
}

// StoredResources returns the resources (the overflow row aside) the
// usage rollup holds for account's day, at most limit of them, so that
// a run taking up a day an earlier run began folds and caps it as one
// run would.
func StoredResources(ctx context.Context, db *store.DB, account string, day time.Time, limit int) ([]StoredResource, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.arn, u.action, u.invoked_by, u.resource
		FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id
		WHERE u.day = $1 AND u.account_id = $2 AND u.resource NOT IN ('', $3)
		ORDER BY 1, 2, 3, 4 LIMIT $4`, day, account, MoreResources, limit)
	if err != nil {
		return nil, fmt.Errorf("read the day's stored resources: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StoredResource, error) {
		var s StoredResource
		err := row.Scan(&s.Principal, &s.Action, &s.InvokedBy, &s.Resource)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the day's stored resources: %w", err)
	}
	return out, nil
}
