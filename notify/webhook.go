package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/untrusted"
)

// Defaults and bounds of a Webhook.
const (
	DefaultTimeout = 10 * time.Second
	MaxTimeout     = 2 * time.Minute
	DefaultRetries = 2
	MaxRetries     = 5
	// DefaultBackoff is the wait before the first retry; each retry
	// doubles it.
	DefaultBackoff = time.Second
)

// Webhook posts payloads to one URL.
type Webhook struct {
	URL string
	// Headers are sent with every request (an Authorization token,
	// typically from ${VAR} in the configuration). Never logged.
	Headers map[string]string
	// Timeout bounds each attempt (0: DefaultTimeout); Retries is how many
	// more attempts follow a failed one that may succeed when repeated (a
	// refused connection, a timeout, 429 or 5xx); Backoff is the wait
	// before the first retry (0: DefaultBackoff), doubled each time.
	Timeout time.Duration
	Retries int
	Backoff time.Duration
	// Client sends the requests; nil means one that follows no redirects
	// (a redirected POST would be replayed as a GET).
	Client *http.Client
}

// ParseURL checks a webhook URL: absolute http or https with a host. Its
// errors never quote the URL, whose path or query may be a token.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("want an http or https URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("the URL names no host")
	}
	return u, nil
}

// ValidHeader checks a header's name (an HTTP token) and value (no line
// breaks or other control characters but tab).
func ValidHeader(name, value string) error {
	if name == "" {
		return errors.New("empty header name")
	}
	for _, r := range name {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return fmt.Errorf("header %q: not a valid header name", name)
		}
	}
	for _, r := range value {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return fmt.Errorf("header %s: the value holds a control character", name)
		}
	}
	return nil
}

// Host is the URL's host (and port): what logs may name.
func Host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Host
}

// Error is a failed notification: how many attempts were made and the last
// one's failure. Its message names neither the URL nor a header.
type Error struct {
	Attempts int
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d attempt(s): %v", e.Attempts, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// statusError is a response other than 2xx.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("HTTP %d", e.code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.code, e.body)
}

// retryable reports whether the same request may succeed later.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.code == http.StatusTooManyRequests || se.code >= 500
	}
	return !errors.Is(err, context.Canceled)
}

// Post sends body as JSON, retrying as Retries allows, and returns the
// number of attempts made. Its error is an *Error.
func (w *Webhook) Post(ctx context.Context, body []byte) (int, error) {
	wait := w.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	attempts := 0
	for {
		attempts++
		err := w.attempt(ctx, body)
		if err == nil {
			return attempts, nil
		}
		if attempts > w.Retries || !retryable(err) || ctx.Err() != nil {
			return attempts, &Error{Attempts: attempts, Err: err}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempts, &Error{Attempts: attempts, Err: ctx.Err()}
		case <-t.C:
		}
		wait *= 2
	}
}

func (w *Webhook) attempt(ctx context.Context, body []byte) error {
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("build the request: not a valid URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "iamtrim")
	for k, v := range w.Headers {
		req.Header.Set(k, v)
	}
	c := w.Client
	if c == nil {
		c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := c.Do(req)
	if err != nil {
		// A *url.Error quotes the URL: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("no response within %s", timeout)
		}
		return err
	}
	defer resp.Body.Close()
	// A short excerpt of the answer says why (Slack answers
	// "invalid_token", "no_service"); the rest is drained so the
	// connection can be reused.
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return &statusError{code: resp.StatusCode, body: clip(strings.TrimSpace(untrusted.Terminal(string(excerpt))), 100)}
	}
	return nil
}
