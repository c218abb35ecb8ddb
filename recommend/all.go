package recommend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/outfile"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Target says which analyzed principals get a recommendation and where it
// goes.
type Target struct {
	// All recommends for every role, one file each into OutDir; else for
	// every analyzed principal (normally the one named), written to Output
	// (stdout when empty; a directory gets the files All would write) and
	// stopping at the first unproven one. Format "policy" of a split
	// recommendation needs a directory: ErrSplitPolicy otherwise.
	All    bool
	OutDir string
	Output string
	Format string
	// Render shapes the terraform, cloudformation and cli formats.
	Render RenderOptions
	// SuggestConditions loads the call context of each principal.
	SuggestConditions bool
	// Stdout receives a single recommendation when Output is empty;
	// Stderr the proof summaries.
	Stdout, Stderr io.Writer
}

// Result counts what ForSnapshot did.
type Result struct {
	Written  int
	Proven   int
	Unproven []string // principal ARNs whose proof failed
	// OverBudget are the principals (with All) whose recommendation needs
	// more policies than the budget allows (ErrOverBudget): none written.
	OverBudget []string
	// Clashes are the principals whose file another principal of the same
	// run had written already (names that differ only in characters a file
	// name cannot hold): refused, never overwritten.
	Clashes []string
}

// Err names the principals nothing was written for because their file
// would overwrite another principal's of the same run, or because their
// proof failed; nil when there are none.
func (r Result) Err() error {
	if n := len(r.Clashes); n > 0 {
		return fmt.Errorf("%d principal(s) would overwrite a file written for another principal in this run, so nothing is written for them: %s", n, strings.Join(r.Clashes, ", "))
	}
	if n := len(r.Unproven); n > 0 {
		return fmt.Errorf("the proof failed for %d principal(s), so no policy is presented as final for them: %s", n, strings.Join(r.Unproven, ", "))
	}
	return nil
}

// RefusedErr names the principals refused because they need more
// policies than the budget allows; nil when there are none.
func (r Result) RefusedErr() error {
	if n := len(r.OverBudget); n > 0 {
		return fmt.Errorf("%d principal(s) need more policies than --max-policies allows, so nothing is written for them (see the warnings): %s", n, strings.Join(r.OverBudget, ", "))
	}
	return nil
}

// Extensions are the file name endings WriteFile uses per format.
var Extensions = map[string]string{"json": ".recommendation.json", "policy": ".policy.json", "terraform": ".tf", "cloudformation": ".cfn.json", "cli": ".sh", "diff": ".diff"}

// ForSnapshot recommends, proves, saves and writes a policy for each
// principal of snap (roles only with All).
func ForSnapshot(ctx context.Context, db *store.DB, ev analyze.Evidence, opts analyze.Options, snap *analyze.Snapshot, ropts Options, tg Target, log *slog.Logger) (Result, error) {
	var res Result
	if err := tg.Render.Validate(); err != nil {
		return res, err
	}
	if tg.Format == "terraform" && tg.Render.TerraformStyle == TerraformManaged {
		// Every document becomes an aws_iam_policy: none may use the
		// larger inline size.
		if ropts.MaxChars == 0 {
			ropts.MaxChars = ManagedPolicyLimit
		}
		ropts.InlineChars = ropts.MaxChars
	}
	ropts, err := ropts.AtStoredDepth(ctx, db, log)
	if err != nil {
		return res, err
	}
	w := analyze.NewWindow(opts.AsOf, opts.WindowDays)
	exp := ev.NewExpander()
	byARN := map[string]authz.Principal{}
	for _, p := range ev.Inventory.Principals() {
		byARN[p.ARN] = p
	}
	// Files go under one directory per account whenever the principals
	// written come from more than one, so that two accounts' roles of the
	// same name never share a file.
	accounts := map[string]bool{}
	for _, r := range snap.Principals {
		if !tg.All || r.Type == authz.TypeRole {
			accounts[accountOf(r.PrincipalARN)] = true
		}
	}
	files := &fileSet{perAccount: len(accounts) > 1, owner: map[string]string{}}
	for _, r := range snap.Principals {
		if tg.All && r.Type != authz.TypeRole {
			continue
		}
		p := byARN[r.PrincipalARN]
		eff, err := exp.Expand(ctx, p)
		if err != nil {
			return res, err
		}
		in := Input{Principal: p, Effective: eff, Result: r, Catalog: ev.Catalog}
		o := ropts
		if tg.SuggestConditions {
			if o.Context, err = LoadContext(ctx, db, w, r.PrincipalARN); err != nil {
				return res, err
			}
		}
		rec, err := Recommend(ctx, in, o)
		if errors.Is(err, ErrOverBudget) && tg.All {
			// One role too large for IAM's limits does not stop the others.
			log.Debug("recommendation", "role", r.PrincipalARN, "proven", false, "error", err)
			log.Warn("no recommendation", "role", r.PrincipalARN, "error", err)
			res.OverBudget = append(res.OverBudget, r.PrincipalARN)
			continue
		}
		if err != nil {
			return res, fmt.Errorf("recommend %s: %w", r.PrincipalARN, err)
		}
		if tg.All {
			log.Debug("recommendation", "role", r.PrincipalARN, "proven", rec.Proof.Proven, "kept", rec.Proof.Kept, "removed", rec.Proof.Removed)
		} else {
			fmt.Fprint(tg.Stderr, Summary(rec))
		}
		if err := Save(ctx, db, rec, w.To, w.Days); err != nil {
			return res, err
		}
		if rec.Proof.Proven {
			res.Proven++
		} else {
			res.Unproven = append(res.Unproven, r.PrincipalARN)
			if tg.All {
				fmt.Fprint(tg.Stderr, Summary(rec))
			}
		}
		if tg.All {
			if err := files.write(tg.OutDir, rec, in, tg.Format, tg.Render); errors.Is(err, errClash) {
				log.Error("no file written", "principal", r.PrincipalARN, "error", err)
				res.Clashes = append(res.Clashes, r.PrincipalARN)
				continue
			} else if err != nil {
				return res, err
			}
			res.Written++
			continue
		}
		if !rec.Proof.Proven {
			break
		}
		if option.IsDir(tg.Output) {
			// -o DIR: the files --all would write for this principal.
			if err := files.write(tg.Output, rec, in, tg.Format, tg.Render); errors.Is(err, errClash) {
				log.Error("no file written", "principal", r.PrincipalARN, "error", err)
				res.Clashes = append(res.Clashes, r.PrincipalARN)
				continue
			} else if err != nil {
				return res, err
			}
			res.Written++
			continue
		}
		if tg.Format == "policy" && len(rec.Policies) > 1 {
			return res, fmt.Errorf("%s: %w (%d): write them with -o DIR (one %s.policy-N.json each) or use --format json", r.PrincipalARN, ErrSplitPolicy, len(rec.Policies), FileBase(rec.Name))
		}
		if err := outfile.Write(tg.Stdout, tg.Output, func(w io.Writer) error { return WriteWith(w, rec, in, tg.Format, tg.Render) }); err != nil {
			return res, err
		}
		res.Written++
	}
	if tg.All {
		log.Info("recommendations written", "dir", tg.OutDir, "per_account", files.perAccount, "roles", res.Written, "clashes", len(res.Clashes), "proven", res.Proven, "unproven", len(res.Unproven), "over_budget", len(res.OverBudget), "as_of", w.To.Format(time.DateOnly))
	}
	return res, nil
}

// AtStoredDepth returns o with the S3 object depth no deeper than the one
// ingest kept keys at (queries.Bounds), saying so in log when it had to
// change it: keys cut at ingest cannot be scoped deeper afterwards. It
// also says when o lists more resources of a kind than ingest kept
// (--collapse-at 0, or above the threshold ingest folded at): the folded
// rows stay patterns, checked against the current grant like any stored
// pattern.
func (o Options) AtStoredDepth(ctx context.Context, db *store.DB, log *slog.Logger) (Options, error) {
	b, err := queries.Bounds(ctx, db)
	if err != nil {
		return o, err
	}
	g := DefaultGeneralize
	if o.Generalize != nil {
		g = *o.Generalize
	}
	if b.CollapseAt > 0 && (g.CollapseAt == 0 || g.CollapseAt > b.CollapseAt) && log != nil {
		log.Warn("resources of one kind were folded into one pattern at ingest beyond the first few per principal, action and day (ingest --collapse-at): more of a kind than that are not listed exactly",
			"collapse_at", g.CollapseAt, "stored_collapse_at", b.CollapseAt)
	}
	if b.ObjectPrefixDepth == 0 {
		return o, nil // keys stored whole (or nothing recorded)
	}
	if g.ObjectPrefixDepth != 0 && g.ObjectPrefixDepth <= b.ObjectPrefixDepth {
		return o, nil
	}
	if log != nil {
		log.Warn("S3 object keys were stored cut to fewer segments than asked (ingest --object-prefix-depth): objects are scoped at the stored depth",
			"object_prefix_depth", g.ObjectPrefixDepth, "stored_depth", b.ObjectPrefixDepth)
	}
	g.ObjectPrefixDepth = b.ObjectPrefixDepth
	o.Generalize = &g
	return o, nil
}

// accountOf is the account id of an ARN ("" when it has none).
func accountOf(arn string) string {
	if p := strings.SplitN(arn, ":", 6); len(p) == 6 {
		return p[4]
	}
	return ""
}

var errClash = errors.New("refused to overwrite")

// fileSet remembers which principal each file of a run was written for.
type fileSet struct {
	perAccount bool
	owner      map[string]string // path -> principal ARN
}

// write writes rec's files into dir (dir/ACCOUNT when perAccount), refusing
// (errClash) a file this run wrote for another principal.
func (fs *fileSet) write(dir string, rec *Recommendation, in Input, format string, ro RenderOptions) error {
	if fs.perAccount {
		acct := accountOf(rec.PrincipalARN)
		if acct == "" {
			acct = "unknown-account"
		}
		dir = filepath.Join(dir, acct)
	}
	paths := FilePaths(dir, rec, format)
	for _, p := range paths {
		if o, ok := fs.owner[p]; ok && o != rec.PrincipalARN {
			return fmt.Errorf("%w %s, written for %s in this run", errClash, p, o)
		}
	}
	for _, p := range paths {
		fs.owner[p] = rec.PrincipalARN
	}
	return WriteFileWith(dir, rec, in, format, ro)
}

// fileLayout is the format WriteFile really writes and the file name
// ending: NAME.UNPROVEN.json for an unproven recommendation, the
// recommendation (json) for a principal with nothing to keep in format
// policy, and one NAME.policy-N.json per document of a split (ext "").
func fileLayout(rec *Recommendation, format string) (string, string) {
	ext := Extensions[format]
	if !rec.Proof.Proven {
		return "json", ".UNPROVEN.json"
	}
	if format == "policy" && len(rec.Policies) == 0 {
		// Nothing to keep (a principal to delete): no policy document
		// exists to write; the recommendation says why.
		return "json", Extensions["json"]
	}
	if format == "policy" && len(rec.Policies) > 1 {
		return format, ""
	}
	return format, ext
}

// FilePaths are the files WriteFile writes for rec into dir.
func FilePaths(dir string, rec *Recommendation, format string) []string {
	name := FileBase(rec.Name)
	format, ext := fileLayout(rec, format)
	if ext != "" {
		return []string{filepath.Join(dir, name+ext)}
	}
	var out []string
	for i := range rec.Policies {
		out = append(out, filepath.Join(dir, fmt.Sprintf("%s.policy-%d.json", name, i+1)))
	}
	return out
}

// WriteFile writes one recommendation into dir: NAME.<ext> when proven,
// NAME.UNPROVEN.json (the recommendation with its failed proof) when not; a
// split policy in format policy is one NAME.policy-N.json per document.
func WriteFile(dir string, rec *Recommendation, in Input, format string) error {
	return WriteFileWith(dir, rec, in, format, RenderOptions{})
}

// WriteFileWith is WriteFile with the infrastructure-as-code options.
func WriteFileWith(dir string, rec *Recommendation, in Input, format string, ro RenderOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	paths := FilePaths(dir, rec, format)
	format, ext := fileLayout(rec, format)
	if ext == "" {
		for i, d := range rec.Policies {
			if err := outfile.Write(nil, paths[i], func(w io.Writer) error {
				b, err := d.MarshalIndent()
				if err != nil {
					return err
				}
				_, err = w.Write(b)
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	}
	return outfile.Write(nil, paths[0], func(w io.Writer) error { return WriteWith(w, rec, in, format, ro) })
}
