package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// readResult is everything ReadObject reports about one object.
type readResult struct {
	Shape string
	Index []int
	Raw   []string
	Errs  []string
	Err   string
}

// readWith reads data with a reader whose window starts at window bytes
// (0: as large as the decompressed object, so it is read whole), the
// input passing through wrap.
func readWith(t testing.TB, data []byte, lim Limits, window int, wrap func(io.Reader) io.Reader) readResult {
	t.Helper()
	or := NewObjectReader()
	or.window = window
	if window == 0 {
		or.window = len(decompressed(t, data)) + 1
	}
	var res readResult
	shape, errs, err := or.ReadObject(wrap(bytes.NewReader(data)), "obj", lim, func(i int, raw []byte) error {
		res.Index = append(res.Index, i)
		res.Raw = append(res.Raw, string(raw))
		return nil
	})
	res.Shape = shape.String()
	for _, e := range errs {
		res.Errs = append(res.Errs, e.Error())
	}
	if err != nil {
		res.Err = err.Error()
	}
	return res
}

// decompressed returns data gunzipped, or data if it is not gzip.
func decompressed(t testing.TB, data []byte) []byte {
	t.Helper()
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return data
	}
	out, _ := io.ReadAll(zr) // a corrupt stream: what came before the error
	return out
}

// soundGzip reports whether data is a gzip stream that decompresses
// without error.
func soundGzip(data []byte) bool {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, zr)
	return err == nil
}

func identity(r io.Reader) io.Reader { return r }

// streamCorpus is every object the tests know: the package's testdata, the
// bad-input cases, and the shared CloudTrail samples when present (each
// alone, and concatenated as zcat and cat would).
func streamCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	corpus := map[string][]byte{}
	files, _ := filepath.Glob("testdata/shapes/*")
	files = append(files, "testdata/records.json")
	for _, f := range files {
		corpus[f] = mustRead(t, f)
	}
	for _, tc := range badInputCases(t) {
		if len(tc.data) < 64<<10 { // the bombs are covered elsewhere
			corpus["bad input: "+tc.name] = tc.data
		}
	}
	dir := filepath.Join(sharedDir(t), "data", "cloudtrail")
	shared, _ := filepath.Glob(filepath.Join(dir, "*", "*.json*"))
	var zcat, cat []byte
	for _, f := range shared {
		data := mustRead(t, f)
		corpus[f] = data
		if strings.HasSuffix(f, ".gz") {
			cat = append(cat, data...)
			zcat = append(zcat, decompressed(t, data)...)
		}
	}
	if len(cat) > 0 {
		corpus["shared: cat *.gz"] = cat
		corpus["shared: zcat *.gz"] = zcat
	}
	return corpus
}

// TestReadObjectStreamsAlike: reading an object through a small window,
// one byte per Read, gives exactly what reading it whole gives (records,
// indices, errors and their offsets), whatever the window's size, for
// every shape and every kind of bad input, with the usual limits and with
// a record limit small enough that records stream past too large.
func TestReadObjectStreamsAlike(t *testing.T) {
	corpus := streamCorpus(t)
	limits := map[string]Limits{
		"default":       DefaultLimits(),
		"small records": {MaxObjectBytes: 1 << 30, MaxRecordBytes: 300},
		"tiny records":  {MaxObjectBytes: 1 << 30, MaxRecordBytes: 40},
		"small object":  {MaxObjectBytes: 2000, MaxRecordBytes: 1 << 20},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+err": iotest.DataErrReader,
	}
	for name, data := range corpus {
		for lname, lim := range limits {
			whole := readWith(t, data, lim, 0, identity)
			if lname == "default" && !strings.HasPrefix(name, "bad input") && (whole.Err != "" || len(whole.Errs) > 0) {
				t.Errorf("%s: read whole: %s %q", name, whole.Err, whole.Errs)
			}
			for _, window := range []int{1, 2, 3, 7, 64, 1000, 4096} {
				for rname, wrap := range readers {
					if rname != "one byte" && window != 7 {
						continue
					}
					got := readWith(t, data, lim, window, wrap)
					if diff := cmp.Diff(whole, got); diff != "" {
						t.Fatalf("%s, %s limits, window %d, %s reader: differs from reading whole (-whole +streamed):\n%s", name, lname, window, rname, diff)
					}
				}
			}
		}
	}
}

// TestReadObjectMemoryBounded: what a reader holds does not grow with the
// object. Bombs of zeros, of white space and of records, and a big valid
// object, are read with the window at its usual size, charged through
// Reserve; only a record larger than the window grows it, up to
// WindowLimit.
func TestReadObjectMemoryBounded(t *testing.T) {
	rec := `{"eventID":"%d","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"Root","accountId":"111122223333"}}`
	var records bytes.Buffer
	records.WriteString(`{"Records":[`)
	for i := 0; records.Len() < 32<<20; i++ {
		if i > 0 {
			records.WriteByte(',')
		}
		fmt.Fprintf(&records, rec, i)
	}
	nrec := bytes.Count(records.Bytes(), []byte(`"eventID"`))
	records.WriteString(`]}`)
	big := fmt.Sprintf(`{"eventID":"big","userAgent":"%s","eventTime":"2025-01-01T00:00:00Z"}`, strings.Repeat("x", 600<<10))
	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		records int
		fatal   error
		errs    int
		window  int64 // the most the window may reach
	}{
		{name: "zeros", data: gz(t, make([]byte, 64<<20)), lim: DefaultLimits(), fatal: ErrNotCloudTrail, window: WindowBytes},
		{name: "white space", data: gz(t, []byte(`[`+strings.Repeat("\n", 64<<20))), lim: Limits{MaxObjectBytes: 32 << 20}, fatal: ErrTooLarge, window: WindowBytes},
		{name: "records past the object limit", data: gz(t, records.Bytes()), lim: Limits{MaxObjectBytes: 16 << 20}, records: -1, errs: 1, window: WindowBytes},
		{name: "big valid object", data: gz(t, records.Bytes()), lim: DefaultLimits(), records: nrec, window: WindowBytes},
		{name: "a record larger than the window", data: []byte(big + "\n" + fmt.Sprintf(rec, 1)), lim: DefaultLimits(), records: 2, window: WindowLimit(DefaultLimits())},
		{name: "a record past the record limit", data: []byte(big + "\n" + fmt.Sprintf(rec, 1)), lim: Limits{MaxRecordBytes: 100 << 10}, records: 1, errs: 1, window: WindowBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			or := NewObjectReader()
			var granted int64
			or.Reserve = func(n int64) error {
				granted = max(granted, n)
				return nil
			}
			n := 0
			var grew int
			_, errs, err := or.ReadObject(bytes.NewReader(tc.data), "obj", tc.lim, func(int, []byte) error {
				n++
				grew = max(grew, cap(or.buf)) // the reader's own buffer, during the read
				return nil
			})
			if !errors.Is(err, tc.fatal) || (tc.fatal == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.fatal)
			}
			if len(errs) != tc.errs {
				t.Errorf("record errors %v, want %d", errs, tc.errs)
			}
			if tc.records >= 0 && n != tc.records || tc.records < 0 && n == 0 {
				t.Errorf("%d records, want %d", n, tc.records)
			}
			if limit := ReaderOverhead + tc.window; granted > limit {
				t.Errorf("reserved %d bytes, want at most %d", granted, limit)
			}
			if int64(grew) > granted-ReaderOverhead {
				t.Errorf("window of %d bytes beyond the %d reserved", grew, granted-ReaderOverhead)
			}
		})
	}
}

// TestReadObjectReserveRefuses: a Reserve error refuses the object (or,
// after some records, the rest of it) with that error.
func TestReadObjectReserveRefuses(t *testing.T) {
	budget := errors.New("over the memory budget")
	refuse := func(n int64) error {
		if n > ReaderBytes {
			return budget
		}
		return nil
	}
	big := `{"eventID":"big","userAgent":"` + strings.Repeat("x", 600<<10) + `"}`
	small := `{"eventID":"a","eventTime":"2025-01-01T00:00:00Z"}`
	for _, tc := range []struct {
		name    string
		data    string
		records int
		fatal   bool
	}{
		{name: "first record", data: big + "\n" + small, fatal: true},
		{name: "after a record", data: small + "\n" + big + "\n" + small, records: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			or := NewObjectReader()
			or.Reserve = refuse
			n := 0
			_, errs, err := or.ReadObject(strings.NewReader(tc.data), "obj", DefaultLimits(), func(int, []byte) error { n++; return nil })
			if tc.fatal {
				if !errors.Is(err, budget) || !strings.HasPrefix(err.Error(), "obj: ") {
					t.Fatalf("err = %v, want the Reserve error for the object", err)
				}
			} else if err != nil || len(errs) != 1 || !errors.Is(&errs[0], budget) || errs[0].Index != 2 {
				t.Fatalf("err %v, record errors %v; want record 2 refused with the Reserve error", err, errs)
			}
			if n != tc.records {
				t.Errorf("%d records, want %d", n, tc.records)
			}
		})
	}
}

// numberedRecords is a Records object of n small records that do not
// compress to nothing.
func numberedRecords(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventID":"%d","eventTime":"2025-01-01T00:00:00Z","eventName":"n%d"}`, i, i*i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// TestReadObjectTruncatedGzip: a gzip stream cut short keeps the records
// before the cut and reports the cut after them.
func TestReadObjectTruncatedGzip(t *testing.T) {
	data := gz(t, numberedRecords(2000))
	data = data[:len(data)/2]
	n := 0
	_, errs, err := ReadObject(bytes.NewReader(data), "obj", DefaultLimits(), func(int, []byte) error { n++; return nil })
	if err != nil || len(errs) != 1 || !strings.Contains(errs[0].Error(), "corrupt gzip") || errs[0].Index != n+1 {
		t.Fatalf("err %v, record errors %v after %d records; want one corrupt gzip error after them", err, errs, n)
	}
	if n < 100 || n >= 2000 {
		t.Errorf("%d records before the cut, want some and not all", n)
	}
}

// BenchmarkReadObjectWindow compares reading a big object whole (the
// window as large as it) and streamed through the usual window.
func BenchmarkReadObjectWindow(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(b), "data", "cloudtrail", "stratus-red-team", "*.json"))
	var recs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		_, _, _ = ReadObject(bytes.NewReader(data), f, DefaultLimits(), func(_ int, raw []byte) error {
			recs = append(recs, bytes.Clone(raw))
			return nil
		})
	}
	var buf bytes.Buffer
	for buf.Len() < 64<<20 {
		for _, r := range recs {
			buf.Write(r)
			buf.WriteByte('\n')
		}
	}
	data := buf.Bytes()
	for _, window := range []int{len(data) + 1, WindowBytes} {
		b.Run(fmt.Sprintf("window-%d", window), func(b *testing.B) {
			or := NewObjectReader()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				or.window = window
				if _, _, err := or.ReadObject(bytes.NewReader(data), "obj", DefaultLimits(), func(int, []byte) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// skipperEnd feeds b[i:] to a skipper in pieces of n bytes and returns
// where it says the value ends, or -1.
func skipperEnd(b []byte, i, n int) int {
	var k skipper
	for j := i; j < len(b); j += n {
		if end, done, _ := k.advance(b[:min(j+n, len(b))], j); done {
			return end
		}
	}
	return -1
}

// TestSkipperMatchesValueEnd: the skipper, which passes records too large
// to hold, finds the same ends as valueEnd, fed in pieces of any size,
// from every bracket and quote of the corpus.
func TestSkipperMatchesValueEnd(t *testing.T) {
	corpus := streamCorpus(t)
	corpus["escapes"] = []byte(`{"a":"\"}\\","b":["\\\"]",{"c":"\\\\"}],"d":"x\\"}`)
	for name, data := range corpus {
		b := decompressed(t, data)
		checked := 0
		for i := 0; i < len(b) && checked < 300; i++ {
			if c := b[i]; c != '{' && c != '[' {
				continue
			}
			checked++
			want, err := valueEnd(b, i)
			if err != nil {
				want = -1
			}
			for _, n := range []int{1, 2, 5, 64, len(b)} {
				if got := skipperEnd(b, i, n); got != want {
					t.Fatalf("%s at offset %d in pieces of %d: skipper ends at %d, valueEnd at %d", name, i, n, got, want)
				}
			}
		}
	}
}

// TestReadObjectCorruptGzip: a gzip stream corrupted in its middle
// decompresses to garbage from there; whatever that garbage does to the
// records, the corruption itself is reported (its checksum is read even
// when the garbage stopped the reading).
func TestReadObjectCorruptGzip(t *testing.T) {
	for flip := 0.3; flip < 0.9; flip += 0.1 {
		data := gz(t, numberedRecords(200))
		data[int(float64(len(data))*flip)] ^= 0xff
		_, errs, err := ReadObject(bytes.NewReader(data), "obj", DefaultLimits(), func(int, []byte) error { return nil })
		found := err != nil && strings.Contains(err.Error(), "corrupt gzip")
		for _, e := range errs {
			found = found || strings.Contains(e.Error(), "corrupt gzip")
		}
		if !found {
			t.Errorf("byte at %.0f%% flipped: err %v, record errors %v; want a corrupt gzip error", flip*100, err, errs)
		}
	}
}

// TestReadNormalizedMatchesReadObject: ReadNormalized, which normalizes
// records as it cuts them out, gives what ReadObject followed by
// Normalize of each record gives (records, their normalization or error,
// bad records, the object's error), for every object of the stream tests,
// whole and through small windows (records cut at the window's end are
// normalized again once it is refilled).
func TestReadNormalizedMatchesReadObject(t *testing.T) {
	m := NewMapper(nil)
	corpus := streamCorpus(t)
	// Records Normalize refuses although they are valid JSON, between
	// good ones and one that is not JSON.
	ok := `{"eventID":"%d","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"Root","accountId":"111122223333"},"requestParameters":{"bucketName":"b","key":"k%d"}}`
	corpus["refused records"] = []byte(`{"Records":[` + fmt.Sprintf(ok, 1, 1) +
		`,{"eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{}}` +
		`,{"eventID":"3","eventTime":"yesterday","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{}}` +
		`,{"eventID":"4","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"Root"},"x":tru}` +
		`,{"eventID":"5","eventCategory":"Insight","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{}}` +
		`,` + fmt.Sprintf(ok, 6, 6) + `]}`)
	limits := map[string]Limits{
		"default":      DefaultLimits(),
		"tiny records": {MaxObjectBytes: 1 << 30, MaxRecordBytes: 40},
		"small object": {MaxObjectBytes: 2000, MaxRecordBytes: 1 << 20},
	}
	type result struct {
		Read readResult
		Recs []string // each record's normalization or Normalize's error
	}
	finish := func(res *result, shape Shape, errs []RecordError, err error) {
		res.Read.Shape = shape.String()
		for _, e := range errs {
			res.Read.Errs = append(res.Read.Errs, e.Error())
		}
		if err != nil {
			res.Read.Err = err.Error()
		}
	}
	show := func(rec *Record, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("%+v", *rec)
	}
	for name, data := range corpus {
		for lname, lim := range limits {
			var want result
			var rec Record
			or := NewObjectReader()
			shape, errs, err := or.ReadObject(bytes.NewReader(data), "obj", lim, func(i int, raw []byte) error {
				want.Read.Index, want.Read.Raw = append(want.Read.Index, i), append(want.Read.Raw, string(raw))
				want.Recs = append(want.Recs, show(&rec, m.Normalize(raw, &rec)))
				return nil
			})
			finish(&want, shape, errs, err)
			for _, window := range []int{0, 1, 7, 64, 4096} {
				or := NewObjectReader()
				or.window = window
				var r io.Reader = bytes.NewReader(data)
				if window == 0 {
					or.window = len(decompressed(t, data)) + 1
				} else {
					r = iotest.OneByteReader(r)
				}
				var got result
				var mine Record
				shape, errs, err := or.ReadNormalized(r, "obj", lim, m, func(i int, raw []byte, rec *Record, err error) error {
					got.Read.Index, got.Read.Raw = append(got.Read.Index, i), append(got.Read.Raw, string(raw))
					got.Recs = append(got.Recs, show(rec, err))
					mine, *rec = *rec, mine // as a caller keeping records does
					return nil
				})
				finish(&got, shape, errs, err)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s, %s limits, window %d: ReadNormalized differs from ReadObject and Normalize (-want +got):\n%s", name, lname, window, diff)
				}
			}
		}
	}
}
