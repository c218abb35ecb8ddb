package job

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestFlagsLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "iamtrim.yaml")
	if err := os.WriteFile(file, []byte("out_dir: from-file\nfail_on: admin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("lock: sometimes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badExc := filepath.Join(dir, "exceptions.yaml")
	if err := os.WriteFile(badExc, []byte("exceptions:\n  - principal: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name              string
		args              []string
		env               map[string]string
		outDir, failOn    string
		lock, wantErrHead string
	}{
		{name: "file", args: []string{"--config", file}, outDir: "from-file", failOn: "admin", lock: "fail"},
		{name: "env over file", args: []string{"--config", file}, env: map[string]string{"IAMTRIM_OUT_DIR": "from-env", "IAMTRIM_FAIL_ON": "critical"}, outDir: "from-env", failOn: "critical", lock: "fail"},
		{name: "flags over env", args: []string{"--config", file, "--out-dir", "from-flag", "--fail-on", "", "--wait"}, env: map[string]string{"IAMTRIM_OUT_DIR": "from-env", "IAMTRIM_FAIL_ON": "critical"}, outDir: "from-flag", failOn: "", lock: "wait"},
		{name: "config from env", env: map[string]string{"IAMTRIM_CONFIG": file}, outDir: "from-file", failOn: "admin", lock: "fail"},
		{name: "config flag over env", args: []string{"--config", bad}, env: map[string]string{"IAMTRIM_CONFIG": file}, wantErrHead: bad + `: lock: "sometimes": want fail or wait`},
		{name: "missing file", args: []string{"--config", filepath.Join(dir, "none.yaml")}, wantErrHead: "read configuration: "},
		{name: "bad exceptions", args: []string{"--config", file, "--exceptions", badExc}, wantErrHead: "--exceptions: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			optiontest.Parse(t, f.AddFlags, tc.args...)
			cfg, err := f.Load(func(k string) string { return tc.env[k] })
			if tc.wantErrHead != "" {
				if err == nil || !option.IsInvalid(err) || !strings.HasPrefix(err.Error(), tc.wantErrHead) {
					t.Fatalf("Load error %v, want an option error starting %q", err, tc.wantErrHead)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.OutDir != tc.outDir || cfg.FailOn != tc.failOn || cfg.Lock != tc.lock {
				t.Errorf("out_dir %q, fail_on %q, lock %q; want %q, %q, %q", cfg.OutDir, cfg.FailOn, cfg.Lock, tc.outDir, tc.failOn, tc.lock)
			}
		})
	}
}
