package analyze

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/org"
	"github.com/iamtrim/iamtrim/store"
)

// Effective returns the effective permissions of every principal of the
// newest authorization snapshot per account, or of those names names (by
// ARN or name; unknown or ambiguous names are all reported, joined, as
// authz.NameErrors), expanded against the current catalog, with the
// stored organisation's SCP chain per account and the SCP files on top.
// A principal whose policies exceed the limits is logged and left out.
// This is `iamtrim authz list`.
func Effective(ctx context.Context, db *store.DB, scpFiles, names []string, log *slog.Logger) ([]*authz.Effective, error) {
	files := EvidenceOptions{SCPFiles: scpFiles}
	if err := files.Check(); err != nil {
		return nil, err // naming --scp
	}
	inv, _, err := authz.LoadLatestPerAccount(ctx, db)
	if err != nil {
		return nil, err
	}
	cat, err := catalog.LoadCurrentOrNil(ctx, db, log)
	if err != nil {
		return nil, err
	}
	policies, err := files.SCPs()
	if err != nil {
		return nil, err
	}
	exp := authz.NewExpander(cat, policies)
	o, orgID, err := org.LoadLatest(ctx, db)
	if err == nil {
		log.Info("organisation: SCP chains applied per account", "org", orgID)
		exp.WithChains(o)
	} else if !errors.Is(err, org.ErrNone) {
		return nil, err
	}
	principals := inv.Principals()
	if len(names) > 0 {
		var named []authz.Principal
		var errs []error
		seen := map[string]bool{}
		for _, name := range names {
			p, err := authz.ResolvePrincipal(principals, name)
			if err != nil {
				errs = append(errs, err)
			} else if !seen[p.ARN] {
				seen[p.ARN] = true
				named = append(named, p)
			}
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		principals = named
	}
	var effs []*authz.Effective
	for _, p := range principals {
		eff, err := exp.Expand(ctx, p)
		if le := (*authz.LimitError)(nil); errors.As(err, &le) {
			log.Error("principal refused: its policies exceed the limits", "principal", p.ARN, "err", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if rcps := o.RCPs(eff.AccountID); len(rcps) > 0 {
			eff.Notes = append(eff.Notes, "resource control policies on this account's resources (not applied): "+strings.Join(rcps, ", "))
		}
		effs = append(effs, eff)
	}
	return effs, nil
}
