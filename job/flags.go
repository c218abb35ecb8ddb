package job

import (
	"strings"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/exception"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// Flags are the flags of `iamtrim run`: they override the configuration
// file, as do the environment variables IAMTRIM_CONFIG, IAMTRIM_FAIL_ON
// and IAMTRIM_OUT_DIR (flags first, then the environment, then the file).
type Flags struct {
	Config, FailOn, OutDir string
	Exceptions             exception.Flag
	Wait                   bool
	// fs says which flags were given.
	fs *pflag.FlagSet
}

// AddFlags registers the flags with their defaults.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.Config, "config", "iamtrim.yaml", "configuration file (see docs/iamtrim.example.yaml)")
	fs.StringVar(&f.FailOn, "fail-on", "", "exit 4 when any principal has one of: "+strings.Join(analyze.FailOnKinds, ", ")+" (comma-separated; a risk level means that level or above)")
	fs.StringVar(&f.OutDir, "out-dir", "", "output directory (overrides out_dir)")
	fs.BoolVar(&f.Wait, "wait", false, "wait for a running job instead of exiting")
	f.Exceptions.AddFlag(fs, "replaces the configuration's exceptions: list")
}

// Load reads the configuration, applies the environment and the flags
// given, and validates the whole of it before anything runs. Every error
// is an invalid option (the CLI exits 2).
func (f *Flags) Load(getenv func(string) string) (*Config, error) {
	fs := f.fs
	path := f.Config
	if !fs.Changed("config") && getenv("IAMTRIM_CONFIG") != "" {
		path = getenv("IAMTRIM_CONFIG")
	}
	cfg, err := Load(path, getenv)
	if err != nil {
		return nil, option.Invalid(err)
	}
	if v := getenv("IAMTRIM_FAIL_ON"); v != "" {
		cfg.FailOn = v
	}
	if v := getenv("IAMTRIM_OUT_DIR"); v != "" {
		cfg.OutDir = v
	}
	if fs.Changed("fail-on") {
		cfg.FailOn = f.FailOn
	}
	if fs.Changed("out-dir") {
		if f.OutDir == "" { // as out_dir: "" is the default, not the working directory
			return nil, option.Errorf("--out-dir: empty (leave it out for out_dir, else %s)", defaultOutDir)
		}
		cfg.OutDir = f.OutDir
	}
	if f.Wait {
		cfg.Lock = "wait"
	}
	if f.Exceptions.Path != "" {
		set, err := f.Exceptions.Read()
		if err != nil {
			return nil, err
		}
		cfg.UseExceptions(set)
	}
	if err := cfg.Validate(); err != nil {
		return nil, option.Errorf("%s: %v", path, err)
	}
	return cfg, nil
}
