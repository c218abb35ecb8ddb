package job

import (
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/ingest/iamsrc"
	"github.com/iamtrim/iamtrim/ingest/lastaccessaws"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// The flags of the `ingest` commands that read a file or, given "aws",
// the live API: each source registers its AWS options, and From sets the
// files or aws from the command's arguments.

// AddFlags registers the flags of `ingest authz`.
func (s *AuthzSource) AddFlags(fs *pflag.FlagSet) {
	addIAMFlags(fs, &s.IAM, &s.AssumeRoles, &s.ExternalID)
}

// addIAMFlags registers the flags of a source that reads IAM live with
// 'aws', once per assumed role.
func addIAMFlags(fs *pflag.FlagSet, o *iamsrc.Options, assumeRoles *[]string, externalID *string) {
	fs.StringVar(&o.Profile, "profile", "", "AWS shared-config profile (for 'aws')")
	fs.StringVar(&o.Region, "region", "", "region for signing (for 'aws'; IAM is global)")
	fs.StringVar(&o.BaseEndpoint, "endpoint-url", "", "IAM/STS endpoint URL (for 'aws')")
	fs.StringArrayVar(assumeRoles, "assume-role", nil, "role ARN to assume, once per account (for 'aws'; repeatable)")
	fs.StringVar(externalID, "external-id", "", "external ID for --assume-role")
}

// From sets the files named, or live IAM for the one argument "aws", and
// checks the flags (Validate).
func (s *AuthzSource) From(args []string) error {
	s.Files, s.AWS = filesOrAWS(args)
	return option.Invalid(s.Validate())
}

// Validate checks the source before anything is read: each file can be
// opened (option.InputFile), each --assume-role (assume_roles) an IAM
// role ARN.
func (s AuthzSource) Validate() error {
	if err := inputFiles(s.Files...); err != nil {
		return err
	}
	return awsconf.CheckAssumeRoles("assume_roles", s.AssumeRoles)
}

// inputFiles checks that each file named (an argument of the command, or
// the files key of the job's configuration) can be opened: one that cannot
// is a usage error (exit 2), one that opens but is rejected when read is
// bad input (exit 3).
func inputFiles(paths ...string) error {
	for _, p := range paths {
		if err := option.InputFile("", "files", p); err != nil {
			return err
		}
	}
	return nil
}

// validateOne checks a source that reads one file (key file) or, with
// aws, the live API: the file can be opened, --assume-role (assume_role)
// is "" or an IAM role ARN.
func validateOne(file string, aws bool, assumeRole string) error {
	if !aws && file != "" {
		if err := option.InputFile("", "file", file); err != nil {
			return err
		}
	}
	return awsconf.CheckAssumeRole(assumeRole)
}

// filesOrAWS is the files named, or none and true for the one argument
// "aws".
func filesOrAWS(args []string) ([]string, bool) {
	if len(args) == 1 && args[0] == "aws" {
		return nil, true
	}
	return args, false
}

// AddFlags registers the flags of `ingest lastaccessed`.
func (s *LastAccessedSource) AddFlags(fs *pflag.FlagSet) {
	o := &s.AWSOptions
	fs.StringArrayVar(&s.Principals, "principal", nil, "only this role or user, by ARN or name (repeatable)")
	addIAMFlags(fs, &o.IAM, &o.AssumeRoles, &o.ExternalID)
	fs.IntVar(&o.Workers, "workers", lastaccessaws.DefaultWorkers, "principals whose jobs run at once (for 'aws')")
}

// From sets the files named, or live IAM for the one argument "aws", and
// checks the flags.
func (s *LastAccessedSource) From(args []string) error {
	if s.AWSOptions.Workers < 0 {
		return option.Errorf("--workers %d: want 1 or more", s.AWSOptions.Workers)
	}
	s.Files, s.AWS = filesOrAWS(args)
	return option.Invalid(s.Validate())
}

// Validate checks the source before anything is read: each file can be
// opened, each --assume-role (assume_roles) an IAM role ARN.
func (s LastAccessedSource) Validate() error {
	if err := inputFiles(s.Files...); err != nil {
		return err
	}
	return awsconf.CheckAssumeRoles("assume_roles", s.AWSOptions.AssumeRoles)
}

// AddFlags registers the flags of `ingest trails`.
func (s *TrailsSource) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.Profile, "profile", "", "AWS shared-config profile (for 'aws')")
	fs.StringVar(&s.AssumeRole, "assume-role", "", "role ARN to assume first (for 'aws')")
	fs.StringVar(&s.Region, "region", "", "region to call (for 'aws')")
	fs.StringVar(&s.EndpointURL, "endpoint-url", "", "CloudTrail and STS endpoint URL (for 'aws')")
}

// From sets the file named, or the live API for "aws", and checks the
// flags (Validate).
func (s *TrailsSource) From(arg string) error {
	s.File, s.AWS = arg, arg == "aws"
	return option.Invalid(s.Validate())
}

// Validate checks the source before anything is read: the file can be
// opened, --assume-role (assume_role) is "" or an IAM role ARN.
func (s TrailsSource) Validate() error { return validateOne(s.File, s.AWS, s.AssumeRole) }

// AddFlags registers the flags of `ingest org`.
func (s *OrgSource) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.API.Profile, "profile", "", "AWS shared-config profile (for 'aws')")
	fs.StringVar(&s.API.AssumeRole, "assume-role", "", "role ARN to assume first, in the management or delegated administrator account (for 'aws')")
	fs.StringVar(&s.API.Region, "region", "", "region for signing (for 'aws'; Organizations answers in us-east-1)")
	fs.StringVar(&s.API.EndpointURL, "endpoint-url", "", "Organizations and STS endpoint URL (for 'aws')")
}

// From sets the file named, or the live API for "aws", and checks the
// flags (Validate).
func (s *OrgSource) From(arg string) error {
	s.File, s.AWS = arg, arg == "aws"
	return option.Invalid(s.Validate())
}

// Validate checks the source before anything is read: the file can be
// opened, --assume-role (assume_role) is "" or an IAM role ARN.
func (s OrgSource) Validate() error { return validateOne(s.File, s.AWS, s.API.AssumeRole) }
