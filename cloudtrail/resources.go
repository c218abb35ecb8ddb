package cloudtrail

import (
	"strings"
)

// arnFormat is a built-in ARN format, used when no catalog is loaded or the
// catalog lacks the resource type. They follow the AWS Service Reference.
type arnFormat struct {
	service, rtype, format string
}

func builtinFormats() []arnFormat {
	return []arnFormat{
		{"s3", "bucket", "arn:${Partition}:s3:::${BucketName}"},
		{"s3", "object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}"},
		{"dynamodb", "table", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"},
		{"sqs", "queue", "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"},
		{"sns", "topic", "arn:${Partition}:sns:${Region}:${Account}:${TopicName}"},
		{"kms", "key", "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"},
		{"lambda", "function", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}"},
		{"secretsmanager", "Secret", "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}"},
		{"ssm", "parameter", "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}"},
		{"logs", "log-group", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"},
		{"logs", "log-stream", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"},
		{"iam", "role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"},
		{"iam", "user", "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"},
		{"iam", "group", "arn:${Partition}:iam::${Account}:group/${GroupNameWithPath}"},
		{"iam", "instance-profile", "arn:${Partition}:iam::${Account}:instance-profile/${InstanceProfileNameWithPath}"},
		{"cloudformation", "stack", "arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}"},
		{"ec2", "instance", "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"},
		{"cloudtrail", "trail", "arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}"},
	}
}

// arnCtx is where built ARNs live.
type arnCtx struct {
	part, region, account string
}

// fmtKey names a resource type's ARN format.
type fmtKey struct{ service, rtype string }

// arnTemplate is an ARN format split at its variables, once, so that
// building an ARN does not parse the format again.
type arnTemplate struct {
	lits  []string // lits[i] comes before vars[i]; the last one ends the ARN
	vars  []byte   // 'P' partition, 'R' region, 'A' account, 'v' the next value
	nvals int      // how many 'v'
	bad   bool     // an unclosed "${": nothing is built
}

func compileFormat(format string) *arnTemplate {
	t := &arnTemplate{}
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			t.lits = append(t.lits, format)
			return t
		}
		j := strings.IndexByte(format[i:], '}')
		if j < 0 {
			t.bad = true
			return t
		}
		t.lits = append(t.lits, format[:i])
		switch format[i+2 : i+j] {
		case "Partition":
			t.vars = append(t.vars, 'P')
		case "Region":
			t.vars = append(t.vars, 'R')
		case "Account":
			t.vars = append(t.vars, 'A')
		default:
			t.vars = append(t.vars, 'v')
			t.nvals++
		}
		format = format[i+j+1:]
	}
}

// build fills format's ${Partition}, ${Region} and ${Account} from c and
// its other variables, in order, from vals. It returns "" when vals do not
// match the format's variables.
func (m *Mapper) build(c arnCtx, service, rtype string, vals ...string) string {
	t := m.formats[fmtKey{service, rtype}]
	if t == nil || t.bad || len(vals) != t.nvals {
		return ""
	}
	var parts [16]string
	ps := parts[:0]
	n, k := 0, 0
	for i, v := range t.vars {
		var s string
		switch v {
		case 'P':
			s = c.part
		case 'R':
			s = c.region
		case 'A':
			s = c.account
		default:
			if s = vals[k]; s == "" {
				return ""
			}
			k++
		}
		ps = append(ps, t.lits[i], s)
		n += len(t.lits[i]) + len(s)
	}
	last := t.lits[len(t.lits)-1]
	if n += len(last); n > maxARNLen || n == 0 {
		return ""
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, s := range ps {
		sb.WriteString(s)
	}
	sb.WriteString(last)
	return sb.String()
}

// params holds the requestParameters values resources are built from.
type params struct {
	bucketName, key, versionID, copySource                   jstr
	tableName, queueURL, queueName, topicARN, targetARN      jstr
	name, keyID, sourceKeyID, destinationKeyID               jstr
	functionName, secretID, path, logGroupName               jstr
	logStreamName, logGroupIdentifier, roleARN, principalARN jstr
	statement                                                jstr
	roleName, userName, groupName, policyARN                 jstr
	instanceProfileName, stackName, trailName, queueOwner    jstr
	instanceIDs                                              [8]jstr
	nInstances                                               int
	names, statements, transactItems                         []byte
	instanceProfile                                          bool
	tagSpecs                                                 bool // EC2 tagSpecificationSet: tags what it creates
	tags                                                     bool // other services: non-empty tags in the request
	profileARN, profileName                                  jstr
	restAPIID, apiID                                         jstr // API Gateway
	passRole                                                 [4]jstr
	nPassRole                                                int
}

func (p *params) parse(raw []byte, passKeys []string) {
	it, err := newObjIter(raw, 0)
	if err != nil {
		return
	}
	p.parseIter(&it, passKeys)
}

// parseIter reads the members of the object it is positioned in.
func (p *params) parseIter(it *objIter, passKeys []string) {
	var kb [64]byte
	for it.next() {
		k := it.name(&kb)
		matched := false
		for _, pk := range passKeys {
			if string(k) == pk && p.nPassRole < len(p.passRole) {
				if s, ok := it.str(); ok {
					p.passRole[p.nPassRole] = s
					p.nPassRole++
				}
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		switch string(k) {
		case "bucketName":
			p.bucketName, _ = it.str()
		case "key":
			p.key, _ = it.str()
		case "versionId":
			p.versionID, _ = it.str()
		case "x-amz-copy-source":
			p.copySource, _ = it.str()
		case "tableName":
			p.tableName, _ = it.str()
		case "queueUrl":
			p.queueURL, _ = it.str()
		case "queueName":
			p.queueName, _ = it.str()
		case "topicArn":
			p.topicARN, _ = it.str()
		case "targetArn":
			p.targetARN, _ = it.str()
		case "name":
			p.name, _ = it.str()
		case "keyId":
			p.keyID, _ = it.str()
		case "sourceKeyId":
			p.sourceKeyID, _ = it.str()
		case "destinationKeyId":
			p.destinationKeyID, _ = it.str()
		case "functionName":
			p.functionName, _ = it.str()
		case "secretId":
			p.secretID, _ = it.str()
		case "path":
			p.path, _ = it.str()
		case "logGroupName":
			p.logGroupName, _ = it.str()
		case "logStreamName":
			p.logStreamName, _ = it.str()
		case "logGroupIdentifier":
			p.logGroupIdentifier, _ = it.str()
		case "roleArn":
			p.roleARN, _ = it.str()
		case "principalArn":
			p.principalARN, _ = it.str()
		case "roleName":
			p.roleName, _ = it.str()
		case "userName":
			p.userName, _ = it.str()
		case "groupName":
			p.groupName, _ = it.str()
		case "policyArn":
			p.policyARN, _ = it.str()
		case "instanceProfileName":
			p.instanceProfileName, _ = it.str()
		case "stackName":
			p.stackName, _ = it.str()
		case "trailName":
			p.trailName, _ = it.str()
		case "queueOwnerAWSAccountId":
			p.queueOwner, _ = it.str()
		case "instancesSet":
			p.parseInstancesSet(it)
		case "statement":
			p.statement, _ = it.str()
		case "names":
			p.names = arraySpan(it)
		case "statements", "transactStatements":
			p.statements = arraySpan(it)
		case "transactItems":
			p.transactItems = arraySpan(it)
		case "iamInstanceProfile":
			p.parseInstanceProfile(it)
		case "restApiId":
			p.restAPIID, _ = it.str()
		case "apiId":
			p.apiID, _ = it.str()
		case "tagSpecificationSet":
			p.tagSpecs = true
			it.skip()
		case "tags", "Tags", "tagList", "TagList", "tagSpecifications", "TagSpecifications":
			switch v := it.span(); string(v) {
			case "", "{}", "[]", "null":
			default:
				p.tags = true
			}
		default:
			it.skip()
		}
	}
}

// parseInstancesSet reads EC2's instancesSet: {"items": [{"instanceId":
// "i-..."}, ...]}, keeping up to len(instanceIDs) ids.
func (p *params) parseInstancesSet(it *objIter) {
	p.nInstances = 0
	if it.b[it.i] != '{' {
		it.skip()
		return
	}
	in := objIter{b: it.b, i: it.i + 1, first: true}
	for in.next() {
		if !in.key.is("items") || in.b[in.i] != '[' {
			in.skip()
			continue
		}
		arr := arrIter{b: in.b, i: in.i + 1, first: true}
		for arr.next() {
			if arr.b[arr.i] != '{' {
				arr.skip()
				continue
			}
			item := objIter{b: arr.b, i: arr.i + 1, first: true}
			for item.next() {
				if item.key.is("instanceId") && p.nInstances < len(p.instanceIDs) {
					if s, ok := item.str(); ok {
						p.instanceIDs[p.nInstances] = s
						p.nInstances++
					}
					continue
				}
				item.skip()
			}
			arr.i, arr.err = item.i, item.err
		}
		in.i, in.err = arr.i, arr.err
	}
	it.i, it.err = in.i, in.err
}

// parseInstanceProfile reads iamInstanceProfile: {"arn": ...} or
// {"name": ...} (EC2 also accepts a bare string in some calls).
func (p *params) parseInstanceProfile(it *objIter) {
	p.instanceProfile, p.profileARN, p.profileName = false, jstr{}, jstr{}
	switch it.b[it.i] {
	case '"':
		p.instanceProfile = true
		s, _ := it.str()
		if strings.HasPrefix(string(s.b), "arn:") {
			p.profileARN = s
		} else {
			p.profileName = s
		}
	case '{':
		p.instanceProfile = true
		in := objIter{b: it.b, i: it.i + 1, first: true}
		for in.next() {
			switch {
			case in.key.is("arn"):
				p.profileARN, _ = in.str()
			case in.key.is("name"):
				p.profileName, _ = in.str()
			default:
				in.skip()
			}
		}
		it.i, it.err = in.i, in.err
	default:
		it.skip()
	}
}

// instanceProfileARN returns the instance profile a call names, as an ARN
// (built without a path from a bare name).
func (m *Mapper) instanceProfileARN(c arnCtx, p *params) string {
	if a := p.profileARN.string(maxARNLen); strings.HasPrefix(a, "arn:") {
		return a
	}
	n := p.profileName.string(maxARNLen)
	if n == "" || strings.ContainsAny(n, ":/*") || c.account == "" {
		return ""
	}
	return "arn:" + c.part + ":iam::" + c.account + ":instance-profile/" + n
}

func arraySpan(it *objIter) []byte {
	if it.b[it.i] != '[' {
		it.skip()
		return nil
	}
	return it.span()
}

// samlProviderARN returns requestParameters.principalArn (the SAML
// provider of an AssumeRoleWithSAML call), or "".
func (f *fields) samlProviderARN() string {
	if f.paramsDone {
		return f.p.principalARN.string(maxARNLen)
	}
	if f.reqParams == nil {
		return ""
	}
	var p params
	p.parse(f.reqParams, nil)
	return p.principalARN.string(maxARNLen)
}

// needsParams reports whether anything is read from requestParameters for
// this mapping.
func needsParams(e *mapping) bool {
	if len(e.passRoleKeys) > 0 || e.instanceProfile || e.dyn != dynNone {
		return true
	}
	switch e.prefix {
	case "s3", "dynamodb", "sqs", "sns", "kms", "lambda", "secretsmanager", "ssm", "logs", "sts", "iam", "cloudformation", "ec2", "cloudtrail", "apigateway":
		return true
	}
	// A call of an action that takes request tags may carry them
	// (tag-on-create).
	return len(e.tagging) > 0
}

// access fills Actions, Resources and Access.
func (m *Mapper) access(e *mapping, f *fields, rec *Record) error {
	p := &f.p
	if !f.paramsDone && f.reqParams != nil && needsParams(e) {
		p.parse(f.reqParams, e.passRoleKeys)
	}
	c := arnCtx{
		part:    partitionOf(f.ui.arn.b, f.region.b),
		region:  rec.Region,
		account: rec.AccountID,
	}
	if c.account == "" {
		c.account = rec.Principal.AccountID
	}

	// Resources named by requestParameters, for the primary action(s).
	var own [8]string
	res := m.paramResources(e, p, c, own[:0])

	// resources[] entries.
	var listedBuf [len(f.resBuf)]string
	listed := listedBuf[:0]
	for i := 0; i < f.nres; i++ {
		listed = append(listed, f.resource(i).arn.string(maxARNLen))
	}
	nl := len(listed)
	for i := 0; i < nl; i++ {
		addUnique(&rec.Resources, listed[i])
	}

	if e.kind != Mapped {
		rec.Mapping = e.kind
		return nil
	}

	actions := e.actions
	var dyn [4]string
	switch e.dyn {
	case dynPartiQL:
		actions = m.partiQLActions(p, dyn[:0])
	case dynTransactWrite:
		actions = m.transactActionsOf(p.transactItems, dyn[:0])
	}
	if len(actions) == 0 {
		rec.Mapping = Unmapped
		return nil
	}

	if e.prefix == "s3" {
		// The object/bucket split is already in res; resources[] repeats
		// it with both levels, so it is used only when res is empty.
		if len(res) == 0 {
			objectLevel := isS3ObjectAction(actions[0])
			for i := 0; i < nl; i++ {
				if f.resource(i).typ.is("AWS::S3::Object") == objectLevel {
					res = appendUnique(res, listed[i])
				}
			}
		}
		if !p.versionID.empty() {
			// Calls naming a version need the Version variants.
			vs := dyn[:0]
			for _, a := range actions {
				if v := m.s3Version[a]; v != "" {
					a = v
				}
				vs = append(vs, a)
			}
			actions = vs
		}
	} else {
		for i := 0; i < nl; i++ {
			res = appendUnique(res, listed[i])
		}
	}

	if e.source == "kms.amazonaws.com" && e.event == "ReEncrypt" && len(actions) == 2 {
		// ReEncryptFrom on the source key, ReEncryptTo on the destination.
		from := m.kmsKey(c, p.sourceKeyID)
		to := m.kmsKey(c, p.destinationKeyID)
		if from == "" && to == "" {
			m.grant(rec, actions, res)
		} else {
			m.grant(rec, actions[:1], []string{from})
			m.grant(rec, actions[1:], []string{to})
		}
	} else {
		m.grant(rec, actions, res)
	}

	// Extra actions the request implies (requestDependent names each
	// case, for MapStored).
	if m.passRoleAction != "" {
		for i := 0; i < p.nPassRole; i++ {
			if role := m.roleARN(c, p.passRole[i]); role != "" {
				m.grant(rec, []string{m.passRoleAction}, []string{role})
			}
		}
		if e.instanceProfile && p.instanceProfile {
			// The role is inside the profile and not in the event: the
			// resource stays unknown, and Via names the profile so a later
			// stage can resolve its role from the account's authorization
			// details. Never widen this to "*".
			rec.Access = append(rec.Access, Access{Action: m.passRoleAction, Via: m.instanceProfileARN(c, p)})
			addUnique(&rec.Actions, m.passRoleAction)
		}
	}
	if e.prefix == "ec2" && p.tagSpecs && m.ec2CreateTags != "" && !contains(actions, m.ec2CreateTags) {
		// Tag-on-create in EC2 (RunInstances, CreateVolume, ... with a
		// tagSpecificationSet) also needs ec2:CreateTags, which CloudTrail
		// does not log as a call of its own. EC2 publishes its request-tag
		// condition keys per resource type of each action, not per action,
		// so the catalog rule below does not see them. The resources
		// created are not named here: the recommendation keeps CreateTags'
		// current scope.
		m.grant(rec, []string{m.ec2CreateTags}, nil)
	}
	if p.tags && len(e.tagging) > 0 && e.dyn == dynNone {
		// Tag-on-create elsewhere: a call that carries tags (CreateRole,
		// CreateQueue, PutParameter, RunTask, ...) also needs the service's
		// tagging action, which CloudTrail does not log on its own. The
		// catalog says which actions take request tags (aws:RequestTag,
		// aws:TagKeys) and which tagging action goes with them
		// (catalog.TagOnCreate, in mapping.tagging). As for EC2 the
		// resource is left unnamed: the recommendation keeps its scope.
		m.grant(rec, e.tagging, nil)
	}
	if e.prefix == "s3" && !p.copySource.empty() && m.s3GetObject != "" {
		if src := m.s3CopySource(c, p.copySource); src != "" {
			m.grant(rec, []string{m.s3GetObject}, []string{src})
		}
	}
	return nil
}

// grant records each action on each resource (or on "" when none).
func (m *Mapper) grant(rec *Record, actions, res []string) {
	for _, a := range actions {
		addUnique(&rec.Actions, a)
		if len(res) == 0 {
			rec.Access = append(rec.Access, Access{Action: a})
			continue
		}
		for _, r := range res {
			if len(rec.Access) >= 4*maxResources {
				return
			}
			rec.Access = append(rec.Access, Access{Action: a, Resource: r})
			if r != "" {
				addUnique(&rec.Resources, r)
			}
		}
	}
}

func addUnique(list *[]string, s string) {
	if s == "" || len(*list) >= maxResources {
		return
	}
	for _, x := range *list {
		if x == s {
			return
		}
	}
	*list = append(*list, s)
}

func appendUnique(list []string, s string) []string {
	if s == "" || len(list) >= maxResources {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func resourceEntry(it *arrIter) (arn, typ jstr) {
	if it.b[it.i] != '{' {
		it.skip()
		return
	}
	in := objIter{b: it.b, i: it.i + 1, first: true}
	for in.next() {
		switch {
		case in.key.is("ARN"):
			arn, _ = in.str()
		case in.key.is("type"):
			typ, _ = in.str()
		default:
			in.skip()
		}
	}
	it.i, it.err = in.i, in.err
	if !strings.HasPrefix(string(arn.b), "arn:") {
		arn = jstr{}
	}
	return
}

func isS3ObjectAction(a string) bool {
	return strings.Contains(a, "Object") || strings.HasSuffix(a, "MultipartUpload") || strings.HasSuffix(a, "MultipartUploadParts")
}

// paramResources builds the ARNs requestParameters name for the primary
// action, per service.
func (m *Mapper) paramResources(e *mapping, p *params, c arnCtx, out []string) []string {
	str := func(s jstr) string { return s.string(maxARNLen) }
	switch e.prefix {
	case "s3":
		bucket := str(p.bucketName)
		if bucket == "" {
			return out
		}
		primary := ""
		if len(e.actions) > 0 {
			primary = e.actions[0]
		}
		if isS3ObjectAction(primary) {
			if key := str(p.key); key != "" {
				return appendUnique(out, m.build(c, "s3", "object", bucket, key))
			}
			return out // object action without a key (DeleteObjects): unknown
		}
		return appendUnique(out, m.build(c, "s3", "bucket", bucket))
	case "apigateway":
		if path := apigatewayPath(e.event, p, str); path != "" {
			return appendUnique(out, "arn:"+c.part+":apigateway:"+c.region+"::"+path)
		}
	case "dynamodb":
		if t := str(p.tableName); t != "" {
			if strings.HasPrefix(t, "arn:") {
				return appendUnique(out, t)
			}
			return appendUnique(out, m.build(c, "dynamodb", "table", t))
		}
	case "sqs":
		if u := str(p.queueURL); u != "" {
			if region, acct, name, ok := parseQueueURL(u); ok {
				qc := arnCtx{part: c.part, region: region, account: acct}
				if region == "" {
					qc.region = c.region
				}
				return appendUnique(out, m.build(qc, "sqs", "queue", name))
			}
		} else if n := str(p.queueName); n != "" && (e.event == "CreateQueue" || e.event == "GetQueueUrl") {
			qc := c
			if o := str(p.queueOwner); isAccountID(o) {
				qc.account = o
			}
			return appendUnique(out, m.build(qc, "sqs", "queue", n))
		}
	case "sns":
		for _, s := range []jstr{p.topicARN, p.targetARN} {
			if a := str(s); strings.HasPrefix(a, "arn:") {
				out = appendUnique(out, a)
			}
		}
		if n := str(p.name); n != "" && e.event == "CreateTopic" {
			out = appendUnique(out, m.build(c, "sns", "topic", n))
		}
	case "kms":
		if k := m.kmsKey(c, p.keyID); k != "" {
			return appendUnique(out, k)
		}
	case "lambda":
		if fn := str(p.functionName); fn != "" {
			return appendUnique(out, m.lambdaFunction(c, fn))
		}
	case "secretsmanager":
		id := str(p.secretID)
		if id == "" && e.event == "CreateSecret" {
			id = str(p.name)
		}
		if id != "" {
			if strings.HasPrefix(id, "arn:") {
				return appendUnique(out, id)
			}
			// A secret ARN ends in a random 6-character suffix the event
			// does not give; "-??????" is the documented way to match it.
			return appendUnique(out, m.build(c, "secretsmanager", "Secret", id+"-??????"))
		}
	case "ssm":
		if !strings.Contains(e.event, "Parameter") {
			return out
		}
		if n := str(p.name); n != "" {
			out = appendUnique(out, m.ssmParameter(c, n))
		}
		if p.names != nil {
			it, _ := newArrIter(p.names, 0)
			for it.next() && len(out) < maxResources {
				if n, ok := it.str(); ok {
					out = appendUnique(out, m.ssmParameter(c, str(n)))
				}
			}
		}
		if n := str(p.path); n != "" {
			out = appendUnique(out, m.ssmParameter(c, n))
		}
	case "logs":
		if id := str(p.logGroupIdentifier); strings.HasPrefix(id, "arn:") {
			return appendUnique(out, strings.TrimSuffix(id, ":*"))
		} else if id != "" && p.logGroupName.empty() {
			p.logGroupName = p.logGroupIdentifier
		}
		g := str(p.logGroupName)
		if g == "" {
			return out
		}
		if s := str(p.logStreamName); s != "" {
			return appendUnique(out, m.build(c, "logs", "log-stream", g, s))
		}
		return appendUnique(out, m.build(c, "logs", "log-group", g))
	case "sts":
		if r := str(p.roleARN); strings.HasPrefix(r, "arn:") {
			return appendUnique(out, r)
		}
	case "iam":
		if a := m.iamResource(e.event, p, c); a != "" {
			return appendUnique(out, a)
		}
	case "ec2":
		// Calls on running instances name them; RunInstances names none
		// (its instancesSet describes what to launch).
		for i := 0; i < p.nInstances; i++ {
			if id := str(p.instanceIDs[i]); strings.HasPrefix(id, "i-") && !strings.ContainsAny(id, ":/*?") {
				out = appendUnique(out, m.build(c, "ec2", "instance", id))
			}
		}
	case "cloudtrail":
		n := str(p.trailName)
		if n == "" {
			n = str(p.name)
		}
		switch {
		case strings.HasPrefix(n, "arn:") && strings.Contains(n, ":trail/"):
			return appendUnique(out, n)
		case n != "" && !strings.ContainsAny(n, ":/*?"):
			return appendUnique(out, m.build(c, "cloudtrail", "trail", n))
		}
	case "cloudformation":
		// A stack ARN ends in a unique id the request does not give when it
		// names the stack: "/*" matches it.
		n := str(p.stackName)
		switch {
		case strings.HasPrefix(n, "arn:") && strings.Contains(n, ":stack/"):
			return appendUnique(out, n)
		case n != "" && !strings.ContainsAny(n, ":/*?"):
			return appendUnique(out, m.build(c, "cloudformation", "stack", n, "*"))
		}
	}
	return out
}

// iamName reports whether s is a valid IAM entity name: 1 to 128 of
// letters, digits and +=,.@_- (IAM refuses anything else, so anything else
// in a log is not a name to build an ARN from).
func iamName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}

// iamResource is the IAM entity a call acts on, by the parameter that names
// it and the event's name: a group for group calls that name one (also
// AddUserToGroup), an instance profile for instance-profile calls, else the
// role, else the user, else (policy calls) the managed policy. Names yield
// ARNs without a path (the event does not give it); the analyzer restores
// the path from the authorization inventory. Calls on the caller itself
// (no userName) name nothing.
func (m *Mapper) iamResource(event string, p *params, c arnCtx) string {
	// A path given with the name (CreateRole, CreateUser, ...) is part of
	// the ARN.
	prefix := ""
	if path := p.path.string(maxARNLen); strings.HasPrefix(path, "/") && strings.HasSuffix(path, "/") && !strings.ContainsAny(path, ":*?") {
		prefix = strings.TrimPrefix(path, "/")
	}
	name := func(s jstr) string {
		v := s.string(maxARNLen)
		if !iamName(v) {
			return ""
		}
		return prefix + v
	}
	switch {
	case strings.Contains(event, "Group") && name(p.groupName) != "":
		return m.build(c, "iam", "group", name(p.groupName))
	case strings.Contains(event, "InstanceProfile") && name(p.instanceProfileName) != "":
		return m.build(c, "iam", "instance-profile", name(p.instanceProfileName))
	case name(p.roleName) != "":
		return m.build(c, "iam", "role", name(p.roleName))
	case name(p.userName) != "":
		return m.build(c, "iam", "user", name(p.userName))
	case strings.Contains(event, "Policy"):
		if a := p.policyARN.string(maxARNLen); strings.HasPrefix(a, "arn:") && strings.Contains(a, ":policy/") {
			return a
		}
	}
	return ""
}

// parseQueueURL splits https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or
// the legacy REGION.queue.amazonaws.com and queue.amazonaws.com hosts).
func parseQueueURL(u string) (region, account, name string, ok bool) {
	rest, found := strings.CutPrefix(u, "https://")
	if !found {
		rest, found = strings.CutPrefix(u, "http://")
	}
	if !found {
		return "", "", "", false
	}
	host, path, _ := strings.Cut(rest, "/")
	account, name, _ = strings.Cut(path, "/")
	if !isAccountID(account) || name == "" || strings.ContainsAny(name, "/?#") {
		return "", "", "", false
	}
	switch {
	case strings.HasPrefix(host, "sqs."):
		region, _, _ = strings.Cut(strings.TrimPrefix(host, "sqs."), ".")
	case host == "queue.amazonaws.com":
		region = "us-east-1"
	case strings.HasSuffix(host, ".queue.amazonaws.com"):
		region = strings.TrimSuffix(host, ".queue.amazonaws.com")
	default:
		// VPC endpoint and custom hosts: region unknown here.
	}
	return region, account, name, true
}

// kmsKey turns a KeyId parameter into a key ARN. Aliases are not keys (the
// call is authorized on the key the alias points to, which resources[]
// names), so they give "".
func (m *Mapper) kmsKey(c arnCtx, s jstr) string {
	k := s.string(maxARNLen)
	switch {
	case k == "":
		return ""
	case strings.HasPrefix(k, "arn:"):
		if strings.Contains(k, ":key/") {
			return k
		}
		return ""
	case strings.HasPrefix(k, "alias/"):
		return ""
	}
	return m.build(c, "kms", "key", k)
}

// lambdaFunction accepts a function name, a partial ARN
// (ACCOUNT:function:NAME) or a full ARN, each with an optional qualifier.
func (m *Mapper) lambdaFunction(c arnCtx, fn string) string {
	if strings.HasPrefix(fn, "arn:") {
		return fn
	}
	if acct, rest, ok := strings.Cut(fn, ":function:"); ok && isAccountID(acct) {
		return m.build(arnCtx{part: c.part, region: c.region, account: acct}, "lambda", "function", rest)
	}
	return m.build(c, "lambda", "function", fn)
}

func (m *Mapper) ssmParameter(c arnCtx, n string) string {
	if strings.HasPrefix(n, "arn:") {
		return n
	}
	return m.build(c, "ssm", "parameter", strings.TrimPrefix(n, "/"))
}

// roleARN returns the role a PassRole parameter names: its ARN as given, or
// for a bare role name (Glue accepts them) the ARN without a path.
func (m *Mapper) roleARN(c arnCtx, s jstr) string {
	r := s.string(maxARNLen)
	switch {
	case r == "":
		return ""
	case strings.HasPrefix(r, "arn:"):
		if strings.Contains(r, ":role/") {
			return r
		}
		return ""
	case strings.ContainsAny(r, ":/*"):
		return ""
	}
	return m.build(c, "iam", "role", r)
}

// s3CopySource turns x-amz-copy-source ("bucket/key", optionally
// URL-escaped, with ?versionId=) into the source object's ARN.
func (m *Mapper) s3CopySource(c arnCtx, s jstr) string {
	v := s.string(maxARNLen)
	v, _, _ = strings.Cut(v, "?")
	v = strings.TrimPrefix(v, "/")
	if u, err := pathUnescape(v); err == nil {
		v = u
	}
	bucket, key, ok := strings.Cut(v, "/")
	if !ok || bucket == "" || key == "" {
		return ""
	}
	return m.build(c, "s3", "object", bucket, key)
}

// pathUnescape decodes %XX escapes (net/url.PathUnescape without the
// allocation when there are none).
func pathUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b), nil
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// partiQLActions picks dynamodb:PartiQL<verb> from each statement's first
// word.
func (m *Mapper) partiQLActions(p *params, out []string) []string {
	add := func(stmt []byte) {
		var verb [6]byte
		s := skipWS(stmt, 0)
		n := 0
		for ; s < len(stmt) && n < len(verb) && isLetter(stmt[s]); s++ {
			verb[n] = stmt[s] | 0x20
			n++
		}
		idx := -1
		switch string(verb[:n]) {
		case "select":
			idx = 0
		case "insert":
			idx = 1
		case "update":
			idx = 2
		case "delete":
			idx = 3
		}
		if idx >= 0 && m.partiQL[idx] != "" {
			out = appendUnique(out, m.partiQL[idx])
		}
	}
	if !p.statement.empty() {
		var buf [64]byte
		add(p.statement.bytes(buf[:0]))
	}
	if p.statements != nil {
		it, _ := newArrIter(p.statements, 0)
		for it.next() {
			if it.b[it.i] != '{' {
				it.skip()
				continue
			}
			in := objIter{b: it.b, i: it.i + 1, first: true}
			for in.next() {
				if in.key.is("statement") {
					if s, ok := in.str(); ok {
						var buf [64]byte
						add(s.bytes(buf[:0]))
					}
				} else {
					in.skip()
				}
			}
			it.i, it.err = in.i, in.err
		}
	}
	return out
}

// transactActionsOf picks one action per kind of TransactItems member
// (conditionCheck, put, update, delete).
func (m *Mapper) transactActionsOf(items []byte, out []string) []string {
	if items == nil {
		return out
	}
	it, _ := newArrIter(items, 0)
	for it.next() {
		if it.b[it.i] != '{' {
			it.skip()
			continue
		}
		in := objIter{b: it.b, i: it.i + 1, first: true}
		for in.next() {
			var buf [32]byte
			k := strings.ToLower(string(truncate(in.key.bytes(buf[:0]), 32)))
			idx := -1
			switch k {
			case "conditioncheck":
				idx = 0
			case "put":
				idx = 1
			case "update":
				idx = 2
			case "delete":
				idx = 3
			}
			if idx >= 0 && m.transactActions[idx] != "" {
				out = appendUnique(out, m.transactActions[idx])
			}
			in.skip()
		}
		it.i, it.err = in.i, in.err
	}
	return out
}

// apigatewayPath is the resource path an API Gateway control-plane call
// is authorized on (apigateway:GET on arn:aws:apigateway:REGION::PATH):
// the API collection (/restapis, /apis) for listing and creating APIs, the
// API itself (/restapis/ID) for calls on it, and everything under it
// (/restapis/ID/*) for calls on its stages, deployments, resources,
// methods, integrations and so on. The sub-path is not rebuilt from the
// operation name: getting it wrong (a method's integration lives at
// .../methods/GET/integration) would make a recommendation deny the next
// call, and the API is the scope that matters. Calls on neither (domain
// names, usage plans, API keys, ...) return "", and the recommendation
// keeps their current scope.
func apigatewayPath(op string, p *params, str func(jstr) string) string {
	noun := ""
	if apigatewayMethod(op) != "" {
		for _, pre := range []string{"Get", "Create", "Import", "Generate", "Test", "Update", "Put", "Tag", "Delete", "Untag", "Flush"} {
			if n, ok := strings.CutPrefix(op, pre); ok && n != "" && n[0] >= 'A' && n[0] <= 'Z' {
				noun = n
				break
			}
		}
	}
	root, id, single, plural := "/restapis", str(p.restAPIID), "RestApi", "RestApis"
	if id == "" && (str(p.apiID) != "" || noun == "Api" || noun == "Apis") {
		root, id, single, plural = "/apis", str(p.apiID), "Api", "Apis"
	}
	switch {
	case id == "" && (noun == single || noun == plural):
		return root
	case id == "" || strings.ContainsAny(id, "/*?"):
		return ""
	case noun == single:
		return root + "/" + id
	}
	return root + "/" + id + "/*"
}
