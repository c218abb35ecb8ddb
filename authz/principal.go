package authz

import (
	"github.com/iamtrim/iamtrim/policy"
)

// Principal types.
const (
	TypeRole = "role"
	TypeUser = "user"
)

// Principal is a role or user with the policies that decide what it may do.
type Principal struct {
	ARN, Name, Type, AccountID string
	// Policies are resolved from the inventory. Identity lists the
	// principal's inline policies (Name the policy name), its attached
	// managed policies (Name the policy ARN), and for users each group's
	// inline policies (Name "GROUP/POLICY") and managed policies (Name the
	// ARN), in that order. Boundary is the permissions boundary (Name its
	// ARN). SCPs are left empty: they are not part of an inventory, Expand
	// takes them separately.
	Policies policy.PolicySet
	// Missing are the ARNs of managed policies (attached, via a group, or
	// the boundary) that the inventory does not define: their permissions
	// are unknown and not counted.
	Missing []string
	// Exactly one of Role and User is set; they point into the Inventory.
	Role *Role
	User *User
}

// ServiceLinked reports whether the principal is a service-linked role
// (path /aws-service-role/), which SCPs and boundaries do not restrict.
func (p *Principal) ServiceLinked() bool {
	return p.Role != nil && len(p.Role.Path) >= len("/aws-service-role/") && p.Role.Path[:len("/aws-service-role/")] == "/aws-service-role/"
}

// Principals returns every role, then every user, each in ARN order, with
// its policy set resolved.
func (inv *Inventory) Principals() []Principal {
	groups := map[[2]string]*Group{}
	for i := range inv.Groups {
		g := &inv.Groups[i]
		groups[[2]string{g.AccountID, g.Name}] = g
	}
	out := make([]Principal, 0, len(inv.Roles)+len(inv.Users))
	for i := range inv.Roles {
		out = append(out, inv.rolePrincipal(&inv.Roles[i]))
	}
	for i := range inv.Users {
		out = append(out, inv.userPrincipal(&inv.Users[i], groups))
	}
	return out
}

// Principal returns the role or user with the given ARN.
func (inv *Inventory) Principal(arn string) (Principal, bool) {
	if r, ok := inv.Role(arn); ok {
		return inv.rolePrincipal(r), true
	}
	if u, ok := inv.User(arn); ok {
		groups := map[[2]string]*Group{}
		for i := range inv.Groups {
			g := &inv.Groups[i]
			if g.AccountID == u.AccountID {
				groups[[2]string{g.AccountID, g.Name}] = g
			}
		}
		return inv.userPrincipal(u, groups), true
	}
	return Principal{}, false
}

func (inv *Inventory) rolePrincipal(r *Role) Principal {
	p := Principal{ARN: r.ARN, Name: r.Name, Type: TypeRole, AccountID: r.AccountID, Role: r}
	p.Policies.Identity = append(p.Policies.Identity, r.Inline...)
	inv.addManaged(&p, r.Attached, policy.KindManaged)
	inv.setBoundary(&p, r.Boundary)
	return p
}

func (inv *Inventory) userPrincipal(u *User, groups map[[2]string]*Group) Principal {
	p := Principal{ARN: u.ARN, Name: u.Name, Type: TypeUser, AccountID: u.AccountID, User: u}
	p.Policies.Identity = append(p.Policies.Identity, u.Inline...)
	inv.addManaged(&p, u.Attached, policy.KindManaged)
	for _, gname := range u.Groups {
		g := groups[[2]string{u.AccountID, gname}]
		if g == nil {
			continue // reported when the inventory was built
		}
		for _, np := range g.Inline {
			np.Name = g.Name + "/" + np.Name
			np.Kind = policy.KindGroupInline
			p.Policies.Identity = append(p.Policies.Identity, np)
		}
		inv.addManaged(&p, g.Attached, policy.KindGroupManaged)
	}
	inv.setBoundary(&p, u.Boundary)
	return p
}

func (inv *Inventory) addManaged(p *Principal, arns []string, kind string) {
	for _, arn := range arns {
		mp := inv.Policies[arn]
		if mp == nil || mp.Doc == nil {
			p.Missing = appendUnique(p.Missing, arn)
			continue
		}
		p.Policies.Identity = append(p.Policies.Identity, policy.NamedPolicy{Name: arn, ARN: arn, Kind: kind, Doc: mp.Doc})
	}
}

func (inv *Inventory) setBoundary(p *Principal, arn string) {
	if arn == "" {
		return
	}
	mp := inv.Policies[arn]
	if mp == nil || mp.Doc == nil {
		p.Missing = appendUnique(p.Missing, arn)
		return
	}
	p.Policies.Boundary = &policy.NamedPolicy{Name: arn, ARN: arn, Kind: policy.KindBoundary, Doc: mp.Doc}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
