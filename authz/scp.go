package authz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/iamtrim/iamtrim/policy"
)

// ParseSCPFile reads service control policies for Expand (the --scp FILE
// flag). See ParseSCPs. A file read that holds none is a *RejectedError.
func ParseSCPFile(path string) ([]policy.NamedPolicy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	scps, err := ParseSCPs(data, path)
	if err != nil { // read, but holds no policies: bad input
		return nil, &RejectedError{Problems: []string{err.Error()}}
	}
	return scps, nil
}

// ParseSCPFiles reads the SCPs of every file, in order.
func ParseSCPFiles(paths []string) ([]policy.NamedPolicy, error) {
	var out []policy.NamedPolicy
	for _, p := range paths {
		scps, err := ParseSCPFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, scps...)
	}
	return out, nil
}

// ParseSCPs reads service control policies named name: a policy document,
// the output of `aws organizations describe-policy` ({"Policy":
// {"PolicySummary": …, "Content": "…"}}), or a JSON array of either. Each
// policy is one layer that must allow, as SCPs attached at successive
// levels (root, OU, account) do; merge the policies attached at one level
// into one document before passing them.
func ParseSCPs(data []byte, name string) ([]policy.NamedPolicy, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var out []policy.NamedPolicy
		for i, it := range items {
			np, err := parseSCP(it, fmt.Sprintf("%s[%d]", name, i))
			if err != nil {
				return nil, err
			}
			out = append(out, np)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s: no policies", name)
		}
		return out, nil
	}
	np, err := parseSCP(data, name)
	if err != nil {
		return nil, err
	}
	return []policy.NamedPolicy{np}, nil
}

func parseSCP(data []byte, name string) (policy.NamedPolicy, error) {
	var described struct {
		Policy *struct {
			PolicySummary struct{ Name, Arn, ID string }
			Content       string
		}
	}
	if err := json.Unmarshal(data, &described); err == nil && described.Policy != nil {
		p := described.Policy
		if p.Content == "" {
			return policy.NamedPolicy{}, fmt.Errorf("%s: Policy has no Content", name)
		}
		if p.PolicySummary.Name != "" {
			name = p.PolicySummary.Name
		}
		data = []byte(p.Content)
		doc, err := policy.ParseNamed(name, data)
		if err != nil {
			return policy.NamedPolicy{}, fmt.Errorf("service control policy: %w", err)
		}
		return policy.NamedPolicy{Name: name, ARN: p.PolicySummary.Arn, Kind: policy.KindSCP, Doc: doc}, nil
	}
	doc, err := policy.ParseNamed(name, data)
	if err != nil {
		return policy.NamedPolicy{}, fmt.Errorf("service control policy: %w", err)
	}
	return policy.NamedPolicy{Name: name, Kind: policy.KindSCP, Doc: doc}, nil
}
