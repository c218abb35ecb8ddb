package cloudtrail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// Shape is the layout of one log object.
type Shape int

// Shapes ReadObject recognises.
const (
	ShapeUnknown Shape = iota
	// ShapeRecords is S3 delivery format: {"Records":[...]}.
	ShapeRecords
	// ShapeArray is a bare JSON array of records.
	ShapeArray
	// ShapeLines is JSON Lines: one record object per line (any whitespace
	// between objects is accepted).
	ShapeLines
	// ShapeLookupEvents is `aws cloudtrail lookup-events` output:
	// {"Events":[{"CloudTrailEvent":"<record as a JSON string>"}]}, or a
	// bare array of such events.
	ShapeLookupEvents
	// ShapeDigest is a CloudTrail digest file; it holds no events and is
	// skipped.
	ShapeDigest
	// ShapeInsights is a CloudTrail Insights file; its events are not API
	// calls and it is skipped.
	ShapeInsights
)

var shapeNames = [...]string{"unknown", "records", "array", "lines", "lookup-events", "digest", "insights"}

func (s Shape) String() string {
	if s < 0 || int(s) >= len(shapeNames) {
		return "Shape(" + strconv.Itoa(int(s)) + ")"
	}
	return shapeNames[s]
}

// Skipped reports whether objects of this shape hold no API calls and are
// skipped on purpose (digest and Insights files).
func (s Shape) Skipped() bool { return s == ShapeDigest || s == ShapeInsights }

// Limits bound what ReadObject accepts.
type Limits struct {
	// MaxObjectBytes bounds one object after decompression. Objects are
	// read as a stream, so this bounds the time one object can take, not
	// memory: reading stops there and the object is reported as too
	// large (the records before that point are kept).
	MaxObjectBytes int64
	// MaxRecordBytes bounds one record; a larger record is reported and
	// skipped. What a reader holds in memory is bounded by about twice
	// this (see WindowLimit), whatever the object's size.
	MaxRecordBytes int64
}

// DefaultLimits returns limits well above anything CloudTrail writes:
// CloudTrail caps an event at 256 KB and S3 log objects are a few MB. The
// object limit is a bound on time: 4 GiB of records take about a minute of
// one core to read and normalize (white space, a few seconds).
func DefaultLimits() Limits {
	return Limits{MaxObjectBytes: 4 << 30, MaxRecordBytes: 1 << 20}
}

// Sentinel errors callers may test with errors.Is.
var (
	// ErrNotCloudTrail: the object is JSON but not a CloudTrail log.
	ErrNotCloudTrail = errors.New("not a CloudTrail log")
	// ErrTooLarge: the object or a record exceeds its limit.
	ErrTooLarge = errors.New("too large")
	// ErrTruncated: the object ends inside a record.
	ErrTruncated = errors.New("truncated JSON")
)

// RecordError is one bad record (Index ≥ 1, the 1-based record number) or,
// with Index 0, an object that could not be read at all.
type RecordError struct {
	File   string
	Index  int
	Reason string
	// Err is the underlying error, when there is one, for errors.Is.
	Err error
}

func (e *RecordError) Error() string {
	if e.Index <= 0 {
		return e.File + ": " + e.Reason
	}
	return e.File + ":record " + strconv.Itoa(e.Index) + ": " + e.Reason
}

func (e *RecordError) Unwrap() error { return e.Err }

func recErr(file string, index int, err error) RecordError {
	return RecordError{File: file, Index: index, Reason: err.Error(), Err: err}
}

// ObjectReader reads log objects, reusing its buffers between calls. It is
// not safe for concurrent use; give each worker its own.
//
// An object is read as a stream: the decompressed bytes pass through a
// window that holds the record being cut out (and what follows it up to the
// window's end), never the whole object. The window starts at WindowBytes
// and grows only for a record larger than that, up to WindowLimit; a record
// too large for it is skipped as it streams past and reported.
type ObjectReader struct {
	br   *bufio.Reader
	gz   *gzip.Reader
	buf  []byte // the window
	unq  []byte // unescaped lookup-events record
	errs []RecordError
	rec  Record // ReadNormalized's record

	// window is the window's starting size; 0 means WindowBytes. Tests
	// make it tiny to put record boundaries at every offset.
	window int

	// Reserve, when set, is called with the bytes the reader is about to
	// hold (ReaderOverhead plus the window's capacity) before its window
	// is allocated or grown, and at the start of each object with what it
	// holds from the last one, so that a caller can charge them to a
	// memory budget shared by workers. An error refuses the object (or,
	// after some of its records, the rest of it) with it.
	Reserve func(bytes int64) error
}

const (
	// WindowBytes is the window's usual size.
	WindowBytes = 256 << 10
	// ReaderOverhead is what a reader holds besides its window: a 64 KiB
	// read buffer and the gzip decompressor's state (a 32 KiB history and
	// its tables).
	ReaderOverhead = 128 << 10
	// ReaderBytes is what a reader usually holds.
	ReaderBytes = ReaderOverhead + WindowBytes
	// keepBuffer is the largest window kept for the next object; one that
	// grew for a large record is dropped.
	keepBuffer = 1 << 20
	// spanSlack is the room past twice MaxRecordBytes a window may hold:
	// white space around a record, a wrapper's other keys.
	spanSlack = 4 << 10
)

// WindowLimit is the largest window a reader uses with these limits (plus
// ReaderOverhead, the most it holds): twice MaxRecordBytes, as a
// lookup-events event carries its record escaped in a string, and a
// little room.
func WindowLimit(l Limits) int64 {
	l = l.withDefaults()
	return 2*l.MaxRecordBytes + spanSlack
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxObjectBytes <= 0 {
		l.MaxObjectBytes = d.MaxObjectBytes
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	return l
}

// NewObjectReader returns a reader with empty buffers.
func NewObjectReader() *ObjectReader { return &ObjectReader{} }

// ReadObject decodes one log object with a fresh ObjectReader; see
// (*ObjectReader).ReadObject.
func ReadObject(r io.Reader, name string, limits Limits, fn func(index int, raw []byte) error) (Shape, []RecordError, error) {
	return NewObjectReader().ReadObject(r, name, limits, fn)
}

// ReadObject decodes one log object (gzip is detected by its magic bytes,
// not by name) and calls fn for each record's raw JSON, in order, with its
// 1-based index. raw is only valid during the call. The records are cut out
// but not validated: pass raw to Normalize.
//
// Per-record problems (a record that is not an object, too large, or
// truncated) are returned as RecordErrors and the rest of the object is
// still read where its framing allows. The error result is non-nil, a
// *RecordError with Index 0, when the object as a whole is unreadable
// (corrupt gzip, not JSON, not CloudTrail, too large) before its first
// record; then fn was not called. The object is read as a stream, so a
// problem found after some records (the gzip stream corrupt, the object
// larger than MaxObjectBytes, a read error) is reported as a RecordError
// after the last record read, and those records stand. If fn returns an
// error, reading stops and that error is returned wrapped in a
// *RecordError for the record.
//
// Digest and Insights files are recognised and returned with their shape
// and no calls to fn.
func (or *ObjectReader) ReadObject(r io.Reader, name string, limits Limits, fn func(index int, raw []byte) error) (Shape, []RecordError, error) {
	return or.read(r, &splitter{or: or, name: name, lim: limits, fn: fn})
}

// ReadNormalized is ReadObject that also normalizes each record with m:
// fn gets the record's raw JSON and, with err nil, rec, what
// m.Normalize(raw, rec) makes of it, or the error Normalize returns for
// raw. Records of S3 log objects and bare arrays are normalized as they
// are cut out, in one pass over their bytes where ReadObject and
// Normalize take two. rec belongs to the reader and is only valid during
// the call; fn may swap its contents with a Record of its own (whose
// slices the reader then reuses).
func (or *ObjectReader) ReadNormalized(r io.Reader, name string, limits Limits, m *Mapper, fn func(index int, raw []byte, rec *Record, err error) error) (Shape, []RecordError, error) {
	s := &splitter{or: or, name: name, lim: limits, norm: m}
	s.fn = func(index int, raw []byte) error {
		err := s.preErr
		if !s.pre {
			err = m.Normalize(raw, &or.rec)
		}
		s.pre = false
		return fn(index, raw, &or.rec, err)
	}
	return or.read(r, s)
}

// read reads one object with s, set up by ReadObject or ReadNormalized.
func (or *ObjectReader) read(r io.Reader, s *splitter) (Shape, []RecordError, error) {
	limits := s.lim.withDefaults()
	or.errs = or.errs[:0]
	s.lim, s.span = limits, int(min(WindowLimit(limits), math.MaxInt32))
	defer func() {
		or.buf = s.buf[:0]
		if cap(or.buf) > keepBuffer {
			or.buf = nil
		}
	}()
	if err := s.open(r); err != nil {
		return ShapeUnknown, nil, s.fatal(err)
	}
	shape, err := s.run()
	if err == nil && !s.eof && s.src == or.gz {
		// Reading stopped early (bad input): a corrupt gzip stream, whose
		// garbage may be what stopped it, shows in its checksum.
		s.drain()
	}
	if err == nil && s.srcErr != nil && !s.srcSaid {
		err = s.reject(s.cut(nil))
	}
	var errs []RecordError
	if len(or.errs) > 0 {
		errs = append([]RecordError(nil), or.errs...)
	}
	return shape, errs, err
}

// errSpan: the value being scanned runs past the window's limit.
var errSpan = errors.New("value longer than the read window")

// errLineCut: a record does not end on its line.
var errLineCut = errors.New("record does not end on its line")

// splitter cuts one object into records as it streams through the window
// s.buf. Offsets into s.buf are only good until the next fill, which moves
// what it keeps to the front: the code holds one offset at a time (two
// while it looks past a record) and shifts it by what fill reports.
type splitter struct {
	or   *ObjectReader
	name string
	lim  Limits
	fn   func(int, []byte) error
	n    int // records seen

	// norm, with ReadNormalized, normalizes records as elements cuts
	// them out: pre says the record passed to fn next is normalized
	// already (into or.rec), with the result preErr.
	norm   *Mapper
	pre    bool
	preErr error

	src  io.Reader
	buf  []byte // the window: input bytes from stream offset base
	base int64
	read int64 // bytes read from src
	span int   // the most a scan keeps in the window
	// eof: the input has ended, cleanly or with srcErr (a corrupt gzip
	// stream, a read error, the object limit, the memory budget).
	eof     bool
	srcErr  error
	srcSaid bool // srcErr has been reported
	// atEnd tells a scan function that the slice it was given ends where
	// the input ends.
	atEnd bool
}

// open prepares the source (decompressing gzip) and the window, and
// reads the first bytes.
func (s *splitter) open(r io.Reader) error {
	or := s.or
	if or.br == nil {
		or.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		or.br.Reset(r)
	}
	s.src = or.br
	magic, _ := or.br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if or.gz == nil {
			or.gz, err = gzip.NewReader(or.br)
		} else {
			err = or.gz.Reset(or.br)
		}
		if err != nil {
			return fmt.Errorf("corrupt gzip: %w", err)
		}
		s.src = or.gz
	}
	size := or.window
	if size <= 0 {
		size = WindowBytes
	}
	size = max(size, cap(or.buf))
	if err := s.reserve(size); err != nil {
		return err
	}
	if cap(or.buf) < size {
		or.buf = make([]byte, 0, size)
	}
	s.buf = or.buf[:0]
	s.fill(0)
	return nil
}

func (s *splitter) reserve(window int) error {
	if s.or.Reserve == nil {
		return nil
	}
	return s.or.Reserve(ReaderOverhead + int64(window))
}

// drainBytes bounds what drain reads.
const drainBytes = 16 << 20

// drain reads on (dropping it) up to drainBytes, to learn whether the
// source fails.
func (s *splitter) drain() {
	for limit := s.read + drainBytes; !s.eof && s.read < limit; {
		s.fill(len(s.buf))
	}
}

// fail ends the input with err, the reason reading stopped.
func (s *splitter) fail(err error) {
	s.eof, s.srcErr = true, err
}

// fill reads more input into the window, keeping s.buf[keep:], which it
// moves to the front: offsets into the window drop by the shift it
// returns. The window grows (double, up to the span) only when what is
// kept fills it.
func (s *splitter) fill(keep int) (shift int) {
	if s.eof {
		return 0
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:])
		s.buf = s.buf[:n]
		s.base += int64(keep)
		shift = keep
	}
	if len(s.buf) == cap(s.buf) {
		n := min(max(2*cap(s.buf), 1), s.span)
		if n <= cap(s.buf) {
			return shift // the caller sees the span reached
		}
		if err := s.reserve(n); err != nil {
			s.fail(err)
			return shift
		}
		grown := make([]byte, len(s.buf), n)
		copy(grown, s.buf)
		s.buf = grown
	}
	for zero := 0; len(s.buf) < cap(s.buf); {
		room := int64(cap(s.buf) - len(s.buf))
		// One byte past the limit says the object is too large.
		room = min(room, s.lim.MaxObjectBytes+1-s.read)
		n, err := s.src.Read(s.buf[len(s.buf) : len(s.buf)+int(room)])
		s.buf = s.buf[:len(s.buf)+n]
		s.read += int64(n)
		if s.read > s.lim.MaxObjectBytes {
			s.buf = s.buf[:len(s.buf)-1]
			s.fail(fmt.Errorf("object exceeds %d bytes decompressed (the rest is not read): %w", s.lim.MaxObjectBytes, ErrTooLarge))
			break
		}
		switch {
		case err == io.EOF:
			s.eof = true
		case err != nil && s.src == s.or.gz:
			s.fail(fmt.Errorf("corrupt gzip: %w", err))
		case err != nil:
			s.fail(fmt.Errorf("read: %w", err))
		case n == 0:
			if zero++; zero > 100 {
				s.fail(fmt.Errorf("read: %w", io.ErrNoProgress))
			}
		}
		if s.eof {
			break
		}
	}
	return shift
}

// scan runs f over the window from at and, while f runs out of input
// (errEOF) before the input ends, reads more and runs it again, keeping
// s.buf[keep:] (keep ≤ at). f is given at most span bytes from keep, so
// the result does not depend on how the input arrives: a value longer than
// that fails with errSpan. It returns the shift applied to offsets into
// the window and f's result.
func (s *splitter) scan(keep, at int, f func(b []byte, i int) (int, error)) (shift, end int, err error) {
	for {
		lim := min(len(s.buf), keep+s.span)
		s.atEnd = s.eof && lim == len(s.buf)
		end, err = f(s.buf[:lim], at)
		if err != errEOF || s.atEnd {
			return shift, end, err
		}
		if lim-keep >= s.span {
			return shift, end, errSpan
		}
		sh := s.fill(keep)
		shift, keep, at = shift+sh, keep-sh, at-sh
	}
}

// ws skips white space from i, reading on as needed (dropping what it
// skipped); at the end of the input it returns len(s.buf).
func (s *splitter) ws(i int) int {
	for {
		i = skipWS(s.buf, i)
		if i < len(s.buf) || s.eof {
			return i
		}
		s.fill(i)
		i = 0
	}
}

// nextLine returns the offset after the next newline at or after i (or
// the end of the input), dropping what it passes.
func (s *splitter) nextLine(i int) int {
	for {
		if k := bytes.IndexByte(s.buf[i:], '\n'); k >= 0 {
			return i + k + 1
		}
		if s.eof {
			return len(s.buf)
		}
		s.fill(len(s.buf))
		i = 0
	}
}

// nextRecordLine returns the offset of the next line after i that starts
// with '{', or the end of the input.
func (s *splitter) nextRecordLine(i int) int {
	for {
		i = s.nextLine(i)
		if i == len(s.buf) && !s.eof {
			s.fill(i)
			i = 0
		}
		if i >= len(s.buf) || s.buf[i] == '{' {
			return i
		}
	}
}

// peek classifies the object at s.buf[i] from as much of it as the span
// allows: kindCut if the source failed before it could tell.
func (s *splitter) peek(i int) (int, objKind) {
	kind, short := kindOther, false
	sh, _, _ := s.scan(i, i, func(b []byte, i int) (int, error) {
		if kind, short = peekKind(b, i); short {
			return i, errEOF
		}
		return i, nil
	})
	if short && s.atEnd && s.srcErr != nil {
		kind = kindCut
	}
	return i - sh, kind
}

// skipper finds the end of a value as it streams past, as valueEnd does on
// a slice: brackets counted outside strings.
type skipper struct {
	depth    int
	str, esc bool
	nl       bool // a newline was passed
	stopAtNL bool // a newline ends the value early (JSON Lines)
}

// errNewline: a JSON Lines record ran into the end of its line.
var errNewline = errors.New("newline inside a record")

// advance scans b from i. done reports the value ended at end; else end is
// len(b) and more input is needed, or err is errNewline at the newline.
func (k *skipper) advance(b []byte, i int) (end int, done bool, err error) {
	for ; i < len(b); i++ {
		c := b[i]
		if c == '\n' {
			k.nl = true
			if k.stopAtNL {
				return i, false, errNewline
			}
		}
		if k.str {
			switch {
			case k.esc:
				k.esc = false
			case c == '\\':
				k.esc = true
			case c == '"':
				k.str = false
				if k.depth == 0 {
					return i + 1, true, nil
				}
			}
			continue
		}
		switch c {
		case '"':
			k.str = true
		case '{', '[':
			k.depth++
		case '}', ']':
			k.depth--
			if k.depth <= 0 {
				return i + 1, true, nil
			}
		}
	}
	return len(b), false, nil
}

// skipLong moves past the value starting at s.buf[i] (an object, array or
// string too long for the window, or the rest of one with k's state),
// dropping it as it goes. It returns the offset after it and its size from
// i; err is errEOF if the input ends first (s.srcErr says why, if it
// failed), or errNewline (end at the newline) with k.stopAtNL.
func (s *splitter) skipLong(i int, k *skipper) (end int, size int64, err error) {
	start := s.base + int64(i)
	for {
		end, done, err := k.advance(s.buf, i)
		if err != nil || done {
			return end, s.base + int64(end) - start, err
		}
		if s.eof {
			return len(s.buf), s.base + int64(len(s.buf)) - start, errEOF
		}
		s.fill(len(s.buf))
		i = 0
	}
}

func (s *splitter) offset(i int) int64 { return s.base + int64(i) }

// rebase makes the offset of a syntax error found in the window an offset
// in the object.
func (s *splitter) rebase(err error) error {
	if se, ok := err.(*syntaxError); ok {
		c := *se
		c.off += s.base
		return &c
	}
	return err
}

func (s *splitter) bad(err error) {
	s.or.errs = append(s.or.errs, recErr(s.name, s.n, err))
}

func (s *splitter) fatal(err error) error {
	return &RecordError{File: s.name, Reason: err.Error(), Err: err}
}

// cut is the reason input ran out where more was expected: the source's
// failure if it failed (once: later cuts are its consequence), else err (a
// truncated object).
func (s *splitter) cut(err error) error {
	if s.srcErr != nil && !s.srcSaid {
		s.srcSaid = true
		return s.srcErr
	}
	return err
}

// truncated reports the object ending inside record s.n (err says how):
// if the source failed, its failure, which is the object's fatal error
// when nothing came before.
func (s *splitter) truncated(err error) error {
	if s.srcErr != nil && !s.srcSaid && s.n <= 1 && len(s.or.errs) == 0 {
		return s.fatal(s.cut(err))
	}
	s.bad(s.cut(err))
	return nil
}

// ended is called where the object may end: it is fine unless the source
// failed there.
func (s *splitter) ended() error {
	if s.srcErr != nil && !s.srcSaid {
		return s.reject(s.cut(nil))
	}
	return nil
}

// emit hands one record to fn; a non-nil result stops reading.
func (s *splitter) emit(raw []byte) error {
	if int64(len(raw)) > s.lim.MaxRecordBytes {
		s.tooLarge(int64(len(raw)))
		return nil
	}
	if err := s.fn(s.n, raw); err != nil {
		return &RecordError{File: s.name, Index: s.n, Reason: err.Error(), Err: err}
	}
	return nil
}

func (s *splitter) tooLarge(size int64) {
	s.bad(fmt.Errorf("record of %d bytes exceeds %d: %w", size, s.lim.MaxRecordBytes, ErrTooLarge))
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// run reads the object's top-level values. Several values of the same
// kind one after the other (`zcat *.gz > cat.json` makes such files from
// S3 log objects) are read as one object, numbering records across them;
// anything else after the first value is bad input.
func (s *splitter) run() (Shape, error) {
	_, i, _ := s.scan(0, 0, func(b []byte, i int) (int, error) {
		if len(b) < len(utf8BOM) && !s.atEnd {
			return 0, errEOF
		}
		if bytes.HasPrefix(b, utf8BOM) {
			return len(utf8BOM), nil
		}
		return 0, nil
	})
	i = s.ws(i)
	if i >= len(s.buf) {
		if s.srcErr != nil {
			return ShapeUnknown, s.fatal(s.cut(nil))
		}
		return ShapeUnknown, s.fatal(fmt.Errorf("empty object: %w", ErrNotCloudTrail))
	}
	shape := ShapeUnknown
	open, kind := s.buf[i], kindOther
	if open == '{' {
		if i, kind = s.peek(i); kind == kindCut {
			return ShapeUnknown, s.fatal(s.cut(nil))
		}
	}
	for {
		c := s.buf[i]
		if shape != ShapeUnknown && (c == '[' || c == '{') {
			same := c == open
			if same && c == '{' {
				var k objKind
				if i, k = s.peek(i); k == kindCut {
					return shape, s.reject(s.cut(nil))
				}
				same = k == kind
			}
			if !same {
				return shape, s.reject(fmt.Errorf("a different kind of value after a %s object at offset %d: %w", shape, s.offset(i), ErrNotCloudTrail))
			}
		}
		start := s.offset(i)
		var next Shape
		var end int
		var err error
		switch c {
		case '[':
			next, end, err = s.array(i)
		case '{':
			next, end, err = s.object(i)
		default:
			if shape == ShapeUnknown {
				return ShapeUnknown, s.fatal(fmt.Errorf("not JSON (starts with %q): %w", c, ErrNotCloudTrail))
			}
			return shape, s.reject(fmt.Errorf("invalid data after the top-level value at offset %d: %w", start, ErrNotCloudTrail))
		}
		if shape != ShapeUnknown && next != shape {
			return shape, s.reject(fmt.Errorf("%s object after a %s object at offset %d: %w", next, shape, start, ErrNotCloudTrail))
		}
		if err != nil || end < 0 {
			return next, err
		}
		shape = next
		if i = s.ws(end); i >= len(s.buf) {
			return shape, s.ended()
		}
	}
}

// reject reports input the reader cannot make sense of: as the object's
// fatal error when no record has been read yet, else as a bad record after
// the last one read (the records before it are kept, and the object still
// counts as failed).
func (s *splitter) reject(err error) error {
	if s.n == 0 {
		return s.fatal(err)
	}
	s.n++
	s.bad(err)
	return nil
}

// kindOf names the JSON type of the value starting with c, for messages.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// recordKeys are top-level keys only a CloudTrail record has.
func isRecordKey(k jstr) bool {
	switch string(k.b) {
	case "eventVersion", "eventID", "eventTime", "eventSource", "eventName", "userIdentity", "recipientAccountId", "awsRegion":
		return true
	}
	return false
}

func isDigestKey(k jstr) bool {
	switch string(k.b) {
	case "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object", "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "logFiles", "previousDigestSignature":
		return true
	}
	return false
}

type objKind int

const (
	kindOther objKind = iota
	kindRecord
	kindInsight
	kindLookupEvent
	kindDigest
	kindRecordsWrapper
	kindEventsWrapper
	// kindCut: the input failed (s.srcErr) before the kind showed.
	kindCut
)

// peekKind classifies the object at b[i] from its top-level keys, reading
// as far as it can if the object is cut short, which short reports.
func peekKind(b []byte, i int) (kind objKind, short bool) {
	it, err := newObjIter(b, i)
	if err != nil {
		return kindOther, err == errEOF
	}
	kind = kindOther
	for it.next() {
		switch k := it.key; {
		case k.is("Records"):
			return kindRecordsWrapper, false
		case k.is("Events"):
			return kindEventsWrapper, false
		case k.is("CloudTrailEvent"):
			return kindLookupEvent, false
		case k.is("eventType"), k.is("eventCategory"):
			v, _ := it.str()
			if v.is("AwsCloudTrailInsight") || v.is("Insight") {
				return kindInsight, false
			}
			kind = kindRecord
			continue
		case isDigestKey(k):
			return kindDigest, false
		case isRecordKey(k):
			kind = kindRecord
		}
		// Skip without validating: classification must survive a bad
		// value somewhere in the first record.
		it.i, it.err = skipLoose(it.b, it.i)
	}
	return kind, it.err == errEOF
}

// object reads the top-level object at s.buf[i] (and, for records or
// lookup events not in a wrapper, all that follows it). end is the offset
// after what was read, or -1 when reading stopped (the end of the object,
// or a problem already reported).
func (s *splitter) object(i int) (shape Shape, end int, err error) {
	i, kind := s.peek(i)
	switch kind {
	case kindRecordsWrapper:
		return s.wrapper(i, "Records", ShapeRecords)
	case kindEventsWrapper:
		return s.wrapper(i, "Events", ShapeLookupEvents)
	case kindDigest:
		return ShapeDigest, -1, nil
	case kindInsight:
		return ShapeInsights, -1, nil
	case kindRecord:
		shape, err := s.lines(i, false)
		return shape, -1, err
	case kindLookupEvent:
		_, err := s.lines(i, true)
		return ShapeLookupEvents, -1, err
	case kindCut:
		return ShapeUnknown, -1, s.reject(s.cut(nil))
	}
	return ShapeUnknown, -1, s.reject(fmt.Errorf("JSON object without Records, Events or event fields: %w", ErrNotCloudTrail))
}

// member moves to the next member of an object whose members start after
// s.buf[i] ('{' when first, else the end of the previous value). It
// returns the offset of the member's value (or, with done, the offset
// after the object) and the key, valid until the window is next filled.
func (s *splitter) member(i int, first bool) (at int, key jstr, done bool, err error) {
	var it objIter
	_, at, err = s.scan(i, i, func(b []byte, i int) (int, error) {
		it = objIter{b: b, i: i, first: first}
		if it.next() {
			return it.i, nil
		}
		return it.i, it.err
	})
	return at, it.key, it.done, err
}

// scalarEnd is scanScalar for the window: a number or literal that runs
// to the end of b may go on past it.
func (s *splitter) scalarEnd(b []byte, i int) (int, error) {
	end, err := scanScalar(b, i)
	if err == nil && end == len(b) && !s.atEnd && b[i] != '"' {
		return end, errEOF
	}
	return end, err
}

// skipLoose is skipLoose for the window.
func (s *splitter) skipLoose(b []byte, i int) (int, error) {
	if i < len(b) && (b[i] == '{' || b[i] == '[') {
		return valueEnd(b, i)
	}
	return s.scalarEnd(b, i)
}

// skip moves past the value at s.buf[i], however long.
func (s *splitter) skip(i int) (int, error) {
	sh, end, err := s.scan(i, i, s.skipLoose)
	i -= sh
	if err == errSpan && (s.buf[i] == '{' || s.buf[i] == '[' || s.buf[i] == '"') {
		end, _, err = s.skipLong(i, &skipper{})
	}
	return end, err
}

// wrapper reads the array under key in the top-level object at s.buf[i].
// The key must appear once and hold an array: a second one, or another
// type, is bad input rather than a quiet empty object.
func (s *splitter) wrapper(i int, key string, shape Shape) (Shape, int, error) {
	start := s.offset(i)
	found := false
	i++ // the members start after '{'
	for first := true; ; first = false {
		at, k, done, err := s.member(i, first)
		if err != nil {
			return shape, -1, s.reject(s.cut(fmt.Errorf("%s object: %w", key, ErrTruncated)))
		}
		if done {
			return shape, at, nil
		}
		if !k.is(key) {
			if i, err = s.skip(at); err != nil {
				return shape, -1, s.reject(s.cut(fmt.Errorf("%s object: %w", key, ErrTruncated)))
			}
			continue
		}
		if found {
			return shape, -1, s.reject(fmt.Errorf("%q appears twice in the object at offset %d: %w", key, start, ErrNotCloudTrail))
		}
		found = true
		if c := s.buf[at]; c != '[' {
			return shape, -1, s.reject(fmt.Errorf("%s is %s, not an array: %w", key, kindOf(c), ErrNotCloudTrail))
		}
		at = s.ws(at + 1)
		if shape == ShapeRecords && at < len(s.buf) && s.buf[at] == '{' {
			var kind objKind
			if at, kind = s.peek(at); kind == kindInsight {
				shape = ShapeInsights
				if i, _, err = s.skipLong(at, &skipper{depth: 1}); err != nil {
					return shape, -1, s.reject(s.cut(fmt.Errorf("%s object: %w", key, ErrTruncated)))
				}
				continue
			}
		}
		end, err := s.elements(at, shape == ShapeLookupEvents)
		if err != nil || end < 0 {
			return shape, -1, err
		}
		i = end
	}
}

// array reads a bare array of records or of lookup-events events.
func (s *splitter) array(i int) (Shape, int, error) {
	j := s.ws(i + 1)
	if j < len(s.buf) && s.buf[j] != '{' && s.buf[j] != ']' {
		return ShapeUnknown, -1, s.reject(fmt.Errorf("array of non-objects: %w", ErrNotCloudTrail))
	}
	shape, lookup := ShapeArray, false
	if j < len(s.buf) && s.buf[j] == '{' {
		var kind objKind
		j, kind = s.peek(j)
		switch kind {
		case kindLookupEvent:
			shape, lookup = ShapeLookupEvents, true
		case kindInsight:
			end, _, err := s.skipLong(j, &skipper{depth: 1})
			if err != nil {
				end = -1
			}
			return ShapeInsights, end, nil
		case kindRecord:
		case kindCut:
			return ShapeUnknown, -1, s.reject(s.cut(nil))
		default:
			return ShapeUnknown, -1, s.reject(fmt.Errorf("array whose first element has no event fields: %w", ErrNotCloudTrail))
		}
	}
	end, err := s.elements(j, lookup)
	return shape, end, err
}

// elements walks an array from its first element (or closing bracket) at
// s.buf[i], emitting each object element, and returns the offset after
// the array, or -1 when it stopped early (the problem is reported).
func (s *splitter) elements(i int, lookup bool) (int, error) {
	for first := true; ; first = false {
		i = s.ws(i)
		if i >= len(s.buf) {
			if s.n == 0 {
				return -1, s.fatal(s.cut(fmt.Errorf("array: %w", ErrTruncated)))
			}
			s.n++
			s.bad(s.cut(fmt.Errorf("array ends early: %w", ErrTruncated)))
			return -1, nil
		}
		if s.buf[i] == ']' {
			return i + 1, nil
		}
		if !first {
			if s.buf[i] != ',' {
				s.n++
				s.bad(fmt.Errorf("expected ',' or ']' at offset %d; rest of object not read", s.offset(i)))
				return -1, nil
			}
			if i = s.ws(i + 1); i >= len(s.buf) {
				continue
			}
		}
		s.n++
		if s.buf[i] != '{' {
			at := s.offset(i)
			sh, end, err := s.scan(i, i, s.scalarEnd)
			if i -= sh; err == errSpan && s.buf[i] == '"' {
				end, _, err = s.skipLong(i, &skipper{})
			}
			if err != nil {
				s.bad(fmt.Errorf("invalid JSON at offset %d: %v; rest of object not read", at, s.rebase(s.cut(err))))
				return -1, nil
			}
			s.bad(errNotObject)
			i = end
			continue
		}
		at := s.offset(i)
		cut := valueEnd
		if s.norm != nil && !lookup {
			cut = s.normalizeEnd
		}
		sh, end, err := s.scan(i, i, cut)
		i -= sh
		if err != nil {
			s.pre = false
		}
		if err == errSpan {
			var size int64
			if end, size, err = s.skipLong(i, &skipper{}); err == nil {
				s.tooLarge(size)
				i = end
				continue
			}
		}
		if err != nil {
			return -1, s.truncated(fmt.Errorf("record at offset %d: %w", at, ErrTruncated))
		}
		err = s.emitElem(s.buf[i:end], lookup)
		s.pre = false // also when emit refused the record as too large
		if err != nil {
			return -1, err
		}
		i = end
	}
}

// normalizeEnd is valueEnd for ReadNormalized: it finds where the record
// at b[i] ends by normalizing it (into or.rec, the result in s.preErr),
// so that its bytes are scanned once. A record that is not valid JSON is
// cut by valueEnd, and fn normalizes it on its own as ReadObject's caller
// would, so bad records are cut and reported exactly as ReadObject does.
func (s *splitter) normalizeEnd(b []byte, i int) (int, error) {
	end, parsed, err := s.norm.normalize(b[i:], &s.or.rec, false)
	if parsed {
		s.pre, s.preErr = true, err
		return i + end, nil
	}
	s.pre = false
	if err == errEOF && !s.atEnd {
		return len(b), errEOF // read more and try again
	}
	return valueEnd(b, i)
}

func (s *splitter) emitElem(raw []byte, lookup bool) error {
	if !lookup {
		return s.emit(raw)
	}
	rec, err := s.unwrapLookup(raw)
	if err != nil {
		s.bad(err)
		return nil
	}
	return s.emit(rec)
}

// unwrapLookup extracts and unescapes CloudTrailEvent from one
// lookup-events event.
func (s *splitter) unwrapLookup(ev []byte) ([]byte, error) {
	it, err := newObjIter(ev, 0)
	if err != nil {
		return nil, err
	}
	for it.next() {
		if !it.key.is("CloudTrailEvent") {
			it.skip()
			continue
		}
		v, ok := it.str()
		if !ok {
			if it.err != nil {
				return nil, it.err
			}
			return nil, fmt.Errorf("CloudTrailEvent: %w", errNotString)
		}
		if int64(len(v.b)) > s.lim.MaxRecordBytes*2 {
			return nil, fmt.Errorf("CloudTrailEvent of %d bytes: %w", len(v.b), ErrTooLarge)
		}
		s.or.unq = appendUnescaped(s.or.unq[:0], v.b)
		return s.or.unq, nil
	}
	if it.err != nil {
		return nil, it.err
	}
	return nil, fmt.Errorf("event without CloudTrailEvent: %w", ErrNotCloudTrail)
}

// lineValueEnd is valueEnd for a record that must end on its line (the
// line need not be all in b unless the record runs to its end):
// errLineCut if it does not.
func (s *splitter) lineValueEnd(b []byte, i int) (int, error) {
	k := bytes.IndexByte(b[i:], '\n')
	if k < 0 {
		end, err := valueEnd(b, i)
		if err == errEOF && s.atEnd {
			return end, errLineCut
		}
		return end, err
	}
	end, err := valueEnd(b[:i+k+1], i)
	if err == errEOF {
		return end, errLineCut
	}
	return end, err
}

// lines reads a sequence of top-level objects: JSON Lines, or
// concatenated (possibly pretty-printed) objects. The first record decides
// which: if it fits on its line, every record must (a broken line is
// reported and reading goes on at the next line); otherwise records may
// span lines, and an unterminated one ends the object. Either way each
// byte is scanned a bounded number of times, whatever the input.
func (s *splitter) lines(i int, lookup bool) (Shape, error) {
	const (
		undecided = iota
		oneLine
		multiLine
	)
	mode := undecided
	for {
		i = s.ws(i)
		if i >= len(s.buf) {
			return ShapeLines, s.ended()
		}
		s.n++
		if s.buf[i] != '{' {
			s.bad(errNotObject)
			i = s.nextRecordLine(i)
			continue
		}
		at := s.offset(i)
		end, err := 0, errLineCut
		if mode != multiLine {
			var sh int
			sh, end, err = s.scan(i, i, s.lineValueEnd)
			i -= sh
			switch {
			case err == nil && mode == undecided:
				mode = oneLine
			case err == errSpan && mode == oneLine:
				// Too long for the window: find where it ends, or where
				// its line does.
				var size int64
				end, size, err = s.skipLong(i, &skipper{stopAtNL: true})
				switch err {
				case nil:
					s.tooLarge(size)
					i = end
				case errNewline:
					s.bad(fmt.Errorf("record at offset %d: %w", at, ErrTruncated))
					i = end + 1
				default:
					if err := s.truncated(fmt.Errorf("record at offset %d: %w", at, ErrTruncated)); err != nil {
						return ShapeLines, err
					}
					i = len(s.buf)
				}
				continue
			case err != nil && mode == oneLine:
				if err := s.truncated(fmt.Errorf("record at offset %d: %w", at, ErrTruncated)); err != nil {
					return ShapeLines, err
				}
				i = s.nextLine(i)
				continue
			}
		}
		if err != nil {
			var sh int
			sh, end, err = s.scan(i, i, valueEnd)
			i -= sh
			if err == errSpan {
				k := skipper{}
				var size int64
				if end, size, err = s.skipLong(i, &k); err == nil {
					if mode == undecided {
						mode = multiLine
						if !k.nl {
							mode = oneLine
						}
					}
					s.tooLarge(size)
					i = end
					continue
				}
			}
			switch {
			case err == nil:
				mode = multiLine
			case errors.Is(err, errEOF):
				return ShapeLines, s.truncated(fmt.Errorf("record at offset %d: %w; rest of object not read", at, ErrTruncated))
			default:
				s.bad(fmt.Errorf("record at offset %d: %v", at, s.rebase(err)))
				i = s.nextRecordLine(i)
				continue
			}
		}
		sh, j, err := s.scan(i, end, func(b []byte, j int) (int, error) {
			if j = skipInline(b, j); j >= len(b) {
				return j, errEOF
			}
			return j, nil
		})
		i, end = i-sh, end-sh
		if err == errSpan || err == nil && s.buf[j] != '\n' && s.buf[j] != '{' {
			s.bad(fmt.Errorf("invalid data after record at offset %d", s.offset(j)))
			i = s.nextRecordLine(end)
			continue
		}
		if err := s.emitElem(s.buf[i:end], lookup); err != nil {
			return ShapeLines, err
		}
		i = end
	}
}

// skipLoose skips the value at b[i] without validating containers.
func skipLoose(b []byte, i int) (int, error) {
	if i < len(b) && (b[i] == '{' || b[i] == '[') {
		return valueEnd(b, i)
	}
	return scanScalar(b, i)
}

func skipInline(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}
