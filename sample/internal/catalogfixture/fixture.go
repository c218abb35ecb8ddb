// Package catalogfixture writes testdata/catalog: a small IAM action
// catalog in the AWS Service Reference layout (service-list.json plus one
// <service>.json each), covering every service the sample organisation
// uses with the actions its events need and a realistic share of the other
// actions of those services, so that wildcards such as s3:* or s3:Get*
// expand to meaningful sets.
//
// The tables below are written by hand (names, access levels, resource
// types and ARN formats follow AWS's Service Reference); they are not a
// copy of AWS's files. Operations list the minimal IAM action(s) each API
// operation needs, where it differs from the operation name; unlike AWS's
// own AuthorizedActions they are not a superset.
package catalogfixture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Version is written into every service file.
const Version = "v1.4"

type service struct {
	name      string
	resources string // lines: name ARNFormat
	conds     string // lines: key Type
	actions   string // lines: Name Level [res1,res2] [|cond1,cond2]; Level is L, R, W, P or T
	ops       string // lines: Operation svc:Action[,svc:Action]
}

// Service is one <service>.json file.
type Service struct {
	Name          string         `json:"Name"`
	Version       string         `json:"Version"`
	Actions       []Action       `json:"Actions"`
	Resources     []Resource     `json:"Resources"`
	ConditionKeys []ConditionKey `json:"ConditionKeys"`
	Operations    []Operation    `json:"Operations,omitempty"`
}

// Action is one IAM action.
type Action struct {
	Name                string        `json:"Name"`
	Annotations         Annotations   `json:"Annotations"`
	Resources           []ResourceRef `json:"Resources,omitempty"`
	ActionConditionKeys []string      `json:"ActionConditionKeys,omitempty"`
	SupportedBy         *SupportedBy  `json:"SupportedBy,omitempty"`
}

// SupportedBy says which AWS features cover an action; iamtrim reads "IAM
// Action Last Accessed" (action-level last-accessed data).
type SupportedBy struct {
	IAMActionLastAccessed bool `json:"IAM Action Last Accessed"`
}

// Annotations carry the access level: all false means Read.
type Annotations struct {
	Properties Properties `json:"Properties"`
}

// Properties are the access-level flags.
type Properties struct {
	IsList                 bool `json:"IsList"`
	IsPermissionManagement bool `json:"IsPermissionManagement"`
	IsTaggingOnly          bool `json:"IsTaggingOnly"`
	IsWrite                bool `json:"IsWrite"`
}

// ResourceRef names a resource type an action applies to.
type ResourceRef struct {
	Name string `json:"Name"`
}

// Resource is a resource type with its ARN formats.
type Resource struct {
	Name       string   `json:"Name"`
	ARNFormats []string `json:"ARNFormats"`
}

// ConditionKey is a service condition key.
type ConditionKey struct {
	Name  string   `json:"Name"`
	Types []string `json:"Types"`
}

// Operation maps an API operation to the IAM actions it needs.
type Operation struct {
	Name              string       `json:"Name"`
	AuthorizedActions []Authorized `json:"AuthorizedActions"`
}

// Authorized is one action of an operation.
type Authorized struct {
	Name    string `json:"Name"`
	Service string `json:"Service"`
}

func lines(s string) [][]string {
	var out [][]string
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func (s service) build() (Service, error) {
	out := Service{Name: s.name, Version: Version, Actions: []Action{}, Resources: []Resource{}, ConditionKeys: []ConditionKey{}}
	known := map[string]bool{}
	tracked := map[string]bool{}
	for _, n := range strings.Fields(lastAccessTracked[s.name]) {
		tracked[n] = true
	}
	for _, f := range lines(s.resources) {
		out.Resources = append(out.Resources, Resource{Name: f[0], ARNFormats: f[1:]})
		known[f[0]] = true
	}
	for _, f := range lines(s.conds) {
		out.ConditionKeys = append(out.ConditionKeys, ConditionKey{Name: f[0], Types: []string{f[1]}})
	}
	for _, f := range lines(s.actions) {
		a := Action{Name: f[0]}
		switch f[1] {
		case "L":
			a.Annotations.Properties.IsList = true
		case "R":
		case "W":
			a.Annotations.Properties.IsWrite = true
		case "P":
			a.Annotations.Properties.IsWrite = true
			a.Annotations.Properties.IsPermissionManagement = true
		case "T":
			a.Annotations.Properties.IsWrite = true
			a.Annotations.Properties.IsTaggingOnly = true
		default:
			return out, fmt.Errorf("%s:%s: access level %q", s.name, f[0], f[1])
		}
		for _, x := range f[2:] {
			if c, ok := strings.CutPrefix(x, "|"); ok {
				a.ActionConditionKeys = strings.Split(c, ",")
				continue
			}
			for _, r := range strings.Split(x, ",") {
				if !known[r] {
					return out, fmt.Errorf("%s:%s: unknown resource type %q", s.name, f[0], r)
				}
				a.Resources = append(a.Resources, ResourceRef{Name: r})
			}
		}
		if tracked[a.Name] {
			a.SupportedBy = &SupportedBy{IAMActionLastAccessed: true}
			delete(tracked, a.Name)
		}
		out.Actions = append(out.Actions, a)
	}
	if len(tracked) > 0 {
		return out, fmt.Errorf("%s: last-accessed tracked actions not in the fixture: %v", s.name, tracked)
	}
	for _, f := range lines(s.ops) {
		op := Operation{Name: f[0]}
		for _, x := range strings.Split(f[1], ",") {
			svc, name, _ := strings.Cut(x, ":")
			op.AuthorizedActions = append(op.AuthorizedActions, Authorized{Name: name, Service: svc})
		}
		out.Operations = append(out.Operations, op)
	}
	slices.SortFunc(out.Actions, func(a, b Action) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(out.Resources, func(a, b Resource) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(out.ConditionKeys, func(a, b ConditionKey) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(out.Operations, func(a, b Operation) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(out.Actions); i++ {
		if out.Actions[i].Name == out.Actions[i-1].Name {
			return out, fmt.Errorf("%s: action %s listed twice", s.name, out.Actions[i].Name)
		}
	}
	return out, nil
}

// Files returns the catalog's files by name: service-list.json and one
// <service>.json per service. The output is deterministic.
func Files() (map[string][]byte, error) {
	files := map[string][]byte{}
	type entry struct {
		Service string `json:"service"`
		URL     string `json:"url"`
	}
	var list []entry
	for _, s := range services {
		svc, err := s.build()
		if err != nil {
			return nil, err
		}
		b, err := encode(svc)
		if err != nil {
			return nil, err
		}
		files[s.name+".json"] = b
		list = append(list, entry{Service: s.name, URL: s.name + ".json"})
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.Service, b.Service) })
	b, err := json.MarshalIndent(list, "", " ")
	if err != nil {
		return nil, err
	}
	files["service-list.json"] = append(b, '\n')
	return files, nil
}

// encode writes a service file with one action per line: readable diffs,
// a small file.
func encode(s Service) ([]byte, error) {
	var buf bytes.Buffer
	w := func(key string, v any, last bool) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&buf, " %q: %s", key, b)
		if !last {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		return nil
	}
	buf.WriteString("{\n")
	if err := w("Name", s.Name, false); err != nil {
		return nil, err
	}
	if err := w("Version", s.Version, false); err != nil {
		return nil, err
	}
	buf.WriteString(" \"Actions\": [\n")
	for i, a := range s.Actions {
		b, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		buf.WriteString("  ")
		buf.Write(b)
		if i < len(s.Actions)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString(" ],\n")
	if err := w("Resources", s.Resources, false); err != nil {
		return nil, err
	}
	if err := w("ConditionKeys", s.ConditionKeys, len(s.Operations) == 0); err != nil {
		return nil, err
	}
	if len(s.Operations) > 0 {
		if err := w("Operations", s.Operations, true); err != nil {
			return nil, err
		}
	}
	buf.WriteString("}\n")
	return buf.Bytes(), nil
}
