package catalog

import "strings"

// TagOnCreate names the tagging action a call of action name also needs when
// the call carries tags (a create that tags what it creates: iam:CreateRole
// with Tags needs iam:TagRole, ec2:RunInstances with a tagSpecificationSet
// ec2:CreateTags, ssm:PutParameter with Tags ssm:AddTagsToResource).
// CloudTrail logs the create call only, so a policy trimmed to the logged
// actions fails the next tagged create.
//
// The catalog says which actions take tags in the request: those with the
// condition key aws:RequestTag/${TagKey} or aws:TagKeys that are not
// tagging actions themselves. The tagging action is one of the service's
// actions of access level Tagging that add tags (Tag…, AddTags…,
// CreateTags), chosen in this order: Tag<Thing> for the longest Thing
// that ends the action's name (iam:TagMFADevice for
// iam:CreateVirtualMFADevice), then the service's generic TagResource,
// TagResources, AddTagsToResource, CreateTags or AddTags, then the
// service's only such action. It returns "" when the action takes no
// request tags, the service has no tagging action (CodeBuild tags on
// create without one) or the choice is ambiguous (sts:AssumeRole with
// TagSession and TagGetWebIdentityToken).
func (c *Catalog) TagOnCreate(name string) string {
	a := c.lookup(name)
	if a == nil || a.level == Tagging || !takesRequestTags(a.conditionKeys) {
		return ""
	}
	var adders []*action
	for _, x := range a.svc.actions {
		if x.level == Tagging && addsTags(x.name) {
			adders = append(adders, x)
		}
	}
	var best *action
	for _, x := range adders {
		thing, ok := strings.CutPrefix(x.name, "Tag")
		if ok && thing != "" && strings.HasSuffix(a.name, thing) && (best == nil || len(x.name) > len(best.name)) {
			best = x
		}
	}
	if best != nil {
		return best.full
	}
	for _, generic := range []string{"TagResource", "TagResources", "AddTagsToResource", "CreateTags", "AddTags"} {
		for _, x := range adders {
			if x.name == generic {
				return x.full
			}
		}
	}
	if len(adders) == 1 {
		return adders[0].full
	}
	return ""
}

// takesRequestTags reports whether an action's condition keys mark it as
// taking tags in the request.
func takesRequestTags(keys []string) bool {
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), "aws:requesttag/") || strings.EqualFold(k, "aws:TagKeys") {
			return true
		}
	}
	return false
}

// addsTags reports whether a tagging action's name adds tags (rather than
// removing or listing them).
func addsTags(name string) bool {
	return strings.HasPrefix(name, "Tag") || strings.HasPrefix(name, "AddTag") || name == "CreateTags"
}
