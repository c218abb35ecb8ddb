package sample

import (
	"encoding/json"
	"strings"

	awsorg "github.com/iamtrim/iamtrim/org"
)

// The sample's AWS Organizations organisation (org.json): two OUs, the
// sample account in Workloads, a sandbox account in Sandbox, and SCPs of
// the two kinds teams write most: a deny of IAM changes for everyone but
// the break-glass role (and the ops users' self-service keys), and a
// region restriction.
const (
	orgID             = "o-a1b2c3d4e5"
	orgRoot           = "r-a1b2"
	managementAccount = "999988887777"
	sandboxAccount    = "222233334444"
	ouWorkloads       = "ou-a1b2-workloads"
	ouSandbox         = "ou-a1b2-sandbox01"
	scpFullAccess     = "p-FullAWSAccess"
	scpDenyIAM        = "p-denyiamwrites"
	scpRegionLock     = "p-regionlock01"
	rcpOrgOnly        = "p-rcporgonly01"
	// denyIAMSid is the Sid of the SCP Deny that truth.json's blocked
	// actions name.
	denyIAMSid = "DenyIAMChangesExceptBreakGlass"
)

// denyIAMActions are the IAM changes the root SCP denies.
var denyIAMActions = []string{"iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Remove*", "iam:Update*", "iam:Upload*"}

// denyIAMExempt are the principals (ArnNotLike aws:PrincipalArn) the Deny
// spares: the break-glass role, and ops users rotating their own keys.
var denyIAMExempt = []string{"arn:aws:iam::*:role/break-glass", "arn:aws:iam::*:user/ops/*"}

func orgPolicy(id, name, typ string, managed bool, doc any) awsorg.Policy {
	var p awsorg.Policy
	kind := "service_control_policy"
	if typ == awsorg.TypeRCP {
		kind = "resource_control_policy"
	}
	p.PolicySummary.ID, p.PolicySummary.Name, p.PolicySummary.Type, p.PolicySummary.AWSManaged = id, name, typ, managed
	p.PolicySummary.ARN = "arn:aws:organizations::" + managementAccount + ":policy/" + orgID + "/" + kind + "/" + id
	if managed {
		p.PolicySummary.ARN = "arn:aws:organizations::aws:policy/" + kind + "/" + id
	}
	b, _ := json.Marshal(doc) // plain maps and slices: cannot fail
	p.Content = string(b)
	return p
}

type jm = map[string]any

func (o *org) organization() awsorg.File {
	var f awsorg.File
	f.Organization.ID, f.Organization.MasterAccountID = orgID, managementAccount
	f.Roots = append(f.Roots, struct {
		ID   string `json:"Id"`
		Name string `json:"Name,omitempty"`
	}{orgRoot, "Root"})
	f.OrganizationalUnits = []awsorg.Unit{
		{ID: ouWorkloads, Name: "Workloads", ParentID: orgRoot},
		{ID: ouSandbox, Name: "Sandbox", ParentID: orgRoot},
	}
	f.Accounts = []awsorg.Account{
		{ID: managementAccount, Name: "acme-management", Status: "ACTIVE", ParentID: orgRoot},
		{ID: Account, Name: "acme-prod", Status: "ACTIVE", ParentID: ouWorkloads},
		{ID: sandboxAccount, Name: "acme-sandbox", Status: "ACTIVE", ParentID: ouSandbox},
	}
	version := "2012-10-17"
	f.Policies = []awsorg.Policy{
		orgPolicy(scpFullAccess, "FullAWSAccess", awsorg.TypeSCP, true, jm{"Version": version, "Statement": []jm{
			{"Effect": "Allow", "Action": "*", "Resource": "*"}}}),
		orgPolicy(scpDenyIAM, "DenyIAMChanges", awsorg.TypeSCP, false, jm{"Version": version, "Statement": []jm{
			{"Sid": denyIAMSid, "Effect": "Deny", "Action": denyIAMActions, "Resource": "*",
				"Condition": jm{"ArnNotLike": jm{"aws:PrincipalArn": denyIAMExempt}}}}}),
		orgPolicy(scpRegionLock, "RegionLock", awsorg.TypeSCP, false, jm{"Version": version, "Statement": []jm{
			{"Sid": "DenyOutsideApprovedRegions", "Effect": "Deny",
				"NotAction": []string{"iam:*", "sts:*", "organizations:*", "cloudfront:*", "route53:*", "support:*", "budgets:*", "health:*"},
				"Resource":  "*", "Condition": jm{"StringNotEquals": jm{"aws:RequestedRegion": o.regions}}}}}),
		orgPolicy(rcpOrgOnly, "OrgOnlyS3", awsorg.TypeRCP, false, jm{"Version": version, "Statement": []jm{
			{"Sid": "DenyOutsideTheOrganisation", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
				"Condition": jm{"StringNotEqualsIfExists": jm{"aws:PrincipalOrgID": orgID}, "BoolIfExists": jm{"aws:PrincipalIsAWSService": "false"}}}}}),
	}
	f.Targets = map[string][]string{
		orgRoot:           {scpFullAccess, scpDenyIAM, rcpOrgOnly},
		ouWorkloads:       {scpFullAccess, scpRegionLock},
		ouSandbox:         {scpFullAccess},
		managementAccount: {scpFullAccess},
		Account:           {scpFullAccess},
		sandboxAccount:    {scpFullAccess},
	}
	return f
}

// TruthOrg is truth.json's organization: what the sample organisation's
// SCPs make ineffective. RegionLock's Deny depends on the region of each
// call, so it blocks no action outright; DenyIAMChanges's depends only on
// the principal, so it blocks every action matching Actions for every
// principal of the sample account but the Exempt ones.
type TruthOrg struct {
	File              string            `json:"file"`
	ManagementAccount string            `json:"managementAccount"`
	AccountNames      map[string]string `json:"accountNames"`
	BlockedBySCP      TruthSCPBlock     `json:"blockedBySCP"`
}

// TruthSCPBlock is one SCP Deny statement and whom it binds.
type TruthSCPBlock struct {
	Policy  string   `json:"policy"` // as analyze names it: "Name (id)"
	Sid     string   `json:"sid"`
	Level   string   `json:"level"`
	Actions []string `json:"actions"`
	// Exempt are the sample's principals the Deny does not bind: those its
	// condition spares, and service-linked roles (SCPs never bind them).
	Exempt []string `json:"exempt"`
}

func (o *org) truthOrg() *TruthOrg {
	t := &TruthOrg{File: "org.json", ManagementAccount: managementAccount,
		AccountNames: map[string]string{managementAccount: "acme-management", Account: "acme-prod", sandboxAccount: "acme-sandbox"},
		BlockedBySCP: TruthSCPBlock{Policy: "DenyIAMChanges (" + scpDenyIAM + ")", Sid: denyIAMSid, Level: "root " + orgRoot,
			Actions: denyIAMActions, Exempt: []string{}}}
	for _, p := range o.principals {
		if p.kind != "role" && p.kind != "user" {
			continue
		}
		spared := strings.HasPrefix(p.path, "/aws-service-role/") ||
			p.kind == "role" && p.name == "break-glass" ||
			p.kind == "user" && strings.HasPrefix(p.path, "/ops/")
		if spared {
			t.BlockedBySCP.Exempt = append(t.BlockedBySCP.Exempt, p.arn)
		}
	}
	return t
}
