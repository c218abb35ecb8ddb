package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	if got := Version("v1.2.3"); got != "v1.2.3" {
		t.Errorf("Version(stamped) = %q, want the stamp", got)
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0123456789abcdef"}
	for _, tc := range []struct {
		name, module string
		settings     []debug.BuildSetting
		want         string
	}{
		{"checkout", "(devel)", nil, "devel"},
		{"no module version", "", nil, "devel"},
		{"release", "v0.4.0", nil, "v0.4.0"},
		{"revision", "(devel)", []debug.BuildSetting{rev}, "devel+0123456789ab"},
		{"dirty", "(devel)", []debug.BuildSetting{rev, {Key: "vcs.modified", Value: "true"}}, "devel+0123456789ab-dirty"},
		{"clean", "v0.4.0", []debug.BuildSetting{rev, {Key: "vcs.modified", Value: "false"}}, "v0.4.0+0123456789ab"},
		{"short revision ignored", "v0.4.0", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}, "v0.4.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fromSettings(tc.module, tc.settings); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
