package authz

import "encoding/json"

// Details is one page of `aws iam get-account-authorization-details` output,
// field for field as the AWS CLI prints it and as the IAM API returns it.
// Files decode into it; package iamsrc converts live API pages into it, so
// both sources go through the same NewInventory.
//
// Dates are kept as text: the CLI prints "2019-08-16 17:27:59+00:00" or
// "2019-08-16T17:27:59Z" depending on its version, and NewInventory parses
// both. Policy documents are kept raw: a JSON object in files, a JSON string
// holding the URL-encoded text as the API returns it.
type Details struct {
	UserDetailList  []UserDetail   `json:"UserDetailList,omitempty"`
	GroupDetailList []GroupDetail  `json:"GroupDetailList,omitempty"`
	RoleDetailList  []RoleDetail   `json:"RoleDetailList,omitempty"`
	Policies        []PolicyDetail `json:"Policies,omitempty"`
	IsTruncated     bool           `json:"IsTruncated,omitempty"`
	Marker          string         `json:"Marker,omitempty"`
}

// UserDetail is one entry of UserDetailList.
type UserDetail struct {
	Path                    string               `json:"Path,omitempty"`
	UserName                string               `json:"UserName,omitempty"`
	UserID                  string               `json:"UserId,omitempty"`
	Arn                     string               `json:"Arn,omitempty"`
	CreateDate              string               `json:"CreateDate,omitempty"`
	UserPolicyList          []InlinePolicy       `json:"UserPolicyList,omitempty"`
	GroupList               []string             `json:"GroupList,omitempty"`
	AttachedManagedPolicies []AttachedPolicy     `json:"AttachedManagedPolicies,omitempty"`
	PermissionsBoundary     *PermissionsBoundary `json:"PermissionsBoundary,omitempty"`
	Tags                    []Tag                `json:"Tags,omitempty"`
}

// GroupDetail is one entry of GroupDetailList.
type GroupDetail struct {
	Path                    string           `json:"Path,omitempty"`
	GroupName               string           `json:"GroupName,omitempty"`
	GroupID                 string           `json:"GroupId,omitempty"`
	Arn                     string           `json:"Arn,omitempty"`
	CreateDate              string           `json:"CreateDate,omitempty"`
	GroupPolicyList         []InlinePolicy   `json:"GroupPolicyList,omitempty"`
	AttachedManagedPolicies []AttachedPolicy `json:"AttachedManagedPolicies,omitempty"`
}

// RoleDetail is one entry of RoleDetailList.
type RoleDetail struct {
	Path                     string               `json:"Path,omitempty"`
	RoleName                 string               `json:"RoleName,omitempty"`
	RoleID                   string               `json:"RoleId,omitempty"`
	Arn                      string               `json:"Arn,omitempty"`
	CreateDate               string               `json:"CreateDate,omitempty"`
	AssumeRolePolicyDocument json.RawMessage      `json:"AssumeRolePolicyDocument,omitempty"`
	InstanceProfileList      []InstanceProfile    `json:"InstanceProfileList,omitempty"`
	RolePolicyList           []InlinePolicy       `json:"RolePolicyList,omitempty"`
	AttachedManagedPolicies  []AttachedPolicy     `json:"AttachedManagedPolicies,omitempty"`
	PermissionsBoundary      *PermissionsBoundary `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag                `json:"Tags,omitempty"`
	RoleLastUsed             *RoleLastUsed        `json:"RoleLastUsed,omitempty"`
}

// PolicyDetail is one entry of Policies: a managed policy with its versions.
type PolicyDetail struct {
	PolicyName        string          `json:"PolicyName,omitempty"`
	PolicyID          string          `json:"PolicyId,omitempty"`
	Arn               string          `json:"Arn,omitempty"`
	Path              string          `json:"Path,omitempty"`
	DefaultVersionID  string          `json:"DefaultVersionId,omitempty"`
	AttachmentCount   int             `json:"AttachmentCount,omitempty"`
	IsAttachable      bool            `json:"IsAttachable,omitempty"`
	Description       string          `json:"Description,omitempty"`
	CreateDate        string          `json:"CreateDate,omitempty"`
	UpdateDate        string          `json:"UpdateDate,omitempty"`
	PolicyVersionList []PolicyVersion `json:"PolicyVersionList,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         json.RawMessage `json:"Document,omitempty"`
	VersionID        string          `json:"VersionId,omitempty"`
	IsDefaultVersion bool            `json:"IsDefaultVersion,omitempty"`
	CreateDate       string          `json:"CreateDate,omitempty"`
}

// InlinePolicy is an entry of RolePolicyList, UserPolicyList or
// GroupPolicyList.
type InlinePolicy struct {
	PolicyName     string          `json:"PolicyName,omitempty"`
	PolicyDocument json.RawMessage `json:"PolicyDocument,omitempty"`
}

// AttachedPolicy names a managed policy attached to a principal or group.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName,omitempty"`
	PolicyArn  string `json:"PolicyArn,omitempty"`
}

// PermissionsBoundary is a role's or user's permissions boundary.
type PermissionsBoundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType,omitempty"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn,omitempty"`
}

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// RoleLastUsed says when and where a role was last used. IAM tracks it for
// a trailing window only (400 days), so an empty value means "not recently",
// not "never".
type RoleLastUsed struct {
	LastUsedDate string `json:"LastUsedDate,omitempty"`
	Region       string `json:"Region,omitempty"`
}

// InstanceProfile is an instance profile a role belongs to. Only the fields
// iamtrim keeps are decoded (the CLI repeats the whole role inside).
type InstanceProfile struct {
	InstanceProfileName string `json:"InstanceProfileName,omitempty"`
	Arn                 string `json:"Arn,omitempty"`
}
