package sample

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// gzipLevel is fixed so output is byte-stable for a given compressor
// version.
const gzipLevel = 6

// Stream numbers keep the layout and the event contents on separate random
// streams, so changing how one record looks never moves file boundaries.
const (
	streamLayout = 0x6c61796f7574
	streamEvents = 0x6576656e7473
)

// Generate writes a synthetic account into opts.Out: authz.json,
// trails.json, org.json (its AWS Organizations organisation), truth.json, exceptions.yaml and CloudTrail log files under AWSLogs/ in S3
// delivery layout. Memory stays bounded whatever opts.Events: files are
// produced one at a time and truth is accumulated per principal over a
// finite set of actions and resources.
func Generate(ctx context.Context, opts Options, log *slog.Logger) (Stats, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return Stats{}, fmt.Errorf("create %s: %w", opts.Out, err)
	}
	g := newGenerator(opts, log)
	began := time.Now()
	log.Info("generating sample", "out", opts.Out, "events", opts.Events, "days", opts.Days, "files", opts.Files, "seed", opts.Seed)
	if err := g.run(ctx); err != nil {
		return g.stats(), fmt.Errorf("generate sample in %s: %w", opts.Out, err)
	}
	if err := g.writeJSON("trails.json", g.org.trails()); err != nil {
		return g.stats(), err
	}
	if err := g.writeJSON("authz.json", g.org.authz(g.lastUsed())); err != nil {
		return g.stats(), err
	}
	if err := g.writeJSON("org.json", g.org.organization()); err != nil {
		return g.stats(), err
	}
	la, err := g.writeLastAccessed()
	if err != nil {
		return g.stats(), err
	}
	truth := g.truth()
	truth.LastAccessed = la
	if err := g.writeJSON("truth.json", truth); err != nil {
		return g.stats(), err
	}
	if err := g.writeExceptions(); err != nil {
		return g.stats(), err
	}
	st := g.stats()
	log.Info("sample written", "out", opts.Out, "events", st.Events, "files", st.Files, "bytes", st.Bytes,
		"elapsed", time.Since(began).Round(time.Millisecond))
	return st, nil
}

type generator struct {
	opts Options
	org  *org
	log  *slog.Logger

	layout *rand.Rand
	evRand *rand.Rand
	ids    ids

	// per region: cumulative weights over the activities eligible there
	cum  [][]int
	acts [][]*activity

	accs    map[*principal]*acc
	order   []*principal
	totals  TruthTotals
	dupIDs  []string
	pending map[int][]pendingDup // region -> duplicate records waiting for that region's next file

	files int
	bytes atomic.Int64

	w  jw
	ev event
}

type pendingDup struct {
	id  string
	raw []byte
}

func newGenerator(opts Options, log *slog.Logger) *generator {
	o := newOrg(opts.Regions)
	g := &generator{opts: opts, org: o, log: log,
		layout:  rand.New(rand.NewPCG(uint64(opts.Seed), streamLayout)),
		evRand:  rand.New(rand.NewPCG(uint64(opts.Seed), streamEvents)),
		accs:    map[*principal]*acc{},
		pending: map[int][]pendingDup{},
		totals:  TruthTotals{ByRegion: map[string]int64{}, ByEventSource: map[string]int64{}},
	}
	g.ids = ids{rng: g.evRand}
	for _, p := range append(slices.Clone(o.principals), o.outside...) {
		g.accs[p] = newAcc(p)
		g.order = append(g.order, p)
	}
	g.cum = make([][]int, len(o.regions))
	g.acts = make([][]*activity, len(o.regions))
	for r := range o.regions {
		total := 0
		for _, a := range o.acts {
			if slices.Contains(a.regions, r) {
				total += a.weight
				g.acts[r] = append(g.acts[r], a)
				g.cum[r] = append(g.cum[r], total)
			}
		}
	}
	return g
}

// fileSpec is one log file of the plan.
type fileSpec struct {
	index  int // position in the global order, which fixes its event count
	region int
	slot   int // 5-minute slot of the day
}

// regionCycle spreads files over regions, the first (global services)
// region three times as often as each other one.
func regionCycle(n int) []int {
	c := []int{0, 0, 0}
	if n == 1 {
		return []int{0}
	}
	for r := 1; r < n; r++ {
		c = append(c, r)
	}
	return c
}

// eventsIn returns how many events file index j holds: an even split of
// Events over Files, with adjacent pairs trading events so sizes vary. It
// depends on j alone (not on the order files are made), so the total is
// exactly Events.
func (g *generator) eventsIn(j int) int {
	n, f := g.opts.Events, g.opts.Files
	base := func(i int) int { return (i+1)*n/f - i*n/f }
	pair := j &^ 1
	if pair+1 >= f {
		return base(j)
	}
	// Trade up to half the smaller file, never emptying one nor pushing one
	// past MaxEventsPerFile.
	half := min((min(base(pair), base(pair+1))-1)/2, MaxEventsPerFile-max(base(pair), base(pair+1)))
	if half < 1 {
		return base(j)
	}
	d := int(mix(uint64(g.opts.Seed)^uint64(pair)*0x9e3779b97f4a7c15)%uint64(2*half+1)) - half
	if j == pair {
		return base(j) + d
	}
	return base(j) - d
}

// mix is SplitMix64's finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (g *generator) run(ctx context.Context) error {
	type job struct {
		path string
		data *bytes.Buffer
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	jobs := make(chan job, workers)
	free := make(chan *bytes.Buffer, 2*workers+1)
	for range cap(free) {
		free <- new(bytes.Buffer)
	}
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			zw, _ := gzip.NewWriterLevel(nil, gzipLevel)
			for j := range jobs {
				if ctx.Err() == nil {
					n, err := writeGzip(j.path, j.data.Bytes(), zw)
					if err != nil {
						fail(err)
					}
					g.bytes.Add(n)
				}
				j.data.Reset()
				free <- j.data
			}
		}()
	}

	cycle := regionCycle(len(g.org.regions))
	dupEvery := 0
	if g.opts.Files >= 2 {
		nd := max(1, g.opts.Files/100)
		dupEvery = max(1, g.opts.Files/(nd+1))
	}
	fileIndex := 0
	var err error
	for d := 0; d < g.opts.Days && err == nil; d++ {
		k := (d+1)*g.opts.Files/g.opts.Days - d*g.opts.Files/g.opts.Days
		specs := make([]fileSpec, k)
		for i := range specs {
			j := fileIndex + i
			specs[i] = fileSpec{index: j, region: cycle[j%len(cycle)], slot: g.layout.IntN(287)}
		}
		fileIndex += k
		slices.SortFunc(specs, func(a, b fileSpec) int {
			if a.slot != b.slot {
				return a.slot - b.slot
			}
			if a.region != b.region {
				return a.region - b.region
			}
			return a.index - b.index
		})
		for _, fs := range specs {
			if err = ctx.Err(); err != nil {
				break
			}
			var buf *bytes.Buffer
			select {
			case buf = <-free:
			case <-ctx.Done():
				err = ctx.Err()
			}
			if err != nil {
				break
			}
			dupSource := dupEvery > 0 && fs.index%dupEvery == dupEvery/2 && fs.index+1 < g.opts.Files
			path := g.fillFile(buf, d, fs, g.eventsIn(fs.index), dupSource)
			jobs <- job{path: path, data: buf}
			if g.files%1000 == 0 {
				g.log.Debug("sample progress", "files", g.files, "events", g.totals.UniqueEvents)
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return err
}

func writeGzip(path string, data []byte, zw *gzip.Writer) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	cw := &countWriter{w: bufio.NewWriterSize(f, 64<<10)}
	zw.Reset(cw)
	if _, err := zw.Write(data); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := cw.w.(*bufio.Writer).Flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("close %s: %w", path, err)
	}
	return cw.n, nil
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// fillFile generates the records of one file into buf and returns the
// file's path.
func (g *generator) fillFile(buf *bytes.Buffer, dayIndex int, fs fileSpec, n int, dupSource bool) string {
	o := g.org
	region := o.regions[fs.region]
	start := g.opts.Start.AddDate(0, 0, dayIndex).Add(time.Duration(fs.slot) * 5 * time.Minute)
	delivered := start.Add(5*time.Minute + time.Duration(g.layout.IntN(5))*time.Minute)
	suffix := ids{rng: g.layout}.chars(alnum, 16)
	name := fmt.Sprintf("%s_CloudTrail_%s_%sZ_%s.json.gz", Account, region, delivered.Format("20060102T1504"), suffix)
	path := filepath.Join(g.opts.Out, "AWSLogs", Account, "CloudTrail", region, delivered.Format("2006/01/02"), name)
	g.files++

	offsets := make([]int, n)
	for i := range offsets {
		offsets[i] = g.evRand.IntN(300_000)
	}
	slices.Sort(offsets)

	buf.WriteString(`{"Records":[`)
	first := true
	if dups := g.pending[fs.region]; len(dups) > 0 {
		for _, d := range dups {
			buf.Write(d.raw)
			buf.WriteByte(',')
			g.dupIDs = append(g.dupIDs, d.id)
			g.totals.DuplicateRecords++
			g.totals.Records++
		}
		delete(g.pending, fs.region)
	}
	var last []byte
	var lastID string
	for i := range n {
		e := g.nextEvent(fs.region, start.Add(time.Duration(offsets[i])*time.Millisecond).Truncate(time.Second))
		g.w.reset()
		o.encode(&g.w, e, g.ids)
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(g.w.buf)
		if dupSource && i == n-1 {
			last = slices.Clone(g.w.buf)
			lastID = e.id
		}
		g.count(e)
	}
	buf.WriteString("]}\n")
	if last != nil {
		g.pending[fs.region] = append(g.pending[fs.region], pendingDup{id: lastID, raw: last})
	}
	g.totals.Files = g.files
	return path
}

// nextEvent draws one logged event in region r at time t. Calls the trail
// does not log are drawn too, recorded as unlogged use, and skipped.
func (g *generator) nextEvent(r int, t time.Time) *event {
	o := g.org
	cum, acts := g.cum[r], g.acts[r]
	for {
		x := g.evRand.IntN(cum[len(cum)-1])
		i, _ := slices.BinarySearch(cum, x+1)
		a := acts[i]
		if a.on != nil && !a.on(t) {
			continue
		}
		var rs *res
		if c := a.byRegion[r]; len(c) > 0 {
			rs = c[g.evRand.IntN(len(c))]
		}
		if a.mint != nil {
			rs = o.minted(a, rs, r, t, g.evRand.IntN(a.mintN))
		}
		if !a.logged {
			g.accs[a.who].recordUnlogged(a, rs, t, o.regions[r])
			g.totals.UnloggedCalls++
			continue
		}
		e := &g.ev
		*e = event{a: a, t: t, region: o.regions[r], r: rs}
		p := a.who
		switch {
		case a.assumed != nil && len(a.assumed.sessions) > 0:
			e.session = a.assumed.sessions[g.evRand.IntN(len(a.assumed.sessions))]
		case len(p.sessions) > 0:
			ss := p.sessions
			if byRegion := o.instanceSessions(p, r); len(byRegion) > 0 {
				ss = byRegion
			}
			e.session = ss[g.evRand.IntN(len(ss))]
		}
		if len(p.agents) > 0 {
			e.agent = p.agents[g.evRand.IntN(len(p.agents))]
		}
		if a.source == "signin.amazonaws.com" {
			e.agent = uaConsole
		}
		e.ip = o.ipFor(p, g.ids)
		switch {
		case a.deny != "":
			e.errCode, e.errMsg = e.denyMessage(g.ids)
		case a.failPct > 0 && g.evRand.IntN(100) < a.failPct:
			e.errCode, e.errMsg = a.failCode, a.failMsg
		}
		e.id = g.ids.uuid()
		return e
	}
}

func (g *generator) count(e *event) {
	a := e.a
	t := &g.totals
	t.Records++
	t.UniqueEvents++
	t.ByRegion[e.region]++
	t.ByEventSource[a.source]++
	switch {
	case a.deny != "":
		t.Denied++
	case a.action == "":
		t.Permissionless++
	default:
		t.Authorized++
		if e.errCode != "" {
			t.AuthorizedErrors++
		}
	}
	if a.data {
		t.DataEvents++
	} else {
		t.ManagementEvents++
	}
	if a.via != "" {
		t.ServiceInvoked++
	}
	g.accs[a.who].record(e)
}

func (g *generator) lastUsed() map[string]roleLastUsed {
	out := map[string]roleLastUsed{}
	for p, a := range g.accs {
		if p.kind == "role" && a.events > 0 {
			out[p.key] = roleLastUsed{LastUsedDate: cliDate(a.last), Region: a.lastRegion}
		}
	}
	return out
}

func (g *generator) truth() Truth {
	o := g.opts
	t := Truth{
		Account: Account,
		Generator: TruthOptions{Seed: o.Seed, Events: o.Events, Days: o.Days, Files: o.Files,
			Start: o.Start.Format("2006-01-02"), Regions: o.Regions},
		Window: TruthWindow{Start: fmtTime(o.Start), End: fmtTime(o.Start.AddDate(0, 0, o.Days))},
		Rules:  TruthRules, Totals: g.totals, DuplicateEventIDs: slices.Clone(g.dupIDs),
		Principals: []TruthPrincipal{}, OtherCallers: []TruthPrincipal{},
		Organization: g.org.truthOrg(),
	}
	if t.DuplicateEventIDs == nil {
		t.DuplicateEventIDs = []string{}
	}
	slices.Sort(t.DuplicateEventIDs)
	end := o.Start.AddDate(0, 0, o.Days)
	for _, p := range g.order {
		e := g.accs[p].export()
		e.NextMonth = g.accs[p].nextMonth(g.org, end)
		if p.kind == "role" || p.kind == "user" {
			t.Principals = append(t.Principals, e)
		} else {
			t.OtherCallers = append(t.OtherCallers, e)
		}
	}
	slices.SortFunc(t.Principals, func(a, b TruthPrincipal) int { return cmpStr(a.ARN, b.ARN) })
	slices.SortFunc(t.OtherCallers, func(a, b TruthPrincipal) int { return cmpStr(a.Type+a.Name, b.Type+b.Name) })
	return t
}

// writeExceptions writes exceptions.yaml, the sample's register of
// accepted risks (package exception): break-glass, rated critical every
// night, accepted until a year after the window ends; legacy-etl's
// exception expired a month before it ends.
func (g *generator) writeExceptions() error {
	end := g.opts.Start.AddDate(0, 0, g.opts.Days-1)
	d := func(days int) string { return end.AddDate(0, 0, days).Format(time.DateOnly) }
	doc := `# Accepted risks: iamtrim analyze|report|run --exceptions exceptions.yaml
# (or the exceptions: key of the job configuration). See README: Exceptions.
exceptions:
  - principal: arn:aws:iam::` + Account + `:role/break-glass
    reason: Emergency administrator access, used only during incidents under the break-glass procedure
    owner: security-oncall@example.com
    ticket: SEC-1042
    created: ` + d(-120) + `
    expires: ` + d(365) + `
  - principal: arn:aws:iam::` + Account + `:role/legacy-etl
    actions: ["s3:*", "glue:*", "iam:PassRole"]
    reason: Kept for the ETL migration; to be deleted after cut-over
    owner: data-platform@example.com
    ticket: DATA-311
    created: ` + d(-210) + `
    expires: ` + d(-30) + `
`
	path := filepath.Join(g.opts.Out, "exceptions.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	g.bytes.Add(int64(len(doc)))
	return nil
}

func (g *generator) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	b = append(b, '\n')
	path := filepath.Join(g.opts.Out, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	g.bytes.Add(int64(len(b)))
	return nil
}

func (g *generator) stats() Stats {
	st := Stats{Events: int(g.totals.UniqueEvents), Files: g.files, Bytes: g.bytes.Load()}
	for _, p := range g.org.principals {
		if p.kind == "role" {
			st.Roles++
		} else {
			st.Users++
		}
	}
	return st
}
