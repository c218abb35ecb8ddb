package ingest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// chunkMax is how many records are held before their eventIDs are checked
// against the dedup table and they are folded into the object's aggregates.
// Each held record costs about 2 kB, per worker.
const chunkMax = 2048

// chunkRawMax bounds the raw JSON a chunk holds with KeepRaw: records of up
// to MaxRecordBytes would otherwise let 2,048 of them hold 2 GiB.
const chunkRawMax = 8 << 20

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
	overflowed     int64 // events with a resource beyond the cap
	fatal          string
	errors         []string
	moreErrors     int
	unmappedNames  map[[2]string]int64
	principalsSeen map[string]struct{}
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

// Grouping: several objects share one transaction, so that rollup rows
// common to them (same principal, day and action) are written once, not
// once per object. A group is what a worker finds waiting, up to these
// bounds.
const (
	maxGroupObjects = 32
	maxGroupBytes   = 4 << 20 // listed (compressed) bytes
)

// item is one object of a group with what became of it.
type item struct {
	o       object
	res     *objectResult
	oc      outcome
	id      int64  // ledger row
	version string // ledger version to record
}

// process ingests a group of objects in one transaction, retrying after
// deadlocks. With wait false, objects another ingester holds are set aside
// (r.busy); with wait true (single objects only), process waits for that
// ingester to finish or die.
func (r *runner) process(ctx context.Context, w *worker, group []object, wait bool) error {
	release, err := r.charge(ctx, w, group)
	r.releaseAhead(group) // now charged, or not to be processed
	if err != nil {
		return err
	}
	defer release()
	group = r.prefetch(ctx, group)
	var items []item
	var newPartitions []string
	err = store.Retry(ctx, func() error {
		for stale := 0; ; {
			items = make([]item, len(group))
			for i, o := range group {
				items[i] = item{o: o}
			}
			var err error
			newPartitions, err = r.processOnce(ctx, w, items, wait)
			if isNoPartition(err) && stale < 3 {
				// A partition this process believed in is gone (dropped
				// by hand, restored from an older dump): look again.
				stale++
				desc, derr := queries.PartitionsOf(ctx, r.db, queries.EventSeenTable)
				if derr != nil {
					desc = derr.Error()
				}
				r.log.Warn("a partition is missing; checking partitions again on new connections", "err", err, "row", pgDetail(err), "partitions", desc)
				r.forgetPartitions()
				// Whatever a backend believed about the table's
				// partitions, a new one reads them afresh.
				r.db.Pool.Reset()
				continue
			}
			var need *errNeedPartition
			if !errors.As(err, &need) {
				return err
			}
			if err := r.createPartition(ctx, need.parent, need.month); err != nil {
				return err
			}
		}
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("ingest %s: %w", group[0].name, err)
	}
	r.roll.Committed(w.roll)
	r.committed(newPartitions)
	for _, it := range items {
		o, res, oc := it.o, it.res, it.oc
		if oc == outcomeBusy && !wait {
			r.mu.Lock()
			r.busy = append(r.busy, o)
			r.mu.Unlock()
			continue
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
			r.log.Warn("object still locked by another ingester; run again later", "file", o.name)
		}
	}
	return nil
}

// prefetchConcurrency bounds the S3 downloads of one group.
const prefetchConcurrency = 8

// prefetch downloads a group's S3 objects concurrently, before its
// transaction begins, so that the transaction does not wait on the network
// object after object: those not read ahead already (see readAhead). It
// returns the group with those objects reading from memory (or failing
// with the download's error). Objects the ledger already shows done (by
// another ingester since they were listed: most of the days set aside for
// others) are left to be opened only if the claim finds them to do after
// all.
func (r *runner) prefetch(ctx context.Context, group []object) []object {
	return r.download(ctx, group, func(*object) bool { return true })
}

// download is prefetch of the objects admit lets through (it is called
// for each before its download starts, in the group's order).
func (r *runner) download(ctx context.Context, group []object, admit func(o *object) bool) []object {
	out := slices.Clone(group)
	done := r.doneSinceListed(ctx, out)
	var wg sync.WaitGroup
	sem := make(chan struct{}, prefetchConcurrency)
	for i := range out {
		o := &out[i]
		if !o.toDownload() || done[i] || ctx.Err() != nil || !admit(o) {
			continue
		}
		o.held = true
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			data, err := func() ([]byte, error) {
				rc, err := o.open(ctx)
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				// Bounded as charged: an object replaced by a larger
				// one since it was listed reads as cut short.
				return io.ReadAll(io.LimitReader(rc, o.size))
			}()
			o.open = func(context.Context) (io.ReadCloser, error) {
				if err != nil {
					return nil, err
				}
				return io.NopCloser(bytes.NewReader(data)), nil
			}
		}()
	}
	wg.Wait()
	return out
}

// Read-ahead: each worker downloads the S3 objects of its next group while
// it processes the current one, so that it does not wait on S3 between
// groups (work). What is read ahead is held before its group is charged
// to the memory budget: it is bounded apart, for the run, by
// readAheadBytes.
//
// readAheadMaxBytes bounds the bytes read ahead (at most a third of the
// memory budget): enough for the default workers' next groups (up to
// maxGroupBytes each). More costs: with 16 workers, a bound of 16 or
// 64 MiB cost 20-30% more Go CPU in garbage collection under TuneGC's
// 256 MiB soft limit, 8 MiB about 10% (BenchmarkIngestConcurrentS3).
// A var for tests.
var readAheadMaxBytes int64 = 8 << 20

// readAheadBytes is the bound on the bytes a run reads ahead for budget.
func readAheadBytes(budget int64) int64 { return min(readAheadMaxBytes, budget/3) }

// work is one worker: it takes groups (nextGroup) and processes them one
// after the other, while a helper takes the next group and reads its S3
// objects ahead: one group ahead at most, and only what fits in r.ahead
// (the rest is downloaded when its group comes, as without read-ahead).
// Nothing waits for r.ahead, so read-ahead cannot hold up the workers.
func (r *runner) work(ctx context.Context, todo <-chan object, gate *workerGate, i int) error {
	ctx, cancel := context.WithCancel(ctx)
	groups := make(chan []object)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(groups)
		var next []object
		for {
			if gate.wait(ctx, i) != nil {
				return
			}
			group, more := r.nextGroup(ctx, todo, next)
			if len(group) == 0 {
				gate.open() // no group left: the held workers see it too
				return
			}
			next = more
			group = r.readAhead(ctx, group)
			select {
			case groups <- group:
			case <-ctx.Done():
				r.releaseAhead(group)
				return
			}
		}
	}()
	defer func() {
		cancel()
		for group := range groups {
			r.releaseAhead(group)
		}
		wg.Wait()
	}()
	w := r.newWorker()
	for group := range groups {
		if err := r.process(ctx, w, group, false); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// readAhead downloads the group's S3 objects that fit in r.ahead now,
// except those set aside for the days other ingesters held: most of those
// are done by the time their group comes, which the ledger then shows
// (doneSinceListed), and read ahead they would be downloaded for nothing.
func (r *runner) readAhead(ctx context.Context, group []object) []object {
	return r.download(ctx, group, func(o *object) bool {
		if o.setAside {
			return false
		}
		// An object larger than the whole bound is downloaded when its
		// group comes, as before read-ahead: holding only the bound for
		// it would exceed it.
		if o.size > r.aheadCap || !r.ahead.TryAcquire(o.size) {
			return false
		}
		o.ahead = o.size
		return true
	})
}

// releaseAhead gives back what the group's objects hold of r.ahead, once
// the group is charged to the memory budget (or dropped), and clears it
// (an object another ingester held comes back, downloaded, alone).
func (r *runner) releaseAhead(group []object) {
	var n int64
	for i := range group {
		n += group[i].ahead
		group[i].ahead = 0
	}
	if n > 0 {
		r.ahead.Release(n)
	}
}

// doneSinceListed says which of the group's objects to prefetch the
// ledger shows done, read without locks; none when the ledger cannot be
// read (then all are downloaded, and the claim decides as ever).
func (r *runner) doneSinceListed(ctx context.Context, group []object) []bool {
	done := make([]bool, len(group))
	var keys []queries.ObjectKey
	for _, o := range group {
		if o.toDownload() {
			keys = append(keys, queries.ObjectKey{Source: o.kind, Key: o.key})
		}
	}
	if len(keys) == 0 {
		return done
	}
	states, err := queries.ObjectStates(ctx, r.db, keys)
	if err != nil {
		return done
	}
	for i, o := range group {
		if st, ok := states[queries.ObjectKey{Source: o.kind, Key: o.key}]; ok && o.toDownload() {
			done[i] = r.alreadyDone(o, st.Size, st.Version, st.Status)
		}
	}
	return done
}

// processOnce claims the items' objects in the ledger, reads them, and
// writes their aggregates and ledger rows in one transaction. It fills in
// each item's result and outcome, and returns the partitions the
// transaction added (known to others once it commits).
func (r *runner) processOnce(ctx context.Context, w *worker, items []item, wait bool) ([]string, error) {
	conn, err := r.db.Pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows := map[queries.ObjectKey]queries.ObjectState{}
	keys := make([]queries.ObjectKey, len(items))
	for i, it := range items {
		keys[i] = queries.ObjectKey{Source: it.o.kind, Key: it.o.key}
	}
	// With wait, the holder is busy with the object or just died (its
	// backend has not noticed yet): wait for its transaction to end,
	// within reason.
	claim := &pgx.Batch{}
	queries.QueueClaimObjects(claim, keys, wait, r.lockWait, rows)
	err = tx.SendBatch(ctx, claim).Close()
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		for i := range items {
			items[i].oc = outcomeBusy
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b := r.newBatch(tx, w)
	last := &pgx.Batch{} // ledger rows and cursors, sent with the rollups
	work := false
	for i := range items {
		it := &items[i]
		o := it.o
		lr, claimed := rows[queries.ObjectKey{Source: o.kind, Key: o.key}]
		if !claimed {
			it.oc = outcomeBusy
			continue
		}
		if r.alreadyDone(o, lr.Size, lr.Version, lr.Status) {
			it.oc = outcomeAlreadyDone
			continue
		}
		version, ok, err := r.read(ctx, w.rd, b, o, lr.Version)
		if err != nil {
			return nil, err
		}
		if !ok {
			it.oc = outcomeAlreadyDone // an API day with nothing left to fetch
			continue
		}
		work = true
		it.res, it.version, it.id = b.res, version, lr.ID
	}
	if !work {
		return nil, nil
	}
	// Settle the last records' dedup: the ledger rows carry the counts.
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	for i := range items {
		it := &items[i]
		res, o := it.res, it.o
		if res == nil {
			continue
		}
		switch {
		case res.fatal != "":
			it.oc = outcomeFailed
			res.errors = append([]string{res.fatal}, res.errors...)
		case res.badRecords > 0:
			it.oc = outcomeFailed
		case res.shape.Skipped():
			it.oc = outcomeSkipped
		default:
			it.oc = outcomeOK
		}
		status := map[outcome]string{outcomeOK: "done", outcomeFailed: "failed", outcomeSkipped: "skipped"}[it.oc]
		version := it.version
		if res.filtered > 0 && r.filter.tag != "" && o.kind != kindAPI {
			version += "#" + r.filter.tag
		}
		if o.account != "" && o.region != "" && !o.day.IsZero() && res.filtered == 0 {
			// The object itself proves its day has logs, events or not
			// (unless filters left some of them out).
			b.roll.Cover(o.account, o.region, o.day)
		}
		errText := strings.Join(res.errors[:min(len(res.errors), 10)], "\n")
		queries.QueueObjectDone(last, queries.ObjectDone{
			ID: it.id, Size: o.size, Version: version, Status: status, Shape: res.shape.String(), Records: res.records,
			Events: res.events, Duplicates: res.duplicates, Unmapped: res.unmapped, Denied: res.denied,
			BadRecords: res.badRecords, Error: clip(errText, 4096), IngestedBy: r.who,
		})
		if o.api != nil && !res.maxEventTime.IsZero() {
			queries.QueueAPICursor(last, o.api.account, o.api.region, res.maxEventTime)
		}
	}
	if err := b.roll.Write(ctx, tx, last); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return b.newPartitions, nil
}

// read reads one object into b, starting a new result for it, and returns
// the ledger version to record. ok is false when there was nothing to do
// (an API day already fetched up to now).
func (r *runner) read(ctx context.Context, rd *cloudtrail.ObjectReader, b *batch, o object, prevVersion string) (version string, ok bool, err error) {
	version = o.version
	var from, to time.Time
	if o.api != nil {
		var v string
		from, to, v, ok = o.api.window(prevVersion, &r.filter, r.opts.Now().UTC())
		if !ok {
			return "", false, nil
		}
		version = v
	}
	b.start(o)
	if o.api != nil {
		b.res.shape = cloudtrail.ShapeLookupEvents
		idx := 0
		_, err := o.api.client.Lookup(ctx, o.api.region, from, to, func(raw []byte) error {
			idx++
			return b.add(ctx, idx, raw)
		})
		if err != nil {
			if dbe := (*dbError)(nil); errors.As(err, &dbe) || ctx.Err() != nil {
				return "", false, err
			}
			b.res.fatal = clip(o.name+": "+err.Error(), maxErrorLen)
		}
		return version, true, nil
	}
	rc, err := o.open(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", false, ctx.Err()
		}
		b.res.fatal = clip(o.name+": "+err.Error(), maxErrorLen)
		return version, true, nil
	}
	shape, recErrs, err := rd.ReadNormalized(rc, o.name, r.opts.Limits, r.mapper, func(index int, raw []byte, rec *cloudtrail.Record, err error) error {
		return b.addNormalized(ctx, index, raw, rec, err)
	})
	_ = rc.Close()
	if ctx.Err() != nil {
		// A read cut by cancellation is not the object's fault.
		return "", false, ctx.Err()
	}
	b.res.shape = shape
	for _, e := range recErrs {
		b.res.badRecords++
		b.res.addError(e.Error())
	}
	if err != nil {
		if dbe := (*dbError)(nil); errors.As(err, &dbe) || ctx.Err() != nil {
			return "", false, err
		}
		b.res.fatal = clip(err.Error(), maxErrorLen)
	}
	return version, true, nil
}

// pgDetail is a PostgreSQL error's DETAIL (for a row no partition takes,
// its key), or "".
func pgDetail(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Detail
	}
	return ""
}

// isNoPartition recognises "no partition of relation ... found for row".
func isNoPartition(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && strings.HasPrefix(pgErr.Message, "no partition of relation")
}

// forgetPartitions drops what the process knows of existing partitions, so
// that the next transaction checks them in the catalog again.
func (r *runner) forgetPartitions() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.partitions)
}

// committed remembers principals and partitions once their transaction is
// in.
func (r *runner) committed(partitions []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range partitions {
		r.partitions[n] = true
	}
}

type pending struct {
	rec cloudtrail.Record
	res *objectResult // of the object the record came from
	pk  string        // principal key
	id  [16]byte
	day time.Time // UTC day of the event
	sec time.Time // event time to the second: the dedup key with id
	raw []byte    // only with KeepRaw
	// Where the record came from, for a raw record PostgreSQL refuses.
	file  string
	index int
	dup   bool
	// count > 0: the record stands for count events between its
	// EventTime and last (a group pushed down to Athena or CloudTrail
	// Lake); 0 is one event.
	count int64
	last  time.Time
}

// batch accumulates a group's records inside its transaction.
type batch struct {
	r   *runner
	tx  pgx.Tx
	w   *worker
	o   object        // the object being read
	res *objectResult // its result
	// latest is the latest eventTime accepted: a year after the object's
	// reading started (taken once, not per record).
	latest time.Time
	chunk  []pending
	roll   *rollup.Batch // the group's aggregates

	// dedup adds the group's events to the dedup table.
	dedup *queries.Dedup
	// rawBytes is the raw JSON the chunk holds (KeepRaw).
	rawBytes int
	// newPartitions are what this transaction added.
	newPartitions []string
}

// worker holds what one worker reuses from group to group: the object
// reader's buffers, the records' slots and the aggregates.
type worker struct {
	rd    *cloudtrail.ObjectReader
	chunk []pending
	keys  []skey
	secs  []time.Time
	dkeys []int64
	roll  *rollup.Batch
}

func (r *runner) newWorker() *worker {
	return &worker{
		rd:    cloudtrail.NewObjectReader(),
		chunk: make([]pending, 0, chunkMax),
		roll:  r.roll.NewBatch(),
	}
}

// skey sorts a chunk's records by dedup key without moving them.
type skey struct {
	sec int64
	key int64 // queries.DedupKey of the eventID
	i   int32
}

func (r *runner) newBatch(tx pgx.Tx, w *worker) *batch {
	w.roll.Reset()
	return &batch{r: r, tx: tx, w: w, chunk: w.chunk[:0], roll: w.roll, dedup: queries.NewDedup(tx)}
}

// start begins reading object o.
func (b *batch) start(o object) {
	b.o = o
	b.latest = b.r.opts.Now().AddDate(1, 0, 0)
	b.res = &objectResult{
		unmappedNames:  map[[2]string]int64{},
		principalsSeen: map[string]struct{}{},
	}
}

// add normalizes one record and queues it.
func (b *batch) add(ctx context.Context, index int, raw []byte) error {
	p := b.slot()
	return b.added(ctx, p, index, raw, b.r.mapper.Normalize(raw, &p.rec))
}

// addNormalized queues a record ReadNormalized normalized: err is
// Normalize's error for it, and rec its normalization, which is swapped
// into the queue (rec takes the slot's old slices, for the reader to
// reuse).
func (b *batch) addNormalized(ctx context.Context, index int, raw []byte, rec *cloudtrail.Record, err error) error {
	p := b.slot()
	p.rec, *rec = *rec, p.rec
	return b.added(ctx, p, index, raw, err)
}

// slot returns a new slot at the end of the chunk, reusing its Record's
// slices (Normalize resets the rest).
func (b *batch) slot() *pending {
	if n := len(b.chunk); n < cap(b.chunk) {
		b.chunk = b.chunk[:n+1]
		b.chunk[n].raw, b.chunk[n].dup, b.chunk[n].count = nil, false, 0
	} else {
		b.chunk = append(b.chunk, pending{})
	}
	p := &b.chunk[len(b.chunk)-1]
	p.res = b.res
	return p
}

// added finishes queueing the record in the last slot, p, normalized with
// the error err.
func (b *batch) added(ctx context.Context, p *pending, index int, raw []byte, err error) error {
	if err != nil {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.badRecord(index, err.Error())
		return nil
	}
	rec := &p.rec
	if rec.EventTime.Before(minEventTime) || rec.EventTime.After(b.latest) {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.badRecord(index, fmt.Sprintf("eventTime %s out of range", rec.EventTime.UTC().Format(time.RFC3339)))
		return nil
	}
	if reason := overlongARN(rec); reason != "" {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.badRecord(index, reason)
		return nil
	}
	b.res.records++
	if t := rec.EventTime; t.After(b.res.maxEventTime) {
		b.res.maxEventTime = t
	}
	p.pk = rollup.PrincipalKey(&rec.Principal, rec.InvokedBy)
	b.res.principalsSeen[p.pk] = struct{}{}
	if !b.r.filter.keeps(rec) {
		b.chunk = b.chunk[:len(b.chunk)-1]
		b.res.filtered++
		return nil
	}
	p.id = eventUUID(rec.EventID, raw)
	p.day = truncDay(rec.EventTime)
	p.sec = rec.EventTime.UTC().Truncate(time.Second)
	if b.r.opts.KeepRaw {
		p.raw = cleanRaw(bytes.Clone(raw))
		p.file, p.index = b.o.name, index
		b.rawBytes += len(p.raw)
	}
	if len(b.chunk) >= chunkMax || b.rawBytes >= chunkRawMax {
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
	defer func() { b.chunk, b.rawBytes = b.chunk[:0], 0 }()
	// Sorted, so that concurrent ingesters take the dedup rows' locks in
	// the same order and cannot deadlock. (Keys are sorted, not the big
	// pending records.)
	keys := b.w.keys[:0]
	for i := range b.chunk {
		keys = append(keys, skey{sec: b.chunk[i].sec.Unix(), key: queries.DedupKey(b.chunk[i].id), i: int32(i)})
	}
	b.w.keys = keys
	slices.SortFunc(keys, func(x, y skey) int {
		if x.sec != y.sec {
			return cmp.Compare(x.sec, y.sec)
		}
		return cmp.Compare(x.key, y.key)
	})
	secs, dkeys := b.w.secs[:0], b.w.dkeys[:0]
	defer func() { b.w.secs, b.w.dkeys = secs[:0], dkeys[:0] }()
	var months []time.Time
	var day time.Time // the last record's, whose month is known
	for j, k := range keys {
		p := &b.chunk[k.i]
		if j > 0 && k.sec == keys[j-1].sec && k.key == keys[j-1].key {
			p.dup = true // twice in this group
			continue
		}
		secs, dkeys = append(secs, p.sec), append(dkeys, k.key)
		if p.day == day {
			continue // sorted by time: most records have the last one's day
		}
		day = p.day
		if m := time.Date(p.day.Year(), p.day.Month(), 1, 0, 0, 0, 0, time.UTC); len(months) == 0 || !months[len(months)-1].Equal(m) {
			months = append(months, m) // sorted by time, so months come in order
		}
	}
	for _, m := range months {
		if err := b.needPartition(ctx, queries.EventSeenTable, m); err != nil {
			return err
		}
		if b.r.opts.KeepRaw {
			if err := b.needPartition(ctx, queries.EventRawTable, m); err != nil {
				return err
			}
		}
	}
	fresh, err := b.dedup.Add(ctx, secs, dkeys)
	if err != nil {
		return err
	}
	var raws []queries.RawEvent
	var rawFrom []*pending
	for i := range b.chunk {
		p := &b.chunk[i]
		if p.dup || fresh != nil && !fresh[queries.EventKey{Sec: p.sec.Unix(), Key: queries.DedupKey(p.id)}] {
			p.res.duplicates++
			continue
		}
		b.aggregate(p)
		if p.raw != nil {
			rec := &p.rec
			raws = append(raws, queries.RawEvent{Day: p.day, ID: p.id, Time: rec.EventTime,
				Account: clip(rec.AccountID, maxShort), Region: clip(rec.Region, maxShort),
				Source: clip(rec.EventSource, maxName), Name: clip(rec.EventName, maxName), PrincipalARN: p.pk, JSON: p.raw})
			rawFrom = append(rawFrom, p)
		}
	}
	if len(raws) > 0 {
		if err := b.storeRaw(ctx, raws, rawFrom); err != nil {
			return fmt.Errorf("store raw events: %w", err)
		}
	}
	return nil
}

// storeRaw copies raw events. cleanRaw removes what jsonb is known to
// refuse; should PostgreSQL still refuse a value (a number beyond numeric's
// range, say), each refused record is reported as bad on its own, instead
// of rolling back the whole group.
func (b *batch) storeRaw(ctx context.Context, raws []queries.RawEvent, from []*pending) error {
	return queries.AddRawEvents(ctx, b.tx, raws, func(i int, err error) {
		p := from[i]
		p.res.badRecords++
		p.res.addError((&cloudtrail.RecordError{File: p.file, Index: p.index,
			Reason: "PostgreSQL refused the raw record (" + shortPgError(err) + "); its event is counted, its raw JSON not kept"}).Error())
	})
}

func shortPgError(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message + ", SQLSTATE " + pgErr.Code
	}
	return err.Error()
}

// aggregate adds one new event to the group's rollups.
func (b *batch) aggregate(p *pending) {
	rec := &p.rec
	res := p.res
	c := rollup.Count{N: 1}
	if p.count > 0 {
		c = rollup.Count{N: p.count, First: rec.EventTime, Last: p.last}
	}
	res.events += c.N
	if rec.Outcome == cloudtrail.OutcomeDenied {
		res.denied += c.N
	}
	added := b.roll.Add(p.pk, p.day, rec, c)
	if added.Overflowed {
		res.overflowed += c.N
	}
	if !added.Mapped {
		if rec.Mapping == cloudtrail.Permissionless {
			res.permissionless += c.N
		} else {
			res.unmapped += c.N
			res.unmappedNames[[2]string{clip(rec.EventSource, maxName), clip(rec.EventName, maxName)}] += c.N
		}
	}
}

// errNeedPartition asks for a monthly partition to be created outside the
// transaction, which is then run again.
type errNeedPartition struct {
	parent string
	month  time.Time
}

func (e *errNeedPartition) Error() string {
	return fmt.Sprintf("partition of %s for %s missing", e.parent, e.month.Format("2006-01"))
}

// needPartition checks that parent has a partition for the month of t. A
// missing one is reported with errNeedPartition: creating it inside this
// transaction would hold a lock on the parent table until the commit and
// stall other ingesters. It happens once a month per database.
func (b *batch) needPartition(ctx context.Context, parent string, t time.Time) error {
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	name := queries.PartitionName(parent, m)
	if slices.Contains(b.newPartitions, name) {
		return nil
	}
	b.r.mu.Lock()
	known := b.r.partitions[name]
	b.r.mu.Unlock()
	if known {
		return nil
	}
	attached, err := queries.PartitionAttached(ctx, b.tx, parent, m)
	if err != nil {
		return err
	}
	if !attached {
		return &errNeedPartition{parent: parent, month: m}
	}
	b.newPartitions = append(b.newPartitions, name)
	return nil
}

// createPartition creates and attaches a monthly partition in its own short
// transaction (queries.CreateMonthlyPartition).
func (r *runner) createPartition(ctx context.Context, parent string, m time.Time) error {
	created, err := queries.CreateMonthlyPartition(ctx, r.db, parent, m)
	if err != nil {
		return err
	}
	name := queries.PartitionName(parent, m)
	if created {
		r.log.Debug("created partition", "partition", name)
	}
	r.committed([]string{name})
	return nil
}
