package backtest

import (
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/spf13/pflag"
)

// Flags are the flags of `iamtrim backtest`, as written.
type Flags struct {
	// Evidence are analyze's evidence flags; its window is --train.
	Evidence    analyze.Flags
	Options     Options
	All         bool
	Train, Test string
	Output      option.Output
	// FailOn is "breakage" (exit 4 on BreakageErr), "none" or "".
	FailOn string
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	f.Evidence.AddSourceFlags(fs)
	fs.BoolVar(&f.All, "all", false, "every role")
	fs.StringVar(&f.Train, "train", fmt.Sprintf("%dd", DefaultTrainDays), "training window: the days before the test window, e.g. 60d")
	fs.StringVar(&f.Test, "test", fmt.Sprintf("%dd", DefaultTestDays), "test window ending on --as-of, e.g. 30d")
	f.Output.Formats = []string{"table", "json"}
	f.Output.AddFlags(fs, "table or json", "write the report to FILE instead of stdout")
	fs.StringVar(&f.FailOn, "fail-on", "", "breakage: exit 4 when a test call of an action used in training is denied")
	f.Options.Recommend.AddFlags(fs)
}

// Complete checks the flags with the roles named and returns the
// options, and the analysis options of the training window; AsOf and
// the thresholds are set once the evidence is read (analyze.Prepare).
func (f *Flags) Complete(roles []string, now time.Time) (Options, analyze.Options, error) {
	o := f.Options
	o.Principals = roles
	var aopts analyze.Options
	if f.All == (len(roles) > 0) {
		return o, aopts, option.Errorf("name one or more ROLEs, or use --all")
	}
	if err := f.Output.Validate(); err != nil {
		return o, aopts, err
	}
	if f.FailOn != "" {
		if err := option.OneOf(f.FailOn, "breakage", "none"); err != nil {
			return o, aopts, option.Errorf("--fail-on %v", err)
		}
	}
	var err error
	if o.TrainDays, err = period.Days(f.Train); err != nil {
		return o, aopts, option.Errorf("--train %v", err)
	}
	if o.TestDays, err = period.Days(f.Test); err != nil {
		return o, aopts, option.Errorf("--test %v", err)
	}
	if err := o.Recommend.Validate(); err != nil {
		return o, aopts, option.Errorf("--%v", err)
	}
	f.Evidence.Window = f.Train
	aopts, err = f.Evidence.Options(now)
	return o, aopts, err
}

// BreakageErr says how many principals the recommendation would break
// (nil when none): test calls of actions used in training denied.
func (r *Report) BreakageErr() error {
	n := r.Broken()
	if n == 0 {
		return nil
	}
	return fmt.Errorf("breakage: %d principal(s) would be denied %d test call(s) of actions used in training", n, r.Totals.DeniedTrained)
}
