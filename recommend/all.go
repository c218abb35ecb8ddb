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
	"github.com/iamtrim/iamtrim/internal/outfile"
	"github.com/iamtrim/iamtrim/store"
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
}

// ForSnapshot recommends, proves, saves and writes a policy for each
// principal of snap (roles only with All).
func ForSnapshot(ctx context.Context, db *store.DB, ev analyze.Evidence, opts analyze.Options, snap *analyze.Snapshot, ropts Options, tg Target, log *slog.Logger) (Result, error) {
	var res Result
	w := analyze.NewWindow(opts.AsOf, opts.WindowDays)
	exp := authz.NewExpander(ev.Catalog, ev.SCPs)
	byARN := map[string]authz.Principal{}
	for _, p := range ev.Inventory.Principals() {
		byARN[p.ARN] = p
	}
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
			if err := WriteFile(tg.OutDir, rec, in, tg.Format); err != nil {
				return res, err
			}
			res.Written++
			continue
		}
		if !rec.Proof.Proven {
			break
		}
		if isDir(tg.Output) {
			// -o DIR: the files --all would write for this principal.
			if err := WriteFile(tg.Output, rec, in, tg.Format); err != nil {
				return res, err
			}
			res.Written++
			continue
		}
		if tg.Format == "policy" && len(rec.Policies) > 1 {
			return res, fmt.Errorf("%s: %w (%d): write them with -o DIR (one %s.policy-N.json each) or use --format json", r.PrincipalARN, ErrSplitPolicy, len(rec.Policies), FileBase(rec.Name))
		}
		out, commit, err := outfile.Create(tg.Stdout, tg.Output)
		if err != nil {
			return res, err
		}
		if err := Write(out, rec, in, tg.Format); err != nil {
			return res, err
		}
		if err := commit(); err != nil {
			return res, err
		}
		res.Written++
	}
	if tg.All {
		log.Info("recommendations written", "dir", tg.OutDir, "roles", res.Written, "proven", res.Proven, "unproven", len(res.Unproven), "over_budget", len(res.OverBudget), "as_of", w.To.Format(time.DateOnly))
	}
	return res, nil
}

// isDir reports whether path names a directory: an existing one, or one
// to create (a trailing "/").
func isDir(path string) bool {
	if path == "" {
		return false
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator)) {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// WriteFile writes one recommendation into dir: NAME.<ext> when proven,
// NAME.UNPROVEN.json (the recommendation with its failed proof) when not; a
// split policy in format policy is one NAME.policy-N.json per document.
func WriteFile(dir string, rec *Recommendation, in Input, format string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	name := FileBase(rec.Name)
	ext := map[string]string{"json": ".recommendation.json", "policy": ".policy.json", "terraform": ".tf", "diff": ".diff"}[format]
	if !rec.Proof.Proven {
		format, ext = "json", ".UNPROVEN.json"
	}
	if format == "policy" && len(rec.Policies) == 0 {
		// Nothing to keep (a principal to delete): no policy document
		// exists to write; the recommendation says why.
		format, ext = "json", ".recommendation.json"
	}
	if format == "policy" && len(rec.Policies) > 1 {
		for i, d := range rec.Policies {
			w, commit, err := outfile.Create(nil, filepath.Join(dir, fmt.Sprintf("%s.policy-%d.json", name, i+1)))
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
	w, commit, err := outfile.Create(nil, filepath.Join(dir, name+ext))
	if err != nil {
		return err
	}
	if err := Write(w, rec, in, format); err != nil {
		return err
	}
	return commit()
}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if f == x {
			return true
		}
	}
	return false
}
