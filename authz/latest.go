package authz

import (
	"context"
	"fmt"
	"slices"

	"github.com/iamtrim/iamtrim/store"
)

// LoadLatestPerAccount returns, for every account any snapshot covers, the
// principals and groups of that account from the newest snapshot that
// covers it, merged into one inventory. Organisations that load each
// account's authorization details separately thus analyze all accounts,
// each as last seen; a role deleted from an account disappears with that
// account's newer snapshot. It also returns the snapshots used, newest
// first. ErrNoSnapshot when none is stored.
func LoadLatestPerAccount(ctx context.Context, db *store.DB) (*Inventory, []SnapshotInfo, error) {
	infos, err := ListSnapshots(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	if len(infos) == 0 {
		return nil, nil, ErrNoSnapshot
	}
	owner := map[string]int64{} // account -> newest snapshot covering it
	for _, in := range infos {  // newest first
		for _, a := range in.Accounts {
			if _, ok := owner[a]; !ok {
				owner[a] = in.ID
			}
		}
	}
	var (
		used []SnapshotInfo
		invs []*Inventory
	)
	for _, in := range infos {
		var mine []string
		for _, a := range in.Accounts {
			if owner[a] == in.ID {
				mine = append(mine, a)
			}
		}
		if len(mine) == 0 {
			continue
		}
		inv, _, err := LoadSnapshot(ctx, db, in.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("load snapshot %d: %w", in.ID, err)
		}
		invs = append(invs, onlyAccounts(inv, mine))
		used = append(used, in)
	}
	return Merge(invs...), used, nil
}

// onlyAccounts keeps the roles, users and groups of the given accounts (all
// of them when accounts is empty) and every managed policy.
func onlyAccounts(inv *Inventory, accounts []string) *Inventory {
	if len(accounts) == 0 {
		return inv
	}
	keep := func(a string) bool { return slices.Contains(accounts, a) }
	out := &Inventory{Accounts: accounts, Policies: inv.Policies, Warnings: inv.Warnings}
	for _, r := range inv.Roles {
		if keep(r.AccountID) {
			out.Roles = append(out.Roles, r)
		}
	}
	for _, u := range inv.Users {
		if keep(u.AccountID) {
			out.Users = append(out.Users, u)
		}
	}
	for _, g := range inv.Groups {
		if keep(g.AccountID) {
			out.Groups = append(out.Groups, g)
		}
	}
	return out
}
