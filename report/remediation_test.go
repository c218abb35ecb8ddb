package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/catalog"
	"github.com/iamtrim/iamtrim/recommend"
	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
	"github.com/iamtrim/iamtrim/store/storetest"
)

const remAcct = "111122223333"

func remARN(name string) string { return "arn:aws:iam::" + remAcct + ":role/" + name }

// saveAuthz stores an authorization snapshot taken at takenAt in which
// each role has one inline policy allowing the given actions on "*".
func saveAuthz(t *testing.T, db *store.DB, takenAt string, roles map[string][]string) int64 {
	t.Helper()
	var list []map[string]any
	for name, acts := range roles {
		list = append(list, map[string]any{
			"Path": "/", "RoleName": name, "RoleId": "AROA" + strings.ToUpper(name), "Arn": remARN(name),
			"CreateDate":               "2025-01-02 03:04:05+00:00",
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}},
			"RolePolicyList": []any{map[string]any{"PolicyName": "main", "PolicyDocument": map[string]any{"Version": "2012-10-17",
				"Statement": []any{map[string]any{"Effect": "Allow", "Action": acts, "Resource": "*"}}}}},
		})
	}
	b, err := json.Marshal(map[string]any{"RoleDetailList": list})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := authz.Parse(bytes.NewReader(b), "authz-"+takenAt+".json")
	if err != nil {
		t.Fatalf("parse inventory: %v", err)
	}
	id, _, err := authz.SaveSnapshot(context.Background(), db, inv, "authz-"+takenAt+".json", mustTime(takenAt))
	if err != nil {
		t.Fatalf("save inventory: %v", err)
	}
	return id
}

// Two quarters of stored data: 2026Q3's recommendations removed actions
// from four roles; in 2026Q4's newest authorization snapshot one role's
// policy was trimmed fully, one partly, one not at all and one role was
// deleted. An older Q4 snapshot (before the trims) and the Q3 snapshot
// the recommendations were made from must not be the ones checked.
func TestBuildRemediation(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	cat, err := catalog.LoadDir("../catalog/testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	ver, err := catalog.Store(ctx, db, cat, "testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:PutBucketPolicy"}
	before := map[string][]string{"full": all, "part": all, "none": all, "gone": all}
	saveAuthz(t, db, "2026-08-01T00:00:00Z", before)
	saveAuthz(t, db, "2026-10-02T00:00:00Z", before)
	newest := saveAuthz(t, db, "2026-12-15T00:00:00Z", map[string][]string{
		"full": {"s3:GetObject"},
		"part": {"s3:GetObject", "s3:PutObject"},
		"none": all,
	})
	removed := []string{"s3:PutBucketPolicy", "s3:PutObject", "s3:PutObjectTagging"}
	for _, tc := range []struct {
		name, asOf string
		removed    []string
	}{
		{"full", "2026-09-28", removed}, {"part", "2026-09-28", removed}, {"none", "2026-09-28", removed},
		{"gone", "2026-09-28", removed},
		{"none", "2026-12-30", []string{"s3:GetObject"}}, // this quarter's: not the one checked
	} {
		rec := recommend.Recommendation{PrincipalARN: remARN(tc.name), Name: tc.name,
			Proof: recommend.Proof{Proven: true, Kept: len(all) - len(tc.removed), Removed: len(tc.removed),
				RemovedByAccessLevel: map[string][]string{"Write": tc.removed}}}
		body, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := queries.SaveRecommendation(ctx, db, queries.Recommendation{PrincipalARN: rec.PrincipalARN, AsOf: parseDate(tc.asOf), WindowDays: 90,
			Proven: true, Kept: rec.Proof.Kept, Removed: rec.Proof.Removed, Digest: tc.name + tc.asOf, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	var results []analyze.Result
	for _, name := range []string{"full", "part", "none"} {
		results = append(results, result(remARN(name), "role", remAcct, name, []string{"s3:GetObject"}, nil, nil, nil))
	}
	insertSnapshot(t, db, "2026-12-30", "", &ver.ID, results, nil)

	d, err := Build(ctx, db, Options{Quarter: "2026Q4", Now: mustTime("2027-01-05T08:00:00Z")})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	type got struct {
		Status       string
		StillGranted []string
		Snapshot     int64
	}
	gotBy := map[string]got{}
	for _, p := range d.Principals {
		if r := p.Remediation; r != nil {
			gotBy[p.Name] = got{r.Status, r.StillGranted, r.AuthzSnapshot}
		}
	}
	for _, o := range d.Remediation.Other {
		gotBy[o.ARN] = got{o.Status, o.StillGranted, o.AuthzSnapshot}
	}
	want := map[string]got{
		"full":         {Remediated, []string{}, newest},
		"part":         {PartiallyRemediated, []string{"s3:PutObject"}, newest},
		"none":         {NotRemediated, removed, newest},
		remARN("gone"): {PrincipalDeleted, []string{}, newest},
	}
	if diff := cmp.Diff(want, gotBy); diff != "" {
		t.Errorf("remediation by principal (-want +got):\n%s", diff)
	}
	wantSum := RemediationSummary{Period: "2026Q3", Recommendations: 4, Remediated: 2, Partial: 1, NotRemediated: 1, Deleted: 1}
	gotSum := *d.Remediation
	gotSum.Other = nil
	if diff := cmp.Diff(wantSum, gotSum); diff != "" {
		t.Errorf("remediation summary (-want +got):\n%s", diff)
	}

	// Every format shows the card and each principal's status.
	for _, f := range []string{"table", "md", "html", "json", "csv"} {
		var buf bytes.Buffer
		if err := Render(&buf, d, f); err != nil {
			t.Fatalf("Render(%s): %v", f, err)
		}
		out := buf.String()
		checks := []string{"2 of 4 (1 by deleting the principal; 1 partly, 1 not, 0 unknown)"}
		switch f {
		case "json":
			checks = []string{`"status": "partially-remediated"`, `"remediated": 2`}
		case "csv":
			checks = []string{",remediation,,partially-remediated:", ",not-remediated,s3:PutObject,"}
		case "md", "html":
			checks = append(checks, "partially-remediated", "not-remediated", "principal-deleted")
		}
		for _, c := range checks {
			if !strings.Contains(out, c) {
				t.Errorf("%s output lacks %q", f, c)
			}
		}
	}

	t.Run("no snapshot in the period", func(t *testing.T) {
		d, err := Build(ctx, db, Options{Quarter: "2027Q1", Now: mustTime("2027-02-05T08:00:00Z")})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		// 2026Q4's recommendation of role/none is the previous period's.
		var st []string
		for _, p := range d.Principals {
			if p.Remediation != nil {
				st = append(st, fmt.Sprintf("%s %s %s", p.Name, p.Remediation.Status, p.Remediation.Reason))
			}
		}
		want := []string{"none unknown no authorization snapshot taken in 2027Q1 covers account " + remAcct + " (iamtrim ingest authz)"}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("remediation (-want +got):\n%s", diff)
		}
	})
}
