package iamsrc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamtrim/iamtrim/authz"
	"github.com/iamtrim/iamtrim/ingest/awsconf"
)

// DefaultMaxAttempts is how many times one page request is tried before a
// throttling or transient error is given up on. GetAccountAuthorizationDetails
// is throttled hard on large accounts, so this is well above the SDK's 3.
const DefaultMaxAttempts = 10

// Options configure NewClient. The zero value uses the SDK's default
// credential chain and region resolution, with IAM's global endpoint.
type Options struct {
	// Region for signing; IAM is global, so "us-east-1" when nothing else
	// (flag, AWS_REGION, profile) says otherwise.
	Region string
	// Profile is a shared config profile (--profile); empty means default.
	Profile string
	// BaseEndpoint overrides the IAM and STS endpoint (tests, proxies).
	BaseEndpoint string
	// AssumeRole is a role ARN to assume with STS before calling IAM
	// (--assume-role); empty calls IAM with the base credentials.
	AssumeRole string
	// ExternalID is sent with AssumeRole when set.
	ExternalID string
	// SessionName names the assumed-role session; default "iamtrim".
	SessionName string
	// MaxAttempts per request, retries included; default DefaultMaxAttempts.
	MaxAttempts int
	// MaxBackoff caps the wait between retries; 0 keeps the SDK's 20s.
	MaxBackoff time.Duration
	// Credentials replace the default chain as the base credentials.
	Credentials aws.CredentialsProvider
	// HTTPClient replaces the SDK's HTTP client.
	HTTPClient *http.Client
	// Log receives a line at info for each retry (throttling, an
	// unreachable endpoint); nil logs nothing. FetchAccounts sets it.
	Log *slog.Logger
}

// NewClient returns an IAM client configured from opts: profile, region,
// endpoint override, retries for throttling, and, when opts.AssumeRole is
// set, credentials from sts:AssumeRole (refreshed as they expire).
func NewClient(ctx context.Context, opts Options) (*iam.Client, error) {
	var lo []func(*config.LoadOptions) error
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Credentials != nil {
		lo = append(lo, config.WithCredentialsProvider(opts.Credentials))
	}
	if opts.HTTPClient != nil {
		lo = append(lo, config.WithHTTPClient(opts.HTTPClient))
	}
	if opts.BaseEndpoint != "" {
		lo = append(lo, config.WithBaseEndpoint(opts.BaseEndpoint))
	}
	attempts := opts.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	lo = append(lo, awsconf.RetryOptions(attempts, opts.MaxBackoff, opts.Log)...)
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if opts.AssumeRole != "" {
		session := opts.SessionName
		if session == "" {
			session = "iamtrim"
		}
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), opts.AssumeRole, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
			if opts.ExternalID != "" {
				o.ExternalID = aws.String(opts.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(prov)
	}
	return iam.NewFromConfig(cfg), nil
}

// Fetch reads the whole authorization inventory of the account client's
// credentials belong to: every page of GetAccountAuthorizationDetails
// (users, groups, roles, local and AWS managed policies), built into an
// Inventory. Throttling is retried by the client's retryer (NewClient sets
// a generous one).
func Fetch(ctx context.Context, client *iam.Client, log *slog.Logger) (*authz.Inventory, error) {
	pages, err := FetchDetails(ctx, client, log)
	if err != nil {
		return nil, err
	}
	return authz.NewInventory("iam:GetAccountAuthorizationDetails", pages...), nil
}

// FetchDetails returns the raw pages, converted to the CLI's JSON shape
// (policy documents stay URL-encoded, as the API sends them). Writing them
// out with encoding/json gives a file `iamtrim ingest authz FILE` reads.
func FetchDetails(ctx context.Context, client *iam.Client, log *slog.Logger) ([]*authz.Details, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := &iam.GetAccountAuthorizationDetailsInput{
		Filter: []types.EntityType{
			types.EntityTypeUser, types.EntityTypeRole, types.EntityTypeGroup,
			types.EntityTypeLocalManagedPolicy, types.EntityTypeAWSManagedPolicy,
		},
	}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(client, in)
	var pages []*authz.Details
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get account authorization details (page %d): %w", len(pages)+1, err)
		}
		d := convert(out)
		pages = append(pages, d)
		log.Debug("authorization details page", "page", len(pages),
			"roles", len(d.RoleDetailList), "users", len(d.UserDetailList),
			"groups", len(d.GroupDetailList), "policies", len(d.Policies))
	}
	return pages, nil
}

// Account is one account to read: a role to assume in it, or "" for the
// base credentials' own account.
type Account struct {
	AssumeRole string
	ExternalID string
}

// FetchAccounts reads several accounts, each through its own client built
// from base with that account's role, and merges them. An account that
// fails does not stop the others: the merged inventory of those that
// worked is returned together with an error naming each failure.
func FetchAccounts(ctx context.Context, base Options, accounts []Account, log *slog.Logger) (*authz.Inventory, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(accounts) == 0 {
		accounts = []Account{{}}
	}
	var invs []*authz.Inventory
	var errs []error
	for _, a := range accounts {
		opts := base
		opts.AssumeRole, opts.ExternalID = a.AssumeRole, a.ExternalID
		who := a.AssumeRole
		if who == "" {
			who = "base credentials"
		}
		if opts.Log == nil {
			opts.Log = log.With("role", who)
		}
		client, err := NewClient(ctx, opts)
		if err == nil {
			var inv *authz.Inventory
			inv, err = Fetch(ctx, client, log.With("role", who))
			if err == nil {
				log.Info("fetched authorization details", "role", who, "account", inv.Accounts,
					"roles", len(inv.Roles), "users", len(inv.Users), "policies", len(inv.Policies))
				invs = append(invs, inv)
				continue
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", who, err))
		if ctx.Err() != nil {
			break
		}
	}
	var merged *authz.Inventory
	if len(invs) > 0 {
		merged = authz.Merge(invs...)
	}
	return merged, errors.Join(errs...)
}

func convert(out *iam.GetAccountAuthorizationDetailsOutput) *authz.Details {
	d := &authz.Details{IsTruncated: out.IsTruncated, Marker: aws.ToString(out.Marker)}
	for _, u := range out.UserDetailList {
		d.UserDetailList = append(d.UserDetailList, authz.UserDetail{
			Path:                    aws.ToString(u.Path),
			UserName:                aws.ToString(u.UserName),
			UserID:                  aws.ToString(u.UserId),
			Arn:                     aws.ToString(u.Arn),
			CreateDate:              date(u.CreateDate),
			UserPolicyList:          inline(u.UserPolicyList),
			GroupList:               u.GroupList,
			AttachedManagedPolicies: attached(u.AttachedManagedPolicies),
			PermissionsBoundary:     boundary(u.PermissionsBoundary),
			Tags:                    tags(u.Tags),
		})
	}
	for _, g := range out.GroupDetailList {
		d.GroupDetailList = append(d.GroupDetailList, authz.GroupDetail{
			Path:                    aws.ToString(g.Path),
			GroupName:               aws.ToString(g.GroupName),
			GroupID:                 aws.ToString(g.GroupId),
			Arn:                     aws.ToString(g.Arn),
			CreateDate:              date(g.CreateDate),
			GroupPolicyList:         inline(g.GroupPolicyList),
			AttachedManagedPolicies: attached(g.AttachedManagedPolicies),
		})
	}
	for _, r := range out.RoleDetailList {
		rd := authz.RoleDetail{
			Path:                     aws.ToString(r.Path),
			RoleName:                 aws.ToString(r.RoleName),
			RoleID:                   aws.ToString(r.RoleId),
			Arn:                      aws.ToString(r.Arn),
			CreateDate:               date(r.CreateDate),
			AssumeRolePolicyDocument: document(r.AssumeRolePolicyDocument),
			RolePolicyList:           inline(r.RolePolicyList),
			AttachedManagedPolicies:  attached(r.AttachedManagedPolicies),
			PermissionsBoundary:      boundary(r.PermissionsBoundary),
			Tags:                     tags(r.Tags),
		}
		for _, ip := range r.InstanceProfileList {
			rd.InstanceProfileList = append(rd.InstanceProfileList, authz.InstanceProfile{
				InstanceProfileName: aws.ToString(ip.InstanceProfileName),
				Arn:                 aws.ToString(ip.Arn),
			})
		}
		if lu := r.RoleLastUsed; lu != nil {
			rd.RoleLastUsed = &authz.RoleLastUsed{LastUsedDate: date(lu.LastUsedDate), Region: aws.ToString(lu.Region)}
		}
		d.RoleDetailList = append(d.RoleDetailList, rd)
	}
	for _, p := range out.Policies {
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
		for _, v := range p.PolicyVersionList {
			pd.PolicyVersionList = append(pd.PolicyVersionList, authz.PolicyVersion{
				Document:         document(v.Document),
				VersionID:        aws.ToString(v.VersionId),
				IsDefaultVersion: v.IsDefaultVersion,
				CreateDate:       date(v.CreateDate),
			})
		}
		d.Policies = append(d.Policies, pd)
	}
	return d
}

// document keeps an API policy document as a JSON string (still
// URL-encoded); authz decodes it the same way as a file's.
func document(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	b, _ := json.Marshal(*s) // marshaling a string cannot fail
	return b
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func inline(list []types.PolicyDetail) []authz.InlinePolicy {
	var out []authz.InlinePolicy
	for _, p := range list {
		out = append(out, authz.InlinePolicy{PolicyName: aws.ToString(p.PolicyName), PolicyDocument: document(p.PolicyDocument)})
	}
	return out
}

func attached(list []types.AttachedPolicy) []authz.AttachedPolicy {
	var out []authz.AttachedPolicy
	for _, p := range list {
		out = append(out, authz.AttachedPolicy{PolicyName: aws.ToString(p.PolicyName), PolicyArn: aws.ToString(p.PolicyArn)})
	}
	return out
}

func boundary(b *types.AttachedPermissionsBoundary) *authz.PermissionsBoundary {
	if b == nil || aws.ToString(b.PermissionsBoundaryArn) == "" {
		return nil
	}
	return &authz.PermissionsBoundary{PermissionsBoundaryType: string(b.PermissionsBoundaryType), PermissionsBoundaryArn: aws.ToString(b.PermissionsBoundaryArn)}
}

func tags(list []types.Tag) []authz.Tag {
	var out []authz.Tag
	for _, t := range list {
		out = append(out, authz.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}
