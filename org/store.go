package org

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Save stores o unless the same organisation is already stored; it
// returns the snapshot's id and whether it was new. A stored organisation
// loaded again becomes the latest.
func Save(ctx context.Context, db *store.DB, o *Org) (id int64, created bool, err error) {
	body, err := json.Marshal(o.File)
	if err != nil {
		return 0, false, fmt.Errorf("encode organisation: %w", err)
	}
	sum := sha256.Sum256(body)
	id, created, err = queries.SaveOrgSnapshot(ctx, db, queries.OrgSnapshot{Source: o.Source, Digest: hex.EncodeToString(sum[:]),
		OrganizationID: o.File.Organization.ID, Management: o.Management(), Accounts: len(o.accounts), Body: body})
	if err != nil {
		return 0, false, fmt.Errorf("save organisation: %w", err)
	}
	return id, created, nil
}

// LoadLatest returns the latest stored organisation and its id, or ErrNone.
// Problems holds what Build rejected of it, as when it was loaded.
func LoadLatest(ctx context.Context, db *store.DB) (*Org, int64, error) {
	s, err := queries.LatestOrgSnapshot(ctx, db)
	if errors.Is(err, queries.ErrNotFound) {
		return nil, 0, ErrNone
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load organisation: %w", err)
	}
	var f File
	if err := json.Unmarshal(s.Body, &f); err != nil {
		return nil, 0, fmt.Errorf("decode organisation %d: %w", s.ID, err)
	}
	return Build(f, s.Source), s.ID, nil
}
