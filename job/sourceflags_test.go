package job

import (
	"slices"
	"testing"

	"github.com/iamtrim/iamtrim/ingest/lastaccessaws"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestSourceFlags(t *testing.T) {
	parse := optiontest.Parse
	t.Run("authz", func(t *testing.T) {
		var s AuthzSource
		parse(t, s.AddFlags, "--profile", "p", "--endpoint-url", "http://iam", "--assume-role", "arn:a", "--assume-role", "arn:b")
		if s.From([]string{"aws"}); !s.AWS || s.Files != nil || s.IAM.Profile != "p" || s.IAM.BaseEndpoint != "http://iam" || !slices.Equal(s.AssumeRoles, []string{"arn:a", "arn:b"}) {
			t.Errorf("aws source %+v", s)
		}
		if s.From([]string{"a.json", "aws"}); s.AWS || len(s.Files) != 2 {
			t.Errorf("files source %+v: want two files", s)
		}
	})
	t.Run("lastaccessed", func(t *testing.T) {
		var s LastAccessedSource
		parse(t, s.AddFlags, "--principal", "billing-api", "--region", "us-east-1")
		if err := s.From([]string{"x.json"}); err != nil || s.AWS || s.AWSOptions.Workers != lastaccessaws.DefaultWorkers || s.AWSOptions.IAM.Region != "us-east-1" || s.Principals[0] != "billing-api" {
			t.Errorf("source %+v (%v), want x.json with the default workers", s, err)
		}
		parse(t, s.AddFlags, "--workers", "-1")
		optiontest.Err(t, s.From([]string{"aws"}), "--workers -1: want 1 or more")
	})
	t.Run("trails and org", func(t *testing.T) {
		var tr TrailsSource
		var o OrgSource
		parse(t, tr.AddFlags, "--assume-role", "arn:t")
		parse(t, o.AddFlags, "--assume-role", "arn:o")
		tr.From("aws")
		o.From("org.json")
		if !tr.AWS || tr.AssumeRole != "arn:t" || o.AWS || o.File != "org.json" || o.API.AssumeRole != "arn:o" {
			t.Errorf("trails %+v, org %+v", tr, o)
		}
	})
}
