package iamsrc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamtrim/iamtrim/authz"
)

// FetchPrincipal reads one role's (or user's) authorization details, not
// the whole account's: iam:GetRole, ListRolePolicies and GetRolePolicy,
// ListAttachedRolePolicies, and GetPolicy and GetPolicyVersion for each
// attached managed policy and the permissions boundary; for a user
// GetUser, its inline and attached policies and those of each group
// (ListGroupsForUser). name is a role or user name or ARN. A name IAM does
// not know is an *authz.NameError with the closest role and user names
// (iam:ListRoles, ListUsers).
func FetchPrincipal(ctx context.Context, client *iam.Client, name string, log *slog.Logger) (*authz.Details, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	kind, short := "", strings.TrimSpace(name)
	if strings.HasPrefix(short, "arn:") {
		_, res, _ := strings.Cut(short, ":iam::")
		if _, res, ok := strings.Cut(res, ":"); ok {
			kind, short, _ = strings.Cut(res, "/")
			if i := strings.LastIndex(short, "/"); i >= 0 {
				short = short[i+1:]
			}
		}
	}
	d := &authz.Details{}
	var policyARNs []string
	if kind != "user" {
		arns, err := fetchRole(ctx, client, short, d)
		if err == nil {
			policyARNs = arns
		} else if !isNoSuchEntity(err) || kind == "role" {
			return nil, notFound(ctx, client, name, err)
		}
	}
	if len(d.RoleDetailList) == 0 {
		arns, err := fetchUser(ctx, client, short, d)
		if err != nil {
			return nil, notFound(ctx, client, name, err)
		}
		policyARNs = arns
	}
	slices.Sort(policyARNs)
	for _, arn := range slices.Compact(policyARNs) {
		pd, err := fetchManaged(ctx, client, arn)
		if err != nil {
			return nil, err
		}
		d.Policies = append(d.Policies, pd)
	}
	log.Debug("fetched principal", "principal", name, "roles", len(d.RoleDetailList), "users", len(d.UserDetailList), "policies", len(d.Policies))
	return d, nil
}

func isNoSuchEntity(err error) bool {
	var nse *types.NoSuchEntityException
	return errors.As(err, &nse)
}

// notFound turns NoSuchEntity into a NameError with suggestions; any other
// error is returned as it is.
func notFound(ctx context.Context, client *iam.Client, name string, err error) error {
	if !isNoSuchEntity(err) {
		return err
	}
	var ps []authz.Principal
	rp := iam.NewListRolesPaginator(client, &iam.ListRolesInput{})
	for rp.HasMorePages() {
		out, lerr := rp.NextPage(ctx)
		if lerr != nil {
			return &authz.NameError{Name: name, Err: authz.ErrNoPrincipal}
		}
		for _, r := range out.Roles {
			ps = append(ps, authz.Principal{ARN: aws.ToString(r.Arn), Name: aws.ToString(r.RoleName), Type: authz.TypeRole})
		}
	}
	up := iam.NewListUsersPaginator(client, &iam.ListUsersInput{})
	for up.HasMorePages() {
		out, lerr := up.NextPage(ctx)
		if lerr != nil {
			break
		}
		for _, u := range out.Users {
			ps = append(ps, authz.Principal{ARN: aws.ToString(u.Arn), Name: aws.ToString(u.UserName), Type: authz.TypeUser})
		}
	}
	if _, rerr := authz.ResolvePrincipal(ps, name); rerr != nil {
		return rerr
	}
	// Listed but not readable by name (deleted meanwhile): say so.
	return &authz.NameError{Name: name, Err: authz.ErrNoPrincipal}
}

func fetchRole(ctx context.Context, client *iam.Client, name string, d *authz.Details) ([]string, error) {
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	r := out.Role
	rd := authz.RoleDetail{
		Path:                     aws.ToString(r.Path),
		RoleName:                 aws.ToString(r.RoleName),
		RoleID:                   aws.ToString(r.RoleId),
		Arn:                      aws.ToString(r.Arn),
		CreateDate:               date(r.CreateDate),
		AssumeRolePolicyDocument: document(r.AssumeRolePolicyDocument),
		PermissionsBoundary:      boundary(r.PermissionsBoundary),
		Tags:                     tags(r.Tags),
	}
	if lu := r.RoleLastUsed; lu != nil && lu.LastUsedDate != nil {
		rd.RoleLastUsed = &authz.RoleLastUsed{LastUsedDate: date(lu.LastUsedDate), Region: aws.ToString(lu.Region)}
	}
	p := iam.NewListRolePoliciesPaginator(client, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list inline policies of role %s: %w", name, err)
		}
		for _, pn := range page.PolicyNames {
			doc, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: r.RoleName, PolicyName: aws.String(pn)})
			if err != nil {
				return nil, fmt.Errorf("get inline policy %s of role %s: %w", pn, name, err)
			}
			rd.RolePolicyList = append(rd.RolePolicyList, authz.InlinePolicy{PolicyName: pn, PolicyDocument: document(doc.PolicyDocument)})
		}
	}
	ap := iam.NewListAttachedRolePoliciesPaginator(client, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list attached policies of role %s: %w", name, err)
		}
		rd.AttachedManagedPolicies = append(rd.AttachedManagedPolicies, attached(page.AttachedPolicies)...)
	}
	d.RoleDetailList = append(d.RoleDetailList, rd)
	return managedARNs(rd.AttachedManagedPolicies, rd.PermissionsBoundary), nil
}

func fetchUser(ctx context.Context, client *iam.Client, name string, d *authz.Details) ([]string, error) {
	out, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	u := out.User
	ud := authz.UserDetail{
		Path:                aws.ToString(u.Path),
		UserName:            aws.ToString(u.UserName),
		UserID:              aws.ToString(u.UserId),
		Arn:                 aws.ToString(u.Arn),
		CreateDate:          date(u.CreateDate),
		PermissionsBoundary: boundary(u.PermissionsBoundary),
		Tags:                tags(u.Tags),
	}
	p := iam.NewListUserPoliciesPaginator(client, &iam.ListUserPoliciesInput{UserName: u.UserName})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list inline policies of user %s: %w", name, err)
		}
		for _, pn := range page.PolicyNames {
			doc, err := client.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: u.UserName, PolicyName: aws.String(pn)})
			if err != nil {
				return nil, fmt.Errorf("get inline policy %s of user %s: %w", pn, name, err)
			}
			ud.UserPolicyList = append(ud.UserPolicyList, authz.InlinePolicy{PolicyName: pn, PolicyDocument: document(doc.PolicyDocument)})
		}
	}
	ap := iam.NewListAttachedUserPoliciesPaginator(client, &iam.ListAttachedUserPoliciesInput{UserName: u.UserName})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list attached policies of user %s: %w", name, err)
		}
		ud.AttachedManagedPolicies = append(ud.AttachedManagedPolicies, attached(page.AttachedPolicies)...)
	}
	arns := managedARNs(ud.AttachedManagedPolicies, ud.PermissionsBoundary)
	gp := iam.NewListGroupsForUserPaginator(client, &iam.ListGroupsForUserInput{UserName: u.UserName})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list groups of user %s: %w", name, err)
		}
		for _, g := range page.Groups {
			gd, err := fetchGroup(ctx, client, g)
			if err != nil {
				return nil, err
			}
			ud.GroupList = append(ud.GroupList, gd.GroupName)
			d.GroupDetailList = append(d.GroupDetailList, gd)
			arns = append(arns, managedARNs(gd.AttachedManagedPolicies, nil)...)
		}
	}
	d.UserDetailList = append(d.UserDetailList, ud)
	return arns, nil
}

func fetchGroup(ctx context.Context, client *iam.Client, g types.Group) (authz.GroupDetail, error) {
	gd := authz.GroupDetail{Path: aws.ToString(g.Path), GroupName: aws.ToString(g.GroupName), GroupID: aws.ToString(g.GroupId), Arn: aws.ToString(g.Arn), CreateDate: date(g.CreateDate)}
	p := iam.NewListGroupPoliciesPaginator(client, &iam.ListGroupPoliciesInput{GroupName: g.GroupName})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return gd, fmt.Errorf("list inline policies of group %s: %w", gd.GroupName, err)
		}
		for _, pn := range page.PolicyNames {
			doc, err := client.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: g.GroupName, PolicyName: aws.String(pn)})
			if err != nil {
				return gd, fmt.Errorf("get inline policy %s of group %s: %w", pn, gd.GroupName, err)
			}
			gd.GroupPolicyList = append(gd.GroupPolicyList, authz.InlinePolicy{PolicyName: pn, PolicyDocument: document(doc.PolicyDocument)})
		}
	}
	ap := iam.NewListAttachedGroupPoliciesPaginator(client, &iam.ListAttachedGroupPoliciesInput{GroupName: g.GroupName})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return gd, fmt.Errorf("list attached policies of group %s: %w", gd.GroupName, err)
		}
		gd.AttachedManagedPolicies = append(gd.AttachedManagedPolicies, attached(page.AttachedPolicies)...)
	}
	return gd, nil
}

func managedARNs(list []authz.AttachedPolicy, b *authz.PermissionsBoundary) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.PolicyArn)
	}
	if b != nil {
		out = append(out, b.PermissionsBoundaryArn)
	}
	return out
}

// fetchManaged reads a managed policy and its default version's document.
func fetchManaged(ctx context.Context, client *iam.Client, arn string) (authz.PolicyDetail, error) {
	out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return authz.PolicyDetail{}, fmt.Errorf("get managed policy %s: %w", arn, err)
	}
	p := out.Policy
	pd := authz.PolicyDetail{
		PolicyName:       aws.ToString(p.PolicyName),
		PolicyID:         aws.ToString(p.PolicyId),
		Arn:              aws.ToString(p.Arn),
		Path:             aws.ToString(p.Path),
		DefaultVersionID: aws.ToString(p.DefaultVersionId),
		AttachmentCount:  int(aws.ToInt32(p.AttachmentCount)),
		IsAttachable:     p.IsAttachable,
		Description:      aws.ToString(p.Description),
		CreateDate:       date(p.CreateDate),
		UpdateDate:       date(p.UpdateDate),
	}
	v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: p.DefaultVersionId})
	if err != nil {
		return pd, fmt.Errorf("get version %s of managed policy %s: %w", pd.DefaultVersionID, arn, err)
	}
	pd.PolicyVersionList = []authz.PolicyVersion{{
		Document:         document(v.PolicyVersion.Document),
		VersionID:        aws.ToString(v.PolicyVersion.VersionId),
		IsDefaultVersion: true,
		CreateDate:       date(v.PolicyVersion.CreateDate),
	}}
	return pd, nil
}
