package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// chunkMax is how many records are held before their eventIDs are checked
// against the dedup table and they are folded into the object's aggregates.
const chunkMax = 8192

// Sane event times: CloudTrail started in 2013; a record far outside
// [2005, now+1y] is corrupt and would create absurd partitions.
var minEventTime = time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)

// maxErrorsPerObject bounds the error lines kept for one object.
const maxErrorsPerObject = 100

// objectResult is what processing one object produced; it is added to the
// summary only once its transaction committed.
type objectResult struct {
	shape          cloudtrail.Shape
	records        int64
	events         int64
	duplicates     int64
	unmapped       int64
	denied         int64
	permissionless int64
	filtered       int64
	badRecords     int64
	fatal          string
	errors         []string
	moreErrors     int
	unmappedNames  map[[2]string]int64
	principalsSeen map[string]struct{}
	principalIDs   map[string]int64
	maxEventTime   time.Time
}

func (res *objectResult) addError(line string) {
	if len(res.errors) < maxErrorsPerObject {
		res.errors = append(res.errors, clip(line, maxErrorLen))
	} else {
		res.moreErrors++
	}
}

// dbError marks an error from the database inside a read callback, so that
// it stops the run instead of failing the object.
type dbError struct{ err error }

func (e *dbError) Error() string { return e.err.Error() }
func (e *dbError) Unwrap() error { return e.err }

// process ingests one object, retrying after deadlocks.
func (r *runner) process(ctx context.Context, rd *cloudtrail.ObjectReader, o object) error {
	w := min(max(o.weight, 64<<10), r.opts.MemoryBudget)
	if err := r.mem.Acquire(ctx, w); err != nil {
		return err
	}
	defer r.mem.Release(w)
	var res *objectResult
	var oc outcome
	err := retryTx(ctx, func() error {
		var err error
		res, oc, err = r.processOnce(ctx, rd, o)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("ingest %s: %w", o.name, err)
	}
	if res != nil && res.moreErrors > 0 {
		res.errors = append(res.errors, fmt.Sprintf("%s: %d more bad records", o.name, res.moreErrors))
	}
	r.finishObject(o, oc, res)
	switch oc {
	case outcomeFailed:
		first := res.fatal
		if first == "" && len(res.errors) > 0 {
			first = res.errors[0]
		}
		r.log.Warn("object failed", "file", o.name, "bad_records", res.badRecords, "error", first)
	case outcomeOK, outcomeSkipped:
		r.log.Debug("object ingested", "file", o.name, "shape", res.shape.String(), "events", res.events, "duplicates", res.duplicates)
	case outcomeBusy:
		r.log.Debug("object taken by another ingester", "file", o.name)
	}
	return nil
}

// processOnce claims o in the ledger, reads it, and writes its aggregates
// and its ledger row in one transaction.
func (r *runner) processOnce(ctx context.Context, rd *cloudtrail.ObjectReader, o object) (*objectResult, outcome, error) {
	conn, err := r.db.Pool.Acquire(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Release()
	if err := r.ensureStages(ctx, conn); err != nil {
		return nil, 0, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// A lost commit after a server crash takes its ledger row with it, so
	// the object is simply ingested again: durability per commit is not
	// needed for exactly-once counting.
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
		return nil, 0, err
	}
	var (
		id                   int64
		prevSize             int64
		prevVersion, prevSta string
	)
	err = tx.QueryRow(ctx, `
		SELECT id, size, version, status FROM ingest_object
		WHERE source = $1 AND key = $2
		FOR UPDATE SKIP LOCKED`, o.kind, o.key).Scan(&id, &prevSize, &prevVersion, &prevSta)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, outcomeBusy, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if r.alreadyDone(o, prevSize, prevVersion, prevSta) {
		return nil, outcomeAlreadyDone, nil
	}
	b := r.newBatch(tx, o)
	version := o.version
	switch {
	case o.api != nil:
		from, to, v, ok := o.api.window(prevVersion, &r.filter, r.opts.Now().UTC())
		if !ok {
			return nil, outcomeAlreadyDone, nil
		}
		version = v
		b.res.shape = cloudtrail.ShapeLookupEvents
		idx := 0
		_, err := o.api.client.Lookup(ctx, o.api.region, from, to, func(raw []byte) error {
			idx++
			return b.add(ctx, idx, raw)
		})
		if err != nil {
			if dbe := (*dbError)(nil); errors.As(err, &dbe) || ctx.Err() != nil {
				return nil, 0, err
			}
			b.res.fatal = clip(o.name+": "+err.Error(), maxErrorLen)
		}
	default:
		rc, err := o.open(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, 0, ctx.Err()
			}
			b.res.fatal = clip(o.name+": "+err.Error(), maxErrorLen)
			break
		}
		shape, recErrs, err := rd.ReadObject(rc, o.name, r.opts.Limits, func(index int, raw []byte) error {
			return b.add(ctx, index, raw)
		})
		_ = rc.Close()
		b.res.shape = shape
		for _, e := range recErrs {
			b.res.badRecords++
			b.res.addError(e.Error())
		}
		if err != nil {
			if dbe := (*dbError)(nil); errors.As(err, &dbe) || ctx.Err() != nil {
				return nil, 0, err
			}
			b.res.fatal = clip(err.Error(), maxErrorLen)
		}
	}
	if err := b.flush(ctx); err != nil {
		return nil, 0, err
	}
	if err := b.write(ctx); err != nil {
		return nil, 0, err
	}
	res := b.res
	status, oc := "done", outcomeOK
	switch {
	case res.fatal != "":
		status, oc = "failed", outcomeFailed
		res.errors = append([]string{res.fatal}, res.errors...)
	case res.badRecords > 0:
		status, oc = "failed", outcomeFailed
	case res.shape.Skipped():
		status, oc = "skipped", outcomeSkipped
	}
	if res.filtered > 0 && r.filter.tag != "" && o.kind != kindAPI {
		version += "#" + r.filter.tag
	}
	errText := strings.Join(res.errors[:min(len(res.errors), 10)], "\n")
	_, err = tx.Exec(ctx, `
		UPDATE ingest_object SET size = $2, version = $3, status = $4, shape = $5, records = $6,
			events = $7, duplicates = $8, unmapped = $9, denied = $10, errors = $11, error = $12,
			attempts = attempts + 1, ingested_by = $13, updated_at = now()
		WHERE id = $1`,
		id, o.size, version, status, res.shape.String(), res.records,
		res.events, res.duplicates, res.unmapped, res.denied, res.badRecords, clip(errText, 4096), r.who)
	if err != nil {
		return nil, 0, err
	}
	if o.api != nil && !res.maxEventTime.IsZero() {
		_, err = tx.Exec(ctx, `
			INSERT INTO ingest_api_cursor (account_id, region, last_event_time) VALUES ($1, $2, $3)
			ON CONFLICT (account_id, region) DO UPDATE
			SET last_event_time = GREATEST(ingest_api_cursor.last_event_time, EXCLUDED.last_event_time), updated_at = now()`,
			o.api.account, o.api.region, res.maxEventTime)
		if err != nil {
			return nil, 0, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, 0, err
	}
	r.committedPartitions(b.newPartitions)
	return res, oc, nil
}

// ensureStages creates the connection's staging tables once.
func (r *runner) ensureStages(ctx context.Context, conn *pgxpool.Conn) error {
	pid := conn.Conn().PgConn().PID()
	r.mu.Lock()
	ok := r.stages[pid]
	r.mu.Unlock()
	if ok {
		return nil
	}
	_, err := conn.Exec(ctx, `
		CREATE TEMP TABLE IF NOT EXISTS stage_usage (
			principal_id bigint, day date, action text COLLATE "C", resource text COLLATE "C",
			invoked_by text COLLATE "C", account_id text COLLATE "C",
			calls bigint, denied bigint, unauthenticated bigint, first_seen timestamptz, last_seen timestamptz
		) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE IF NOT EXISTS stage_unmapped (
			principal_id bigint, day date, kind text COLLATE "C", event_source text COLLATE "C",
			event_name text COLLATE "C", invoked_by text COLLATE "C", account_id text COLLATE "C",
			calls bigint, denied bigint, unauthenticated bigint, first_seen timestamptz, last_seen timestamptz
		) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE IF NOT EXISTS stage_context (
			principal_id bigint, day date, region text COLLATE "C", source_net text COLLATE "C",
			vpc_endpoint text COLLATE "C", mfa boolean, user_agent_class text COLLATE "C", calls bigint
		) ON COMMIT DELETE ROWS;
		CREATE TEMP TABLE IF NOT EXISTS stage_coverage (
			account_id text COLLATE "C", region text COLLATE "C", day date,
			events bigint, first_seen timestamptz, last_seen timestamptz
		) ON COMMIT DELETE ROWS;
		SET client_min_messages = warning`)
	if err != nil {
		return fmt.Errorf("create staging tables: %w", err)
	}
	r.mu.Lock()
	r.stages[pid] = true
	r.mu.Unlock()
	return nil
}

// Aggregation keys. Principals are keyed by ARN until the write, when
// their ids are known.
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
	principal                  string
	day                        time.Time
	region, net, vpce, uaClass string
	mfa                        bool
}

type coverageKey struct {
	account, region string
	day             time.Time
}

type agg struct {
	calls, denied, unauth int64
	first, last           time.Time
}

func (a *agg) add(t time.Time, oc cloudtrail.Outcome) {
	if a.calls == 0 || t.Before(a.first) {
		a.first = t
	}
	if a.calls == 0 || t.After(a.last) {
		a.last = t
	}
	a.calls++
	switch oc {
	case cloudtrail.OutcomeDenied:
		a.denied++
	case cloudtrail.OutcomeUnauthenticated:
		a.unauth++
	}
}

type principalMeta struct{ account, typ, name string }

type pending struct {
	rec cloudtrail.Record
	pk  string // principal key
	id  [16]byte
	day time.Time
	raw []byte // only with KeepRaw
	dup bool
}

// batch accumulates one object's records inside its transaction.
type batch struct {
	r     *runner
	tx    pgx.Tx
	o     object
	res   *objectResult
	chunk []pending

	principals map[string]principalMeta
	usage      map[usageKey]*agg
	unmapped   map[unmappedKey]*agg
	context    map[contextKey]int64
	coverage   map[coverageKey]*agg
	// keyDay is the coverage the object's key proves, if any.
	keyDay coverageKey
	// newPartitions are partitions this transaction attached.
	newPartitions []string
}

func (r *runner) newBatch(tx pgx.Tx, o object) *batch {
	b := &batch{
		r: r, tx: tx, o: o,
		res: &objectResult{
			unmappedNames:  map[[2]string]int64{},
			principalsSeen: map[string]struct{}{},
		},
		principals: map[string]principalMeta{},
		usage:      map[usageKey]*agg{},
		unmapped:   map[unmappedKey]*agg{},
		context:    map[contextKey]int64{},
		coverage:   map[coverageKey]*agg{},
	}
	if o.account != "" && o.region != "" && !o.day.IsZero() {
		// The object itself proves the day has logs, events or not.
		b.keyDay = coverageKey{account: o.account, region: o.region, day: o.day}
		b.coverage[b.keyDay] = &agg{}
	}
	return b
}

// add normalizes one record and queues it.
func (b *batch) add(ctx context.Context, index int, raw []byte) error {
	// Reuse the slot's Record slices (Normalize resets the rest).
	if n := len(b.chunk); n < cap(b.chunk) {
		b.chunk = b.chunk[:n+1]
		b.chunk[n].raw, b.chunk[n].dup = nil, false
	} else {
		b.chunk = append(b.chunk, pending{})
	}
	p := &b.chunk[len(b.chunk)-1]
	if err := b.r.mapper.Normalize(raw, &p.rec); err != nil {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.badRecord(index, err.Error())
		return nil
	}
	rec := &p.rec
	if rec.EventTime.Before(minEventTime) || rec.EventTime.After(b.r.opts.Now().AddDate(1, 0, 0)) {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.badRecord(index, fmt.Sprintf("eventTime %s out of range", rec.EventTime.UTC().Format(time.RFC3339)))
		return nil
	}
	b.res.records++
	if t := rec.EventTime; t.After(b.res.maxEventTime) {
		b.res.maxEventTime = t
	}
	p.pk = principalKey(&rec.Principal, rec.InvokedBy)
	b.res.principalsSeen[p.pk] = struct{}{}
	if !b.r.filter.keeps(rec) {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.res.filtered++
		return nil
	}
	p.id = eventUUID(rec.EventID, raw)
	p.day = truncDay(rec.EventTime)
	if b.r.opts.KeepRaw {
		p.raw = cleanRaw(bytes.Clone(raw))
	}
	if len(b.chunk) >= chunkMax {
		if err := b.flush(ctx); err != nil {
			return &dbError{err}
		}
	}
	return nil
}

func (b *batch) badRecord(index int, reason string) {
	b.res.badRecords++
	e := cloudtrail.RecordError{File: b.o.name, Index: index, Reason: reason}
	b.res.addError(e.Error())
}

// flush checks the queued records' eventIDs against the dedup table and
// folds the new ones into the aggregates.
func (b *batch) flush(ctx context.Context) error {
	if len(b.chunk) == 0 {
		return nil
	}
	defer func() { b.chunk = b.chunk[:0] }()
	// Sorted, so that concurrent ingesters take the dedup rows' locks in
	// the same order and cannot deadlock.
	slices.SortFunc(b.chunk, func(x, y pending) int {
		if c := x.day.Compare(y.day); c != 0 {
			return c
		}
		return bytes.Compare(x.id[:], y.id[:])
	})
	days := make([]time.Time, 0, len(b.chunk))
	ids := make([][16]byte, 0, len(b.chunk))
	months := map[time.Time]bool{}
	for i := range b.chunk {
		p := &b.chunk[i]
		if i > 0 && p.day.Equal(b.chunk[i-1].day) && p.id == b.chunk[i-1].id {
			p.dup = true // twice in this object
			continue
		}
		days = append(days, p.day)
		ids = append(ids, p.id)
		months[time.Date(p.day.Year(), p.day.Month(), 1, 0, 0, 0, 0, time.UTC)] = true
	}
	for m := range months {
		if err := b.ensurePartition(ctx, "ingest_event_seen", m); err != nil {
			return err
		}
		if b.r.opts.KeepRaw {
			if err := b.ensurePartition(ctx, "cloudtrail_event_raw", m); err != nil {
				return err
			}
		}
	}
	rows, err := b.tx.Query(ctx, `
		INSERT INTO ingest_event_seen (day, event_id)
		SELECT d, e FROM unnest($1::date[], $2::uuid[]) AS t(d, e)
		ORDER BY d, e
		ON CONFLICT DO NOTHING
		RETURNING day, event_id`, days, ids)
	if err != nil {
		return fmt.Errorf("dedup events: %w", err)
	}
	type dk struct {
		day time.Time
		id  [16]byte
	}
	fresh := map[dk]bool{}
	var k dk
	if _, err := pgx.ForEachRow(rows, []any{&k.day, &k.id}, func() error {
		fresh[dk{k.day.UTC(), k.id}] = true
		return nil
	}); err != nil {
		return fmt.Errorf("dedup events: %w", err)
	}
	allNew := len(fresh) == len(ids)
	var raws [][]any
	for i := range b.chunk {
		p := &b.chunk[i]
		if p.dup || !allNew && !fresh[dk{p.day, p.id}] {
			b.res.duplicates++
			continue
		}
		b.aggregate(p)
		if p.raw != nil {
			rec := &p.rec
			raws = append(raws, []any{p.day, p.id, rec.EventTime, clip(rec.AccountID, maxShort), clip(rec.Region, maxShort),
				clip(rec.EventSource, maxName), clip(rec.EventName, maxName), p.pk, p.raw})
		}
	}
	if len(raws) > 0 {
		_, err := b.tx.CopyFrom(ctx, pgx.Identifier{"cloudtrail_event_raw"},
			[]string{"day", "event_id", "event_time", "account_id", "region", "event_source", "event_name", "principal_arn", "raw"},
			pgx.CopyFromRows(raws))
		if err != nil {
			return fmt.Errorf("store raw events: %w", err)
		}
	}
	return nil
}

// aggregate adds one new event to the object's rollups.
func (b *batch) aggregate(p *pending) {
	rec := &p.rec
	res := b.res
	res.events++
	switch rec.Outcome {
	case cloudtrail.OutcomeDenied:
		res.denied++
	}
	pk := p.pk
	if _, ok := b.principals[pk]; !ok {
		b.principals[pk] = principalMeta{
			account: clip(rec.Principal.AccountID, maxShort),
			typ:     clip(string(rec.Principal.Type), maxShort),
			name:    clip(rec.Principal.Name, maxName),
		}
	}
	invokedBy := clip(rec.InvokedBy, maxName)
	account := clip(rec.AccountID, maxShort)
	region := clip(rec.Region, maxShort)
	t := rec.EventTime

	mapped := false
	if rec.Mapping == cloudtrail.Mapped {
		acc := rec.Access
		if len(acc) == 0 {
			acc = crossAccess(rec.Actions, rec.Resources)
		}
		for i, a := range acc {
			if a.Action == "" || slices.Contains(acc[:i], a) {
				continue
			}
			k := usageKey{principal: pk, day: p.day, action: clip(a.Action, maxName), resource: clip(a.Resource, maxARN), invokedBy: invokedBy, account: account}
			v := b.usage[k]
			if v == nil {
				v = &agg{}
				b.usage[k] = v
			}
			v.add(t, rec.Outcome)
			mapped = true
		}
	}
	if !mapped {
		kind := "unmapped"
		if rec.Mapping == cloudtrail.Permissionless {
			kind = "permissionless"
			res.permissionless++
		} else {
			res.unmapped++
			res.unmappedNames[[2]string{clip(rec.EventSource, maxName), clip(rec.EventName, maxName)}]++
		}
		k := unmappedKey{principal: pk, day: p.day, kind: kind, source: clip(rec.EventSource, maxName), name: clip(rec.EventName, maxName), invokedBy: invokedBy, account: account}
		v := b.unmapped[k]
		if v == nil {
			v = &agg{}
			b.unmapped[k] = v
		}
		v.add(t, rec.Outcome)
	}
	ck := contextKey{principal: pk, day: p.day, region: region, net: sourceNet(rec.Context.SourceIP),
		vpce: clip(rec.Context.VPCEndpointID, maxShort), uaClass: clip(rec.Context.UserAgentClass, maxShort), mfa: rec.Context.MFA}
	b.context[ck]++
	cov := coverageKey{account: account, region: region, day: p.day}
	v := b.coverage[cov]
	if v == nil {
		v = &agg{}
		b.coverage[cov] = v
	}
	v.add(t, cloudtrail.OutcomeSuccess)
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

// ensurePartition makes sure the monthly partition of parent for month m
// exists, creating and attaching it inside the transaction when needed.
// ATTACH PARTITION takes a SHARE UPDATE EXCLUSIVE lock on the parent, which
// does not block other ingesters' inserts (CREATE TABLE ... PARTITION OF
// would take ACCESS EXCLUSIVE).
func (b *batch) ensurePartition(ctx context.Context, parent string, m time.Time) error {
	name := fmt.Sprintf("%s_p%04d%02d", parent, m.Year(), int(m.Month()))
	b.r.mu.Lock()
	known := b.r.partitions[name]
	b.r.mu.Unlock()
	if known || slices.Contains(b.newPartitions, name) {
		return nil
	}
	// Serialize creators of the same partition (released at commit); the
	// check after the lock sees a partition another ingester committed.
	if _, err := b.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('iamtrim-partition:' || current_schema() || '.' || $1))`, name); err != nil {
		return fmt.Errorf("lock partition %s: %w", name, err)
	}
	var attached bool
	err := b.tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = to_regclass($2))`,
		name, parent).Scan(&attached)
	if err != nil {
		return fmt.Errorf("look up partition %s: %w", name, err)
	}
	if !attached {
		// name is built from numbers only; parent is a constant.
		id, pid := pgx.Identifier{name}.Sanitize(), pgx.Identifier{parent}.Sanitize()
		from, to := m.Format(time.DateOnly), m.AddDate(0, 1, 0).Format(time.DateOnly)
		_, err := b.tx.Exec(ctx, fmt.Sprintf(`
			CREATE TABLE IF NOT EXISTS %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
			ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM ('%s') TO ('%s')`, id, pid, pid, id, from, to))
		if err != nil {
			return fmt.Errorf("create partition %s: %w", name, err)
		}
	}
	b.newPartitions = append(b.newPartitions, name)
	return nil
}

// committedPartitions remembers partitions once their transaction is in.
func (r *runner) committedPartitions(names []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		r.partitions[n] = true
	}
}

// write resolves principal ids and upserts the object's aggregates, each
// table's rows in key order.
func (b *batch) write(ctx context.Context) error {
	ids, err := b.principalIDs(ctx)
	if err != nil {
		return err
	}
	tx := b.tx
	if len(b.usage) > 0 {
		rows := make([][]any, 0, len(b.usage))
		for k, v := range b.usage {
			rows = append(rows, []any{ids[k.principal], k.day, k.action, k.resource, k.invokedBy, k.account, v.calls, v.denied, v.unauth, v.first, v.last})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "stage_usage"},
			[]string{"principal_id", "day", "action", "resource", "invoked_by", "account_id", "calls", "denied", "unauthenticated", "first_seen", "last_seen"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage usage: %w", err)
		}
	}
	if len(b.unmapped) > 0 {
		rows := make([][]any, 0, len(b.unmapped))
		for k, v := range b.unmapped {
			rows = append(rows, []any{ids[k.principal], k.day, k.kind, k.source, k.name, k.invokedBy, k.account, v.calls, v.denied, v.unauth, v.first, v.last})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "stage_unmapped"},
			[]string{"principal_id", "day", "kind", "event_source", "event_name", "invoked_by", "account_id", "calls", "denied", "unauthenticated", "first_seen", "last_seen"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage unmapped events: %w", err)
		}
	}
	if len(b.context) > 0 {
		rows := make([][]any, 0, len(b.context))
		for k, n := range b.context {
			rows = append(rows, []any{ids[k.principal], k.day, k.region, k.net, k.vpce, k.mfa, k.uaClass, n})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "stage_context"},
			[]string{"principal_id", "day", "region", "source_net", "vpc_endpoint", "mfa", "user_agent_class", "calls"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage context: %w", err)
		}
	}
	if b.keyDay != (coverageKey{}) && b.res.filtered > 0 && b.coverage[b.keyDay].calls == 0 {
		// Filters left records out: the object no longer proves its day.
		delete(b.coverage, b.keyDay)
	}
	if len(b.coverage) > 0 {
		rows := make([][]any, 0, len(b.coverage))
		for k, v := range b.coverage {
			var first, last any
			if v.calls > 0 {
				first, last = v.first, v.last
			}
			rows = append(rows, []any{k.account, k.region, k.day, v.calls, first, last})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "stage_coverage"},
			[]string{"account_id", "region", "day", "events", "first_seen", "last_seen"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage coverage: %w", err)
		}
	}
	// One round trip for the upserts, in a fixed table order.
	batch := &pgx.Batch{}
	if len(b.usage) > 0 {
		batch.Queue(`
			INSERT INTO usage_daily AS u (principal_id, day, action, resource, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
			SELECT principal_id, day, action, resource, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen
			FROM pg_temp.stage_usage
			ORDER BY principal_id, day, action, resource, invoked_by, account_id
			ON CONFLICT (principal_id, day, action, resource, invoked_by, account_id) DO UPDATE SET
				calls = u.calls + EXCLUDED.calls, denied = u.denied + EXCLUDED.denied,
				unauthenticated = u.unauthenticated + EXCLUDED.unauthenticated,
				first_seen = LEAST(u.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(u.last_seen, EXCLUDED.last_seen)`)
	}
	if len(b.unmapped) > 0 {
		batch.Queue(`
			INSERT INTO usage_unmapped_daily AS u (principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen)
			SELECT principal_id, day, kind, event_source, event_name, invoked_by, account_id, calls, denied, unauthenticated, first_seen, last_seen
			FROM pg_temp.stage_unmapped
			ORDER BY principal_id, day, kind, event_source, event_name, invoked_by, account_id
			ON CONFLICT (principal_id, day, kind, event_source, event_name, invoked_by, account_id) DO UPDATE SET
				calls = u.calls + EXCLUDED.calls, denied = u.denied + EXCLUDED.denied,
				unauthenticated = u.unauthenticated + EXCLUDED.unauthenticated,
				first_seen = LEAST(u.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(u.last_seen, EXCLUDED.last_seen)`)
	}
	if len(b.context) > 0 {
		batch.Queue(`
			INSERT INTO usage_context_daily AS u (principal_id, day, region, source_net, vpc_endpoint, mfa, user_agent_class, calls)
			SELECT principal_id, day, region, source_net, vpc_endpoint, mfa, user_agent_class, calls
			FROM pg_temp.stage_context
			ORDER BY principal_id, day, region, source_net, vpc_endpoint, mfa, user_agent_class
			ON CONFLICT (principal_id, day, region, source_net, vpc_endpoint, mfa, user_agent_class) DO UPDATE SET
				calls = u.calls + EXCLUDED.calls`)
	}
	if len(b.coverage) > 0 {
		batch.Queue(`
			INSERT INTO log_coverage_daily AS u (account_id, region, day, events, first_seen, last_seen)
			SELECT account_id, region, day, events, first_seen, last_seen
			FROM pg_temp.stage_coverage
			ORDER BY account_id, region, day
			ON CONFLICT (account_id, region, day) DO UPDATE SET
				events = u.events + EXCLUDED.events,
				first_seen = LEAST(u.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(u.last_seen, EXCLUDED.last_seen)`)
	}
	if batch.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("upsert rollups: %w", err)
	}
	return nil
}

// principalIDs returns the ids of the batch's principals, adding the new
// ones to usage_principal (in ARN order).
func (b *batch) principalIDs(ctx context.Context) (map[string]int64, error) {
	ids := make(map[string]int64, len(b.principals))
	var missing []string
	b.r.mu.Lock()
	for arn := range b.principals {
		if id, ok := b.r.principals[arn]; ok {
			ids[arn] = id
		} else {
			missing = append(missing, arn)
		}
	}
	b.r.mu.Unlock()
	if len(missing) == 0 {
		return ids, nil
	}
	slices.Sort(missing)
	accts := make([]string, len(missing))
	types := make([]string, len(missing))
	names := make([]string, len(missing))
	for i, arn := range missing {
		m := b.principals[arn]
		accts[i], types[i], names[i] = m.account, m.typ, m.name
	}
	if _, err := b.tx.Exec(ctx, `
		INSERT INTO usage_principal (arn, account_id, type, name)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
		ORDER BY 1
		ON CONFLICT (arn) DO NOTHING`, missing, accts, types, names); err != nil {
		return nil, fmt.Errorf("add principals: %w", err)
	}
	rows, err := b.tx.Query(ctx, `SELECT arn, id FROM usage_principal WHERE arn = ANY($1)`, missing)
	if err != nil {
		return nil, fmt.Errorf("look up principals: %w", err)
	}
	var arn string
	var id int64
	b.res.principalIDs = map[string]int64{}
	if _, err := pgx.ForEachRow(rows, []any{&arn, &id}, func() error {
		ids[arn] = id
		b.res.principalIDs[arn] = id
		return nil
	}); err != nil {
		return nil, fmt.Errorf("look up principals: %w", err)
	}
	for _, arn := range missing {
		if _, ok := ids[arn]; !ok {
			return nil, fmt.Errorf("principal %q missing after insert", arn)
		}
	}
	return ids, nil
}
