package sample

import (
	"fmt"
	"slices"
	"time"
)

// The types below mirror `aws iam get-account-authorization-details` JSON
// output (AWS CLI v2): field names and order as the CLI prints them, dates
// as ISO 8601 with +00:00, policy documents as JSON objects.

type authzFile struct {
	UserDetailList  []userDetail   `json:"UserDetailList"`
	GroupDetailList []groupDetail  `json:"GroupDetailList"`
	RoleDetailList  []roleDetail   `json:"RoleDetailList"`
	Policies        []policyDetail `json:"Policies"`
}

type attachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type inlinePolicy struct {
	PolicyName     string `json:"PolicyName"`
	PolicyDocument *doc   `json:"PolicyDocument"`
}

type boundaryRef struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type userDetail struct {
	Path                    string           `json:"Path"`
	UserName                string           `json:"UserName"`
	UserId                  string           `json:"UserId"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate"`
	UserPolicyList          []inlinePolicy   `json:"UserPolicyList,omitempty"`
	GroupList               []string         `json:"GroupList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundaryRef     `json:"PermissionsBoundary,omitempty"`
	Tags                    []tag            `json:"Tags"`
}

type groupDetail struct {
	Path                    string           `json:"Path"`
	GroupName               string           `json:"GroupName"`
	GroupId                 string           `json:"GroupId"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate"`
	GroupPolicyList         []inlinePolicy   `json:"GroupPolicyList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
}

type instanceProfileRole struct {
	Path                     string `json:"Path"`
	RoleName                 string `json:"RoleName"`
	RoleId                   string `json:"RoleId"`
	Arn                      string `json:"Arn"`
	CreateDate               string `json:"CreateDate"`
	AssumeRolePolicyDocument *doc   `json:"AssumeRolePolicyDocument"`
}

type instanceProfile struct {
	Path                string                `json:"Path"`
	InstanceProfileName string                `json:"InstanceProfileName"`
	InstanceProfileId   string                `json:"InstanceProfileId"`
	Arn                 string                `json:"Arn"`
	CreateDate          string                `json:"CreateDate"`
	Roles               []instanceProfileRole `json:"Roles"`
	Tags                []tag                 `json:"Tags"`
}

type roleLastUsed struct {
	LastUsedDate string `json:"LastUsedDate,omitempty"`
	Region       string `json:"Region,omitempty"`
}

type roleDetail struct {
	Path                     string            `json:"Path"`
	RoleName                 string            `json:"RoleName"`
	RoleId                   string            `json:"RoleId"`
	Arn                      string            `json:"Arn"`
	CreateDate               string            `json:"CreateDate"`
	AssumeRolePolicyDocument *doc              `json:"AssumeRolePolicyDocument"`
	InstanceProfileList      []instanceProfile `json:"InstanceProfileList"`
	RolePolicyList           []inlinePolicy    `json:"RolePolicyList"`
	AttachedManagedPolicies  []attachedPolicy  `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *boundaryRef      `json:"PermissionsBoundary,omitempty"`
	Tags                     []tag             `json:"Tags"`
	RoleLastUsed             roleLastUsed      `json:"RoleLastUsed"`
}

type policyVersion struct {
	Document         *doc   `json:"Document"`
	VersionId        string `json:"VersionId"`
	IsDefaultVersion bool   `json:"IsDefaultVersion"`
	CreateDate       string `json:"CreateDate"`
}

type policyDetail struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyId                      string          `json:"PolicyId"`
	Arn                           string          `json:"Arn"`
	Path                          string          `json:"Path"`
	DefaultVersionId              string          `json:"DefaultVersionId"`
	AttachmentCount               int             `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `json:"IsAttachable"`
	Description                   string          `json:"Description,omitempty"`
	CreateDate                    string          `json:"CreateDate"`
	UpdateDate                    string          `json:"UpdateDate"`
	PolicyVersionList             []policyVersion `json:"PolicyVersionList"`
}

func cliDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func attached(ps []*managedPolicy) []attachedPolicy {
	out := []attachedPolicy{}
	for _, p := range ps {
		out = append(out, attachedPolicy{PolicyName: p.name, PolicyArn: p.arn()})
	}
	return out
}

func inlines(ns []namedDoc) []inlinePolicy {
	out := []inlinePolicy{}
	for _, n := range ns {
		out = append(out, inlinePolicy{PolicyName: n.name, PolicyDocument: n.doc})
	}
	return out
}

func tags(ts [][2]string) []tag {
	out := []tag{}
	for _, t := range ts {
		out = append(out, tag{Key: t[0], Value: t[1]})
	}
	return out
}

func boundary(p *managedPolicy) *boundaryRef {
	if p == nil {
		return nil
	}
	return &boundaryRef{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: p.arn()}
}

// authz builds authz.json. lastUsed gives, per role key, the time and
// region of its last event in the window.
func (o *org) authz(lastUsed map[string]roleLastUsed) authzFile {
	var f authzFile
	attach := map[*managedPolicy]int{}
	bound := map[*managedPolicy]int{}
	for _, p := range o.principals {
		for _, m := range p.managed {
			attach[m]++
		}
		if p.boundary != nil {
			bound[p.boundary]++
		}
		switch p.kind {
		case "user":
			u := userDetail{Path: p.path, UserName: p.name, UserId: p.id, Arn: p.arn, CreateDate: cliDate(p.created),
				UserPolicyList: inlines(p.inline), GroupList: []string{}, AttachedManagedPolicies: attached(p.managed),
				PermissionsBoundary: boundary(p.boundary), Tags: tags(p.tags)}
			if len(p.inline) == 0 {
				u.UserPolicyList = nil
			}
			for _, g := range p.groups {
				u.GroupList = append(u.GroupList, g.name)
			}
			f.UserDetailList = append(f.UserDetailList, u)
		case "role":
			r := roleDetail{Path: p.path, RoleName: p.name, RoleId: p.id, Arn: p.arn, CreateDate: cliDate(p.created),
				AssumeRolePolicyDocument: p.trust, InstanceProfileList: []instanceProfile{}, RolePolicyList: inlines(p.inline),
				AttachedManagedPolicies: attached(p.managed), PermissionsBoundary: boundary(p.boundary), Tags: tags(p.tags),
				RoleLastUsed: lastUsed[p.key]}
			if p.lastUsed != nil {
				r.RoleLastUsed = roleLastUsed{LastUsedDate: cliDate(*p.lastUsed), Region: o.region(p.lastUsedR)}
			}
			if p.profile != "" {
				r.InstanceProfileList = append(r.InstanceProfileList, instanceProfile{
					Path: p.path, InstanceProfileName: p.profile, InstanceProfileId: "AIPA" + p.id[4:],
					Arn: "arn:aws:iam::" + Account + ":instance-profile" + p.path + p.profile, CreateDate: cliDate(p.created),
					Roles: []instanceProfileRole{{Path: p.path, RoleName: p.name, RoleId: p.id, Arn: p.arn,
						CreateDate: cliDate(p.created), AssumeRolePolicyDocument: p.trust}},
					Tags: []tag{},
				})
			}
			f.RoleDetailList = append(f.RoleDetailList, r)
		}
	}
	for _, g := range o.groups {
		for _, m := range g.managed {
			attach[m]++
		}
		f.GroupDetailList = append(f.GroupDetailList, groupDetail{Path: g.path, GroupName: g.name, GroupId: g.id,
			Arn: "arn:aws:iam::" + Account + ":group" + g.path + g.name, CreateDate: cliDate(g.created),
			GroupPolicyList: inlines(g.inline), AttachedManagedPolicies: attached(g.managed)})
	}
	for _, m := range o.policies {
		last := m.firstVersion + len(m.versions) - 1
		d := policyDetail{PolicyName: m.name, PolicyId: m.id, Arn: m.arn(), Path: m.path,
			DefaultVersionId: fmt.Sprintf("v%d", last), AttachmentCount: attach[m], PermissionsBoundaryUsageCount: bound[m],
			IsAttachable: true, Description: m.desc, CreateDate: cliDate(m.created), UpdateDate: cliDate(m.updated)}
		if m.aws {
			// The CLI does not print AWS managed policies' descriptions here.
			d.Description = ""
		}
		// Newest version first, as IAM lists them.
		for i := len(m.versions) - 1; i >= 0; i-- {
			created := m.updated
			if i < len(m.versions)-1 {
				created = m.created.Add(time.Duration(i) * 97 * 24 * time.Hour)
			}
			d.PolicyVersionList = append(d.PolicyVersionList, policyVersion{Document: m.versions[i],
				VersionId: fmt.Sprintf("v%d", m.firstVersion+i), IsDefaultVersion: i == len(m.versions)-1, CreateDate: cliDate(created)})
		}
		f.Policies = append(f.Policies, d)
	}
	// IAM lists entities by name.
	slices.SortFunc(f.UserDetailList, func(a, b userDetail) int { return cmpStr(a.UserName, b.UserName) })
	slices.SortFunc(f.RoleDetailList, func(a, b roleDetail) int { return cmpStr(a.RoleName, b.RoleName) })
	slices.SortFunc(f.GroupDetailList, func(a, b groupDetail) int { return cmpStr(a.GroupName, b.GroupName) })
	slices.SortFunc(f.Policies, func(a, b policyDetail) int { return cmpStr(a.PolicyName, b.PolicyName) })
	return f
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
