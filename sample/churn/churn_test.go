package churn_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamtrim/iamtrim/cloudtrail"
	"github.com/iamtrim/iamtrim/sample/churn"
)

// The corpus is deterministic, every record normalizes, and it churns:
// nearly every event names a resource no other event names.
func TestGenerate(t *testing.T) {
	dirs := [2]string{t.TempDir(), t.TempDir()}
	for _, d := range dirs {
		st, err := churn.Generate(context.Background(), churn.Options{Out: d, Events: 2000, Files: 4, Days: 2, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != 2000 || st.Files != 4 {
			t.Fatalf("stats %+v, want 2000 events in 4 files", st)
		}
	}
	var files []string
	_ = filepath.WalkDir(dirs[0], func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if len(files) != 4 {
		t.Fatalf("%d files, want 4", len(files))
	}
	m := cloudtrail.NewMapper(nil)
	resources := map[string]int{}
	events, data := 0, 0
	for _, p := range files {
		a, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dirs[0], p)
		if b, err := os.ReadFile(filepath.Join(dirs[1], rel)); err != nil || string(a) != string(b) {
			t.Errorf("%s differs between two runs with one seed (%v)", rel, err)
		}
		f, _ := os.Open(p)
		_, errs, err := cloudtrail.ReadObject(f, p, cloudtrail.Limits{}, func(i int, raw []byte) error {
			var rec cloudtrail.Record
			if err := m.Normalize(raw, &rec); err != nil {
				t.Errorf("%s:record %d: %v", p, i, err)
				return nil
			}
			events++
			if rec.Mapping != cloudtrail.Mapped {
				t.Errorf("%s:record %d: %s %s not mapped", p, i, rec.EventSource, rec.EventName)
			}
			for _, r := range rec.Resources {
				resources[r]++
			}
			switch rec.EventSource {
			case "s3.amazonaws.com", "dynamodb.amazonaws.com", "lambda.amazonaws.com":
				data++
			}
			return nil
		})
		f.Close()
		if err != nil || len(errs) > 0 {
			t.Fatalf("%s: %v %v", p, err, errs)
		}
	}
	if events != 2000 {
		t.Errorf("%d events read, want 2000", events)
	}
	if data < 900 || data > 1100 {
		t.Errorf("%d data events of 2000, want about half", data)
	}
	if len(resources) < 1000 {
		t.Errorf("%d distinct resources in 2000 events: not churning", len(resources))
	}
}
