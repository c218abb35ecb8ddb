package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Store writes a catalog into the database as a version and makes that
// version current. It is idempotent: a catalog whose digest is already
// stored is not written again; that version (with its original source and
// fetch time) becomes current and is returned. source overrides the
// catalog's own Version().Source when not empty. Concurrent Stores are
// serialized (queries.StoreCatalog).
func Store(ctx context.Context, db *store.DB, c *Catalog, source string) (Version, error) {
	if c == nil {
		return Version{}, errors.New("store catalog: no catalog")
	}
	v := c.Version()
	if source != "" {
		v.Source = source
	}
	if v.FetchedAt.IsZero() {
		return Version{}, errors.New("store catalog: version has no fetch time")
	}
	row := queries.CatalogVersion{Source: v.Source, FetchedAt: v.FetchedAt.UTC().Truncate(time.Microsecond),
		Digest: v.Digest, Services: v.Services, Actions: v.Actions}
	row, err := queries.StoreCatalog(ctx, db, row, c.rows)
	if err != nil {
		return Version{}, fmt.Errorf("store catalog: %w", err)
	}
	return version(row), nil
}

// rows are the catalog's table rows.
func (c *Catalog) rows() *queries.CatalogRows {
	var r queries.CatalogRows
	for _, s := range c.services {
		r.Services = append(r.Services, queries.CatalogService{Service: s.name, DocVersion: s.docVersion})
		for _, a := range s.actions {
			r.Actions = append(r.Actions, queries.CatalogAction{Service: s.name, Action: a.name, AccessLevel: string(a.level),
				ResourceTypes: a.resources, ConditionKeys: a.conditionKeys, LastAccessedTracked: a.lastAccessed})
		}
		for _, res := range s.resources {
			r.Resources = append(r.Resources, queries.CatalogResource{Service: s.name, ResourceType: res.name, ARNFormats: res.arnFormats, ConditionKeys: res.conditionKeys})
		}
		for _, k := range s.conditionKeys {
			r.ConditionKeys = append(r.ConditionKeys, queries.CatalogConditionKey{Service: s.name, Key: k.Name, Types: k.Types})
		}
		for _, o := range s.operations {
			r.Operations = append(r.Operations, queries.CatalogOperation{Service: s.name, Operation: o.name, AuthorizedActions: o.authorized})
		}
	}
	return &r
}

func version(r queries.CatalogVersion) Version {
	return Version{ID: r.ID, Source: r.Source, FetchedAt: r.FetchedAt, Digest: r.Digest, Services: r.Services, Actions: r.Actions}
}

// CurrentVersion returns the current catalog version without loading it;
// ErrNoCatalog when none is loaded.
func CurrentVersion(ctx context.Context, db *store.DB) (Version, error) {
	r, err := queries.CurrentCatalogVersion(ctx, db)
	if errors.Is(err, queries.ErrNotFound) {
		return Version{}, ErrNoCatalog
	}
	if err != nil {
		return Version{}, fmt.Errorf("read current catalog version: %w", err)
	}
	return version(r), nil
}

// Versions lists every stored catalog version, newest first, and which one
// is current (0 when none).
func Versions(ctx context.Context, db *store.DB) (vs []Version, current int64, err error) {
	rows, err := queries.CatalogVersions(ctx, db)
	if err != nil {
		return nil, 0, fmt.Errorf("list catalog versions: %w", err)
	}
	for _, r := range rows {
		if r.Current {
			current = r.ID
		}
		vs = append(vs, version(r))
	}
	return vs, current, nil
}

// LoadCurrent reads the current catalog; ErrNoCatalog when none is loaded.
func LoadCurrent(ctx context.Context, db *store.DB) (*Catalog, error) {
	v, err := CurrentVersion(ctx, db)
	if err != nil {
		return nil, err
	}
	return load(ctx, db, v)
}

// LoadCurrentOrNil is LoadCurrent for commands that can work without a
// catalog: when none is loaded it logs a warning saying what is lost and
// returns (nil, nil). A nil *Catalog answers every question as "unknown".
func LoadCurrentOrNil(ctx context.Context, db *store.DB, log *slog.Logger) (*Catalog, error) {
	c, err := LoadCurrent(ctx, db)
	if errors.Is(err, ErrNoCatalog) {
		if log != nil {
			log.Warn("no action catalog loaded: wildcards are not expanded into counts, access levels and unknown actions are not checked; run `iamtrim catalog load DIR` or `iamtrim catalog update`")
		}
		return nil, nil
	}
	return c, err
}

// LoadVersion reads a stored catalog version by id, for reproducing a
// result made with an older catalog.
func LoadVersion(ctx context.Context, db *store.DB, id int64) (*Catalog, error) {
	r, err := queries.CatalogVersionByID(ctx, db, id)
	if errors.Is(err, queries.ErrNotFound) {
		return nil, fmt.Errorf("load catalog version %d: %w", id, ErrNoCatalog)
	}
	if err != nil {
		return nil, fmt.Errorf("load catalog version %d: %w", id, err)
	}
	return load(ctx, db, version(r))
}

// load reads version v's rows and checks that they still hash to the
// stored digest.
func load(ctx context.Context, db *store.DB, v Version) (*Catalog, error) {
	rows, err := queries.LoadCatalogRows(ctx, db, v.ID)
	if err != nil {
		return nil, fmt.Errorf("load catalog version %d: %w", v.ID, err)
	}
	c, err := fromRows(rows, v)
	if err != nil {
		return nil, fmt.Errorf("load catalog version %d: %w", v.ID, err)
	}
	if got := c.version.Digest; got != v.Digest {
		return nil, fmt.Errorf("load catalog version %d: rows hash to %s, version says %s (the stored catalog was altered)", v.ID, got, v.Digest)
	}
	return c, nil
}

// fromRows builds the catalog of version v from its table rows.
func fromRows(rows *queries.CatalogRows, v Version) (*Catalog, error) {
	bySvc := make(map[string]*service)
	var svcs []*service
	for _, r := range rows.Services {
		s := &service{name: r.Service, docVersion: r.DocVersion}
		bySvc[s.name] = s
		svcs = append(svcs, s)
	}
	get := func(name string) (*service, error) {
		s := bySvc[name]
		if s == nil {
			return nil, fmt.Errorf("row for service %q, which has no catalog_service row", name)
		}
		return s, nil
	}
	for _, r := range rows.Actions {
		a := &action{name: r.Action, level: AccessLevel(r.AccessLevel), resources: r.ResourceTypes, conditionKeys: r.ConditionKeys, lastAccessed: r.LastAccessedTracked}
		if !a.level.valid() {
			return nil, fmt.Errorf("action %s:%s: access level %q", r.Service, a.name, r.AccessLevel)
		}
		s, err := get(r.Service)
		if err != nil {
			return nil, err
		}
		s.actions = append(s.actions, a)
	}
	for _, r := range rows.Resources {
		s, err := get(r.Service)
		if err != nil {
			return nil, err
		}
		s.resources = append(s.resources, &resource{name: r.ResourceType, arnFormats: r.ARNFormats, conditionKeys: r.ConditionKeys})
	}
	for _, r := range rows.ConditionKeys {
		s, err := get(r.Service)
		if err != nil {
			return nil, err
		}
		s.conditionKeys = append(s.conditionKeys, ConditionKey{Name: r.Key, Types: r.Types})
	}
	for _, r := range rows.Operations {
		s, err := get(r.Service)
		if err != nil {
			return nil, err
		}
		s.operations = append(s.operations, &operation{name: r.Operation, authorized: r.AuthorizedActions})
	}
	// Empty arrays come back as empty, not nil; the digest does not care.
	return build(svcs, v)
}
