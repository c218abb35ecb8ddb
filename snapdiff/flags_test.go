package snapdiff_test

import (
	"bytes"
	"testing"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/iamtrim/iamtrim/snapdiff"
)

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults"},
		{name: "ids", args: []string{"--from", "3", "--to", "5", "--format", "json"}},
		{name: "format", args: []string{"--format", "csv"}, wantErr: `--format "csv": want table or json`},
		{name: "negative", args: []string{"--from", "-1"}, wantErr: "--from and --to are analysis snapshot ids (positive)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f snapdiff.Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			err := f.Validate()
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			var out bytes.Buffer
			if err := f.Write(&out, &snapdiff.Result{}); err != nil {
				t.Fatal(err)
			}
			if json := bytes.HasPrefix(out.Bytes(), []byte("{")); json != (f.Output.Format == "json") {
				t.Errorf("format %s wrote %q", f.Output.Format, out.String())
			}
		})
	}
}
