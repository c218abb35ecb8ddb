// Package orgsrc reads an organisation live from AWS Organizations
// (DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent,
// ListAccountsForParent, ListPoliciesForTarget for SCPs and RCPs,
// DescribePolicy) into the org.File layout that `iamtrim ingest org FILE`
// reads, so both paths share org.Build's checks.
package orgsrc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
	"github.com/iamtrim/iamtrim/org"
)

// API is the part of the Organizations client Fetch uses.
type API interface {
	organizations.ListRootsAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListPoliciesForTargetAPIClient
	DescribeOrganization(ctx context.Context, in *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	DescribePolicy(ctx context.Context, in *organizations.DescribePolicyInput, optFns ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
}

// Options say how to reach Organizations.
type Options struct {
	Profile, AssumeRole, Region string
	// EndpointURL overrides the Organizations and STS endpoints (tests,
	// local stacks).
	EndpointURL string
	// MaxAttempts and MaxBackoff tune the retryer (TooManyRequestsException
	// is retried with backoff); zero means awsconf's defaults.
	MaxAttempts int
	MaxBackoff  time.Duration
}

// MaxTargets bounds the roots, OUs and accounts Fetch walks: AWS's own
// quotas keep an organisation far below it, so a larger answer is refused
// rather than followed without end.
const MaxTargets = 200_000

// ErrNotManagement is wrapped by the error Fetch returns when
// Organizations refuses the listing calls: only the management account
// or a delegated administrator may make them.
var ErrNotManagement = errors.New("only the organisation's management account or a delegated administrator for AWS Organizations can list it")

// New returns a client for opts.
func New(ctx context.Context, opts Options, log *slog.Logger) (*organizations.Client, error) {
	cfg, err := awsconf.Load(ctx, awsconf.Options{Profile: opts.Profile, AssumeRole: opts.AssumeRole, Region: opts.Region,
		STSEndpoint: opts.EndpointURL, MaxAttempts: opts.MaxAttempts, MaxBackoff: opts.MaxBackoff, Log: log})
	if err != nil {
		return nil, err
	}
	return organizations.NewFromConfig(cfg, func(o *organizations.Options) {
		if opts.EndpointURL != "" {
			o.BaseEndpoint = aws.String(opts.EndpointURL)
		}
	}), nil
}

// Fetch reads the whole organisation: the tree breadth first from the
// root, then the SCPs and RCPs attached to every root, OU and account,
// then each distinct policy's content. It checks ctx between calls.
func Fetch(ctx context.Context, api API, log *slog.Logger) (*org.File, error) {
	var f org.File
	f.Targets = map[string][]string{}
	d, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, explain(err)
	}
	if d.Organization != nil {
		f.Organization.ID = aws.ToString(d.Organization.Id)
		f.Organization.MasterAccountID = aws.ToString(d.Organization.MasterAccountId)
	}
	roots := organizations.NewListRootsPaginator(api, &organizations.ListRootsInput{})
	var queue []string
	for roots.HasMorePages() {
		page, err := roots.NextPage(ctx)
		if err != nil {
			return nil, explain(err)
		}
		for _, r := range page.Roots {
			f.Roots = append(f.Roots, struct {
				ID   string `json:"Id"`
				Name string `json:"Name,omitempty"`
			}{aws.ToString(r.Id), aws.ToString(r.Name)})
			queue = append(queue, aws.ToString(r.Id))
		}
	}
	targets := slices.Clone(queue)
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ous := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for ous.HasMorePages() {
			page, err := ous.NextPage(ctx)
			if err != nil {
				return nil, explain(err)
			}
			for _, u := range page.OrganizationalUnits {
				id := aws.ToString(u.Id)
				f.OrganizationalUnits = append(f.OrganizationalUnits, org.Unit{ID: id, Name: aws.ToString(u.Name), ParentID: parent})
				queue = append(queue, id)
				targets = append(targets, id)
			}
		}
		accts := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for accts.HasMorePages() {
			page, err := accts.NextPage(ctx)
			if err != nil {
				return nil, explain(err)
			}
			for _, a := range page.Accounts {
				id := aws.ToString(a.Id)
				f.Accounts = append(f.Accounts, org.Account{ID: id, Name: aws.ToString(a.Name), Status: string(a.Status), ParentID: parent})
				targets = append(targets, id)
			}
		}
		if len(targets) > MaxTargets {
			return nil, fmt.Errorf("organisation: more than %d roots, OUs and accounts listed: refused", MaxTargets)
		}
	}
	log.Info("organisation listed", "accounts", len(f.Accounts), "ous", len(f.OrganizationalUnits))

	seen := map[string]bool{}
	var ids []string
	rcpsOff := false
	for _, t := range targets {
		for _, typ := range []types.PolicyType{types.PolicyTypeServiceControlPolicy, types.PolicyTypeResourceControlPolicy} {
			if typ == types.PolicyTypeResourceControlPolicy && rcpsOff {
				continue
			}
			pages := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(t), Filter: typ})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				var api smithy.APIError
				if typ == types.PolicyTypeResourceControlPolicy && errors.As(err, &api) && api.ErrorCode() == "PolicyTypeNotEnabledException" {
					log.Info("resource control policies are not enabled in the organisation")
					rcpsOff = true
					break
				}
				if err != nil {
					return nil, explain(err)
				}
				for _, p := range page.Policies {
					id := aws.ToString(p.Id)
					f.Targets[t] = append(f.Targets[t], id)
					if !seen[id] {
						seen[id] = true
						ids = append(ids, id)
					}
				}
			}
		}
	}
	for _, id := range ids {
		out, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
		if err != nil {
			return nil, explain(err)
		}
		if out.Policy == nil || out.Policy.PolicySummary == nil {
			return nil, fmt.Errorf("organizations DescribePolicy %s: no policy in the answer", id)
		}
		var p org.Policy
		s := out.Policy.PolicySummary
		p.PolicySummary.ID, p.PolicySummary.ARN, p.PolicySummary.Name = aws.ToString(s.Id), aws.ToString(s.Arn), aws.ToString(s.Name)
		p.PolicySummary.Type, p.PolicySummary.AWSManaged = string(s.Type), s.AwsManaged
		p.Content = aws.ToString(out.Policy.Content)
		f.Policies = append(f.Policies, p)
	}
	log.Info("organisation policies read", "policies", len(f.Policies), "targets", len(f.Targets))
	return &f, nil
}

// explain says what a user can do about the failures that stop a listing.
func explain(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException", "AccessDenied":
			return &awsconf.Error{Err: fmt.Errorf("%w: %w", ErrNotManagement, err), Msg: fmt.Sprintf(
				"AWS Organizations denied the listing (%s: %s): run 'iamtrim ingest org aws' with credentials of the management account or of a delegated administrator for Organizations, holding the organizations:Describe*/List* permissions in %s; or assemble the file as README \"Organisation file\" shows",
				api.ErrorCode(), api.ErrorMessage(), awsconf.ReadonlyPolicy)}
		case "AWSOrganizationsNotInUseException":
			return &awsconf.Error{Err: err, Msg: "this account is not a member of an organisation (AWSOrganizationsNotInUseException): there are no SCPs to load"}
		}
	}
	return awsconf.Explain(err)
}
