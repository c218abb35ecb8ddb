package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Bounds on strings taken from logs, which are untrusted. Longer values are
// cut (at a rune boundary); nothing legitimate comes near them.
const (
	maxNameLen   = 128  // eventSource, eventName, region, error code, types
	maxIDLen     = 256  // eventID, account IDs, names, IPs, endpoint IDs
	maxARNLen    = 2048 // ARNs, resource names
	maxResources = 64   // resources kept per record
)

// ErrMissingField is wrapped by Normalize when a required field is absent
// or not a string.
var ErrMissingField = errors.New("missing required field")

// fields is what Normalize extracts from one record before interpreting it.
// Every jstr aliases the raw record.
type fields struct {
	eventID, eventTime, eventSource, eventName, region jstr
	sourceIP, userAgent, errorCode, recipient          jstr
	eventType, eventCategory, vpce                     jstr
	readOnly, mgmt, mgmtSet                            bool
	hasUI                                              bool
	ui                                                 userIdentity
	reqParams, resources, addl                         []byte

	// Filled while parsing when possible, so requestParameters and
	// resources[] are walked once: e is the mapping, known once
	// eventSource and eventName have been read (they precede
	// requestParameters in CloudTrail's own key order).
	m          *Mapper
	e          *mapping
	p          params
	paramsDone bool
	// The resources[] entries (at most maxResources): the first ones in
	// resBuf, the rest in resMore. Most records name a few, and a fields
	// is zeroed for every record, so a full-size array would cost more to
	// clear than the entries cost to read.
	nres    int
	resBuf  [4]resEntry
	resMore []resEntry
}

// resource returns resources[] entry i < f.nres.
func (f *fields) resource(i int) *resEntry {
	if i < len(f.resBuf) {
		return &f.resBuf[i]
	}
	return &f.resMore[i-len(f.resBuf)]
}

// resEntry is one resources[] entry: its ARN and type.
type resEntry struct{ arn, typ jstr }

type userIdentity struct {
	typ, principalID, arn, accountID, userName, invokedBy, identityProvider jstr
	mfa                                                                     bool
	issuerType, issuerARN, issuerAccount, issuerUserName                    jstr
	webIDProvider                                                           jstr
	onBehalfUser, onBehalfStore                                             jstr
}

// Normalize parses one raw record into rec, reusing rec's slices. It
// rejects what encoding/json would reject, and records missing eventID,
// eventTime, eventSource, eventName or userIdentity (wrapping
// ErrMissingField). Strings are copied: rec does not alias raw.
func (m *Mapper) Normalize(raw []byte, rec *Record) error {
	_, _, err := m.normalize(raw, rec, true)
	return err
}

// normalize is Normalize. With whole false, raw need only start with the
// record: end is the offset just past its object, and nothing after it is
// looked at. parsed reports that the record is valid JSON (end is then
// known, and err, if any, is Normalize's for raw[:end]).
func (m *Mapper) normalize(raw []byte, rec *Record, whole bool) (end int, parsed bool, err error) {
	var f fields
	f.m = m
	if end, err = f.parse(raw, whole); err != nil {
		return end, false, err
	}
	return end, true, m.interpret(&f, rec)
}

// interpret makes a Record of the parsed fields.
func (m *Mapper) interpret(f *fields, rec *Record) error {
	switch {
	case f.eventCategory.is("Insight") || f.eventType.is("AwsCloudTrailInsight"):
		return errors.New("insights event, not an API call")
	case f.eventID.empty():
		return fmt.Errorf("%w eventID", ErrMissingField)
	case f.eventTime.empty():
		return fmt.Errorf("%w eventTime", ErrMissingField)
	case f.eventSource.empty():
		return fmt.Errorf("%w eventSource", ErrMissingField)
	case f.eventName.empty():
		return fmt.Errorf("%w eventName", ErrMissingField)
	case !f.hasUI:
		return fmt.Errorf("%w userIdentity", ErrMissingField)
	}
	var tbuf [64]byte
	t, err := parseTime(f.eventTime.bytes(tbuf[:0]))
	if err != nil {
		return fmt.Errorf("eventTime: %w", err)
	}

	e := f.e
	if e == nil {
		e = f.mapping()
	}

	*rec = Record{
		Actions:   rec.Actions[:0],
		Resources: rec.Resources[:0],
		Access:    rec.Access[:0],
	}
	rec.EventID = f.eventID.string(maxIDLen)
	rec.EventTime = t
	rec.EventSource = e.source
	rec.EventName = e.name
	rec.AccountID = m.intern(f.recipient, maxIDLen)
	rec.Region = m.intern(f.region, maxNameLen)
	rec.EventType = m.intern(f.eventType, maxNameLen)
	rec.ReadOnly = f.readOnly
	rec.ErrorCode = m.intern(f.errorCode, maxNameLen)
	rec.Outcome = classifyError(rec.ErrorCode)
	rec.Mapping = e.kind

	m.principal(f, rec)
	rec.Context = Context{
		SourceIP:       ipString(f.sourceIP),
		VPCEndpointID:  m.intern(f.vpce, maxIDLen),
		MFA:            f.ui.mfa || e.source == "signin.amazonaws.com" && consoleMFA(f.addl),
		UserAgentClass: m.userAgentClass(f.userAgent.b),
	}
	if f.mgmtSet {
		rec.Management = f.mgmt
	} else {
		rec.Management = inferManagement(f, e)
	}
	return m.access(e, f, rec)
}

// parse reads the record's fields and returns the offset after its
// object; with whole, only white space may follow it.
func (f *fields) parse(raw []byte, whole bool) (int, error) {
	it, err := newObjIter(raw, 0)
	if err != nil {
		return 0, err
	}
	var kb [64]byte
	for it.next() {
		switch string(it.name(&kb)) {
		case "eventID":
			f.eventID = required(&it)
		case "eventTime":
			f.eventTime = required(&it)
		case "eventSource":
			f.eventSource = required(&it)
		case "eventName":
			f.eventName = required(&it)
		case "awsRegion":
			f.region, _ = it.str()
		case "sourceIPAddress":
			f.sourceIP, _ = it.str()
		case "userAgent":
			f.userAgent, _ = it.str()
		case "errorCode":
			f.errorCode, _ = it.str()
		case "recipientAccountId":
			f.recipient, _ = it.str()
		case "eventType":
			f.eventType, _ = it.str()
		case "eventCategory":
			f.eventCategory, _ = it.str()
		case "vpcEndpointId":
			f.vpce, _ = it.str()
		case "readOnly":
			f.readOnly, _ = it.boolean()
		case "managementEvent":
			f.mgmt, f.mgmtSet = it.boolean()
		case "userIdentity":
			f.ui = userIdentity{} // a repeated key replaces, as in encoding/json
			f.hasUI = f.ui.parse(&it)
		case "requestParameters":
			f.requestParameters(&it)
		case "resources":
			f.parseResources(&it)
		case "additionalEventData":
			f.addl = objectSpan(&it)
		default:
			it.skip()
		}
	}
	if it.err != nil {
		return it.i, it.err
	}
	if i := skipWS(raw, it.i); whole && i < len(raw) {
		return it.i, fmt.Errorf("%w at offset %d", errTrailing, i)
	}
	return it.i, nil
}

// mapping looks the event up once eventSource and eventName are known.
func (f *fields) mapping() *mapping {
	var sbuf, nbuf [maxNameLen]byte
	src := truncate(f.eventSource.bytes(sbuf[:0]), maxNameLen)
	name := truncate(f.eventName.bytes(nbuf[:0]), maxNameLen)
	f.e = f.m.lookup(src, name)
	return f.e
}

// requestParameters keeps the object's span and, when the mapping is
// already known and needs them, reads the parameters in the same pass.
func (f *fields) requestParameters(it *objIter) {
	f.p, f.paramsDone, f.reqParams = params{}, false, nil
	if it.b[it.i] != '{' {
		it.skip()
		return
	}
	if f.m != nil && f.e == nil && !f.eventSource.empty() && !f.eventName.empty() {
		f.mapping()
	}
	start := it.i
	if f.e != nil && needsParams(f.e) {
		in := objIter{b: it.b, i: it.i + 1, first: true}
		f.p.parseIter(&in, f.e.passRoleKeys)
		it.i, it.err = in.i, in.err
		f.paramsDone = true
	} else {
		it.skip()
	}
	if it.err == nil {
		f.reqParams = it.b[start:it.i]
	}
}

// parseResources reads resources[] in place: each entry's ARN and type.
func (f *fields) parseResources(it *objIter) {
	f.nres, f.resMore, f.resources = 0, f.resMore[:0], nil
	if it.b[it.i] != '[' {
		it.skip()
		return
	}
	start := it.i
	in := arrIter{b: it.b, i: it.i + 1, first: true}
	for in.next() {
		arn, typ := resourceEntry(&in)
		switch {
		case arn.empty() || f.nres >= maxResources:
		case f.nres < len(f.resBuf):
			f.resBuf[f.nres] = resEntry{arn, typ}
			f.nres++
		default:
			f.resMore = append(f.resMore, resEntry{arn, typ})
			f.nres++
		}
	}
	it.i, it.err = in.i, in.err
	if it.err == nil {
		f.resources = it.b[start:it.i]
	}
}

// required reads a string that must be present; any other type leaves it
// empty, which Normalize reports as missing.
func required(it *objIter) jstr {
	s, ok := it.str()
	if !ok {
		return jstr{}
	}
	return s
}

// objectSpan returns the raw object at the iterator, or nil for null or
// another type.
func objectSpan(it *objIter) []byte {
	if it.b[it.i] != '{' {
		it.skip()
		return nil
	}
	return it.span()
}

func (u *userIdentity) parse(outer *objIter) bool {
	if outer.b[outer.i] != '{' {
		outer.skip()
		return false
	}
	it := objIter{b: outer.b, i: outer.i + 1, first: true}
	var kb [64]byte
	for it.next() {
		switch string(it.name(&kb)) {
		case "type":
			u.typ, _ = it.str()
		case "principalId":
			u.principalID, _ = it.str()
		case "arn":
			u.arn, _ = it.str()
		case "accountId":
			u.accountID, _ = it.str()
		case "userName":
			u.userName, _ = it.str()
		case "invokedBy":
			u.invokedBy, _ = it.str()
		case "identityProvider":
			u.identityProvider, _ = it.str()
		case "sessionContext":
			u.mfa, u.issuerType, u.issuerARN, u.issuerAccount, u.issuerUserName, u.webIDProvider = false, jstr{}, jstr{}, jstr{}, jstr{}, jstr{}
			u.parseSession(&it)
		case "onBehalfOf":
			u.onBehalfUser, u.onBehalfStore = jstr{}, jstr{}
			u.parseOnBehalf(&it)
		default:
			it.skip()
		}
	}
	outer.i, outer.err = it.i, it.err
	return it.err == nil
}

func (u *userIdentity) parseSession(outer *objIter) {
	if outer.b[outer.i] != '{' {
		outer.skip()
		return
	}
	it := objIter{b: outer.b, i: outer.i + 1, first: true}
	for it.next() {
		switch {
		case it.key.is("attributes") && it.b[it.i] == '{':
			u.mfa = false
			in := objIter{b: it.b, i: it.i + 1, first: true}
			for in.next() {
				if in.key.is("mfaAuthenticated") {
					u.mfa, _ = in.boolean()
				} else {
					in.skip()
				}
			}
			it.i, it.err = in.i, in.err
		case it.key.is("sessionIssuer") && it.b[it.i] == '{':
			u.issuerType, u.issuerARN, u.issuerAccount, u.issuerUserName = jstr{}, jstr{}, jstr{}, jstr{}
			in := objIter{b: it.b, i: it.i + 1, first: true}
			for in.next() {
				switch {
				case in.key.is("type"):
					u.issuerType, _ = in.str()
				case in.key.is("arn"):
					u.issuerARN, _ = in.str()
				case in.key.is("accountId"):
					u.issuerAccount, _ = in.str()
				case in.key.is("userName"):
					u.issuerUserName, _ = in.str()
				default:
					in.skip()
				}
			}
			it.i, it.err = in.i, in.err
		case it.key.is("webIdFederationData") && it.b[it.i] == '{':
			u.webIDProvider = jstr{}
			in := objIter{b: it.b, i: it.i + 1, first: true}
			for in.next() {
				if in.key.is("federatedProvider") {
					u.webIDProvider, _ = in.str()
				} else {
					in.skip()
				}
			}
			it.i, it.err = in.i, in.err
		default:
			it.skip()
		}
	}
	outer.i, outer.err = it.i, it.err
}

func (u *userIdentity) parseOnBehalf(outer *objIter) {
	if outer.b[outer.i] != '{' {
		outer.skip()
		return
	}
	it := objIter{b: outer.b, i: outer.i + 1, first: true}
	for it.next() {
		switch {
		case it.key.is("userId"):
			u.onBehalfUser, _ = it.str()
		case it.key.is("identityStoreArn"):
			u.onBehalfStore, _ = it.str()
		default:
			it.skip()
		}
	}
	outer.i, outer.err = it.i, it.err
}

// parseTime parses CloudTrail's "2006-01-02T15:04:05Z" quickly, and any
// other RFC 3339 time the slow way. Athena and CloudTrail Lake results
// write the time without a zone, a space for the T and often milliseconds
// ("2025-01-21 17:49:47.000"): that is UTC, as every CloudTrail time is.
func parseTime(b []byte) (time.Time, error) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		num := func(s []byte) (int, bool) {
			n := 0
			for _, c := range s {
				if !isDigit(c) {
					return 0, false
				}
				n = n*10 + int(c-'0')
			}
			return n, true
		}
		y, ok1 := num(b[0:4])
		mo, ok2 := num(b[5:7])
		d, ok3 := num(b[8:10])
		h, ok4 := num(b[11:13])
		mi, ok5 := num(b[14:16])
		s, ok6 := num(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(mo, y) && h < 24 && mi < 60 && s < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), nil
		}
	}
	if len(b) >= 19 && b[10] == ' ' {
		// Zone-less "2006-01-02 15:04:05[.fff]": no zone means UTC.
		t, err := time.Parse("2006-01-02 15:04:05.999999999", string(truncate(b, 64)))
		if err != nil {
			return time.Time{}, fmt.Errorf("not an RFC 3339 time nor Athena's \"2006-01-02 15:04:05.000\": %q", string(truncate(b, 64)))
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, string(truncate(b, 64)))
	if err != nil {
		// (A string, so that b, often on the caller's stack, stays there.)
		return time.Time{}, fmt.Errorf("not an RFC 3339 time: %q", string(truncate(b, 64)))
	}
	return t.UTC(), nil
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// principal resolves who the event is attributed to.
func (m *Mapper) principal(f *fields, rec *Record) {
	u := &f.ui
	p := &rec.Principal
	if u.accountID.esc == f.recipient.esc && bytes.Equal(u.accountID.b, f.recipient.b) {
		p.AccountID = rec.AccountID // the usual case, without hashing it again
	} else {
		p.AccountID = m.intern(u.accountID, maxIDLen)
	}
	rec.InvokedBy = m.intern(u.invokedBy, maxNameLen)
	part := partitionOf(u.arn.b, f.region.b)
	switch {
	case u.typ.is("AssumedRole"):
		p.Type = PrincipalRole
		p.SessionARN = u.arn.string(maxARNLen)
		if !u.issuerARN.empty() {
			p.ARN = m.intern(u.issuerARN, maxARNLen)
		} else {
			p.ARN = roleFromSession(p.SessionARN)
		}
		p.Name = m.intern(u.issuerUserName, maxIDLen)
		p.Provider = m.intern(u.webIDProvider, maxARNLen)
	case u.typ.is("IAMUser"):
		p.Type = PrincipalUser
		p.ARN = m.intern(u.arn, maxARNLen)
		p.Name = m.intern(u.userName, maxIDLen)
		if p.ARN == "" && p.Name != "" && p.AccountID != "" {
			p.ARN = "arn:" + part + ":iam::" + p.AccountID + ":user/" + p.Name
		}
	case u.typ.is("Root"):
		p.Type = PrincipalRoot
		p.ARN = u.arn.string(maxARNLen)
		if p.ARN == "" && p.AccountID != "" {
			p.ARN = "arn:" + part + ":iam::" + p.AccountID + ":root"
		}
		p.Name = "root"
	case u.typ.is("FederatedUser"):
		// GetFederationToken sessions run with the calling IAM user's
		// permissions (cut down by the session policy): attribute to it.
		p.Type = PrincipalFederated
		p.SessionARN = u.arn.string(maxARNLen)
		p.ARN = u.issuerARN.string(maxARNLen)
		p.Name = u.issuerUserName.string(maxIDLen)
		if p.ARN == "" {
			p.ARN, p.SessionARN = p.SessionARN, ""
		}
	case u.typ.is("SAMLUser"), u.typ.is("WebIdentityUser"):
		// The AssumeRoleWith* call itself; it needs no permission of the
		// caller. The identity is the provider.
		p.Type = PrincipalSAML
		if u.typ.is("WebIdentityUser") {
			p.Type = PrincipalWebIdentity
		}
		p.Provider = u.identityProvider.string(maxARNLen)
		p.ARN = f.samlProviderARN()
		if p.ARN == "" {
			p.ARN = p.Provider
		}
		p.Name = u.userName.string(maxIDLen)
	case u.typ.is("AWSService"):
		p.Type = PrincipalService
		p.ARN = rec.InvokedBy
		p.Name = rec.InvokedBy
	case u.typ.is("AWSAccount"):
		if u.accountID.is("ANONYMOUS_PRINCIPAL") {
			p.Type = PrincipalAnonymous
			p.Name = "ANONYMOUS_PRINCIPAL"
			p.AccountID = ""
			break
		}
		p.Type = PrincipalAccount
		p.Name = p.AccountID
		if isAccountID(p.AccountID) {
			p.ARN = "arn:" + part + ":iam::" + p.AccountID + ":root"
		}
	case u.typ.is("IdentityCenterUser"):
		p.Type = PrincipalIdentityCenter
		user := u.onBehalfUser.string(maxIDLen)
		if store := u.onBehalfStore.string(maxARNLen); store != "" && user != "" {
			p.ARN = store + "/user/" + user
		} else {
			p.ARN = u.principalID.string(maxARNLen)
		}
		p.Name = user
	default:
		p.Type = PrincipalUnknown
		p.ARN = u.arn.string(maxARNLen)
		p.Name = u.userName.string(maxIDLen)
	}
	if p.Name == "" {
		p.Name = lastSegment(p.ARN)
	}
	p.CrossAccount = isAccountID(p.AccountID) && !f.recipient.empty() && !f.recipient.is(p.AccountID)
}

// roleFromSession turns arn:aws:sts::A:assumed-role/NAME/SESSION into the
// role ARN arn:aws:iam::A:role/NAME. The role's path is not in the session
// ARN, so this is only used when sessionIssuer is missing.
func roleFromSession(s string) string {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return s
	}
	part, rest, ok1 := strings.Cut(rest, ":sts::")
	acct, rest, ok2 := strings.Cut(rest, ":assumed-role/")
	name, _, _ := strings.Cut(rest, "/")
	if !ok1 || !ok2 || name == "" {
		return s
	}
	return "arn:" + part + ":iam::" + acct + ":role/" + name
}

func lastSegment(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func isAccountID(s string) bool { return len(s) == 12 && allDigits(s) }

// partitionOf takes the partition from an ARN, else from the region name.
func partitionOf(arn, region []byte) string {
	if p, ok := arnPartition(arn); ok {
		return p
	}
	return regionPartition(string(region))
}

func arnPartition(arn []byte) (string, bool) {
	if len(arn) < 5 || string(arn[:4]) != "arn:" {
		return "", false
	}
	rest := arn[4:]
	for i, c := range rest {
		if c == ':' {
			switch string(rest[:i]) {
			case "aws":
				return "aws", true
			case "aws-cn":
				return "aws-cn", true
			case "aws-us-gov":
				return "aws-us-gov", true
			}
			if i > 0 && i <= 20 && validPrefix(string(rest[:i])) {
				return string(rest[:i]), true
			}
			return "", false
		}
	}
	return "", false
}

func regionPartition(r string) string {
	switch {
	case strings.HasPrefix(r, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(r, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(r, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(r, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(r, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}

// ipString keeps sourceIPAddress when it looks like an IP address; service
// callers log a host name ("ecs-tasks.amazonaws.com") or "AWS Internal".
// The check is syntactic (sample logs scramble addresses into forms such as
// 255.090.254.5 that a strict parser rejects).
func ipString(s jstr) string {
	b := s.b
	if len(b) == 0 || len(b) > 64 || s.esc {
		return ""
	}
	dots, colons := 0, 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case isHex(c):
		case c == '%' || c == '[' || c == ']':
		default:
			return ""
		}
	}
	if colons >= 2 || dots == 3 && colons == 0 && isDigit(b[0]) {
		if colons == 0 {
			for _, c := range b {
				if c != '.' && !isDigit(c) {
					return ""
				}
			}
		}
		return string(b)
	}
	return ""
}

// consoleMFA reads additionalEventData.MFAUsed of console sign-ins.
func consoleMFA(addl []byte) bool {
	if addl == nil {
		return false
	}
	it, err := newObjIter(addl, 0)
	if err != nil {
		return false
	}
	for it.next() {
		if it.key.is("MFAUsed") {
			v, _ := it.str()
			return v.is("Yes")
		}
		it.skip()
	}
	return false
}

// inferManagement guesses managementEvent for records older than
// eventVersion 1.06, which lack it: data events are object-level S3,
// Lambda Invoke and DynamoDB item calls.
func inferManagement(f *fields, e *mapping) bool {
	switch {
	case f.eventCategory.is("Data"):
		return false
	case f.eventCategory.is("Management"):
		return true
	}
	switch e.source {
	case "s3.amazonaws.com":
		for _, a := range e.actions {
			if strings.Contains(a, "Object") || strings.Contains(a, "MultipartUpload") {
				return false
			}
		}
	case "lambda.amazonaws.com":
		return e.event != "Invoke" && e.event != "InvokeWithResponseStream"
	case "dynamodb.amazonaws.com":
		switch e.event {
		case "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction":
			return false
		}
	}
	return true
}
