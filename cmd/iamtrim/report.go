package main

import (
	"errors"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/internal/termwidth"
	"github.com/iamtrim/iamtrim/report"
	"github.com/spf13/cobra"
)

func (a *app) reportCmd() *cobra.Command {
	var (
		opts     report.Options
		from, to string
		output   string
		excFile  string
	)
	c := &cobra.Command{
		Use:   "report",
		Short: "The quarterly permission audit report",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var err error
			if opts.From, err = parseDate("from", from); err != nil {
				return err
			}
			if opts.To, err = parseDate("to", to); err != nil {
				return err
			}
			if opts.Now.IsZero() {
				opts.Now = a.now().UTC()
			}
			if err := opts.Validate(); err != nil {
				return usageErr("--%v", err)
			}
			if _, err := parseDate("signoff-date", opts.SignOff.Date); err != nil {
				return err
			}
			if opts.Exceptions, err = readExceptions(excFile); err != nil {
				return err
			}
			opts.ExceptionsDay = opts.Now
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			d, err := report.Build(ctx, db, opts)
			if errors.Is(err, report.ErrNoSnapshot) {
				return errors.New("nothing to report: no analysis is stored for the period (run 'iamtrim analyze' first)")
			}
			if err != nil {
				return err
			}
			w, commit, err := a.output(output)
			if err != nil {
				return err
			}
			if err := report.RenderFit(w, d, opts.Format, termwidth.Of(w, a.getenv)); err != nil {
				return err
			}
			if err := commit(); err != nil {
				return err
			}
			return a.exceptionProblems(d.ExceptionProblems)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Quarter, "quarter", "", "quarter, e.g. 2026Q4 (default: the current quarter)")
	f.StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD (instead of --quarter)")
	f.StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD")
	f.StringVar(&opts.Account, "account", "", "only this account")
	f.StringVar(&opts.Format, "format", "table", strings.Join(report.Formats(), ", "))
	f.StringVarP(&output, "output", "o", "", "write the report to FILE instead of stdout")
	f.StringVar(&opts.SignOff.PreparedBy, "prepared-by", "", "sign-off: who prepared the report")
	f.StringVar(&opts.SignOff.ReviewedBy, "reviewed-by", "", "sign-off: who reviewed it")
	f.StringVar(&opts.SignOff.Date, "signoff-date", "", "sign-off date, YYYY-MM-DD (blank lines to sign by hand when not given)")
	f.StringVar(&opts.PoliciesDir, "policies-dir", "", "where the recommendations were written, relative to the report (e.g. policies): each principal's section links to its file")
	f.StringVar(&opts.PoliciesFormat, "policies-format", "policy", "the --format they were written in: policy, json, terraform or diff")
	f.StringVar(&excFile, "exceptions", "", "exceptions register (YAML): the report's exceptions register and the findings it accepts (see README: Exceptions)")
	return c
}

func parseDate(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usageErr("--%s %q: want YYYY-MM-DD", flag, s)
	}
	return t, nil
}
