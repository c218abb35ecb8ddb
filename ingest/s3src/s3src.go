// Package s3src lists and reads CloudTrail log objects in S3 for package
// ingest. It knows the trail delivery layout
//
//	[prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
//
// and lists only the day prefixes inside the requested time window, for all
// accounts and regions found or only those asked for, so a run over the last
// week of a five-year bucket costs a few LIST calls per account and region.
// Prefixes that do not follow the layout are listed whole.
package s3src

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/iamtrim/iamtrim/cloudtrail"
	"golang.org/x/sync/errgroup"
)

// Options configure a Source.
type Options struct {
	// Endpoint overrides the S3 endpoint (tests, S3-compatible stores); it
	// switches to path-style addressing.
	Endpoint string
	// PageSize is ListObjectsV2's MaxKeys; 0 means 1000.
	PageSize int32
	// ListConcurrency bounds concurrent LIST calls; 0 means 8.
	ListConcurrency int
	Logger          *slog.Logger
}

// Filter narrows a listing.
type Filter struct {
	// Since and Until bound the delivery days listed (Until exclusive);
	// zero means unbounded.
	Since, Until time.Time
	// Accounts and Regions, when not empty, are the only ones listed.
	Accounts, Regions []string
}

// Object is one listed S3 object.
type Object struct {
	Bucket, Key  string
	Size         int64
	ETag         string
	LastModified time.Time
	// Account, Region and Day come from the key when it follows the
	// delivery layout (Day is zero otherwise).
	Account, Region string
	Day             time.Time
}

// URI is the object's s3:// address.
func (o Object) URI() string { return "s3://" + o.Bucket + "/" + o.Key }

// Source reads one bucket and prefix.
type Source struct {
	client *s3.Client
	cfg    aws.Config
	bucket string
	prefix string
	opts   Options
	log    *slog.Logger
	once   sync.Once
}

// ParseURI splits s3://bucket/prefix.
func ParseURI(uri string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URI", uri)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", uri)
	}
	return bucket, prefix, nil
}

// New returns a Source for uri ("s3://bucket/prefix").
func New(cfg aws.Config, uri string, opts Options) (*Source, error) {
	bucket, prefix, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	if opts.ListConcurrency <= 0 {
		opts.ListConcurrency = 8
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{cfg: cfg, bucket: bucket, prefix: prefix, opts: opts, log: log}
	s.client = s.newClient(cfg.Region)
	return s, nil
}

func (s *Source) newClient(region string) *s3.Client {
	return s3.NewFromConfig(s.cfg, func(o *s3.Options) {
		o.Region = region
		if s.opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(s.opts.Endpoint)
			o.UsePathStyle = true
		}
	})
}

// locate points the client at the bucket's region when it is not the
// configured one (S3 answers 301 with x-amz-bucket-region then).
func (s *Source) locate(ctx context.Context) {
	s.once.Do(func() {
		region := ""
		out, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
		if err == nil {
			region = aws.ToString(out.BucketRegion)
		} else if re := (*awshttp.ResponseError)(nil); errors.As(err, &re) && re.Response != nil {
			region = re.Response.Header.Get("X-Amz-Bucket-Region")
		}
		if region != "" && region != s.cfg.Region {
			s.log.Info("bucket is in another region", "bucket", s.bucket, "region", region)
			s.client = s.newClient(region)
		}
	})
}

// Open returns the object's body.
func (s *Source) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	s.locate(ctx)
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", s.bucket, key, err)
	}
	return out.Body, nil
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	orgRE     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
)

// List calls fn for every CloudTrail log object (cloudtrail.LogExtensions) under the
// source's prefix that f admits. fn is called from one goroutine at a time.
func (s *Source) List(ctx context.Context, f Filter, fn func(Object) error) error {
	s.locate(ctx)
	w := &walker{s: s, f: f, fn: fn}
	root, rest, ok := splitAWSLogs(s.prefix)
	if !ok {
		// Maybe the prefix is the trail's prefix, with AWSLogs/ below it.
		p := dirPrefix(s.prefix)
		dirs, err := s.listDirs(ctx, p)
		if err != nil {
			return err
		}
		if slices.Contains(dirs, p+"AWSLogs/") {
			root, rest, ok = p+"AWSLogs/", nil, true
		}
	}
	if !ok {
		s.log.Info("prefix does not follow the CloudTrail layout; listing all of it", "prefix", "s3://"+s.bucket+"/"+s.prefix)
		return w.listObjects(ctx, s.prefix, "", "", time.Time{})
	}
	return w.walkRoot(ctx, root, rest)
}

// splitAWSLogs finds the AWSLogs/ level in prefix and returns the prefix up
// to it and the complete path segments after it.
func splitAWSLogs(prefix string) (root string, rest []string, ok bool) {
	segs := strings.Split(prefix, "/")
	for i, seg := range segs {
		if seg == "AWSLogs" {
			root = strings.Join(segs[:i+1], "/") + "/"
			for _, r := range segs[i+1:] {
				if r != "" {
					rest = append(rest, r)
				}
			}
			return root, rest, true
		}
	}
	return "", nil, false
}

func dirPrefix(p string) string {
	if p != "" && !strings.HasSuffix(p, "/") {
		return p + "/"
	}
	return p
}

type walker struct {
	s  *Source
	f  Filter
	fn func(Object) error
	mu sync.Mutex
}

// walkRoot walks AWSLogs/[o-org/]account/CloudTrail/region/YYYY/MM/DD,
// honoring the levels the user already gave in rest.
func (w *walker) walkRoot(ctx context.Context, root string, rest []string) error {
	// Organization level.
	var accountParents []string
	if len(rest) > 0 && orgRE.MatchString(rest[0]) {
		accountParents = []string{root + rest[0] + "/"}
		rest = rest[1:]
	} else if len(rest) > 0 {
		accountParents = []string{root}
	} else {
		dirs, err := w.s.listDirs(ctx, root)
		if err != nil {
			return err
		}
		accountParents = append(accountParents, root)
		for _, d := range dirs {
			if orgRE.MatchString(lastSeg(d)) {
				accountParents = append(accountParents, d)
			}
		}
	}
	// Account level.
	var accounts []string // prefixes ending in account/
	for _, parent := range accountParents {
		if len(rest) > 0 {
			accounts = append(accounts, parent+rest[0]+"/")
			continue
		}
		dirs, err := w.s.listDirs(ctx, parent)
		if err != nil {
			return err
		}
		for _, d := range dirs {
			if acct := lastSeg(d); accountRE.MatchString(acct) && admits(w.f.Accounts, acct) {
				accounts = append(accounts, d)
			}
		}
	}
	if len(rest) > 0 {
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] != "CloudTrail" {
		// Digest or Insights folders, or something else: list it whole.
		for _, a := range accounts {
			if err := w.listObjects(ctx, a+strings.Join(rest, "/")+"/", lastSeg(a), "", time.Time{}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(rest) > 0 {
		rest = rest[1:]
	}
	// Region level.
	type regionDir struct{ prefix, account, region string }
	var regions []regionDir
	for _, a := range accounts {
		acct := lastSeg(a)
		ct := a + "CloudTrail/"
		if len(rest) > 0 {
			regions = append(regions, regionDir{ct + rest[0] + "/", acct, rest[0]})
			continue
		}
		dirs, err := w.s.listDirs(ctx, ct)
		if err != nil {
			return err
		}
		for _, d := range dirs {
			if r := lastSeg(d); regionRE.MatchString(r) && admits(w.f.Regions, r) {
				regions = append(regions, regionDir{d, acct, r})
			}
		}
	}
	if len(rest) > 0 {
		rest = rest[1:]
	}
	// Day level: the given date segments narrow the window.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(w.s.opts.ListConcurrency)
	for _, rd := range regions {
		days, err := w.days(ctx, rd.prefix, rest)
		if err != nil {
			return err
		}
		for _, day := range days {
			p := rd.prefix + day.Format("2006/01/02") + "/"
			g.Go(func() error { return w.listObjects(gctx, p, rd.account, rd.region, day) })
		}
	}
	return g.Wait()
}

// days returns the delivery days to list under a region prefix: generated
// from the window when it is bounded below, else discovered by listing the
// year, month and day levels.
func (w *walker) days(ctx context.Context, regionPrefix string, given []string) ([]time.Time, error) {
	lo, hi := w.f.Since.UTC(), w.f.Until.UTC()
	// Narrow by the date segments the prefix already holds.
	if len(given) > 0 {
		y, err := strconv.Atoi(given[0])
		if err != nil || len(given[0]) != 4 {
			return nil, fmt.Errorf("s3 prefix: %q is not a year", given[0])
		}
		m, d := 0, 0
		if len(given) > 1 {
			if m, err = strconv.Atoi(given[1]); err != nil || m < 1 || m > 12 {
				return nil, fmt.Errorf("s3 prefix: %q is not a month", given[1])
			}
		}
		if len(given) > 2 {
			if d, err = strconv.Atoi(given[2]); err != nil || d < 1 || d > 31 {
				return nil, fmt.Errorf("s3 prefix: %q is not a day", given[2])
			}
		}
		var from, to time.Time
		switch {
		case d > 0:
			from = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(0, 0, 1)
		case m > 0:
			from = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(0, 1, 0)
		default:
			from = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(1, 0, 0)
		}
		if lo.IsZero() || from.After(lo) {
			lo = from
		}
		if hi.IsZero() || to.Before(hi) {
			hi = to
		}
	}
	if !lo.IsZero() {
		if hi.IsZero() {
			hi = time.Now().UTC().AddDate(0, 0, 2)
		}
		var days []time.Time
		for d := truncDay(lo); d.Before(hi); d = d.AddDate(0, 0, 1) {
			days = append(days, d)
		}
		return days, nil
	}
	// Unbounded below: discover what is there.
	var days []time.Time
	years, err := w.s.listDirs(ctx, regionPrefix)
	if err != nil {
		return nil, err
	}
	for _, yd := range years {
		y, err := strconv.Atoi(lastSeg(yd))
		if err != nil || !hi.IsZero() && time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Compare(hi) >= 0 {
			continue
		}
		months, err := w.s.listDirs(ctx, yd)
		if err != nil {
			return nil, err
		}
		for _, md := range months {
			m, err := strconv.Atoi(lastSeg(md))
			if err != nil || m < 1 || m > 12 || !hi.IsZero() && time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Compare(hi) >= 0 {
				continue
			}
			dds, err := w.s.listDirs(ctx, md)
			if err != nil {
				return nil, err
			}
			for _, dd := range dds {
				d, err := strconv.Atoi(lastSeg(dd))
				if err != nil || d < 1 || d > 31 {
					continue
				}
				day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
				if !hi.IsZero() && day.Compare(hi) >= 0 {
					continue
				}
				days = append(days, day)
			}
		}
	}
	return days, nil
}

func truncDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func admits(allowed []string, v string) bool {
	return len(allowed) == 0 || slices.Contains(allowed, v)
}

// lastSeg is "b" for "a/b/".
func lastSeg(dir string) string {
	return path.Base(strings.TrimSuffix(dir, "/"))
}

// listDirs returns the common prefixes ("subdirectories") right under p.
func (s *Source) listDirs(ctx context.Context, p string) ([]string, error) {
	var dirs []string
	seen := map[string]bool{}
	pg := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(s.bucket),
		Prefix:    aws.String(p),
		Delimiter: aws.String("/"),
		MaxKeys:   aws.Int32(s.opts.PageSize),
	})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.bucket, p, err)
		}
		for _, cp := range out.CommonPrefixes {
			if d := aws.ToString(cp.Prefix); !seen[d] {
				seen[d] = true
				dirs = append(dirs, d)
			}
		}
	}
	slices.Sort(dirs)
	return dirs, nil
}

// listObjects lists every log object under p, recursively.
func (w *walker) listObjects(ctx context.Context, p, account, region string, day time.Time) error {
	pg := s3.NewListObjectsV2Paginator(w.s.client, &s3.ListObjectsV2Input{
		Bucket:  aws.String(w.s.bucket),
		Prefix:  aws.String(p),
		MaxKeys: aws.Int32(w.s.opts.PageSize),
	})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", w.s.bucket, p, err)
		}
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			if !IsLogName(key) {
				continue
			}
			obj := Object{
				Bucket: w.s.bucket, Key: key, Size: aws.ToInt64(o.Size),
				ETag: strings.Trim(aws.ToString(o.ETag), `"`), LastModified: aws.ToTime(o.LastModified),
				Account: account, Region: region, Day: day,
			}
			w.mu.Lock()
			err := w.fn(obj)
			w.mu.Unlock()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// IsLogName reports whether a file or key name looks like a CloudTrail log
// (cloudtrail.LogExtensions).
func IsLogName(name string) bool { return cloudtrail.IsLogName(name) }
