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
