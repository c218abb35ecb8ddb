package analyze

// ResolveResource is what the analysis does to one resource of the usage
// rollup before comparing it with policies: a role ARN without its path gets
// its path back, and for iam:PassRole an instance profile becomes the roles
// in it. ok is false when an instance profile is not in the inventory.
// Package backtest uses it to replay calls on the same resources the
// analysis saw.
func ResolveResource(in Input, action, resource string) (out []string, ok bool) {
	return resolveResources(in, action, map[string]int64{resource: 1})
}
