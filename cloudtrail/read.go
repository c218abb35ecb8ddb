package cloudtrail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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
	// MaxObjectBytes bounds one object after decompression (a gzip bomb
	// stops here). Larger objects are rejected whole.
	MaxObjectBytes int64
	// MaxRecordBytes bounds one record; a larger record is reported and
	// skipped.
	MaxRecordBytes int64
}

// DefaultLimits returns limits well above anything CloudTrail writes:
// CloudTrail caps an event at 256 KB and S3 log objects are a few MB.
func DefaultLimits() Limits {
	return Limits{MaxObjectBytes: 1 << 30, MaxRecordBytes: 1 << 20}
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
type ObjectReader struct {
	br   *bufio.Reader
	gz   *gzip.Reader
	buf  []byte
	unq  []byte // unescaped lookup-events record
	errs []RecordError

	// Reserve, when set, is called with the capacity the object buffer is
	// about to have, before it is allocated (and, at the start of each
	// object, with the capacity kept from the last one), so that a caller
	// can charge decompressed bytes to a memory budget shared by workers.
	// An error refuses the object with it.
	Reserve func(capacity int64) error
}

// keepBuffer is the largest object buffer kept for the next object; a
// larger one (a big object, a gzip bomb stopped at the limit) is dropped.
const keepBuffer = 16 << 20

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
// truncated at the end of the object) are returned as RecordErrors and the
// rest of the object is still read. The error result is non-nil, a
// *RecordError with Index 0, when the object as a whole is unreadable
// (corrupt gzip, not JSON, not CloudTrail, too large); then fn was not
// called. If fn returns an error, reading stops and that error is returned
// wrapped in a *RecordError for the record.
//
// Digest and Insights files are recognised and returned with their shape
// and no calls to fn.
func (or *ObjectReader) ReadObject(r io.Reader, name string, limits Limits, fn func(index int, raw []byte) error) (Shape, []RecordError, error) {
	if limits.MaxObjectBytes <= 0 || limits.MaxRecordBytes <= 0 {
		d := DefaultLimits()
		if limits.MaxObjectBytes <= 0 {
			limits.MaxObjectBytes = d.MaxObjectBytes
		}
		if limits.MaxRecordBytes <= 0 {
			limits.MaxRecordBytes = d.MaxRecordBytes
		}
	}
	data, err := or.load(r, limits.MaxObjectBytes)
	defer func() {
		if cap(or.buf) > keepBuffer {
			or.buf = nil
		}
	}()
	if err != nil {
		return ShapeUnknown, nil, &RecordError{File: name, Reason: err.Error(), Err: err}
	}
	or.errs = or.errs[:0]
	s := splitter{or: or, name: name, data: data, lim: limits, fn: fn}
	shape, err := s.run()
	var errs []RecordError
	if len(or.errs) > 0 {
		errs = append([]RecordError(nil), or.errs...)
	}
	return shape, errs, err
}

// load reads the whole object, decompressing gzip, up to max bytes.
func (or *ObjectReader) load(r io.Reader, limit int64) ([]byte, error) {
	if or.br == nil {
		or.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		or.br.Reset(r)
	}
	src := io.Reader(or.br)
	magic, _ := or.br.Peek(2)
	gzipped := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if gzipped {
		var err error
		if or.gz == nil {
			or.gz, err = gzip.NewReader(or.br)
		} else {
			err = or.gz.Reset(or.br)
		}
		if err != nil {
			return nil, fmt.Errorf("corrupt gzip: %w", err)
		}
		src = or.gz
	}
	buf := or.buf[:0]
	if or.Reserve != nil && cap(buf) > 0 {
		if err := or.Reserve(int64(cap(buf))); err != nil {
			return nil, err
		}
	}
	for {
		if len(buf) == cap(buf) {
			// Grow by doubling, never past max+1 (one byte over says the
			// object is too large), and only once the memory is granted:
			// what an object holds is bounded by the limit, not by what
			// it decompresses to.
			n := min(max(2*int64(cap(buf)), 64<<10), limit+1)
			if or.Reserve != nil {
				if err := or.Reserve(n); err != nil {
					or.buf = buf[:0]
					return nil, err
				}
			}
			grown := make([]byte, len(buf), n)
			copy(grown, buf)
			buf = grown
		}
		room := cap(buf) - len(buf)
		if over := int64(len(buf)) + int64(room) - (limit + 1); over > 0 {
			room -= int(over)
		}
		n, err := src.Read(buf[len(buf) : len(buf)+room])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			or.buf = buf[:0]
			return nil, fmt.Errorf("object exceeds %d bytes: %w", limit, ErrTooLarge)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			or.buf = buf[:0]
			if gzipped {
				return nil, fmt.Errorf("corrupt gzip: %w", err)
			}
			return nil, fmt.Errorf("read: %w", err)
		}
	}
	or.buf = buf
	return buf, nil
}

// splitter cuts one loaded object into records.
type splitter struct {
	or   *ObjectReader
	name string
	data []byte
	lim  Limits
	fn   func(int, []byte) error
	n    int // records seen
}

func (s *splitter) bad(err error) {
	s.or.errs = append(s.or.errs, recErr(s.name, s.n, err))
}

func (s *splitter) fatal(err error) error {
	return &RecordError{File: s.name, Reason: err.Error(), Err: err}
}

// emit hands one record to fn; a non-nil result stops reading.
func (s *splitter) emit(raw []byte) error {
	if int64(len(raw)) > s.lim.MaxRecordBytes {
		s.bad(fmt.Errorf("record of %d bytes exceeds %d: %w", len(raw), s.lim.MaxRecordBytes, ErrTooLarge))
		return nil
	}
	if err := s.fn(s.n, raw); err != nil {
		return &RecordError{File: s.name, Index: s.n, Reason: err.Error(), Err: err}
	}
	return nil
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// run reads the object's top-level values. Several values of the same
// kind one after the other (`zcat *.gz > cat.json` makes such files from
// S3 log objects) are read as one object, numbering records across them;
// anything else after the first value is bad input.
func (s *splitter) run() (Shape, error) {
	b := s.data
	i := 0
	if bytes.HasPrefix(b, utf8BOM) {
		i = len(utf8BOM)
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return ShapeUnknown, s.fatal(fmt.Errorf("empty object: %w", ErrNotCloudTrail))
	}
	shape := ShapeUnknown
	open, kind := b[i], kindOther
	if open == '{' {
		kind = peekKind(b, i)
	}
	for {
		if shape != ShapeUnknown && (b[i] == '[' || b[i] == '{') && (b[i] != open || open == '{' && peekKind(b, i) != kind) {
			return shape, s.reject(fmt.Errorf("a different kind of value after a %s object at offset %d: %w", shape, i, ErrNotCloudTrail))
		}
		var next Shape
		var end int
		var err error
		switch b[i] {
		case '[':
			next, end, err = s.array(i)
		case '{':
			next, end, err = s.object(i)
		default:
			if shape == ShapeUnknown {
				return ShapeUnknown, s.fatal(fmt.Errorf("not JSON (starts with %q): %w", b[i], ErrNotCloudTrail))
			}
			return shape, s.reject(fmt.Errorf("invalid data after the top-level value at offset %d: %w", i, ErrNotCloudTrail))
		}
		if shape != ShapeUnknown && next != shape {
			return shape, s.reject(fmt.Errorf("%s object after a %s object at offset %d: %w", next, shape, i, ErrNotCloudTrail))
		}
		if err != nil || end < 0 {
			return next, err
		}
		shape = next
		if i = skipWS(b, end); i >= len(b) {
			return shape, nil
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

// peekKind classifies the object at b[i] from its top-level keys, reading
// as far as it can even if the object is truncated.
type objKind int

const (
	kindOther objKind = iota
	kindRecord
	kindInsight
	kindLookupEvent
	kindDigest
	kindRecordsWrapper
	kindEventsWrapper
)

func peekKind(b []byte, i int) objKind {
	it, err := newObjIter(b, i)
	if err != nil {
		return kindOther
	}
	kind := kindOther
	for it.next() {
		switch k := it.key; {
		case k.is("Records"):
			return kindRecordsWrapper
		case k.is("Events"):
			return kindEventsWrapper
		case k.is("CloudTrailEvent"):
			return kindLookupEvent
		case k.is("eventType"), k.is("eventCategory"):
			v, _ := it.str()
			if v.is("AwsCloudTrailInsight") || v.is("Insight") {
				return kindInsight
			}
			kind = kindRecord
			continue
		case isDigestKey(k):
			return kindDigest
		case isRecordKey(k):
			kind = kindRecord
		}
		// Skip without validating: classification must survive a bad
		// value somewhere in the first record.
		it.i, it.err = skipLoose(it.b, it.i)
	}
	return kind
}

// object reads the top-level object at b[i] (and, for records or lookup
// events not in a wrapper, all that follows it). end is the offset after
// what was read, or -1 when reading stopped early (already reported).
func (s *splitter) object(i int) (shape Shape, end int, err error) {
	switch peekKind(s.data, i) {
	case kindRecordsWrapper:
		return s.wrapper(i, "Records", ShapeRecords)
	case kindEventsWrapper:
		return s.wrapper(i, "Events", ShapeLookupEvents)
	case kindDigest:
		return ShapeDigest, len(s.data), nil
	case kindInsight:
		return ShapeInsights, len(s.data), nil
	case kindRecord:
		shape, err := s.lines(i)
		return shape, len(s.data), err
	case kindLookupEvent:
		_, err := s.lines(i)
		return ShapeLookupEvents, len(s.data), err
	}
	return ShapeUnknown, -1, s.reject(fmt.Errorf("JSON object without Records, Events or event fields: %w", ErrNotCloudTrail))
}

// wrapper reads the array under key in the top-level object at b[i]. The
// key must appear once and hold an array: a second one, or another type,
// is bad input rather than a quiet empty object.
func (s *splitter) wrapper(i int, key string, shape Shape) (Shape, int, error) {
	b := s.data
	it, _ := newObjIter(b, i)
	found := false
	for it.next() {
		if !it.key.is(key) {
			it.i, it.err = skipLoose(b, it.i)
			continue
		}
		if found {
			return shape, -1, s.reject(fmt.Errorf("%q appears twice in the object at offset %d: %w", key, i, ErrNotCloudTrail))
		}
		found = true
		if b[it.i] != '[' {
			return shape, -1, s.reject(fmt.Errorf("%s is %s, not an array: %w", key, kindOf(b[it.i]), ErrNotCloudTrail))
		}
		if shape == ShapeRecords && s.firstIsInsight(it.i) {
			shape = ShapeInsights
			it.i, it.err = valueEnd(b, it.i)
			continue
		}
		end, err := s.elements(it.i, shape == ShapeLookupEvents)
		if err != nil || end < 0 {
			return shape, -1, err
		}
		it.i = end
	}
	if it.err != nil {
		return shape, -1, s.reject(fmt.Errorf("%s object: %w", key, ErrTruncated))
	}
	return shape, it.i, nil
}

func (s *splitter) firstIsInsight(i int) bool {
	b := s.data
	i = skipWS(b, i+1)
	return i < len(b) && b[i] == '{' && peekKind(b, i) == kindInsight
}

// array reads a bare array of records or of lookup-events events.
func (s *splitter) array(i int) (Shape, int, error) {
	b := s.data
	j := skipWS(b, i+1)
	if j < len(b) && b[j] != '{' && b[j] != ']' {
		return ShapeUnknown, -1, s.reject(fmt.Errorf("array of non-objects: %w", ErrNotCloudTrail))
	}
	shape, lookup := ShapeArray, false
	if j < len(b) && b[j] == '{' {
		switch peekKind(b, j) {
		case kindLookupEvent:
			shape, lookup = ShapeLookupEvents, true
		case kindInsight:
			end, err := valueEnd(b, i)
			if err != nil {
				end = len(b)
			}
			return ShapeInsights, end, nil
		case kindRecord:
		default:
			return ShapeUnknown, -1, s.reject(fmt.Errorf("array whose first element has no event fields: %w", ErrNotCloudTrail))
		}
	}
	end, err := s.elements(i, lookup)
	return shape, end, err
}

// elements walks the array at b[i], emitting each object element, and
// returns the offset after the array, or -1 when it stopped early (the
// problem is reported).
func (s *splitter) elements(i int, lookup bool) (int, error) {
	b := s.data
	i++
	first := true
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			if s.n == 0 {
				return -1, s.fatal(fmt.Errorf("array: %w", ErrTruncated))
			}
			s.n++
			s.bad(fmt.Errorf("array ends early: %w", ErrTruncated))
			return -1, nil
		}
		if b[i] == ']' {
			return i + 1, nil
		}
		if !first {
			if b[i] != ',' {
				s.n++
				s.bad(fmt.Errorf("expected ',' or ']' at offset %d; rest of object not read", i))
				return -1, nil
			}
			i = skipWS(b, i+1)
			if i >= len(b) {
				continue
			}
		}
		first = false
		s.n++
		if b[i] != '{' {
			end, err := scanScalar(b, i)
			if err != nil {
				s.bad(fmt.Errorf("invalid JSON at offset %d: %v; rest of object not read", i, err))
				return -1, nil
			}
			s.bad(errNotObject)
			i = end
			continue
		}
		end, err := valueEnd(b, i)
		if err != nil {
			s.bad(fmt.Errorf("record at offset %d: %w", i, ErrTruncated))
			return -1, nil
		}
		if err := s.emitElem(b[i:end], lookup); err != nil {
			return -1, err
		}
		i = end
	}
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

// lines reads a sequence of top-level objects: JSON Lines, or
// concatenated (possibly pretty-printed) objects. The first record decides
// which: if it fits on its line, every record must (a broken line is
// reported and reading goes on at the next line); otherwise records may
// span lines, and an unterminated one ends the object. Either way each
// byte is scanned a bounded number of times, whatever the input.
func (s *splitter) lines(i int) (Shape, error) {
	const (
		undecided = iota
		oneLine
		multiLine
	)
	b := s.data
	lookup := peekKind(b, i) == kindLookupEvent
	mode := undecided
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return ShapeLines, nil
		}
		s.n++
		if b[i] != '{' {
			s.bad(errNotObject)
			i = nextRecordLine(b, i)
			continue
		}
		end, err := 0, errEOF
		if mode != multiLine {
			end, err = valueEnd(b[:nextLine(b, i)], i)
			switch {
			case err == nil && mode == undecided:
				mode = oneLine
			case err != nil && mode == oneLine:
				s.bad(fmt.Errorf("record at offset %d: %w", i, ErrTruncated))
				i = nextLine(b, i)
				continue
			}
		}
		if err != nil {
			end, err = valueEnd(b, i)
			switch {
			case err == nil:
				mode = multiLine
			case errors.Is(err, errEOF):
				s.bad(fmt.Errorf("record at offset %d: %w; rest of object not read", i, ErrTruncated))
				return ShapeLines, nil
			default:
				s.bad(fmt.Errorf("record at offset %d: %v", i, err))
				i = nextRecordLine(b, i)
				continue
			}
		}
		if j := skipInline(b, end); j < len(b) && b[j] != '\n' && b[j] != '{' {
			s.bad(fmt.Errorf("invalid data after record at offset %d", j))
			i = nextRecordLine(b, end)
			continue
		}
		if err := s.emitElem(b[i:end], lookup); err != nil {
			return ShapeLines, err
		}
		i = end
	}
}

// nextRecordLine returns the offset of the next line after i that starts
// with '{', or len(b).
func nextRecordLine(b []byte, i int) int {
	for {
		i = nextLine(b, i)
		if i >= len(b) || b[i] == '{' {
			return i
		}
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

// nextLine returns the offset after the next newline at or after i.
func nextLine(b []byte, i int) int {
	k := bytes.IndexByte(b[i:], '\n')
	if k < 0 {
		return len(b)
	}
	return i + k + 1
}
