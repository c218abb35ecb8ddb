package catalog

import (
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/internal/option/optiontest"
)

func TestUpdaterFlags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		base     string
		timeout  time.Duration
		cacheDir string
	}{
		{name: "defaults", base: DefaultBaseURL, timeout: time.Minute},
		{name: "given", args: []string{"--base-url", "http://ref/", "--timeout", "5s", "--cache-dir", "/c"}, base: "http://ref/", timeout: 5 * time.Second, cacheDir: "/c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var u Updater
			optiontest.Parse(t, u.AddFlags, tc.args...)
			if u.BaseURL != tc.base || u.Client.Timeout != tc.timeout || u.CacheDir != tc.cacheDir {
				t.Errorf("base %q, timeout %v, cache %q; want %q, %v, %q", u.BaseURL, u.Client.Timeout, u.CacheDir, tc.base, tc.timeout, tc.cacheDir)
			}
		})
	}
}
