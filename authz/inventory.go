package authz

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/policy"
)

// Inventory is what IAM grants in one or more accounts: roles, users,
// groups and the managed policies they attach, with every policy document
// parsed. Roles, Users and Groups are sorted by ARN; Accounts by ID.
type Inventory struct {
	// Accounts are the account IDs found in the inventory's ARNs.
	Accounts []string
	Roles    []Role
	Users    []User
	Groups   []Group
	// Policies are the managed policies, by ARN.
	Policies map[string]*ManagedPolicy
	// Warnings say what was odd about the input and how it was read
	// ("name: role ARN: attached policy P is not in the file's Policies;
	// its permissions are not counted"), in input order.
	Warnings []string
	// Rejected are the values and policy documents that could not be read
	// ("name: value 2: ..."), in input order: the inventory lacks their
	// content, so ingest reports them as rejected inputs (exit 3).
	Rejected []string
}

// Role is an IAM role.
type Role struct {
	AccountID, ARN, Name, Path, RoleID string
	CreateDate                         time.Time
	// Trust is the assume-role (trust) policy as compact JSON, nil when
	// the input has none. It is kept as JSON, not a *policy.Document:
	// trust policies name a Principal, which identity-policy parsing
	// rejects, and what matters in them (who may assume) is read by
	// callers that need it.
	Trust json.RawMessage
	Tags  map[string]string
	// LastUsed is RoleLastUsed.LastUsedDate; nil when IAM has no record
	// (it tracks a trailing 400 days only).
	LastUsed       *time.Time
	LastUsedRegion string
	// Boundary is the permissions boundary policy's ARN, "" when none.
	Boundary string
	// Inline are the role's inline policies (Kind policy.KindInline,
	// Name the policy name).
	Inline []policy.NamedPolicy
	// Attached are the ARNs of the attached managed policies.
	Attached         []string
	InstanceProfiles []string
}

// User is an IAM user.
type User struct {
	AccountID, ARN, Name, Path, UserID string
	CreateDate                         time.Time
	Tags                               map[string]string
	Boundary                           string
	Inline                             []policy.NamedPolicy
	Attached                           []string
	// Groups are the names of the groups the user belongs to (groups live
	// in the user's account).
	Groups []string
}

// Group is an IAM group.
type Group struct {
	AccountID, ARN, Name, Path, GroupID string
	CreateDate                          time.Time
	Inline                              []policy.NamedPolicy
	Attached                            []string
}

// ManagedPolicy is an AWS or customer managed policy, at its default
// version.
type ManagedPolicy struct {
	ARN, Name, Path, PolicyID string
	// DefaultVersion is the version Doc holds ("v3").
	DefaultVersion string
	// Doc is the default version's document; nil when the input did not
	// carry it (a warning says so).
	Doc        *policy.Document
	AWSManaged bool
}

// Merge combines inventories (several files, pages or accounts) into one.
// Entities are matched by ARN; when two inputs disagree about one, the
// first is kept and a warning says so. Warnings are concatenated in input
// order.
func Merge(invs ...*Inventory) *Inventory {
	out := &Inventory{Policies: map[string]*ManagedPolicy{}}
	accounts := map[string]bool{}
	roles := map[string]int{}
	users := map[string]int{}
	groups := map[string]int{}
	for _, inv := range invs {
		if inv == nil {
			continue
		}
		out.Warnings = append(out.Warnings, inv.Warnings...)
		out.Rejected = append(out.Rejected, inv.Rejected...)
		for _, a := range inv.Accounts {
			accounts[a] = true
		}
		for _, r := range inv.Roles {
			if i, ok := roles[r.ARN]; ok {
				if !reflect.DeepEqual(out.Roles[i], r) {
					out.Warnings = append(out.Warnings, fmt.Sprintf("merge: role %s differs between inputs; keeping the first", r.ARN))
				}
				continue
			}
			roles[r.ARN] = len(out.Roles)
			out.Roles = append(out.Roles, r)
		}
		for _, u := range inv.Users {
			if i, ok := users[u.ARN]; ok {
				if !reflect.DeepEqual(out.Users[i], u) {
					out.Warnings = append(out.Warnings, fmt.Sprintf("merge: user %s differs between inputs; keeping the first", u.ARN))
				}
				continue
			}
			users[u.ARN] = len(out.Users)
			out.Users = append(out.Users, u)
		}
		for _, g := range inv.Groups {
			if i, ok := groups[g.ARN]; ok {
				if !reflect.DeepEqual(out.Groups[i], g) {
					out.Warnings = append(out.Warnings, fmt.Sprintf("merge: group %s differs between inputs; keeping the first", g.ARN))
				}
				continue
			}
			groups[g.ARN] = len(out.Groups)
			out.Groups = append(out.Groups, g)
		}
		for _, arn := range sortedKeys(inv.Policies) {
			p := inv.Policies[arn]
			if old, ok := out.Policies[arn]; ok {
				if !reflect.DeepEqual(old, p) {
					out.Warnings = append(out.Warnings, fmt.Sprintf("merge: managed policy %s differs between inputs (versions %s and %s); keeping the first", arn, old.DefaultVersion, p.DefaultVersion))
				}
				continue
			}
			out.Policies[arn] = p
		}
	}
	out.Accounts = sortedKeys(accounts)
	slices.SortFunc(out.Roles, func(a, b Role) int { return strings.Compare(a.ARN, b.ARN) })
	slices.SortFunc(out.Users, func(a, b User) int { return strings.Compare(a.ARN, b.ARN) })
	slices.SortFunc(out.Groups, func(a, b Group) int { return strings.Compare(a.ARN, b.ARN) })
	return out
}

// Role returns the role with the given ARN.
func (inv *Inventory) Role(arn string) (*Role, bool) {
	i, ok := slices.BinarySearchFunc(inv.Roles, arn, func(r Role, t string) int { return strings.Compare(r.ARN, t) })
	if !ok {
		return nil, false
	}
	return &inv.Roles[i], true
}

// User returns the user with the given ARN.
func (inv *Inventory) User(arn string) (*User, bool) {
	i, ok := slices.BinarySearchFunc(inv.Users, arn, func(u User, t string) int { return strings.Compare(u.ARN, t) })
	if !ok {
		return nil, false
	}
	return &inv.Users[i], true
}
