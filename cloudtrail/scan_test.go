package cloudtrail

import (
	"strings"
	"testing"
)

// TestScanStringPaths checks scanString's word-at-a-time paths against the
// byte-by-byte scanStringSlow, and valueEnd's quote search with it, for
// strings of every length up to a few words with a quote, a backslash or
// a control character at every position, and with input after the string
// or ending with it.
func TestScanStringPaths(t *testing.T) {
	for n := 0; n <= 48; n++ {
		for pos := -1; pos < n; pos++ {
			for _, c := range []byte{'"', '\\', '\n', 0x1f, 'x'} {
				body := []byte(strings.Repeat("a", n))
				if pos >= 0 {
					body[pos] = c
				}
				for _, tail := range []string{"", `,"k":1}`, strings.Repeat(" ", 20)} {
					b := []byte(`"` + string(body) + `"` + tail)
					end, esc, err := scanString(b, 0)
					wEnd, wEsc, wErr := scanStringSlow(b, 0)
					if end != wEnd || esc != wEsc || (err == nil) != (wErr == nil) {
						t.Fatalf("scanString(%q) = %d, %v, %v; scanStringSlow: %d, %v, %v", b, end, esc, err, wEnd, wEsc, wErr)
					}
					if wErr != nil {
						continue
					}
					// valueEnd skips the string inside an array.
					arr := append(append([]byte{'['}, b[:wEnd]...), ']')
					if got, err := valueEnd(arr, 0); err != nil || got != len(arr) {
						t.Fatalf("valueEnd(%q) = %d, %v; want %d", arr, got, err, len(arr))
					}
				}
			}
		}
	}
}

// TestValueEndEscapes checks valueEnd against a byte-by-byte reference on
// inputs dense in quotes, backslashes and brackets, cut at every length.
func TestValueEndEscapes(t *testing.T) {
	ref := func(b []byte, i int) (int, bool) {
		depth, str, esc := 0, false, false
		for ; i < len(b); i++ {
			c := b[i]
			switch {
			case str && esc:
				esc = false
			case str && c == '\\':
				esc = true
			case str && c == '"':
				str = false
			case str:
			case c == '"':
				str = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				if depth--; depth == 0 {
					return i + 1, true
				}
				if depth < 0 {
					return i, false
				}
			}
		}
		return i, false
	}
	alphabet := []byte(`"\{}[]ab`)
	r := uint64(1)
	for n := 0; n < 20000; n++ {
		r = r*6364136223846793005 + 1442695040888963407
		size := 1 + int(r>>58)
		b := []byte{'{'}
		x := r
		for k := 0; k < size; k++ {
			if k%20 == 19 {
				r = r*6364136223846793005 + 1442695040888963407
				x = r
			}
			b = append(b, alphabet[x&7])
			x >>= 3
		}
		want, ok := ref(b, 0)
		got, err := valueEnd(b, 0)
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("valueEnd(%q) = %d, %v; reference %d, %v", b, got, err, want, ok)
		}
	}
}
