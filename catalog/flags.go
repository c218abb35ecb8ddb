package catalog

import (
	"net/http"
	"time"

	"github.com/spf13/pflag"
)

// AddFlags registers the flags of `catalog update`: the endpoint, the
// cache and the timeout of each request (Client).
func (u *Updater) AddFlags(fs *pflag.FlagSet) {
	u.Client = &http.Client{}
	fs.StringVar(&u.BaseURL, "base-url", DefaultBaseURL, "Service Reference endpoint")
	fs.StringVar(&u.CacheDir, "cache-dir", "", "cache directory (default: the user cache directory/iamtrim/service-reference)")
	fs.DurationVar(&u.Client.Timeout, "timeout", 60*time.Second, "timeout of each HTTP request")
}
