package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store"
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
		suggest      bool
		gen          = recommend.DefaultGeneralize
		maxChars     int
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
or left out and listed (list) or removed (drop). Explicit Deny statements
that touch kept actions are carried over. Policies over the size limit are
compacted with wildcards that match only kept actions, then split.

Every recommendation is proven with the policy evaluator, and the proof is
printed on stderr (and in --format json): (1) every successful call of the
window is allowed; (2) nothing is allowed that the current policies do not
allow; (3) what is removed, by access level. When a proof fails, nothing is
written and the exit code is 1.

Formats: json (the recommendation: policies, proof, notes), policy (the
policy document alone), terraform (aws_iam_policy with jsonencode), diff
(what changes, per service).`,
		Example: `  iamtrim recommend billing-api
  iamtrim recommend arn:aws:iam::111122223333:role/app/billing-api --format policy -o billing-api.json
  iamtrim recommend billing-api --format diff --suggest-conditions
  iamtrim recommend --all --out-dir policies/ --format terraform`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if all == (len(args) == 1) {
				return usageErr("name one ROLE, or use --all with --out-dir")
			}
			if all && outDir == "" {
				return usageErr("--all needs --out-dir")
			}
			if !validFormat(format) {
				return usageErr("--format %q: want one of %s", format, strings.Join(recommend.Formats, ", "))
			}
			ropts := recommend.Options{Unobservable: unobservable, Generalize: &gen, MaxChars: maxChars}
			if err := ropts.Validate(); err != nil {
				return usageErr("%v", err)
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
			evidence, opts, snap, err := ev.analyze(ctx, a, db, principal, true)
			if err != nil {
				return err
			}
			res, err := a.recommendPrincipals(ctx, db, evidence, opts, snap, ropts, recTarget{all: all, suggest: suggest, outDir: outDir, output: output, format: format})
			if err != nil {
				return err
			}
			unproven := res.unproven
			if len(unproven) > 0 {
				return fmt.Errorf("the proof failed for %d principal(s), so no policy is presented as final for them: %s", len(unproven), strings.Join(unproven, ", "))
			}
			return nil
		},
	}
	ev.register(c)
	f := c.Flags()
	f.StringVar(&format, "format", "json", "json, policy, terraform or diff")
	f.StringVarP(&output, "output", "o", "", "write the recommendation to FILE instead of stdout")
	f.BoolVar(&all, "all", false, "every role, one file each into --out-dir")
	f.StringVar(&outDir, "out-dir", "", "directory for --all")
	f.StringVar(&unobservable, "unobservable", recommend.UnobservableKeep, "unobservable actions: keep (own statement), list (left out, listed) or drop (removed)")
	f.BoolVar(&suggest, "suggest-conditions", false, "suggest conditions from observed context (regions, VPC endpoints, source networks, MFA), each with its evidence")
	f.IntVar(&gen.ObjectPrefixDepth, "object-prefix-depth", recommend.DefaultGeneralize.ObjectPrefixDepth, "S3 object keys keep this many leading segments, then /* (0: exact objects)")
	f.IntVar(&gen.CollapseAt, "collapse-at", recommend.DefaultGeneralize.CollapseAt, "this many resources of one kind become one pattern (0: never)")
	f.IntVar(&maxChars, "max-chars", recommend.ManagedPolicyLimit, "size limit of each policy document, white space not counted (6144 managed, 10240 role inline)")
	return c
}

func validFormat(f string) bool {
	for _, x := range recommend.Formats {
		if f == x {
			return true
		}
	}
	return false
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._+=@-]+`)

// writeRecommendation writes one --all result: NAME.<ext> when proven,
// NAME.UNPROVEN.json (the recommendation with its failed proof) when not.
func (a *app) writeRecommendation(dir string, rec *recommend.Recommendation, in recommend.Input, format string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	name := unsafeName.ReplaceAllString(rec.Name, "_")
	ext := map[string]string{"json": ".recommendation.json", "policy": ".policy.json", "terraform": ".tf", "diff": ".diff"}[format]
	if !rec.Proof.Proven {
		format, ext = "json", ".UNPROVEN.json"
	}
	if format == "policy" && len(rec.Policies) > 1 {
		// A split policy: one file per managed policy to create.
		for i, d := range rec.Policies {
			w, commit, err := a.output(filepath.Join(dir, fmt.Sprintf("%s.policy-%d.json", name, i+1)))
			if err != nil {
				return err
			}
			b, err := d.MarshalIndent()
			if err != nil {
				return err
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
			if err := commit(); err != nil {
				return err
			}
		}
		return nil
	}
	w, commit, err := a.output(filepath.Join(dir, name+ext))
	if err != nil {
		return err
	}
	if err := recommend.Write(w, rec, in, format); err != nil {
		return err
	}
	return commit()
}

// recTarget says where recommendations go.
type recTarget struct {
	all     bool // every role into outDir; else the one principal to output
	suggest bool
	outDir  string
	output  string
	format  string
}

type recResult struct {
	written  int
	proven   int
	unproven []string
}

// recommendPrincipals recommends, proves, saves and writes a policy for each
// analyzed principal (roles only with all).
func (a *app) recommendPrincipals(ctx context.Context, db *store.DB, evidence analyze.Evidence, opts analyze.Options, snap *analyze.Snapshot, ropts recommend.Options, tg recTarget) (recResult, error) {
	var res recResult
	w := analyze.NewWindow(opts.AsOf, opts.WindowDays)
	exp := authz.NewExpander(evidence.Catalog, evidence.SCPs)
	byARN := map[string]authz.Principal{}
	for _, p := range evidence.Inventory.Principals() {
		byARN[p.ARN] = p
	}
	for _, r := range snap.Principals {
		if tg.all && r.Type != authz.TypeRole {
			continue
		}
		p := byARN[r.PrincipalARN]
		eff, err := exp.Expand(ctx, p)
		if err != nil {
			return res, err
		}
		in := recommend.Input{Principal: p, Effective: eff, Result: r, Catalog: evidence.Catalog}
		o := ropts
		if tg.suggest {
			if o.Context, err = recommend.LoadContext(ctx, db, w, r.PrincipalARN); err != nil {
				return res, err
			}
		}
		rec, err := recommend.Recommend(ctx, in, o)
		if err != nil {
			return res, fmt.Errorf("recommend %s: %w", r.PrincipalARN, err)
		}
		if tg.all {
			a.log.Debug("recommendation", "role", r.PrincipalARN, "proven", rec.Proof.Proven, "kept", rec.Proof.Kept, "removed", rec.Proof.Removed)
		} else {
			fmt.Fprint(a.stderr, recommend.Summary(rec))
		}
		if err := recommend.Save(ctx, db, rec, w.To, w.Days); err != nil {
			return res, err
		}
		if rec.Proof.Proven {
			res.proven++
		} else {
			res.unproven = append(res.unproven, r.PrincipalARN)
			if tg.all {
				fmt.Fprint(a.stderr, recommend.Summary(rec))
			}
		}
		if tg.all {
			if err := a.writeRecommendation(tg.outDir, rec, in, tg.format); err != nil {
				return res, err
			}
			res.written++
			continue
		}
		if !rec.Proof.Proven {
			break
		}
		out, commit, err := a.output(tg.output)
		if err != nil {
			return res, err
		}
		if err := recommend.Write(out, rec, in, tg.format); err != nil {
			return res, err
		}
		if err := commit(); err != nil {
			return res, err
		}
		res.written++
	}
	if tg.all {
		a.log.Info("recommendations written", "dir", tg.outDir, "roles", res.written, "proven", res.proven, "unproven", len(res.unproven), "as_of", w.To.Format(time.DateOnly))
	}
	return res, nil
}
