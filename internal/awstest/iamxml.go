package awstest

import (
	"encoding/xml"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/iamsrc/iamtest"
)

// AuthorizationDetailsResponse is the IAM answer to
// GetAccountAuthorizationDetails holding d; a non-empty marker says more
// pages follow and names the next one.
func AuthorizationDetailsResponse(d *authz.Details, marker string) any {
	res := toXML(d)
	if marker != "" {
		res.IsTruncated, res.Marker = true, marker
	}
	return struct {
		XMLName  xml.Name   `xml:"https://iam.amazonaws.com/doc/2010-05-08/ GetAccountAuthorizationDetailsResponse"`
		Result   xmlDetails `xml:"GetAccountAuthorizationDetailsResult"`
		Metadata string     `xml:"ResponseMetadata>RequestId"`
	}{Result: res, Metadata: "req-1"}
}

// The IAM wire shapes: lists are <Name><member>…</member></Name>.
type xmlDetails struct {
	UserDetailList  []xmlUser   `xml:"UserDetailList>member"`
	GroupDetailList []xmlGroup  `xml:"GroupDetailList>member"`
	RoleDetailList  []xmlRole   `xml:"RoleDetailList>member"`
	Policies        []xmlPolicy `xml:"Policies>member"`
	IsTruncated     bool
	Marker          string `xml:",omitempty"`
}

type xmlUser struct {
	Path, UserName, UserId, Arn, CreateDate string        `xml:",omitempty"`
	UserPolicyList                          []xmlInline   `xml:"UserPolicyList>member"`
	GroupList                               []string      `xml:"GroupList>member"`
	AttachedManagedPolicies                 []xmlAttached `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary                     *authz.PermissionsBoundary
	Tags                                    []authz.Tag `xml:"Tags>member"`
}

type xmlGroup struct {
	Path, GroupName, GroupId, Arn, CreateDate string        `xml:",omitempty"`
	GroupPolicyList                           []xmlInline   `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies                   []xmlAttached `xml:"AttachedManagedPolicies>member"`
}

type xmlRole struct {
	Path, RoleName, RoleId, Arn, CreateDate string `xml:",omitempty"`
	AssumeRolePolicyDocument                string
	InstanceProfileList                     []authz.InstanceProfile `xml:"InstanceProfileList>member"`
	RolePolicyList                          []xmlInline             `xml:"RolePolicyList>member"`
	AttachedManagedPolicies                 []xmlAttached           `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary                     *authz.PermissionsBoundary
	Tags                                    []authz.Tag `xml:"Tags>member"`
	RoleLastUsed                            *xmlLastUsed
}

// xmlLastUsed leaves out what is not known, as IAM does: an empty
// timestamp element does not parse.
type xmlLastUsed struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

func lastUsedXML(u *authz.RoleLastUsed) *xmlLastUsed {
	if u == nil || u.LastUsedDate == "" && u.Region == "" {
		return nil
	}
	return &xmlLastUsed{u.LastUsedDate, u.Region}
}

type xmlPolicy struct {
	PolicyName, PolicyId, Arn, Path, DefaultVersionId string `xml:",omitempty"`
	AttachmentCount                                   int
	IsAttachable                                      bool
	CreateDate, UpdateDate                            string       `xml:",omitempty"`
	PolicyVersionList                                 []xmlVersion `xml:"PolicyVersionList>member"`
}

type xmlVersion struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string `xml:",omitempty"`
}

type xmlInline struct{ PolicyName, PolicyDocument string }
type xmlAttached struct{ PolicyName, PolicyArn string }

// encodeDoc URL-encodes a document as IAM does.
var encodeDoc = iamtest.EncodeDoc

func inlineXML(list []authz.InlinePolicy) []xmlInline {
	var out []xmlInline
	for _, p := range list {
		out = append(out, xmlInline{p.PolicyName, encodeDoc(p.PolicyDocument)})
	}
	return out
}

func attachedXML(list []authz.AttachedPolicy) []xmlAttached {
	var out []xmlAttached
	for _, p := range list {
		out = append(out, xmlAttached{p.PolicyName, p.PolicyArn})
	}
	return out
}

func toXML(d *authz.Details) xmlDetails {
	var x xmlDetails
	for _, u := range d.UserDetailList {
		x.UserDetailList = append(x.UserDetailList, xmlUser{u.Path, u.UserName, u.UserID, u.Arn, u.CreateDate,
			inlineXML(u.UserPolicyList), u.GroupList, attachedXML(u.AttachedManagedPolicies), u.PermissionsBoundary, u.Tags})
	}
	for _, g := range d.GroupDetailList {
		x.GroupDetailList = append(x.GroupDetailList, xmlGroup{g.Path, g.GroupName, g.GroupID, g.Arn, g.CreateDate,
			inlineXML(g.GroupPolicyList), attachedXML(g.AttachedManagedPolicies)})
	}
	for _, r := range d.RoleDetailList {
		x.RoleDetailList = append(x.RoleDetailList, xmlRole{r.Path, r.RoleName, r.RoleID, r.Arn, r.CreateDate,
			encodeDoc(r.AssumeRolePolicyDocument), r.InstanceProfileList, inlineXML(r.RolePolicyList),
			attachedXML(r.AttachedManagedPolicies), r.PermissionsBoundary, r.Tags, lastUsedXML(r.RoleLastUsed)})
	}
	for _, p := range d.Policies {
		xp := xmlPolicy{p.PolicyName, p.PolicyID, p.Arn, p.Path, p.DefaultVersionID, p.AttachmentCount, p.IsAttachable, p.CreateDate, p.UpdateDate, nil}
		for _, v := range p.PolicyVersionList {
			xp.PolicyVersionList = append(xp.PolicyVersionList, xmlVersion{encodeDoc(v.Document), v.VersionID, v.IsDefaultVersion, v.CreateDate})
		}
		x.Policies = append(x.Policies, xp)
	}
	return x
}
