package recommend_test

import (
	"testing"

	"github.com/iamtrim/iamtrim/recommend"
)

func TestResultErrors(t *testing.T) {
	for _, tc := range []struct {
		name         string
		res          recommend.Result
		err, refused string
	}{
		{name: "all written", res: recommend.Result{Written: 2, Proven: 2}},
		{name: "clash first", res: recommend.Result{Clashes: []string{"a", "b"}, Unproven: []string{"c"}},
			err: "2 principal(s) would overwrite a file written for another principal in this run, so nothing is written for them: a, b"},
		{name: "unproven", res: recommend.Result{Unproven: []string{"c"}},
			err: "the proof failed for 1 principal(s), so no policy is presented as final for them: c"},
		{name: "over budget is refused, not an error", res: recommend.Result{OverBudget: []string{"d"}},
			refused: "1 principal(s) need more policies than --max-policies allows, so nothing is written for them (see the warnings): d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				what string
				err  error
				want string
			}{{"Err", tc.res.Err(), tc.err}, {"RefusedErr", tc.res.RefusedErr(), tc.refused}} {
				got := ""
				if c.err != nil {
					got = c.err.Error()
				}
				if got != c.want {
					t.Errorf("%s() = %q, want %q", c.what, got, c.want)
				}
			}
		})
	}
}
