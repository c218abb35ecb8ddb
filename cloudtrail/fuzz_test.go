package cloudtrail

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"
)

// FuzzNormalize holds Normalize to the encoding/json oracle on arbitrary
// input; it must never panic.
func FuzzNormalize(f *testing.F) {
	byID, order := testRecords(f)
	for _, id := range order {
		f.Add(byID[id])
	}
	f.Add([]byte(`{"eventID":"\ud800","eventTime":"2025-01-01T00:00:00Z","eventSource":"s","eventName":"n","userIdentity":{}}`))
	f.Add([]byte(`{"a":[{"b":"\u0000"}]}`))
	m := NewMapper(nil)
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkOracle(t, m, raw)
	})
}

// FuzzReadObject feeds arbitrary objects to ReadObject: it must never panic,
// call fn only for readable objects, in increasing order, with records cut
// from the input, report errors within range, and give the same result
// streamed one byte at a time through a tiny window as read whole.
func FuzzReadObject(f *testing.F) {
	files, _ := filepath.Glob("testdata/shapes/*")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Records":[{"eventID":"a"},{"eventID":"b"`))
	f.Add([]byte("{\"eventID\":\"a\"}\n{\"eventID\n{\"eventID\":\"c\"}"))
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":"{\"eventID\":\"x\"}"}]}`))
	m := NewMapper(nil)
	lim := Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 12}
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		calls := 0
		gzipped := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
		shape, errs, err := ReadObject(bytes.NewReader(data), "fuzz", lim, func(i int, raw []byte) error {
			calls++
			if i <= last {
				t.Fatalf("index %d after %d", i, last)
			}
			last = i
			if int64(len(raw)) > lim.MaxRecordBytes {
				t.Fatalf("record of %d bytes passed the limit", len(raw))
			}
			if !gzipped && !bytes.Contains(data, []byte("CloudTrailEvent")) && !bytes.Contains(data, raw) {
				t.Fatalf("record not cut from the input: %q", raw)
			}
			var rec Record
			_ = m.Normalize(raw, &rec)
			return nil
		})
		if err != nil && calls > 0 {
			var re *RecordError
			if !asRecordError(err, &re) || re.Index == 0 {
				t.Fatalf("fatal error %v after %d records", err, calls)
			}
		}
		if shape.Skipped() && calls > 0 {
			t.Fatalf("%v object produced %d records", shape, calls)
		}
		for _, e := range errs {
			if e.Index < 1 || e.File != "fuzz" {
				t.Fatalf("bad record error %#v", e)
			}
		}
		if gzipped && !soundGzip(data) {
			// How much a decompressor yields before a corruption error
			// depends on how its input arrives.
			return
		}
		whole := readWith(t, data, lim, 0, identity)
		if streamed := readWith(t, data, lim, 3, iotest.OneByteReader); !reflect.DeepEqual(whole, streamed) {
			t.Fatalf("streamed differs from whole:\n%+v\n%+v", streamed, whole)
		}
	})
}
