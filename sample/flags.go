package sample

import (
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/spf13/pflag"
)

// Flags are the flags of `iamtrim sample`: Options, with the first day as
// written.
type Flags struct {
	Options Options
	Start   string
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	o := &f.Options
	fs.StringVar(&o.Out, "out", "", "output directory (required)")
	fs.IntVar(&o.Events, "events", DefaultEvents, "distinct CloudTrail events to write")
	fs.Int64Var(&o.Seed, "seed", 1, "random seed")
	fs.IntVar(&o.Days, "days", DefaultDays, "days of logs")
	fs.IntVar(&o.Files, "files", 0, "approximate number of log files (0: one per region per day)")
	fs.StringVar(&f.Start, "start", "", "first day, YYYY-MM-DD (default "+DefaultStart.Format(time.DateOnly)+")")
	fs.StringSliceVar(&o.Regions, "regions", nil, "regions (default us-east-1,eu-west-1,us-west-2)")
}

// Complete checks the flags and returns the options.
func (f *Flags) Complete() (Options, error) {
	o := f.Options
	for _, v := range []Options{o, o.withDefaults()} { // as Generate checks them
		if err := v.Validate(); err != nil {
			return o, option.Invalid(err)
		}
	}
	if f.Start != "" {
		t, err := period.Date(f.Start)
		if err != nil {
			return o, option.Errorf("--start %v", err)
		}
		o.Start = t
	}
	return o, nil
}
