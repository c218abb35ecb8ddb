package job

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/iamtrim/iamtrim/ingest/lastaccessaws"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestSourceFlags(t *testing.T) {
	parse := optiontest.Parse
	dir := t.TempDir()
	file := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	aJSON, xJSON, orgJSON := file("a.json"), file("x.json"), file("org.json")
	t.Run("authz", func(t *testing.T) {
		var s AuthzSource
		parse(t, s.AddFlags, "--profile", "p", "--endpoint-url", "http://iam", "--assume-role", roleA, "--assume-role", roleB)
		if err := s.From([]string{"aws"}); err != nil || !s.AWS || s.Files != nil || s.IAM.Profile != "p" || s.IAM.BaseEndpoint != "http://iam" || !slices.Equal(s.AssumeRoles, []string{roleA, roleB}) {
			t.Errorf("aws source %+v (%v)", s, err)
		}
		if err := s.From([]string{aJSON, aJSON}); err != nil || s.AWS || len(s.Files) != 2 {
			t.Errorf("files source %+v (%v): want two files", s, err)
		}
	})
	t.Run("lastaccessed", func(t *testing.T) {
		var s LastAccessedSource
		parse(t, s.AddFlags, "--principal", "billing-api", "--region", "us-east-1")
		if err := s.From([]string{xJSON}); err != nil || s.AWS || s.AWSOptions.Workers != lastaccessaws.DefaultWorkers || s.AWSOptions.IAM.Region != "us-east-1" || s.Principals[0] != "billing-api" {
			t.Errorf("source %+v (%v), want x.json with the default workers", s, err)
		}
		parse(t, s.AddFlags, "--workers", "-1")
		optiontest.Err(t, s.From([]string{"aws"}), "--workers -1: want 1 or more")
	})
	t.Run("trails and org", func(t *testing.T) {
		var tr TrailsSource
		var o OrgSource
		parse(t, tr.AddFlags, "--assume-role", roleA)
		parse(t, o.AddFlags, "--assume-role", roleB)
		terr, oerr := tr.From("aws"), o.From(orgJSON)
		if terr != nil || oerr != nil || !tr.AWS || tr.AssumeRole != roleA || o.AWS || o.File != orgJSON || o.API.AssumeRole != roleB {
			t.Errorf("trails %+v (%v), org %+v (%v)", tr, terr, o, oerr)
		}
	})
	// A value that is not a role ARN is refused by From, before Read
	// could call AWS, as a usage error naming --assume-role.
	const bad = `--assume-role "notanarn": not an IAM role ARN (want arn:aws:iam::ACCOUNT:role/NAME)`
	t.Run("bad role", func(t *testing.T) {
		var a AuthzSource
		parse(t, a.AddFlags, "--assume-role", roleA, "--assume-role", "notanarn")
		optiontest.Err(t, a.From([]string{"aws"}), bad)
		var l LastAccessedSource
		parse(t, l.AddFlags, "--assume-role", "notanarn")
		optiontest.Err(t, l.From([]string{"aws"}), bad)
		var tr TrailsSource
		parse(t, tr.AddFlags, "--assume-role", "notanarn")
		optiontest.Err(t, tr.From("aws"), bad)
		var o OrgSource
		parse(t, o.AddFlags, "--assume-role", "notanarn")
		optiontest.Err(t, o.From("aws"), bad)
	})
	// A file named that cannot be opened is refused by From, before
	// anything is read (exit 2); one that opens but is rejected when read
	// is bad input (exit 3), Read's to say.
	t.Run("missing file", func(t *testing.T) {
		none := filepath.Join(dir, "none.json")
		want := "stat " + none + ": no such file or directory"
		var a AuthzSource
		optiontest.Err(t, a.From([]string{aJSON, none}), want)
		var l LastAccessedSource
		parse(t, l.AddFlags)
		optiontest.Err(t, l.From([]string{none}), want)
		var tr TrailsSource
		optiontest.Err(t, tr.From(none), want)
		var o OrgSource
		optiontest.Err(t, o.From(dir), dir+": not a regular file")
	})
}

const (
	roleA = "arn:aws:iam::111122223333:role/audit"
	roleB = "arn:aws:iam::444455556666:role/path/audit"
)
