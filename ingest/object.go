package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/apisrc"
	"github.com/iamtrim/iamtrim/ingest/filesrc"
	"github.com/iamtrim/iamtrim/ingest/s3src"
)

// Ledger source kinds (ingest_object.source).
const (
	kindFile = "file"
	kindS3   = "s3"
	kindAPI  = "api"
)

// object is one unit of work: a log file, an S3 object, or a CloudTrail
// API window (account x region x day).
type object struct {
	kind string
	// key identifies the object in the ledger; name is how errors show it.
	key, name string
	size      int64
	// version is what must match the ledger for the object to count as
	// already done: mtime (files), ETag (S3), "complete" (API days).
	version string
	// weight is what the object holds in memory beside the object
	// reader while its group is processed: an S3 object downloaded ahead
	// (prefetched), an API day's pages.
	weight int64

	// Coverage known from the key itself (S3 layout, API window), else "".
	account, region string
	day             time.Time

	open func(ctx context.Context) (io.ReadCloser, error) // files and S3
	// held: open reads the object's download from memory (prefetch);
	// ahead is what that download holds of the read-ahead bound, until
	// its group is charged (readAhead).
	held  bool
	ahead int64
	// setAside: the object's day was another ingester's (dayAffinity).
	setAside bool
	api      *apiDay // API windows
}

// apiDay is one account x region x UTC day of LookupEvents.
type apiDay struct {
	client  *apisrc.Client
	account string
	region  string
	day     time.Time
}

func fileObject(f filesrc.File) object {
	return object{
		kind: kindFile, key: f.Path, name: f.Path, size: f.Size,
		version: "mtime:" + strconv.FormatInt(f.ModTime.UnixNano(), 10),
		open:    func(context.Context) (io.ReadCloser, error) { return filesrc.Open(f.Path) },
	}
}

func s3Object(src *s3src.Source, o s3src.Object) object {
	key := o.Key
	obj := object{
		kind: kindS3, key: o.URI(), name: o.URI(), size: o.Size,
		version: "etag:" + o.ETag,
		account: o.Account, region: o.Region, day: o.Day,
		open: func(ctx context.Context) (io.ReadCloser, error) { return src.Open(ctx, key) },
	}
	if obj.prefetched() {
		obj.weight = o.Size
	}
	return obj
}

// prefetchMaxBytes is the largest S3 object downloaded ahead of its
// group's transaction (see prefetch); larger ones stream from S3 while
// they are read, so that memory does not grow with an object's size.
const prefetchMaxBytes = 8 << 20

// prefetched reports whether the object is downloaded ahead into memory.
func (o *object) prefetched() bool {
	return o.kind == kindS3 && o.size <= prefetchMaxBytes
}

// toDownload reports whether the object is to be downloaded ahead and is
// not yet.
func (o *object) toDownload() bool { return o.prefetched() && !o.held }

func apiObject(c *apisrc.Client, account, region string, day time.Time) object {
	key := "api://" + account + "/" + region + "/" + day.Format(time.DateOnly)
	return object{
		kind: kindAPI, key: key, name: key, version: apiComplete,
		weight:  4 << 20,
		account: account, region: region, day: day,
		api: &apiDay{client: c, account: account, region: region, day: day},
	}
}

// charge takes from the memory budget shared by the workers what a group
// holds while it is processed: the worker's object reader (its buffers,
// then whatever its window grows to for a large record, charged before it
// grows) and what the group's objects hold beside it. Objects stream
// through the reader, so what they decompress to is not held. release
// gives it all back.
func (r *runner) charge(ctx context.Context, w *worker, group []object) (release func(), err error) {
	var beside int64
	for _, o := range group {
		beside += o.weight
	}
	beside = max(0, min(beside, r.opts.MemoryBudget-cloudtrail.ReaderBytes))
	held := min(beside+cloudtrail.ReaderBytes, r.opts.MemoryBudget)
	if err := r.mem.Acquire(ctx, held); err != nil {
		return nil, err
	}
	w.rd.Reserve = func(n int64) error {
		n += beside
		if n <= held {
			return nil
		}
		if n > r.opts.MemoryBudget {
			return fmt.Errorf("a record needs more than the %d-byte memory budget: %w", r.opts.MemoryBudget, cloudtrail.ErrTooLarge)
		}
		// Give back and take the whole anew: waiting for more while
		// holding some could deadlock with another worker doing the same.
		r.mem.Release(held)
		held = 0
		if err := r.mem.Acquire(ctx, n); err != nil {
			return err
		}
		held = n
		return nil
	}
	return func() {
		w.rd.Reserve = nil
		r.mem.Release(held)
	}, nil
}

// filter is what --since/--until/--account/--region keep.
type filter struct {
	since, until      time.Time
	accounts, regions []string
	// tag names the filter in ledger versions ("" when nothing filters).
	tag string
}

func newFilter(o *Options) filter {
	f := filter{since: o.Since, until: o.Until, accounts: o.Accounts, regions: o.Regions}
	if f.since.IsZero() && f.until.IsZero() && len(f.accounts) == 0 && len(f.regions) == 0 {
		return f
	}
	h := sha1.New()
	fmt.Fprintf(h, "%d|%d|%s|%s", f.since.UnixNano(), f.until.UnixNano(), strings.Join(f.accounts, ","), strings.Join(f.regions, ","))
	f.tag = hex.EncodeToString(h.Sum(nil))[:16]
	return f
}

// keeps reports whether a record passes the filter.
func (f *filter) keeps(rec *cloudtrail.Record) bool {
	if !f.since.IsZero() && rec.EventTime.Before(f.since) {
		return false
	}
	if !f.until.IsZero() && !rec.EventTime.Before(f.until) {
		return false
	}
	if len(f.accounts) > 0 && !slices.Contains(f.accounts, rec.AccountID) {
		return false
	}
	if len(f.regions) > 0 && !slices.Contains(f.regions, rec.Region) {
		return false
	}
	return true
}

// doneVersions are the ledger versions that mean "nothing left to do" for
// an object whose current version is v: v itself, or v ingested under the
// same filter (records outside it were left out on purpose).
func (f *filter) doneVersions(v string) []string {
	if f.tag == "" {
		return []string{v}
	}
	return []string{v, v + "#" + f.tag}
}

// API day windows. A day's ledger version is apiComplete once all of it has
// been fetched after it settled, or "partial:FROM-TO" (Unix seconds) for
// the part fetched so far.
const apiComplete = "complete"

// apiSettle is how long CloudTrail may take to make an event visible to
// LookupEvents; windows overlap the previous fetch by this much, and a day
// is complete only once it ended this long ago.
const apiSettle = 20 * time.Minute

func parsePartial(v string) (from, to time.Time, ok bool) {
	rest, ok := strings.CutPrefix(v, "partial:")
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	rest, _, _ = strings.Cut(rest, "#")
	a, b, ok := strings.Cut(rest, "-")
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	fa, err1 := strconv.ParseInt(a, 10, 64)
	fb, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(fa, 0).UTC(), time.Unix(fb, 0).UTC(), true
}

// window plans what to fetch of day d given its ledger version prev:
// [from, to) and the version to record. ok is false when there is nothing
// to fetch.
func (d *apiDay) window(prev string, f *filter, now time.Time) (from, to time.Time, version string, ok bool) {
	dayStart, dayEnd := d.day, d.day.AddDate(0, 0, 1)
	if prev == apiComplete {
		return time.Time{}, time.Time{}, "", false
	}
	// Coverage is contiguous from the start of the day when the previous
	// fetch began there; then resume shortly before where it stopped.
	covered := dayStart
	from = dayStart
	if pf, pt, okp := parsePartial(prev); okp && !pf.After(dayStart) {
		from = pt.Add(-apiSettle)
		if from.Before(dayStart) {
			from = dayStart
		}
	}
	if !f.since.IsZero() && f.since.After(from) {
		from = f.since
		covered = f.since // the start of the day is left out
	}
	to = dayEnd
	if now.Before(to) {
		to = now
	}
	if !f.until.IsZero() && f.until.Before(to) {
		to = f.until
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, "", false
	}
	if covered.Equal(dayStart) && to.Equal(dayEnd) && !now.Before(dayEnd.Add(apiSettle)) {
		return from, to, apiComplete, true
	}
	return from, to, fmt.Sprintf("partial:%d-%d", covered.Unix(), to.Unix()), true
}
