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
	if err := CheckBaseURL(u.BaseURL); err != nil {
		return &option.Named{Flag: "base-url", Err: err}
	}
	if u.Client != nil && u.Client.Timeout < 0 {
		return &option.Named{Flag: "timeout", Err: fmt.Errorf("%v: negative", u.Client.Timeout)}
	}
	return nil
}

// CheckBaseURL checks a Service Reference endpoint: "" (DefaultBaseURL) or
// an http or https URL with a host. Every option that names one (catalog
// update's --base-url, trim's --catalog-url, the job's catalog.base_url)
// is checked with it before any work, each naming itself.
func CheckBaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	if b, err := url.Parse(raw); err != nil || (b.Scheme != "http" && b.Scheme != "https") || b.Host == "" {
		return fmt.Errorf("%q: not an http or https URL", raw)
	}
	return nil
}
