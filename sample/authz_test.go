package sample

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The strict shape of `aws iam get-account-authorization-details` output,
// after the AWS SDK's types (RoleDetail, UserDetail, GroupDetail,
// ManagedPolicyDetail). Decoding with DisallowUnknownFields rejects any
// field the real command does not print.
type gaadFile struct {
	UserDetailList  []gaadUser   `json:"UserDetailList"`
	GroupDetailList []gaadGroup  `json:"GroupDetailList"`
	RoleDetailList  []gaadRole   `json:"RoleDetailList"`
	Policies        []gaadPolicy `json:"Policies"`
	IsTruncated     *bool        `json:"IsTruncated"`
	Marker          *string      `json:"Marker"`
}

type gaadAttached struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type gaadInline struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

type gaadBoundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

type gaadTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type gaadUser struct {
	Path                    string         `json:"Path"`
	UserName                string         `json:"UserName"`
	UserId                  string         `json:"UserId"`
	Arn                     string         `json:"Arn"`
	CreateDate              string         `json:"CreateDate"`
	UserPolicyList          []gaadInline   `json:"UserPolicyList"`
	GroupList               []string       `json:"GroupList"`
	AttachedManagedPolicies []gaadAttached `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *gaadBoundary  `json:"PermissionsBoundary"`
	Tags                    []gaadTag      `json:"Tags"`
}

type gaadGroup struct {
	Path                    string         `json:"Path"`
	GroupName               string         `json:"GroupName"`
	GroupId                 string         `json:"GroupId"`
	Arn                     string         `json:"Arn"`
	CreateDate              string         `json:"CreateDate"`
	GroupPolicyList         []gaadInline   `json:"GroupPolicyList"`
	AttachedManagedPolicies []gaadAttached `json:"AttachedManagedPolicies"`
}

type gaadRoleRef struct {
	Path                     string          `json:"Path"`
	RoleName                 string          `json:"RoleName"`
	RoleId                   string          `json:"RoleId"`
	Arn                      string          `json:"Arn"`
	CreateDate               string          `json:"CreateDate"`
	AssumeRolePolicyDocument json.RawMessage `json:"AssumeRolePolicyDocument"`
	Description              string          `json:"Description"`
	MaxSessionDuration       *int            `json:"MaxSessionDuration"`
	Tags                     []gaadTag       `json:"Tags"`
}

type gaadProfile struct {
	Path                string        `json:"Path"`
	InstanceProfileName string        `json:"InstanceProfileName"`
	InstanceProfileId   string        `json:"InstanceProfileId"`
	Arn                 string        `json:"Arn"`
	CreateDate          string        `json:"CreateDate"`
	Roles               []gaadRoleRef `json:"Roles"`
	Tags                []gaadTag     `json:"Tags"`
}

type gaadRole struct {
	Path                     string          `json:"Path"`
	RoleName                 string          `json:"RoleName"`
	RoleId                   string          `json:"RoleId"`
	Arn                      string          `json:"Arn"`
	CreateDate               string          `json:"CreateDate"`
	AssumeRolePolicyDocument json.RawMessage `json:"AssumeRolePolicyDocument"`
	InstanceProfileList      []gaadProfile   `json:"InstanceProfileList"`
	RolePolicyList           []gaadInline    `json:"RolePolicyList"`
	AttachedManagedPolicies  []gaadAttached  `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *gaadBoundary   `json:"PermissionsBoundary"`
	Tags                     []gaadTag       `json:"Tags"`
	RoleLastUsed             *struct {
		LastUsedDate string `json:"LastUsedDate"`
		Region       string `json:"Region"`
	} `json:"RoleLastUsed"`
}

type gaadPolicy struct {
	PolicyName                    string `json:"PolicyName"`
	PolicyId                      string `json:"PolicyId"`
	Arn                           string `json:"Arn"`
	Path                          string `json:"Path"`
	DefaultVersionId              string `json:"DefaultVersionId"`
	AttachmentCount               int    `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount *int   `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `json:"IsAttachable"`
	Description                   string `json:"Description"`
	CreateDate                    string `json:"CreateDate"`
	UpdateDate                    string `json:"UpdateDate"`
	PolicyVersionList             []struct {
		Document         json.RawMessage `json:"Document"`
		VersionId        string          `json:"VersionId"`
		IsDefaultVersion bool            `json:"IsDefaultVersion"`
		CreateDate       string          `json:"CreateDate"`
	} `json:"PolicyVersionList"`
}

// TestStrictShapeMatchesRealOutput makes sure the strict struct above
// accepts real get-account-authorization-details files, so that it is a
// fair judge of ours.
func TestStrictShapeMatchesRealOutput(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "authz")
	files, _ := filepath.Glob(filepath.Join(dir, "example*.json"))
	if len(files) == 0 {
		t.Skipf("no real authorization details under %s (../shared not present)", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var g gaadFile
			readJSON(t, f, &g, true)
		})
	}
}

func TestAuthzFormat(t *testing.T) {
	dir, _ := generate(t, small)
	var g gaadFile
	readJSON(t, filepath.Join(dir, "authz.json"), &g, true)
	raw, err := os.ReadFile(filepath.Join(dir, "authz.json"))
	if err != nil {
		t.Fatal(err)
	}

	policies := map[string]gaadPolicy{}
	for _, p := range g.Policies {
		policies[p.Arn] = p
		defaults := 0
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion {
				defaults++
				if v.VersionId != p.DefaultVersionId {
					t.Errorf("%s: default version %s but DefaultVersionId %s", p.Arn, v.VersionId, p.DefaultVersionId)
				}
			}
			var d struct {
				Version   string           `json:"Version"`
				Statement []map[string]any `json:"Statement"`
			}
			if err := json.Unmarshal(v.Document, &d); err != nil || d.Version != "2012-10-17" || len(d.Statement) == 0 {
				t.Errorf("%s %s: Document is not a policy object: %v", p.Arn, v.VersionId, err)
			}
		}
		if defaults != 1 {
			t.Errorf("%s: %d default versions", p.Arn, defaults)
		}
		if strings.HasPrefix(p.Arn, "arn:aws:iam::aws:policy/") != (p.Path == "/" || strings.HasPrefix(p.Arn, "arn:aws:iam::aws:")) {
			t.Errorf("%s: path %s", p.Arn, p.Path)
		}
	}
	count := map[string]int{}
	check := func(who string, att []gaadAttached) {
		for _, a := range att {
			count[a.PolicyArn]++
			if _, ok := policies[a.PolicyArn]; !ok {
				t.Errorf("%s: attached %s is not in Policies", who, a.PolicyArn)
			}
		}
	}
	admins := 0
	for _, r := range g.RoleDetailList {
		check(r.Arn, r.AttachedManagedPolicies)
		if r.Arn != "arn:aws:iam::"+Account+":role"+r.Path+r.RoleName {
			t.Errorf("role ARN %s does not carry its path %s", r.Arn, r.Path)
		}
		if r.RoleLastUsed == nil {
			t.Errorf("%s: no RoleLastUsed", r.Arn)
		}
		for _, a := range r.AttachedManagedPolicies {
			if a.PolicyName == "AdministratorAccess" {
				admins++
			}
		}
	}
	for _, u := range g.UserDetailList {
		check(u.Arn, u.AttachedManagedPolicies)
	}
	for _, gr := range g.GroupDetailList {
		check(gr.Arn, gr.AttachedManagedPolicies)
	}
	for arn, p := range policies {
		if p.AttachmentCount != count[arn] {
			t.Errorf("%s: AttachmentCount %d, attached %d times", arn, p.AttachmentCount, count[arn])
		}
	}
	if len(g.RoleDetailList) != 23 || len(g.UserDetailList) != 4 || len(g.GroupDetailList) != 3 {
		t.Errorf("got %d roles, %d users, %d groups; want 23, 4, 3", len(g.RoleDetailList), len(g.UserDetailList), len(g.GroupDetailList))
	}
	if admins != 1 {
		t.Errorf("%d roles have AdministratorAccess, want 1", admins)
	}
	for _, want := range []string{`"NotAction"`, `"Effect": "Deny"`, `"Condition"`, `"PermissionsBoundary"`, `"InstanceProfileList": [` + "\n", `"Action": "*"`,
		`"s3:Get*"`, `"lambda:*"`, `arn:aws:iam::aws:policy/AmazonS3FullAccess`, `arn:aws:iam::aws:policy/ReadOnlyAccess`,
		`"RoleLastUsed": {}`, `"/aws-service-role/config.amazonaws.com/"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("authz.json has no %s", want)
		}
	}
	if !slices.ContainsFunc(g.Policies, func(p gaadPolicy) bool { return len(p.PolicyVersionList) > 2 }) {
		t.Error("no policy has several versions")
	}
}
