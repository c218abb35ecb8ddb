package recommend

import (
	"testing"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name, want string // want: the principal
		args       []string
		wantErr    string
	}{
		{name: "one role", args: []string{"billing-api"}, want: "billing-api"},
		{name: "all", args: []string{"--all", "--out-dir", "p"}, want: ""},
		{name: "neither", args: nil, wantErr: "name one ROLE, or use --all with --out-dir"},
		{name: "all without dir", args: []string{"--all"}, wantErr: "--all needs --out-dir"},
		{name: "format", args: []string{"r", "--format", "yaml"}, wantErr: `--format "yaml": want json, policy, terraform, cloudformation, cli or diff`},
		{name: "terraform only", args: []string{"r", "--terraform-style", "managed"}, wantErr: "--terraform-style and --terraform-role-ref apply to --format terraform"},
		{name: "style", args: []string{"r", "--format", "terraform", "--terraform-style", "x"}, wantErr: `--terraform-style "x": want inline or managed`},
		{name: "options", args: []string{"r", "--seasonal", "x"}, wantErr: `--seasonal "x": want keep or drop`},
		{name: "negative", args: []string{"r", "--collapse-at", "-1"}, wantErr: "--collapse-at -1: want 0 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			fs := optiontest.Parse(t, f.AddFlags, tc.args...)
			got, err := f.Principal(fs.Args())
			if optiontest.Err(t, err, tc.wantErr) {
				return
			}
			if got != tc.want {
				t.Fatalf("Principal = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFlagsDefaults(t *testing.T) {
	var f Flags
	optiontest.Parse(t, f.AddFlags, []string{"--object-prefix-depth", "3"}...)
	o := f.Options
	if o.Unobservable != UnobservableKeep || o.Unmapped != UnmappedKeep || o.Seasonal != SeasonalKeep || o.MaxChars != ManagedPolicyLimit || o.MaxPolicies != DefaultMaxPolicies || o.InlineChars != 0 {
		t.Errorf("options %+v, want the defaults", o)
	}
	if o.Generalize.ObjectPrefixDepth != 3 || o.Generalize.CollapseAt != DefaultGeneralize.CollapseAt {
		t.Errorf("generalize %+v, want depth 3 and the default collapse", *o.Generalize)
	}
	if DefaultGeneralize.ObjectPrefixDepth == 3 {
		t.Fatal("the flag wrote through to DefaultGeneralize")
	}
	if f.Target.Format != "json" || f.Target.All || f.Target.SuggestConditions {
		t.Errorf("target %+v, want json for one principal", f.Target)
	}
}
