package report

import (
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/period"
	"github.com/spf13/pflag"
)

// Flags are the flags of `iamtrim report`: Options, with the period's
// days, the output file and the exceptions register as written.
type Flags struct {
	Options    Options
	From, To   string
	Output     string
	Exceptions exception.Flag
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	o := &f.Options
	fs.StringVar(&o.Quarter, "quarter", "", "quarter, e.g. 2026Q4 (default: the current quarter)")
	fs.StringVar(&f.From, "from", "", "first day of the period, YYYY-MM-DD (instead of --quarter)")
	fs.StringVar(&f.To, "to", "", "last day of the period, YYYY-MM-DD")
	fs.StringVar(&o.Account, "account", "", "only this account")
	fs.StringVar(&o.Format, "format", "table", strings.Join(Formats(), ", "))
	fs.StringVarP(&f.Output, "output", "o", "", "write the report to FILE instead of stdout")
	fs.StringVar(&o.SignOff.PreparedBy, "prepared-by", "", "sign-off: who prepared the report")
	fs.StringVar(&o.SignOff.ReviewedBy, "reviewed-by", "", "sign-off: who reviewed it")
	fs.StringVar(&o.SignOff.Date, "signoff-date", "", "sign-off date, YYYY-MM-DD (blank lines to sign by hand when not given)")
	fs.StringVar(&o.PoliciesDir, "policies-dir", "", "where the recommendations were written, relative to the report (e.g. policies): each principal's section links to its file")
	fs.StringVar(&o.PoliciesFormat, "policies-format", "policy", "the --format they were written in: policy, json, terraform or diff")
	f.Exceptions.AddFlag(fs, "the report's register, and the findings it accepts (see README: Exceptions)")
}

// Complete checks the flags and returns the options of a report made
// now (Options.Now, when set, stays).
func (f *Flags) Complete(now time.Time) (Options, error) {
	o := f.Options
	var err error
	if o.From, err = flagDate("from", f.From); err != nil {
		return o, err
	}
	if o.To, err = flagDate("to", f.To); err != nil {
		return o, err
	}
	if o.Now.IsZero() {
		o.Now = now.UTC()
	}
	if o.Format == "" { // Validate lets "" through: Build makes no format
		return o, option.Errorf("--format %v", option.OneOf(o.Format, formats...))
	}
	if err := o.Validate(); err != nil {
		return o, option.Errorf("--%v", err)
	}
	if err := option.OutputPath(f.Output, false); err != nil {
		return o, err
	}
	if o.Exceptions, err = f.Exceptions.Read(); err != nil {
		return o, err
	}
	o.ExceptionsDay = o.Now
	return o, nil
}

// flagDate reads the YYYY-MM-DD value of --flag; "" is the zero time.
func flagDate(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := period.Date(s)
	if err != nil {
		return time.Time{}, option.Errorf("--%s %v", flag, err)
	}
	return t, nil
}
