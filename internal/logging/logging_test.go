package logging

import (
	"bytes"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, format, level string
		// want is what logging one debug and one warn line writes.
		want, wantErr string
	}{
		{name: "text at info", format: "text", level: "", want: "level=WARN msg=w"},
		{name: "json at debug", format: "json", level: "DEBUG", want: `"level":"DEBUG","msg":"d"`},
		{name: "warning", format: "text", level: "warning", want: "level=WARN msg=w"},
		{name: "error hides warn", format: "text", level: "error", want: ""},
		{name: "bad level", format: "text", level: "loud", wantErr: `log-level "loud": want debug, info, warn or error`},
		{name: "bad format", format: "xml", level: "info", wantErr: `log-format "xml": want text or json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := New(&buf, tc.format, tc.level)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			log.Debug("d")
			log.Warn("w")
			if got := buf.String(); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("logged %q, want it to hold %q", got, tc.want)
			}
		})
	}
}
