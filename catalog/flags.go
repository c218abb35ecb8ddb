package catalog

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/spf13/pflag"
)

// AddFlags registers the flags of `catalog update`: the endpoint, the
// cache and the timeout of each request (Client).
func (u *Updater) AddFlags(fs *pflag.FlagSet) {
	u.Client = &http.Client{}
	fs.StringVar(&u.BaseURL, "base-url", DefaultBaseURL, "Service Reference endpoint")
	fs.StringVar(&u.CacheDir, "cache-dir", "", "cache directory (default: the user cache directory/iamtrim/service-reference)")
	fs.DurationVar(&u.Client.Timeout, "timeout", 60*time.Second, "timeout of each HTTP request (0: none)")
}

// Validate checks the endpoint (an http or https URL; "" is the default)
// and the timeout (not negative), as *option.Named errors naming the flag.
func (u *Updater) Validate() error {
	if u.BaseURL != "" {
		if b, err := url.Parse(u.BaseURL); err != nil || (b.Scheme != "http" && b.Scheme != "https") || b.Host == "" {
			return &option.Named{Flag: "base-url", Err: fmt.Errorf("%q: not an http or https URL", u.BaseURL)}
		}
	}
	if u.Client != nil && u.Client.Timeout < 0 {
		return &option.Named{Flag: "timeout", Err: fmt.Errorf("%v: negative", u.Client.Timeout)}
	}
	return nil
}
