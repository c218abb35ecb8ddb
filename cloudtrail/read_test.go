package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func eventIDs(t *testing.T, raws [][]byte) []string {
	t.Helper()
	var ids []string
	for _, r := range raws {
		var head struct{ EventID string }
		if err := json.Unmarshal(r, &head); err != nil {
			t.Fatalf("record is not valid JSON: %v: %s", err, r)
		}
		ids = append(ids, head.EventID)
	}
	return ids
}

func TestReadObjectShapes(t *testing.T) {
	_, order := testRecords(t)
	first3 := order[:3]
	tests := []struct {
		file  string
		shape Shape
		ids   []string
	}{
		{"records.json", ShapeRecords, first3},
		{"records-gzip-misnamed.json", ShapeRecords, first3},
		{"array.json", ShapeArray, first3},
		{"lines.jsonl", ShapeLines, first3},
		{"lookup-events.json", ShapeLookupEvents, first3},
		{"lookup-events-array.json", ShapeLookupEvents, first3},
		{"digest.json.gz", ShapeDigest, nil},
		{"insights.json.gz", ShapeInsights, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			shape, raws, errs, err := readAll(t, filepath.Join("testdata", "shapes", tc.file))
			if err != nil {
				t.Fatalf("ReadObject: %v", err)
			}
			if len(errs) != 0 {
				t.Errorf("record errors: %v", errs)
			}
			if shape != tc.shape {
				t.Errorf("shape = %v, want %v", shape, tc.shape)
			}
			if diff := cmp.Diff(tc.ids, eventIDs(t, raws)); diff != "" {
				t.Errorf("event IDs (-want +got):\n%s", diff)
			}
			if tc.shape.Skipped() != (tc.ids == nil) {
				t.Errorf("Skipped() = %v for %v", tc.shape.Skipped(), tc.shape)
			}
		})
	}
}

// TestReadObjectMatchesEncodingJSON checks the records cut out of each shape
// against encoding/json's reading of the same file.
func TestReadObjectMatchesEncodingJSON(t *testing.T) {
	data := mustRead(t, "testdata/records.json")
	var want []json.RawMessage
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	_, idx, raws, errs, err := readBytes(t, data, DefaultLimits())
	if err != nil || len(errs) != 0 {
		t.Fatalf("ReadObject: %v %v", err, errs)
	}
	if len(raws) != len(want) {
		t.Fatalf("got %d records, want %d", len(raws), len(want))
	}
	for i := range want {
		if idx[i] != i+1 {
			t.Errorf("record %d has index %d", i+1, idx[i])
		}
		if !bytes.Equal(raws[i], want[i]) {
			t.Errorf("record %d differs:\ngot  %s\nwant %s", i+1, raws[i], want[i])
		}
	}
}

func TestReadObjectSharedSamples(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "cloudtrail")
	tests := []struct {
		glob  string
		shape Shape
		total int
	}{
		{"flaws2/*.json.gz", ShapeRecords, 37},
		{"stratus-red-team/*.json", ShapeArray, 310},
	}
	for _, tc := range tests {
		t.Run(tc.glob, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(dir, tc.glob))
			if len(files) == 0 {
				t.Skip("no sample files")
			}
			total := 0
			for _, f := range files {
				shape, raws, errs, err := readAll(t, f)
				if err != nil || len(errs) != 0 {
					t.Errorf("%s: %v %v", f, err, errs)
				}
				if shape != tc.shape {
					t.Errorf("%s: shape = %v, want %v", f, shape, tc.shape)
				}
				for _, r := range raws {
					if !json.Valid(r) {
						t.Errorf("%s: invalid record cut out: %.80s", f, r)
					}
				}
				total += len(raws)
			}
			if total != tc.total {
				t.Errorf("total records = %d, want %d", total, tc.total)
			}
		})
	}
}

// TestReadObjectConcatenatedSamples reads the flaws2 log objects
// decompressed into one file, as `zcat *.gz > cat.json` makes it, and
// their gzip streams concatenated (`cat *.gz > cat.json.gz`): every record
// of every object, numbered across them.
func TestReadObjectConcatenatedSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), "data", "cloudtrail", "flaws2", "*.json.gz"))
	if len(files) == 0 {
		t.Skip("no sample files")
	}
	var plain, gzipped []byte
	for _, f := range files {
		data := mustRead(t, f)
		gzipped = append(gzipped, data...)
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := out.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		plain = append(plain, out.Bytes()...)
	}
	for name, data := range map[string][]byte{"zcat": plain, "cat": gzipped} {
		t.Run(name, func(t *testing.T) {
			shape, idx, _, errs, err := readBytes(t, data, DefaultLimits())
			if err != nil || len(errs) != 0 {
				t.Fatalf("ReadObject: %v %v", err, errs)
			}
			if shape != ShapeRecords || len(idx) != 37 || idx[36] != 37 {
				t.Fatalf("shape %v, %d records (last index %v), want records, 37, 37", shape, len(idx), idx[len(idx)-1:])
			}
		})
	}
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// badInputCase is one object of TestReadObjectBadInput and what reading it
// gives.
type badInputCase struct {
	name     string
	data     []byte
	lim      Limits
	fatal    string // substring of the fatal error; "" for none
	fatalIs  error
	ids      []string
	idx      []int
	errs     []string // RecordError strings (prefix match)
	errIs    error
	wantKind Shape
}

func badInputCases(t testing.TB) []badInputCase {
	rec := func(id string) string {
		return `{"eventID":"` + id + `","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"Root","accountId":"111122223333"}}`
	}
	good := gz(t, []byte(`{"Records":[`+rec("a")+`]}`))
	small := Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 200}
	recs := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(rec(strconv.Itoa(i)))
		}
		return b.String()
	}
	return []badInputCase{
		{name: "corrupt gzip", data: append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, "garbage that is not deflate"...), fatal: "obj: corrupt gzip"},
		{name: "truncated gzip", data: good[:len(good)/2], fatal: "obj: corrupt gzip"},
		{name: "gzip header only", data: []byte{0x1f, 0x8b}, fatal: "obj: corrupt gzip"},
		{name: "empty", data: nil, fatal: "empty object", fatalIs: ErrNotCloudTrail},
		{name: "not JSON", data: []byte("hello world"), fatal: "not JSON", fatalIs: ErrNotCloudTrail},
		{name: "JSON object, not CloudTrail", data: []byte(`{"Version":"2012-10-17","Statement":[]}`), fatal: "without Records", fatalIs: ErrNotCloudTrail},
		{name: "JSON array of numbers", data: []byte(`[1,2,3]`), fatal: "non-objects", fatalIs: ErrNotCloudTrail},
		{name: "JSON array of other objects", data: []byte(`[{"PolicyName":"x"}]`), fatal: "no event fields", fatalIs: ErrNotCloudTrail},
		{name: "empty Records", data: []byte(`{"Records":[]}`), wantKind: ShapeRecords},
		{name: "empty array", data: []byte(`[]`), wantKind: ShapeArray},
		{name: "BOM", data: []byte("\xef\xbb\xbf[" + rec("a") + "]"), ids: []string{"a"}, idx: []int{1}, wantKind: ShapeArray},
		{
			name: "truncated Records", data: []byte(`{"Records":[` + rec("a") + `,` + rec("b") + `,{"eventID":"c","eventTi`),
			ids: []string{"a", "b"}, idx: []int{1, 2}, errs: []string{"obj:record 3: record at offset"}, errIs: ErrTruncated, wantKind: ShapeRecords,
		},
		{
			name: "array with a non-object", data: []byte(`[` + rec("a") + `, 5, ` + rec("b") + `]`),
			ids: []string{"a", "b"}, idx: []int{1, 3}, errs: []string{"obj:record 2: not a JSON object"}, wantKind: ShapeArray,
		},
		{
			name: "lines with a broken line", data: []byte(rec("a") + "\n" + `{"eventID": "x", "bad` + "\n" + rec("b") + "\n"),
			ids: []string{"a", "b"}, idx: []int{1, 3}, errs: []string{"obj:record 2:"}, errIs: ErrTruncated, wantKind: ShapeLines,
		},
		{
			name: "concatenated pretty-printed objects", data: []byte(pretty(rec("a")) + "\n" + pretty(rec("b")) + "\n"),
			ids: []string{"a", "b"}, idx: []int{1, 2}, wantKind: ShapeLines,
		},
		{
			name: "pretty-printed objects, the second unterminated", data: []byte(pretty(rec("a")) + "\n{\n \"eventID\": \"b\n}\n" + pretty(rec("c"))),
			ids: []string{"a"}, idx: []int{1}, errs: []string{"obj:record 2: record at offset"}, errIs: ErrTruncated, wantKind: ShapeLines,
		},
		{
			name: "lines, many broken", data: []byte(rec("a") + "\n" + strings.Repeat(`{"eventID":"x`+"\n", 3) + rec("b") + "\n"),
			ids: []string{"a", "b"}, idx: []int{1, 5}, errs: []string{"obj:record 2:", "obj:record 3:", "obj:record 4:"}, errIs: ErrTruncated, wantKind: ShapeLines,
		},
		{
			name: "lines with garbage line", data: []byte(rec("a") + "\nnot json\n" + rec("b")),
			ids: []string{"a", "b"}, idx: []int{1, 3}, errs: []string{"obj:record 2: not a JSON object"}, wantKind: ShapeLines,
		},
		{
			name: "record over the limit", data: []byte(`[` + rec("a") + `,` + rec("b"+strings.Repeat("x", 300)) + `,` + rec("c") + `]`), lim: small,
			ids: []string{"a", "c"}, idx: []int{1, 3}, errs: []string{"obj:record 2: record of"}, errIs: ErrTooLarge, wantKind: ShapeArray,
		},
		{name: "object over the limit", data: []byte(`[` + rec("a") + `]`), lim: Limits{MaxObjectBytes: 10, MaxRecordBytes: 10}, fatal: "exceeds 10 bytes", fatalIs: ErrTooLarge},
		// Gzip bombs: zeros are not JSON from the first byte; white space
		// streams through to the object limit; records are read up to it
		// (kept: the limit bounds time), then the rest is refused.
		{name: "gzip bomb of zeros", data: gz(t, make([]byte, 4<<20)), lim: Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 10}, fatal: "not JSON", fatalIs: ErrNotCloudTrail},
		{name: "gzip bomb of white space", data: gz(t, []byte(`{"Records":[`+strings.Repeat(" ", 4<<20))), lim: Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 10}, fatal: "exceeds 1048576 bytes decompressed", fatalIs: ErrTooLarge},
		{
			name: "gzip bomb of records", data: gz(t, []byte(`{"Records":[`+recs(40)+`]}`)), lim: Limits{MaxObjectBytes: int64(21*len(rec("10")) + 12), MaxRecordBytes: 1 << 10},
			ids: strings.Fields("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19"), idx: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
			errs: []string{"obj:record 21: object exceeds"}, errIs: ErrTooLarge, wantKind: ShapeRecords,
		},

		// Concatenated log objects (`zcat *.gz > cat.json`) are read whole,
		// numbering records across them; anything else after or inside the
		// wrapper is bad input, never a quiet 0 events.
		{
			name: "concatenated Records objects", data: []byte(`{"Records":[` + rec("a") + `]}{"Records":[` + rec("b") + `,` + rec("c") + "]}\n" + `{"Records":[]}` + "\n"),
			ids: []string{"a", "b", "c"}, idx: []int{1, 2, 3}, wantKind: ShapeRecords,
		},
		{
			name: "concatenated arrays", data: []byte(`[` + rec("a") + "]\n[" + rec("b") + `]`),
			ids: []string{"a", "b"}, idx: []int{1, 2}, wantKind: ShapeArray,
		},
		{
			name: "concatenated Events objects", data: []byte(`{"Events":[{"CloudTrailEvent":` + jsonString(rec("a")) + `}]} {"Events":[{"CloudTrailEvent":` + jsonString(rec("b")) + `}]}`),
			ids: []string{"a", "b"}, idx: []int{1, 2}, wantKind: ShapeLookupEvents,
		},
		{name: "Records twice", data: []byte(`{"Records":[],"Records":[` + rec("a") + `]}`), fatal: `"Records" appears twice`, fatalIs: ErrNotCloudTrail},
		{
			name: "Records twice after records", data: []byte(`{"Records":[` + rec("a") + `],"Records":[` + rec("b") + `]}`),
			ids: []string{"a"}, idx: []int{1}, errs: []string{`obj:record 2: "Records" appears twice`}, errIs: ErrNotCloudTrail, wantKind: ShapeRecords,
		},
		{
			name: "garbage after Records", data: []byte(`{"Records":[` + rec("a") + `]}garbage`),
			ids: []string{"a"}, idx: []int{1}, errs: []string{"obj:record 2: invalid data after the top-level value"}, errIs: ErrNotCloudTrail, wantKind: ShapeRecords,
		},
		{
			name: "garbage after an array", data: []byte(`[` + rec("a") + `] ]`),
			ids: []string{"a"}, idx: []int{1}, errs: []string{"obj:record 2: invalid data after the top-level value"}, errIs: ErrNotCloudTrail, wantKind: ShapeArray,
		},
		{
			name: "Records then another kind of object", data: []byte(`{"Records":[` + rec("a") + `]}{"Events":[{"CloudTrailEvent":` + jsonString(rec("b")) + `}]}`),
			ids: []string{"a"}, idx: []int{1}, errs: []string{"obj:record 2: a different kind of value after a records object"}, errIs: ErrNotCloudTrail, wantKind: ShapeRecords,
		},
		{name: "Records null", data: []byte(`{"Records":null}`), fatal: "Records is null, not an array", fatalIs: ErrNotCloudTrail},
		{name: "Records an object", data: []byte(`{"Records":{"eventID":"a"}}`), fatal: "Records is an object, not an array", fatalIs: ErrNotCloudTrail},
		{name: "Records a string", data: []byte(`{"Records":"[]"}`), fatal: "Records is a string, not an array", fatalIs: ErrNotCloudTrail},
		{name: "Events an object", data: []byte(`{"Events":{"a":1}}`), fatal: "Events is an object, not an array", fatalIs: ErrNotCloudTrail},
		{name: "Records truncated after the array", data: []byte(`{"Records":[` + rec("a") + `]`), ids: []string{"a"}, idx: []int{1}, errs: []string{"obj:record 2: Records object"}, errIs: ErrTruncated, wantKind: ShapeRecords},
		{
			name: "lookup event without CloudTrailEvent", data: []byte(`{"Events":[{"EventId":"1","CloudTrailEvent":` + jsonString(rec("a")) + `},{"EventId":"2"}]}`),
			ids: []string{"a"}, idx: []int{1}, errs: []string{"obj:record 2: event without CloudTrailEvent"}, errIs: ErrNotCloudTrail, wantKind: ShapeLookupEvents,
		},
		{
			name: "lookup event with a non-string CloudTrailEvent", data: []byte(`{"Events":[{"CloudTrailEvent":{"eventID":"a"}}]}`),
			errs: []string{"obj:record 1: CloudTrailEvent: not a string"}, wantKind: ShapeLookupEvents,
		},
	}
}

func TestReadObjectBadInput(t *testing.T) {
	for _, tc := range badInputCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			lim := tc.lim
			if lim == (Limits{}) {
				lim = DefaultLimits()
			}
			shape, idx, raws, errs, err := readBytes(t, tc.data, lim)
			if tc.fatal != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fatal) {
					t.Fatalf("fatal error = %v, want one containing %q", err, tc.fatal)
				}
				if !strings.HasPrefix(err.Error(), "obj: ") {
					t.Errorf("fatal error %q does not start with the file name", err)
				}
				var re *RecordError
				if !errors.As(err, &re) || re.File != "obj" || re.Index != 0 {
					t.Errorf("fatal error is %#v, want *RecordError{File: obj, Index: 0}", err)
				}
				if tc.fatalIs != nil && !errors.Is(err, tc.fatalIs) {
					t.Errorf("errors.Is(%v, %v) = false", err, tc.fatalIs)
				}
				if len(raws) != 0 {
					t.Errorf("fn called %d times on an unreadable object", len(raws))
				}
				return
			}
			if err != nil {
				t.Fatalf("fatal error: %v", err)
			}
			if shape != tc.wantKind {
				t.Errorf("shape = %v, want %v", shape, tc.wantKind)
			}
			if diff := cmp.Diff(tc.ids, eventIDs(t, raws)); diff != "" {
				t.Errorf("event IDs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.idx, idx); diff != "" {
				t.Errorf("indices (-want +got):\n%s", diff)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("record errors = %v, want %d like %q", errs, len(tc.errs), tc.errs)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tc.errs[i]) {
					t.Errorf("record error %d = %q, want prefix %q", i, e.Error(), tc.errs[i])
				}
				if tc.errIs != nil && !errors.Is(&errs[i], tc.errIs) {
					t.Errorf("errors.Is(%v, %v) = false", e.Error(), tc.errIs)
				}
			}
		})
	}
}

func pretty(s string) string {
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(s), "", "  "); err != nil {
		panic(err)
	}
	return out.String()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadObjectCallbackErrorStops(t *testing.T) {
	data := mustRead(t, "testdata/shapes/lines.jsonl")
	stop := errors.New("stop here")
	var seen []int
	_, errs, err := ReadObject(bytes.NewReader(data), "f.jsonl", DefaultLimits(), func(i int, raw []byte) error {
		seen = append(seen, i)
		if i == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want it to wrap %v", err, stop)
	}
	if got, want := err.Error(), "f.jsonl:record 2: stop here"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]int{1, 2}, seen); diff != "" {
		t.Errorf("records seen (-want +got):\n%s", diff)
	}
	if len(errs) != 0 {
		t.Errorf("record errors: %v", errs)
	}
}

// TestObjectReaderReuse reads several objects with one reader, alternating
// gzip and plain, to check that buffers are reset between objects.
func TestObjectReaderReuse(t *testing.T) {
	or := NewObjectReader()
	files := []string{"records-gzip-misnamed.json", "array.json", "digest.json.gz", "lines.jsonl", "records-gzip-misnamed.json", "lookup-events.json"}
	for _, f := range files {
		data := mustRead(t, filepath.Join("testdata", "shapes", f))
		n := 0
		_, errs, err := or.ReadObject(bytes.NewReader(data), f, DefaultLimits(), func(int, []byte) error { n++; return nil })
		if err != nil || len(errs) != 0 {
			t.Fatalf("%s: %v %v", f, err, errs)
		}
		want := 3
		if f == "digest.json.gz" {
			want = 0
		}
		if n != want {
			t.Errorf("%s: %d records, want %d", f, n, want)
		}
	}
}
