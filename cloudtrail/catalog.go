package cloudtrail

// Catalog is what the mapper needs from the IAM action catalog. Package
// catalog implements it; a nil Catalog means none is loaded, and mapping
// then relies on the naming rules and the reviewed exceptions table alone.
type Catalog interface {
	// Action returns the catalog's spelling of an action, matched without
	// regard to case ("s3:getobject" → "s3:GetObject").
	Action(name string) (canonical string, ok bool)
	// HasService reports whether the service prefix exists.
	HasService(prefix string) bool
	// OperationActions returns the actions AWS lists as authorized by an API
	// operation (Operations[].AuthorizedActions), in catalog spelling, or
	// nil when AWS does not publish operations for the service. The list is
	// a superset of what a call needs.
	OperationActions(service, operation string) []string
	// ResourceARNFormats returns the ARN formats of a resource type
	// ("arn:${Partition}:s3:::${BucketName}"), or nil.
	ResourceARNFormats(service, resourceType string) []string
	// TagOnCreate names the tagging action a call of action also needs
	// when it carries tags (iam:TagRole for iam:CreateRole), or "".
	TagOnCreate(action string) string
}
