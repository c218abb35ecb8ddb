// Package buildinfo says which build of iamtrim is running: the version
// stamped at link time, else the module version and VCS revision Go
// records in the binary. The run table and `iamtrim version` show it.
package buildinfo

import "runtime/debug"

// Version returns stamped when not empty (set with -ldflags "-X
// main.version=..."), else the module's version ("devel" for a build
// from a checkout) with "+REVISION" (12 hex digits) and "-dirty" when Go
// recorded them.
func Version(stamped string) string {
	if stamped != "" {
		return stamped
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromSettings(bi.Main.Version, bi.Settings)
}

func fromSettings(v string, settings []debug.BuildSetting) string {
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}
