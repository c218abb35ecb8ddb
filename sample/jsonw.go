package sample

import (
	"strconv"
	"time"
)

// jw is a small append-only JSON writer. CloudTrail records are written with
// it instead of encoding/json so that field order matches what CloudTrail
// writes, output is byte-stable, and ten million records stay cheap.
type jw struct {
	buf   []byte
	comma bool // a value was just written at this level: the next needs ','
}

func (w *jw) reset() { w.buf = w.buf[:0]; w.comma = false }

func (w *jw) sep() {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
}

func (w *jw) open() { w.sep(); w.buf = append(w.buf, '{'); w.comma = false }
func (w *jw) close() {
	w.buf = append(w.buf, '}')
	w.comma = true
}
func (w *jw) openArr() { w.sep(); w.buf = append(w.buf, '['); w.comma = false }
func (w *jw) closeArr() {
	w.buf = append(w.buf, ']')
	w.comma = true
}

func (w *jw) key(k string) {
	w.sep()
	w.buf = appendJSONString(w.buf, k)
	w.buf = append(w.buf, ':')
	w.comma = false
}

func (w *jw) str(s string) { w.sep(); w.buf = appendJSONString(w.buf, s); w.comma = true }
func (w *jw) null()        { w.sep(); w.buf = append(w.buf, "null"...); w.comma = true }
func (w *jw) boolean(b bool) {
	w.sep()
	w.buf = strconv.AppendBool(w.buf, b)
	w.comma = true
}
func (w *jw) num(n int64) { w.sep(); w.buf = strconv.AppendInt(w.buf, n, 10); w.comma = true }
func (w *jw) float(f float64) {
	w.sep()
	w.buf = strconv.AppendFloat(w.buf, f, 'f', -1, 64)
	w.comma = true
}
func (w *jw) time(t time.Time) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = t.UTC().AppendFormat(w.buf, "2006-01-02T15:04:05Z")
	w.buf = append(w.buf, '"')
	w.comma = true
}

func (w *jw) kstr(k, v string) { w.key(k); w.str(v) }
func (w *jw) kbool(k string, v bool) {
	w.key(k)
	w.boolean(v)
}
func (w *jw) knum(k string, v int64) { w.key(k); w.num(v) }
func (w *jw) ktime(k string, t time.Time) {
	w.key(k)
	w.time(t)
}

// kobj writes "k":{...} with body filling the object.
func (w *jw) kobj(k string, body func()) {
	w.key(k)
	w.open()
	body()
	w.close()
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping what RFC 8259
// requires.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
