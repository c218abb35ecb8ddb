package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/apisrc"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/filesrc"
	"github.com/iamtrim/iamtrim/ingest/rollup"
	"github.com/iamtrim/iamtrim/ingest/s3src"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// Run ingests the sources into db and returns what it did. Objects that
// could not be (fully) read are reported in Summary.Errors and counted in
// Summary.FilesFailed; the error result is for failures that stopped the
// run (database, listing, cancellation). cat may be nil.
func Run(ctx context.Context, db *store.DB, cat cloudtrail.Catalog, opts Options, log *slog.Logger) (Summary, error) {
	start := time.Now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := opts.Validate(); err != nil {
		return Summary{}, err
	}
	r := newRunner(db, cat, opts, log)
	opts = r.opts
	if opts.Progress != nil {
		r.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(opts.Progress),
			progressbar.OptionSetDescription("listing"),
			progressbar.OptionSetItsString("files"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(opts.Progress) }),
		)
	}
	err := r.run(ctx)
	s := r.summary(time.Since(start))
	if r.bar != nil {
		r.updateBar(start)
		_ = r.bar.Finish()
	}
	log.Info("ingest finished", "files_ok", s.FilesOK, "files_failed", s.FilesFailed, "files_skipped", s.FilesSkipped,
		"files_already_done", s.FilesAlreadyDone, "events", s.Events, "duplicates", s.Duplicates, "unmapped", s.Unmapped,
		"denied", s.Denied, "elapsed", s.Elapsed, "events_per_sec", int64(s.EventsPerSec))
	return s, err
}

// newRunner applies the defaults to opts and returns the state of a run.
func newRunner(db *store.DB, cat cloudtrail.Catalog, opts Options, log *slog.Logger) *runner {
	if opts.Workers == 0 {
		opts.Workers = max(2, runtime.NumCPU())
	}
	if max := int(db.Pool.Config().MaxConns); opts.Workers > max {
		log.Info("fewer workers than asked: the database pool allows fewer connections", "workers", max, "asked", opts.Workers)
		opts.Workers = max
	}
	d := DefaultLimits()
	if opts.Limits.MaxObjectBytes == 0 {
		opts.Limits.MaxObjectBytes = d.MaxObjectBytes
	}
	if opts.Limits.MaxRecordBytes == 0 {
		opts.Limits.MaxRecordBytes = d.MaxRecordBytes
	}
	if opts.MemoryBudget == 0 {
		opts.MemoryBudget = 192 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	host, _ := os.Hostname()
	return &runner{
		db: db, opts: opts, log: log,
		mapper:     cloudtrail.NewMapper(cat),
		filter:     newFilter(&opts),
		mem:        semaphore.NewWeighted(opts.MemoryBudget),
		ahead:      semaphore.NewWeighted(readAheadBytes(opts.MemoryBudget)),
		aheadCap:   readAheadBytes(opts.MemoryBudget),
		seen:       map[string]struct{}{},
		unmapped:   map[[2]string]int64{},
		partitions: map[string]bool{},
		who:        fmt.Sprintf("%s:%d", clip(host, 64), os.Getpid()),
		lockWait:   2 * time.Minute,
		aff:        newDayAffinity(nil, log),
		roll:       rollup.NewRun(opts.rollupBounds()),
	}
}

// maxUnmappedNames bounds the distinct (eventSource, eventName) pairs
// counted for Summary.TopUnmapped.
const maxUnmappedNames = 10000

// runner is the state of one Run.
type runner struct {
	db     *store.DB
	opts   Options
	log    *slog.Logger
	mapper *cloudtrail.Mapper
	filter filter
	mem    *semaphore.Weighted
	// ahead bounds what is read ahead (readAhead), aheadCap bytes.
	ahead    *semaphore.Weighted
	aheadCap int64
	bar      *progressbar.ProgressBar
	who      string

	total, finished atomic.Int64 // objects listed, objects finished

	mu          sync.Mutex
	sum         Summary
	errs        []string
	errsDropped int
	seen        map[string]struct{}
	unmapped    map[[2]string]int64
	partitions  map[string]bool // partition names known to exist
	busy        []object        // objects another ingester held
	lockWait    time.Duration   // how long to wait for them at the end

	roll *rollup.Run // the caps and principals the groups share
	aff  *dayAffinity
}

func (r *runner) summary(elapsed time.Duration) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sum
	s.Elapsed = elapsed
	if secs := elapsed.Seconds(); secs > 0 {
		s.EventsPerSec = float64(s.Events) / secs
	}
	s.Principals = len(r.seen)
	s.TopUnmapped = topUnmapped(r.unmapped, TopUnmappedN)
	errs := slices.Clone(r.errs)
	sortErrorLines(errs)
	if r.errsDropped > 0 {
		errs = append(errs, fmt.Sprintf("... and %d more", r.errsDropped))
	}
	s.Errors = errs
	return s
}

// sortErrorLines puts error lines in a stable order: by path, then record
// number.
func sortErrorLines(lines []string) { slices.SortStableFunc(lines, compareErrorLines) }

// compareErrorLines orders "path:record N: reason" by path, then N
// numerically.
func compareErrorLines(a, b string) int {
	pa, na := splitErrorLine(a)
	pb, nb := splitErrorLine(b)
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	if na != nb {
		if na < nb {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func splitErrorLine(s string) (path string, n int) {
	i := strings.Index(s, ":record ")
	if i < 0 {
		p, _, _ := strings.Cut(s, ": ")
		return p, 0
	}
	rest := s[i+len(":record "):]
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return s[:i], n
}

func (r *runner) run(ctx context.Context) error {
	if err := r.recordBounds(ctx); err != nil {
		return err
	}
	// Each day is seeded before its first object, claimed or not.
	r.aff.claimed = r.seedDay
	// Day claims hold one connection of the pool for the run: only when
	// the pool has one to spare beside the workers'.
	spare := int(r.db.Pool.Config().MaxConns) - r.opts.Workers
	if spare <= 0 {
		r.log.Debug("ingesting without day claims: no connection to spare beside the workers'", "workers", r.opts.Workers)
	} else if claims, err := r.db.OpenClaims(ctx); err != nil {
		r.log.Warn("ingesting without day claims", "err", err)
	} else {
		spare--
		r.aff = newDayAffinity(claims, r.log)
		r.aff.claimed = r.seedDay
		defer r.aff.close()
	}
	// New principals are added in transactions of their own when a
	// connection is left for them (see rollup.Run.AddPrincipalsApart).
	if spare > 0 {
		r.roll.AddPrincipalsApart(r.db.Pool)
	}
	g, gctx := errgroup.WithContext(ctx)
	listed := make(chan object, 256)
	todo := make(chan object, 4*maxGroupObjects)

	// Listing: every source, one after the other.
	g.Go(func() error {
		defer close(listed)
		return r.list(gctx, func(o object) error {
			r.total.Add(1)
			select {
			case listed <- o:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	// Registration: put listed objects in the ledger in batches and pass on
	// those not already done.
	g.Go(func() error {
		defer close(todo)
		return r.register(gctx, listed, todo)
	})
	// Workers: as many at once as this process's share of the machine's
	// cores allows while other ingesters share it (see workerGate), from
	// the first group on. (gctx ends with g.Wait, and so does follow.)
	gate := newWorkerGate(r.opts.Workers)
	defer gate.follow(gctx, r.opts.Workers, r.log)()
	for i := range r.opts.Workers {
		g.Go(func() error { return r.work(gctx, todo, gate, i) })
	}
	done := make(chan struct{})
	defer close(done)
	if r.bar != nil {
		go r.progress(done)
	}
	if err := g.Wait(); err != nil {
		return r.durableAnyway(ctx, err)
	}
	// Objects other ingesters held: wait for each holder to commit (then
	// the object is done) or to die (then it is ours), so that a run ends
	// with every object it listed settled.
	r.mu.Lock()
	busy := r.busy
	r.busy = nil
	r.mu.Unlock()
	if len(busy) > 0 {
		r.log.Info("waiting for objects other ingesters hold", "objects", len(busy))
	}
	w := r.newWorker()
	for _, o := range busy {
		if err := r.process(ctx, w, []object{o}, true); err != nil {
			return r.durableAnyway(ctx, err)
		}
	}
	// The groups committed asynchronously (a commit lost in a server
	// crash loses its ledger rows too, so the objects are ingested again);
	// what the summary reports must not be lost, though.
	return queries.WaitDurable(ctx, r.db)
}

// durableAnyway makes the groups that did commit durable before a failed
// or interrupted run reports them (its summary counts committed objects),
// within 30 s even after cancellation, and returns err.
func (r *runner) durableAnyway(ctx context.Context, err error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if derr := queries.WaitDurable(ctx, r.db); derr != nil {
		r.log.Warn("could not make the committed objects durable", "err", derr)
	}
	return err
}

// recordBounds notes in the database how this run bounds the rollup, so
// that recommend knows how deep S3 keys were kept and whether resources
// of a kind were folded.
func (r *runner) recordBounds(ctx context.Context) error {
	return queries.RecordBounds(ctx, r.db, r.roll.Bounds())
}

// seedDay makes the run's fold and caps remember what the rollup holds
// for a day this run claimed before it reads any of its logs (see
// rollup.Run.Seed). A failure to read it costs tightness, not events.
func (r *runner) seedDay(ctx context.Context, account string, day time.Time) {
	if r.roll.Bounds().CollapseAt == 0 {
		return // the caps hold across runs in the database already
	}
	stored, err := queries.StoredResources(ctx, r.db, account, day, rollup.MaxSeededResources)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("could not read what the rollup holds for a day; folding it as new", "account", account, "day", day.Format(time.DateOnly), "err", err)
		}
		return
	}
	r.roll.Seed(account, day, stored)
}

// nextGroup takes the objects to process in one transaction: pending (an
// API window left over from the last call), else what is waiting in todo
// (of days this ingester holds, see dayAffinity), up to the group bounds
// and to a fair share of the queue, so that all workers get work; once
// todo is closed and drained, what was set aside. API windows go alone.
// It returns an empty group when there is nothing left or ctx is done.
func (r *runner) nextGroup(ctx context.Context, todo <-chan object, pending []object) (group, rest []object) {
	if len(pending) > 0 {
		return pending, nil
	}
	var first object
	for {
		var o object
		var ok bool
		select {
		case o, ok = <-todo:
		case <-ctx.Done():
			// The worker failed: its read-ahead stops (see work).
			return nil, nil
		}
		if !ok {
			return r.laterGroup()
		}
		if r.aff.take(ctx, o) {
			first = o
			break
		}
	}
	gave := false
	return gather(min(maxGroupObjects, 1+len(todo)/r.opts.Workers), func() (object, bool) {
		if !gave {
			gave = true
			return first, true
		}
		for {
			select {
			case o, ok := <-todo:
				if !ok {
					return object{}, false
				}
				if r.aff.take(ctx, o) {
					return o, true
				}
			default:
				return object{}, false
			}
		}
	})
}

// laterGroup is nextGroup for the objects set aside, with the same fair
// share of what is left.
func (r *runner) laterGroup() (group, rest []object) {
	return gather(min(maxGroupObjects, 1+r.aff.waiting()/r.opts.Workers), r.aff.pop)
}

// gather makes a group of the objects next gives, up to limit objects and
// maxGroupBytes: an API window goes alone (a window after others is
// returned in rest, for the next group).
func gather(limit int, next func() (object, bool)) (group, rest []object) {
	var size int64
	for len(group) < limit && size < maxGroupBytes {
		o, ok := next()
		if !ok {
			break
		}
		if o.kind == kindAPI {
			if len(group) == 0 {
				return []object{o}, nil
			}
			return group, []object{o}
		}
		group = append(group, o)
		size += o.size
	}
	return group, nil
}

func (r *runner) progress(done chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		r.updateBar(start)
	}
}

// updateBar shows files done of files listed, events and events/s.
func (r *runner) updateBar(start time.Time) {
	r.bar.ChangeMax64(r.total.Load())
	r.mu.Lock()
	ev := r.sum.Events
	r.mu.Unlock()
	rate := float64(ev) / max(time.Since(start).Seconds(), 0.001)
	r.bar.Describe(fmt.Sprintf("%d events, %.0f events/s", ev, rate))
	_ = r.bar.Set64(r.finished.Load())
}

// list enumerates the sources' objects.
func (r *runner) list(ctx context.Context, fn func(object) error) error {
	var ac *awsSetup
	for _, src := range r.opts.Sources {
		found := 0
		fn := func(o object) error {
			found++
			return fn(o)
		}
		var what string
		ignored := 0
		switch {
		case src == SourceAPI:
			if ac == nil {
				var err error
				if ac, err = r.awsConfig(ctx); err != nil {
					return err
				}
			}
			if err := r.listAPI(ctx, ac, fn); err != nil {
				return err
			}
		case strings.HasPrefix(src, "s3://"):
			if ac == nil {
				var err error
				if ac, err = r.awsConfig(ctx); err != nil {
					return err
				}
			}
			s, err := s3src.New(ac.cfg, src, s3src.Options{Endpoint: r.opts.S3Endpoint, Logger: r.log})
			if err != nil {
				return err
			}
			f := s3src.Filter{Since: r.opts.Since, Until: r.opts.Until, Accounts: r.opts.Accounts, Regions: r.opts.Regions}
			// Delivery days lag event times: a file delivered just after
			// midnight holds the last minutes of the day before.
			if !f.Until.IsZero() {
				f.Until = f.Until.Add(24 * time.Hour)
			}
			if err := s.List(ctx, f, func(o s3src.Object) error { return fn(s3Object(s, o)) }); err != nil {
				return err
			}
			what = "CloudTrail objects (AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz) in the --since/--until window"
		default:
			st, err := filesrc.Walk(ctx, src, func(f filesrc.File) error { return fn(fileObject(f)) })
			if err != nil {
				return err
			}
			r.mu.Lock()
			r.sum.FilesIgnored += st.Ignored
			r.sum.Ignored = append(r.sum.Ignored, st.IgnoredNames[:min(len(st.IgnoredNames), max(0, filesrc.MaxIgnoredNames-len(r.sum.Ignored)))]...)
			r.mu.Unlock()
			what = cloudtrail.LogNames
			ignored = st.Ignored
		}
		if found == 0 && src != SourceAPI {
			r.log.Warn("source holds no log files", "source", src, "looked_for", what, "ignored", ignored)
			msg := fmt.Sprintf("%s: no log files (looked for %s)", src, what)
			if ignored > 0 {
				msg += fmt.Sprintf("; %d other files ignored", ignored)
			}
			r.mu.Lock()
			r.sum.EmptySources = append(r.sum.EmptySources, src)
			r.errs = append(r.errs, msg)
			r.mu.Unlock()
		}
	}
	return nil
}

// register records listed objects in the ledger, in sorted batches, and
// sends on those that are not done yet.
func (r *runner) register(ctx context.Context, in <-chan object, out chan<- object) error {
	const batchMax = 512
	batch := make([]object, 0, batchMax)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		todo, err := r.registerBatch(ctx, batch)
		if err != nil {
			return err
		}
		batch = batch[:0]
		for _, o := range todo {
			select {
			case out <- o:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	for {
		// Take what is ready; flush when the batch is full or the listing
		// pauses.
		select {
		case o, ok := <-in:
			if !ok {
				return flush()
			}
			batch = append(batch, o)
			if len(batch) == batchMax {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		default:
			if err := flush(); err != nil {
				return err
			}
			select {
			case o, ok := <-in:
				if !ok {
					return nil
				}
				batch = append(batch, o)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

func (r *runner) registerBatch(ctx context.Context, batch []object) ([]object, error) {
	slices.SortFunc(batch, func(a, b object) int {
		if c := strings.Compare(a.kind, b.kind); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	batch = slices.CompactFunc(batch, func(a, b object) bool { return a.kind == b.kind && a.key == b.key })
	keys := make([]queries.ObjectKey, len(batch))
	sizes := make([]int64, len(batch))
	for i, o := range batch {
		keys[i], sizes[i] = queries.ObjectKey{Source: o.kind, Key: o.key}, o.size
	}
	var states map[queries.ObjectKey]queries.ObjectState
	err := store.Retry(ctx, func() error {
		var err error
		states, err = queries.RegisterObjects(ctx, r.db, keys, sizes)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("register objects in the ledger: %w", err)
	}
	todo := batch[:0:0]
	for _, o := range batch {
		st := states[queries.ObjectKey{Source: o.kind, Key: o.key}]
		if r.alreadyDone(o, st.Size, st.Version, st.Status) {
			r.finishObject(o, outcomeAlreadyDone, nil)
			continue
		}
		todo = append(todo, o)
	}
	return todo, nil
}

// alreadyDone reports whether a ledger row says o needs no work.
func (r *runner) alreadyDone(o object, size int64, version, status string) bool {
	if status != "done" && status != "skipped" {
		return false
	}
	if o.kind == kindAPI {
		return version == apiComplete
	}
	return size == o.size && slices.Contains(r.filter.doneVersions(o.version), version)
}

type outcome int

const (
	outcomeOK outcome = iota
	outcomeFailed
	outcomeSkipped
	outcomeAlreadyDone
	outcomeBusy
)

// finishObject adds a finished object's counts to the summary.
func (r *runner) finishObject(o object, oc outcome, res *objectResult) {
	r.finished.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch oc {
	case outcomeOK:
		r.sum.FilesOK++
	case outcomeFailed:
		r.sum.FilesFailed++
	case outcomeSkipped:
		r.sum.FilesSkipped++
	case outcomeAlreadyDone:
		r.sum.FilesAlreadyDone++
	case outcomeBusy:
		r.sum.FilesBusy++
	}
	if res == nil {
		return
	}
	r.sum.Events += res.events
	r.sum.Duplicates += res.duplicates
	r.sum.Unmapped += res.unmapped
	r.sum.Denied += res.denied
	r.sum.Permissionless += res.permissionless
	r.sum.Filtered += res.filtered
	r.sum.BadRecords += res.badRecords
	r.sum.OverResourceCap += res.overflowed
	// Keep the first MaxErrors lines; count the rest.
	keep := min(len(res.errors), max(0, MaxErrors-len(r.errs)))
	r.errs = append(r.errs, res.errors[:keep]...)
	r.errsDropped += len(res.errors) - keep
	for k, n := range res.unmappedNames {
		if _, ok := r.unmapped[k]; !ok && len(r.unmapped) >= maxUnmappedNames {
			k = [2]string{"(other)", "(other)"} // names come from logs: bound the map
		}
		r.unmapped[k] += n
	}
	for arn := range res.principalsSeen {
		r.seen[arn] = struct{}{}
	}
}

// awsSetup is the AWS configuration shared by the S3 and API sources.
type awsSetup struct {
	cfg aws.Config
}

func (r *runner) awsConfig(ctx context.Context) (*awsSetup, error) {
	sts := r.opts.STSEndpoint
	if sts == "" {
		sts = r.opts.APIEndpoint
	}
	cfg, err := awsconf.Load(ctx, awsconf.Options{
		Profile: r.opts.Profile, AssumeRole: r.opts.AssumeRole, STSEndpoint: sts, MaxBackoff: r.opts.AWSMaxBackoff, Log: r.log,
	})
	if err != nil {
		return nil, err
	}
	return &awsSetup{cfg: cfg}, nil
}

// listAPI enumerates account x region x day windows of LookupEvents, from
// --since (or 90 days ago) to --until (or now).
func (r *runner) listAPI(ctx context.Context, a *awsSetup, fn func(object) error) error {
	c := apisrc.New(a.cfg, apisrc.Options{Endpoint: r.opts.APIEndpoint, RatePerSecond: r.opts.APIRatePerSecond, Logger: r.log})
	account, err := c.AccountID(ctx)
	if err != nil {
		return err
	}
	if len(r.opts.Accounts) > 0 && !slices.Contains(r.opts.Accounts, account) {
		r.log.Info("skipping the CloudTrail API: its account is not among --account", "account", account)
		return nil
	}
	regions := r.opts.Regions
	if len(regions) == 0 {
		regions = []string{c.Region()}
	}
	now := r.opts.Now().UTC()
	from := now.Add(-apisrc.Retention)
	if !r.opts.Since.IsZero() && r.opts.Since.After(from) {
		from = r.opts.Since.UTC()
	}
	to := now
	if !r.opts.Until.IsZero() && r.opts.Until.Before(to) {
		to = r.opts.Until.UTC()
	}
	for _, region := range regions {
		for day := truncDay(from); day.Before(to); day = day.AddDate(0, 0, 1) {
			if err := fn(apiObject(c, account, region, day)); err != nil {
				return err
			}
		}
	}
	return nil
}

func truncDay(t time.Time) time.Time { return rollup.Day(t) }
