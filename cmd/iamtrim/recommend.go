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
		Long: `Builds a policy granting only what ROLE (an ARN or a name) used in the
window, in catalog casing, grouped by service and resource scope, with the
observed resources generalised (S3 object keys to a prefix, many resources of
one kind to one pattern: --object-prefix-depth, --collapse-at) but never
broader than what the current policies grant. Granted actions CloudTrail
could not have shown are kept in their own statement (--unobservable keep),
or left out and listed (list) or removed (drop). Successful calls that map to
no IAM action keep the current grant of their service (--unmapped keep, in a
KeptUnmapped statement) or fail the proof (--unmapped fail). Explicit Deny statements
that touch kept actions are carried over. A policy over the managed size
limit is split over the principal's budget first (the role's inline policy,
--inline-chars, then up to --max-policies managed policies of --max-chars);
only when that does not fit are read and list actions compacted with
wildcards, each listed in the proof; a recommendation that still does not fit
fails (exit 1). A split with --format policy needs -o DIR (one
NAME.policy-N.json each) or --format json.

Every recommendation is proven with the policy evaluator, and the proof is
printed on stderr (and in --format json): (1) every successful call of the
window is allowed; (2) nothing is allowed that the current policies do not
allow; (3) what is removed, by access level. When a proof fails, nothing is
written and the exit code is 1.

Formats: json (the recommendation: policies, proof, notes), policy (the
policy document alone), terraform (the role's inline policy,
aws_iam_role_policy, or with --terraform-style managed an aws_iam_policy and
its aws_iam_role_policy_attachment; formatted as terraform fmt writes it),
cloudformation (an AWS::IAM::RolePolicy template fragment), cli (the aws iam
commands that apply it), diff (what changes, per service). The terraform,
cloudformation and cli outputs start with the proof summary and every
warning (service-linked role, Identity Center role, split, wildcards).

With --all, files go into one directory per account (OUT_DIR/ACCOUNT/) when
the roles come from more than one account; a file this run wrote for one
principal is never overwritten for another (that principal fails, exit 1).`,
		Example: `  iamtrim recommend billing-api
  iamtrim recommend arn:aws:iam::111122223333:role/app/billing-api --format policy -o billing-api.json
  iamtrim recommend billing-api --format diff --suggest-conditions
  iamtrim recommend --all --out-dir policies/ --format terraform
  iamtrim recommend billing-api --format terraform --terraform-style managed --terraform-role-ref aws_iam_role.billing_api
  iamtrim recommend --all --out-dir tf/ --format terraform --terraform-role-ref 'module.iam.aws_iam_role.{name}'`,
		Args: maximumNArgs(1),
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
