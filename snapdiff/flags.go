package snapdiff

import (
	"io"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// Flags are the flags of `iamtrim diff`: the two snapshots (0: the
// default) and the output.
type Flags struct {
	From, To int64
	Output   option.Output
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	fs.Int64Var(&f.From, "from", 0, "the older analysis snapshot's id (default: the one before --to's)")
	fs.Int64Var(&f.To, "to", 0, "the newer analysis snapshot's id (default: the newest)")
	f.Output.Formats = []string{"table", "json"}
	f.Output.AddFlags(fs, "table or json", "write the result to FILE instead of stdout")
}

// Validate checks the format and the ids.
func (f *Flags) Validate() error {
	if err := f.Output.Validate(); err != nil {
		return err
	}
	if f.From < 0 || f.To < 0 {
		return option.Errorf("--from and --to are analysis snapshot ids (positive)")
	}
	return nil
}

// Write renders d in the format the flags chose, to stdout or -o.
func (f *Flags) Write(stdout io.Writer, d *Result) error {
	return f.Output.Write(stdout, func(w io.Writer) error {
		if f.Output.Format == "json" {
			return WriteJSON(w, d)
		}
		return WriteTable(w, d)
	})
}
