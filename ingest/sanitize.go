package ingest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/ingest/rollup"
)

// Bounds on strings taken from logs before they reach the database.
const (
	maxShort    = rollup.MaxShort
	maxName     = rollup.MaxName
	maxARN      = rollup.MaxARN
	maxErrorLen = 512 // one error line
)

// clip is rollup.Clip: s as valid UTF-8 without NUL bytes, at most max
// bytes.
func clip(s string, max int) string { return rollup.Clip(s, max) }

// overlongARN says why a record is refused when one of its ARNs is longer
// than maxARN, "" otherwise. Such ARNs are refused, not cut: a cut ARN no
// longer matches the policies that name it (nor, for a principal, its
// authorization data), so its calls would silently stop counting. AWS's own
// limits keep real principal ARNs well under the bound; an S3 object ARN
// can exceed it with a key near S3's 1,024-byte maximum.
func overlongARN(rec *cloudtrail.Record) string {
	refuse := func(what, arn string) string {
		return fmt.Sprintf("%s ARN of %d bytes exceeds the %d iamtrim stores (refused rather than cut): %s...", what, len(arn), maxARN, clip(arn, 80))
	}
	if len(rec.Principal.ARN) > maxARN {
		return refuse("principal", rec.Principal.ARN)
	}
	for _, r := range rec.Resources {
		if len(r) > maxARN {
			return refuse("resource", r)
		}
	}
	for _, a := range rec.Access {
		if len(a.Resource) > maxARN {
			return refuse("resource", a.Resource)
		}
		if len(a.Via) > maxARN {
			return refuse("resource", a.Via)
		}
	}
	return ""
}

// uuidNamespace is the namespace of the name-based UUIDs made for eventIDs
// that are not UUIDs (a fixed random value; changing it would break
// dedup against existing data).
var uuidNamespace = [16]byte{0x6e, 0x1d, 0x3a, 0x52, 0x8c, 0x4f, 0x4b, 0x0e, 0x9a, 0x77, 0x21, 0x6c, 0x05, 0xd2, 0xe8, 0x13}

// eventUUID parses a CloudTrail eventID (normally a UUID). Other ids, and
// an empty id (then raw, the record itself, names it), become a version-5
// style UUID of their text, so the same input always dedups the same way.
func eventUUID(id string, raw []byte) [16]byte {
	var u [16]byte
	if len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-' {
		var b [32]byte
		n := copy(b[:], id[0:8])
		n += copy(b[n:], id[9:13])
		n += copy(b[n:], id[14:18])
		n += copy(b[n:], id[19:23])
		copy(b[n:], id[24:36])
		if _, err := hex.Decode(u[:], b[:]); err == nil {
			return u
		}
	}
	h := sha1.New()
	h.Write(uuidNamespace[:])
	if id != "" {
		h.Write([]byte("id:"))
		h.Write([]byte(id))
	} else {
		h.Write([]byte("raw:"))
		h.Write(raw)
	}
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// cleanRaw makes a record's JSON acceptable to jsonb, which refuses some
// JSON that encoding/json (and the record reader) accept: invalid UTF-8,
// the escape \u0000, and unpaired UTF-16 surrogates (\ud800 without a low
// surrogate after it, or a low surrogate alone). Each refused escape is
// replaced, in place and at the same length, by \ufffd, the replacement
// character encoding/json decodes them to; a valid surrogate pair and an
// escaped backslash followed by "u" are left alone.
func cleanRaw(raw []byte) []byte {
	if !utf8.Valid(raw) {
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	i := bytes.Index(raw, []byte(`\u`))
	if i < 0 {
		return raw
	}
	// Back up to the start of the run of backslashes the match is in, so
	// that escaped backslashes are paired correctly from there.
	for i > 0 && raw[i-1] == '\\' {
		i--
	}
	for ; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // \\, \" and the like: skip the escaped byte
			continue
		}
		r := hex4(raw[i+2:])
		switch {
		case r == 0:
			copy(raw[i:], `\ufffd`)
		case r >= 0xD800 && r < 0xDC00: // high surrogate: a low one must follow
			if lo := hex4After(raw, i+6); lo >= 0xDC00 && lo < 0xE000 {
				i += 6 // keep the pair
			} else {
				copy(raw[i:], `\ufffd`)
			}
		case r >= 0xDC00 && r < 0xE000: // low surrogate alone
			copy(raw[i:], `\ufffd`)
		}
		i += 5
	}
	return raw
}

// hex4 decodes four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// hex4After decodes a \uXXXX escape at b[i], or returns -1.
func hex4After(b []byte, i int) rune {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return -1
	}
	return hex4(b[i+2:])
}
