package main

import (
	"errors"
	"strings"

	"github.com/iamtrim/iamtrim/recommend"
	"github.com/spf13/cobra"
)

func (a *app) recommendCmd() *cobra.Command {
	var (
		ev           evidenceFlags
		format       string
		output       string
		all          bool
		outDir       string
		unobservable string
		unmapped     string
		seasonal     string
		suggest      bool
		gen          = recommend.DefaultGeneralize
		maxChars     int
		inlineChars  int
		maxPolicies  int
		render       recommend.RenderOptions
	)
	c := &cobra.Command{
		Use:   "recommend ROLE",
		Short: "Write a proven least-privilege policy for a role (or user)",
		Args:  maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if all == (len(args) == 1) {
				return usageErr("name one ROLE, or use --all with --out-dir")
			}
			if all && outDir == "" {
				return usageErr("--all needs --out-dir")
			}
			if !recommend.ValidFormat(format) {
				return usageErr("--format %q: want one of %s", format, strings.Join(recommend.Formats, ", "))
			}
			if err := render.Validate(); err != nil {
				return usageErr("%v", err)
			}
			if (render.TerraformStyle != "" || render.TerraformRoleRef != "") && format != "terraform" {
				return usageErr("--terraform-style and --terraform-role-ref apply to --format terraform")
			}
			ropts := recommend.Options{Unobservable: unobservable, Unmapped: unmapped, Seasonal: seasonal, Generalize: &gen, MaxChars: maxChars, InlineChars: inlineChars, MaxPolicies: maxPolicies}
			if err := ropts.Validate(); err != nil {
				return usageErr("%v", err)
			}
			opts, err := ev.options(a.now())
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			principal := ""
			if !all {
				principal = args[0]
			}
			evidence, opts, snap, err := ev.analyze(ctx, a, db, opts, principal, true)
			if err != nil {
				return err
			}
			res, err := recommend.ForSnapshot(ctx, db, evidence, opts, snap, ropts,
				recommend.Target{All: all, SuggestConditions: suggest, OutDir: outDir, Output: output, Format: format, Render: render, Stdout: a.stdout, Stderr: a.stderr}, a.log)
			if errors.Is(err, recommend.ErrSplitPolicy) {
				return usageErr("%v", err)
			}
			if errors.Is(err, recommend.ErrOverBudget) {
				return &exitErr{code: exitRejected, err: err} // the one principal named, refused
			}
			if err != nil {
				return err
			}
			if err := res.Err(); err != nil {
				return err
			}
			// Refused principals, the others done: exit 3, each named.
			if err := errors.Join(snap.RefusedErr(), res.RefusedErr()); err != nil {
				return &exitErr{code: exitRejected, err: err}
			}
			return nil
		},
	}
	ev.register(c)
	f := c.Flags()
	f.StringVar(&format, "format", "json", "json, policy, terraform, cloudformation, cli or diff")
	f.StringVar(&render.TerraformStyle, "terraform-style", "", "terraform: inline (the principal's inline policy; default) or managed (aws_iam_policy plus its attachment)")
	f.StringVar(&render.TerraformRoleRef, "terraform-role-ref", "", "terraform: the address of the principal's existing resource (aws_iam_role.app); {name} is replaced by the principal's name as an identifier")
	f.StringVarP(&output, "output", "o", "", "write the recommendation to FILE instead of stdout, or into DIR (an existing directory or one ending in /) as --all would")
	f.BoolVar(&all, "all", false, "every role, one file each into --out-dir")
	f.StringVar(&outDir, "out-dir", "", "directory for --all")
	f.StringVar(&unobservable, "unobservable", recommend.UnobservableKeep, "unobservable actions: keep (own statement), list (left out, listed) or drop (removed)")
	f.StringVar(&unmapped, "unmapped", recommend.UnmappedKeep, "successful calls that map to no IAM action: keep (the current grant of their service, KeptUnmapped) or fail (the proof fails)")
	f.StringVar(&seasonal, "seasonal", recommend.SeasonalKeep, "actions IAM's last-accessed data shows used before the window (a quarterly job): keep (their current scope, KeptSeasonal) or drop (removed, listed)")
	f.BoolVar(&suggest, "suggest-conditions", false, "suggest conditions from observed context (regions, VPC endpoints, source networks, MFA), each with its evidence")
	f.IntVar(&gen.ObjectPrefixDepth, "object-prefix-depth", recommend.DefaultGeneralize.ObjectPrefixDepth, "S3 object keys keep this many leading segments, then /* (0: exact objects)")
	f.IntVar(&gen.CollapseAt, "collapse-at", recommend.DefaultGeneralize.CollapseAt, "this many resources of one kind become one pattern (0: never)")
	f.IntVar(&maxChars, "max-chars", recommend.ManagedPolicyLimit, "size limit of each managed policy document, white space not counted")
	f.IntVar(&inlineChars, "inline-chars", 0, "size of the inline policy a split fills first (0: IAM's limit for the principal type, 10240 for a role; not used when no larger than --max-chars)")
	f.IntVar(&maxPolicies, "max-policies", recommend.DefaultMaxPolicies, "most managed policies a split may use (IAM's default quota per role or user)")
	return c
}
