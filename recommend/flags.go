package recommend

import (
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// AddFlags registers the options recommend and backtest share:
// --unobservable, --object-prefix-depth, --collapse-at and --max-chars,
// with their defaults (Generalize is set to a copy of DefaultGeneralize).
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	gen := DefaultGeneralize
	o.Generalize = &gen
	fs.StringVar(&o.Unobservable, "unobservable", UnobservableKeep, "unobservable actions: keep (own statement), list (left out, listed) or drop (removed)")
	fs.IntVar(&gen.ObjectPrefixDepth, "object-prefix-depth", DefaultGeneralize.ObjectPrefixDepth, "S3 object keys keep this many leading segments, then /* (0: exact objects)")
	fs.IntVar(&gen.CollapseAt, "collapse-at", DefaultGeneralize.CollapseAt, "this many resources of one kind become one pattern (0: never)")
	fs.IntVar(&o.MaxChars, "max-chars", ManagedPolicyLimit, "size limit of each managed policy document, white space not counted")
}

// Flags are the flags of `iamtrim recommend`: the recommendation's
// Options, and where and how it is written.
type Flags struct {
	Options Options
	Target  Target
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	o, t := &f.Options, &f.Target
	o.AddFlags(fs)
	fs.StringVar(&t.Format, "format", "json", "json, policy, terraform, cloudformation, cli or diff")
	fs.StringVar(&t.Render.TerraformStyle, "terraform-style", "", "terraform: inline (the principal's inline policy; default) or managed (aws_iam_policy plus its attachment)")
	fs.StringVar(&t.Render.TerraformRoleRef, "terraform-role-ref", "", "terraform: the address of the principal's existing resource (aws_iam_role.app); {name} is replaced by the principal's name as an identifier")
	fs.StringVarP(&t.Output, "output", "o", "", "write the recommendation to FILE instead of stdout, or into DIR (an existing directory or one ending in /) as --all would")
	fs.BoolVar(&t.All, "all", false, "every role, one file each into --out-dir")
	fs.StringVar(&t.OutDir, "out-dir", "", "directory for --all")
	fs.StringVar(&o.Unmapped, "unmapped", UnmappedKeep, "successful calls that map to no IAM action: keep (the current grant of their service, KeptUnmapped) or fail (the proof fails)")
	fs.StringVar(&o.Seasonal, "seasonal", SeasonalKeep, "actions IAM's last-accessed data shows used before the window (a quarterly job): keep (their current scope, KeptSeasonal) or drop (removed, listed)")
	fs.BoolVar(&t.SuggestConditions, "suggest-conditions", false, "suggest conditions from observed context (regions, VPC endpoints, source networks, MFA), each with its evidence")
	fs.IntVar(&o.InlineChars, "inline-chars", 0, "size of the inline policy a split fills first (0: IAM's limit for the principal type, 10240 for a role; not used when no larger than --max-chars)")
	fs.IntVar(&o.MaxPolicies, "max-policies", DefaultMaxPolicies, "most managed policies a split may use (IAM's default quota per role or user)")
}

// Principal checks the flags with the command's arguments (one principal,
// or none with --all) and returns the principal named ("" with --all).
func (f *Flags) Principal(args []string) (string, error) {
	t := f.Target
	if t.All == (len(args) == 1) {
		return "", option.Errorf("name one ROLE, or use --all with --out-dir")
	}
	if t.All && t.OutDir == "" {
		return "", option.Errorf("--all needs --out-dir")
	}
	out := option.Output{Format: t.Format, Formats: Formats, Path: t.Output, DirOK: true}
	if err := out.Validate(); err != nil {
		return "", err
	}
	if err := t.Render.Validate(); err != nil {
		return "", option.Errorf("--%v", err)
	}
	if (t.Render.TerraformStyle != "" || t.Render.TerraformRoleRef != "") && t.Format != "terraform" {
		return "", option.Errorf("--terraform-style and --terraform-role-ref apply to --format terraform")
	}
	if err := f.Options.Validate(); err != nil {
		return "", option.Errorf("--%v", err)
	}
	if t.All {
		return "", nil
	}
	return args[0], nil
}
