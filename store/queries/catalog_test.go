package queries_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

func TestCatalogQueries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := queries.CurrentCatalogVersion(ctx, db); !errors.Is(err, queries.ErrNotFound) {
		t.Fatalf("CurrentCatalogVersion of an empty schema: %v, want ErrNotFound", err)
	}
	rows := &queries.CatalogRows{
		Services: []queries.CatalogService{{Service: "s3", DocVersion: "v1"}},
		Actions: []queries.CatalogAction{{Service: "s3", Action: "GetObject", AccessLevel: "Read", ResourceTypes: []string{"object"}, ConditionKeys: []string{"s3:prefix"}, LastAccessedTracked: true},
			{Service: "s3", Action: "ListAllMyBuckets", AccessLevel: "List", ResourceTypes: []string{}, ConditionKeys: []string{}}},
		Resources:     []queries.CatalogResource{{Service: "s3", ResourceType: "object", ARNFormats: []string{"arn:aws:s3:::${BucketName}/${ObjectName}"}, ConditionKeys: []string{}}},
		ConditionKeys: []queries.CatalogConditionKey{{Service: "s3", Key: "s3:prefix", Types: []string{"String"}}},
		Operations:    []queries.CatalogOperation{{Service: "s3", Operation: "GetObject", AuthorizedActions: []string{"s3:GetObject"}}},
	}
	fetched := time.Date(2026, 10, 1, 2, 3, 4, 0, time.UTC)
	v := queries.CatalogVersion{Source: "dir", FetchedAt: fetched, Digest: "sha256:a", Services: 1, Actions: 2}
	reads := 0
	rowsOnce := func() *queries.CatalogRows { reads++; return rows }
	a, err := queries.StoreCatalog(ctx, db, v, rowsOnce)
	if err != nil {
		t.Fatalf("StoreCatalog: %v", err)
	}
	want := v
	want.ID, want.Current = 1, true
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("StoreCatalog (-want +got):\n%s", diff)
	}
	b, err := queries.StoreCatalog(ctx, db, queries.CatalogVersion{Source: "other", FetchedAt: fetched, Digest: "sha256:b"}, func() *queries.CatalogRows { return &queries.CatalogRows{} })
	if err != nil || b.ID != 2 {
		t.Fatalf("StoreCatalog of a second catalog: %+v, %v; want version 2", b, err)
	}
	// The same digest again: no rows read, version 1 current again, its source kept.
	again, err := queries.StoreCatalog(ctx, db, queries.CatalogVersion{Source: "elsewhere", FetchedAt: fetched.Add(time.Hour), Digest: "sha256:a"}, rowsOnce)
	if err != nil || reads != 1 {
		t.Fatalf("StoreCatalog again: %v (rows read %d times, want 1)", err, reads)
	}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("StoreCatalog again (-want +got):\n%s", diff)
	}
	cur, err := queries.CurrentCatalogVersion(ctx, db)
	if err != nil || cur.ID != 1 {
		t.Errorf("CurrentCatalogVersion: %+v, %v; want version 1", cur, err)
	}
	byID, err := queries.CatalogVersionByID(ctx, db, 2)
	if err != nil || byID.Source != "other" || byID.Current {
		t.Errorf("CatalogVersionByID(2): %+v, %v; want source other, not current", byID, err)
	}
	if _, err := queries.CatalogVersionByID(ctx, db, 3); !errors.Is(err, queries.ErrNotFound) {
		t.Errorf("CatalogVersionByID(3): %v, want ErrNotFound", err)
	}
	list, err := queries.CatalogVersions(ctx, db)
	if err != nil || len(list) != 2 || list[0].ID != 2 || list[1].ID != 1 || !list[1].Current {
		t.Errorf("CatalogVersions: %+v, %v; want 2 then 1 (current)", list, err)
	}
	got, err := queries.LoadCatalogRows(ctx, db, 1)
	if err != nil {
		t.Fatalf("LoadCatalogRows: %v", err)
	}
	sort.Slice(got.Actions, func(i, j int) bool { return got.Actions[i].Action < got.Actions[j].Action })
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("LoadCatalogRows (-stored +loaded):\n%s", diff)
	}
}
