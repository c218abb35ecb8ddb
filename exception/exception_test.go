package exception

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
	"github.com/spf13/pflag"
)

const register = `# accepted risks
exceptions:
  - principal: arn:aws:iam::111122223333:role/break-glass
    reason: emergency access, used only in incidents
    owner: security@example.com
    ticket: SEC-1
    created: 2026-07-01
    expires: 2027-06-30
  - principal: arn:aws:iam::*:role/legacy-*
    actions: ["s3:*", "iam:PassRole"]
    reason: decommissioning
    owner: data@example.com
    created: 2026-04-01
    expires: 2026-09-30
`

func TestParse(t *testing.T) {
	set, err := Parse("ex.yaml", []byte(register))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range set.Entries {
		got = append(got, e.Principal+"@"+e.Expires.Format(time.DateOnly))
		if e.Line == 0 {
			t.Errorf("entry %s: no line", e.Principal)
		}
	}
	want := []string{"arn:aws:iam::111122223333:role/break-glass@2027-06-30", "arn:aws:iam::*:role/legacy-*@2026-09-30"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if set.Entries[0].Line != 3 || set.Entries[1].Line != 9 {
		t.Errorf("lines = %d, %d; want 3, 9", set.Entries[0].Line, set.Entries[1].Line)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"expired at creation", "exceptions:\n  - principal: arn:aws:iam::111122223333:role/x\n    reason: r\n    owner: o\n    created: 2026-10-01\n    expires: 2026-09-30\n",
			[]string{"x.yaml:2: expires 2026-09-30 is not after created 2026-10-01: the exception never held"}},
		{"malformed pattern and date", "exceptions:\n  - principal: role/x\n    reason: r\n    owner: o\n    created: 2026-10-01\n    expires: next year\n",
			[]string{`x.yaml:2: principal "role/x": want an IAM role or user ARN pattern such as arn:aws:iam::111122223333:role/break-glass (* and ? match)`, `x.yaml:2: expires "next year": not a date (want YYYY-MM-DD)`}},
		{"missing fields, second entry", "exceptions:\n  - principal: arn:aws:iam::111122223333:user/a\n    reason: r\n    owner: o\n    created: 2026-01-01\n    expires: 2026-02-01\n  - principal: arn:aws:iam::111122223333:user/b\n    actions: [PassRole]\n",
			[]string{"x.yaml:7: reason: missing", "x.yaml:7: owner: missing", "x.yaml:7: created: missing", "x.yaml:7: expires: missing", `x.yaml:7: actions: "PassRole": want service:Action (* and ? match)`}},
		{"unknown field", "exceptions:\n  - principal: arn:aws:iam::111122223333:user/a\n    reason: r\n    owner: o\n    created: 2026-01-01\n    expiry: 2026-01-01\n",
			[]string{"x.yaml:2: expires: missing", `x.yaml:6: unknown field "expiry": want principal, actions, reason, owner, ticket, created, expires`}},
		{"not a mapping", "exceptions:\n  - arn:aws:iam::111122223333:user/a\n", []string{"x.yaml:2: want an entry with principal, reason, owner, created, expires (actions and ticket optional)"}},
		{"not a list", "exceptions: yes\n", []string{"x.yaml:1: exceptions: want a list of entries"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.doc))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("err = %v, want *Error", err)
			}
			var got []string
			for _, p := range perr.Problems {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func snapshot() *analyze.Snapshot {
	return &analyze.Snapshot{Principals: []analyze.Result{
		{PrincipalARN: "arn:aws:iam::111122223333:role/break-glass", Type: "role", Name: "break-glass", Unused: []string{"iam:CreateUser"},
			Flags: []string{"admin", "unused-principal"}, Risk: analyze.Risk{Level: "critical", Admin: true, HighRiskUnused: []string{"iam:CreateUser"}}},
		{PrincipalARN: "arn:aws:iam::111122223333:role/etl/legacy-etl", Type: "role", Name: "legacy-etl", Unused: []string{"s3:GetObject", "iam:PassRole"},
			Risk: analyze.Risk{Level: "high", HighRiskUnused: []string{"iam:PassRole"}}},
		{PrincipalARN: "arn:aws:iam::111122223333:role/legacy-ui", Type: "role", Name: "legacy-ui", Unused: []string{"s3:GetObject", "ec2:RunInstances"},
			Risk: analyze.Risk{Level: "medium"}},
	}}
}

func TestApply(t *testing.T) {
	set, err := Parse("ex.yaml", []byte(register+`  - principal: arn:aws:iam::111122223333:role/gone
    reason: r
    owner: o
    created: 2026-01-01
    expires: 2030-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		day            string
		critical, high int
		expired        int
		status         []string
	}{
		// Before the legacy entry expires: break-glass's critical is
		// accepted; legacy-etl's high rests on s3:GetObject and
		// iam:PassRole, both named; legacy-ui's medium on
		// ec2:RunInstances too, which is not.
		{"both active", "2026-09-30", 0, 0, 0, []string{Active, Active, Active}},
		{"legacy expired", "2026-10-01", 0, 1, 2, []string{Active, Expired, Active}},
		{"all expired", "2027-07-01", 1, 2, 3, []string{Expired, Expired, Active}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap := snapshot()
			day, _ := time.Parse(time.DateOnly, tc.day)
			reg, probs := Apply(snap, set, day)
			got := analyze.Findings(snap, []string{"critical", "high", "expired-exception"})
			want := map[string]int{}
			for k, n := range map[string]int{"critical": tc.critical, "high": tc.high, "expired-exception": tc.expired} {
				if n > 0 {
					want[k] = n
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			var status []string
			for _, r := range reg {
				status = append(status, r.Status)
			}
			if diff := cmp.Diff(tc.status, status); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
			if len(probs) != 1 || probs[0].Line != 15 || !strings.Contains(probs[0].Msg, "no principal of the analysis matches") {
				t.Errorf("problems = %v, want the unknown principal on line 15", probs)
			}
			if tc.name == "both active" {
				if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/etl/legacy-etl", "arn:aws:iam::111122223333:role/legacy-ui"}, reg[1].Principals); diff != "" {
					t.Errorf("legacy principals (-want +got):\n%s", diff)
				}
				ui := snap.Principals[2]
				if ui.IsExcepted("medium") {
					t.Error("legacy-ui medium excepted, but it rests on ec2:RunInstances which the entry does not name")
				}
			}
		})
	}
}

func TestFlag(t *testing.T) {
	var f Flag
	if set, err := f.Read(); set != nil || err != nil {
		t.Errorf("Read() without --exceptions = %v, %v; want no register and no error", set, err)
	}
	missing := filepath.Join(t.TempDir(), "none.yaml")
	fs := optiontest.Parse(t, func(fs *pflag.FlagSet) { f.AddFlag(fs, "what the command does with it") }, "--exceptions", missing)
	if f.Path != missing {
		t.Errorf("--exceptions %s: Path = %q", missing, f.Path)
	}
	fl := fs.Lookup("exceptions")
	if !strings.HasSuffix(fl.Usage, ": what the command does with it") {
		t.Errorf("usage = %q, want it to end with the command's", fl.Usage)
	}
	if name, _ := pflag.UnquoteUsage(fl); name != "FILE" {
		t.Errorf("--help shows the value as %q, want FILE", name)
	}
	_, err := f.Read()
	if err == nil || !option.IsInvalid(err) || !strings.HasPrefix(err.Error(), "--exceptions: read exceptions: ") {
		t.Errorf("Read() of a missing file: %v, want an option error naming --exceptions", err)
	}
}

func TestUnmatchedErr(t *testing.T) {
	if err := UnmatchedErr(nil); err != nil {
		t.Errorf("UnmatchedErr(nil) = %v", err)
	}
	msgs := Strings([]Problem{{File: "x.yaml", Line: 2, Msg: "no principal matches"}, {File: "x.yaml", Line: 9, Msg: "no principal matches"}})
	want := "2 exception(s) name no principal of the analysis: x.yaml:2: no principal matches; x.yaml:9: no principal matches"
	if err := UnmatchedErr(msgs); err == nil || err.Error() != want {
		t.Errorf("UnmatchedErr = %v, want %q", err, want)
	}
}
