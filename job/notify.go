package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/analyze"
	"github.com/iamtrim/iamtrim/notify"
)

// Notify is the notify: section of the configuration.
type Notify struct {
	// Webhook is the URL posted to (http or https); empty: no
	// notification. Its path may be a secret (Slack's is): write it as
	// ${VAR}. Logs name its host only.
	Webhook string `yaml:"webhook"`
	// Triggers are some of notify.Triggers; empty: notify.DefaultTriggers.
	Triggers []string `yaml:"triggers"`
	// FailOn are the findings the findings trigger counts, in fail_on's
	// syntax; empty: the run's fail_on.
	FailOn string `yaml:"fail_on"`
	// MinChanges is how many changes of the diff triggers named make the
	// diff notify (0: 1).
	MinChanges int `yaml:"min_changes"`
	// Timeout bounds each attempt (a Go duration; empty: 10s, at most
	// 2m); Retries is how many times a failed attempt is repeated (nil:
	// 2, at most 5), after 1s, then 2s, 4s ...
	Timeout string `yaml:"timeout"`
	Retries *int   `yaml:"retries"`
	// Headers are sent with the request (an Authorization token as
	// ${VAR}). Never logged.
	Headers map[string]string `yaml:"headers"`
}

// set reports whether any key other than webhook is given.
func (n *Notify) set() bool {
	return len(n.Triggers) > 0 || n.FailOn != "" || n.MinChanges != 0 || n.Timeout != "" || n.Retries != nil || len(n.Headers) > 0
}

// validate returns one error per bad key, each naming it (notify.KEY).
func (n *Notify) validate() []error {
	var errs []error
	bad := func(key string, err error) {
		errs = append(errs, fmt.Errorf("notify.%s: %v", key, err))
	}
	if n.Webhook == "" {
		if n.set() {
			bad("webhook", errors.New("missing (the other notify keys need it)"))
		}
		return errs
	}
	if _, err := notify.ParseURL(n.Webhook); err != nil {
		// The URL itself is not quoted: its path may be a token.
		bad("webhook", err)
	}
	if err := n.rules().Validate(); err != nil {
		// Rules name their key (triggers, min_changes).
		errs = append(errs, fmt.Errorf("notify.%w", err))
	}
	if _, err := analyze.ParseFailOn(n.FailOn); err != nil {
		bad("fail_on", err)
	}
	if _, err := n.timeout(); err != nil {
		bad("timeout", err)
	}
	if n.Retries != nil && (*n.Retries < 0 || *n.Retries > notify.MaxRetries) {
		bad("retries", fmt.Errorf("%d: want 0..%d", *n.Retries, notify.MaxRetries))
	}
	names := make([]string, 0, len(n.Headers))
	for k := range n.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if err := notify.ValidHeader(k, n.Headers[k]); err != nil {
			bad("headers", err)
		}
	}
	return errs
}

func (n *Notify) rules() notify.Rules {
	return notify.Rules{Triggers: n.Triggers, MinChanges: n.MinChanges}
}

func (n *Notify) timeout() (time.Duration, error) {
	if n.Timeout == "" {
		return notify.DefaultTimeout, nil
	}
	d, err := time.ParseDuration(n.Timeout)
	if err != nil || d <= 0 || d > notify.MaxTimeout {
		return 0, fmt.Errorf("%q: want a duration above 0 and at most %s (e.g. 10s)", n.Timeout, notify.MaxTimeout)
	}
	return d, nil
}

func (n *Notify) webhook() *notify.Webhook {
	to, _ := n.timeout()
	retries := notify.DefaultRetries
	if n.Retries != nil {
		retries = *n.Retries
	}
	return &notify.Webhook{URL: n.Webhook, Headers: n.Headers, Timeout: to, Retries: retries}
}

// noticeFindings fills ev's findings and top principals from the analysis:
// the findings of notify.fail_on (the run's own count when it names none),
// excepted findings left out.
func noticeFindings(cfg *Config, snap *analyze.Snapshot, sum *Summary, ev *notify.Event) {
	kinds, _ := analyze.ParseFailOn(cfg.FailOn)
	ev.Findings = sum.Findings
	if cfg.Notify.FailOn != "" {
		kinds, _ = analyze.ParseFailOn(cfg.Notify.FailOn)
		ev.Findings = analyze.Findings(snap, kinds)
		if slices.Contains(kinds, "breakage") && sum.Breakage > 0 {
			ev.Findings["breakage"] = sum.Breakage
		}
	}
	var top []notify.Principal
	for i := range snap.Principals {
		p := &snap.Principals[i]
		var found []string
		for _, k := range kinds {
			switch {
			case k == "breakage":
			case k == "expired-exception":
				if len(p.ExpiredExceptions) > 0 {
					found = append(found, k)
				}
			case p.Has(k) && !p.IsExcepted(k):
				found = append(found, k)
			}
		}
		if len(found) > 0 {
			top = append(top, notify.Principal{ARN: p.PrincipalARN, RiskLevel: p.Risk.Level, RiskScore: p.Risk.Score, Findings: found})
		}
	}
	slices.SortFunc(top, func(a, b notify.Principal) int {
		if a.RiskScore != b.RiskScore {
			if a.RiskScore > b.RiskScore {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ARN, b.ARN)
	})
	if len(top) > notify.MaxTop {
		top = top[:notify.MaxTop]
	}
	ev.Top = top
}

// notify posts the run's summary when it crosses the configuration's
// thresholds. Whatever happens is logged; nothing changes the run's
// result.
func (r *Runner) notify(ctx context.Context, cfg *Config, ev *notify.Event) {
	host := notify.Host(cfg.Notify.Webhook)
	fired := cfg.Notify.rules().Fired(ev)
	if len(fired) == 0 {
		r.Log.Info("no notification: nothing crossed the notify thresholds", "host", host)
		return
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(notify.NewPayload(ev, fired)); err != nil {
		r.Log.Warn("notification not sent: encode its payload", "host", host, "err", err)
		return
	}
	w := cfg.Notify.webhook()
	w.Backoff = r.NotifyBackoff
	// A run stopped by a signal still says so, within the webhook's own
	// bounds.
	attempts, err := w.Post(context.WithoutCancel(ctx), body.Bytes())
	if err != nil {
		r.Log.Warn("notification failed; the run's result is unchanged", "host", host, "triggers", strings.Join(fired, ","), "attempts", attempts, "err", err)
		return
	}
	r.Log.Info("notification sent", "host", host, "triggers", strings.Join(fired, ","), "attempts", attempts)
}
