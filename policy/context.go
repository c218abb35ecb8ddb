package policy

import "strings"

// ctxView looks up request context keys case-insensitively, as AWS does,
// without copying the caller's map.
type ctxView struct {
	m map[string][]string
}

// get returns the values of key. A key that is present with no values
// counts as absent.
func (c ctxView) get(key string) ([]string, bool) {
	if len(c.m) == 0 {
		return nil, false
	}
	if v, ok := c.m[key]; ok {
		return v, len(v) > 0
	}
	for k, v := range c.m {
		if strings.EqualFold(k, key) {
			return v, len(v) > 0
		}
	}
	return nil, false
}

// single returns the value of a single-valued key, for policy variables:
// AWS does not substitute multi-valued keys.
func (c ctxView) single(key string) (string, bool) {
	v, ok := c.get(key)
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}
