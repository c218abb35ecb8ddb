package pushdown

import (
	"fmt"
	"strings"

	"github.com/iamtrim/iamtrim/cloudtrail"
)

// Dialect is the SQL the query is written in.
type Dialect int

// Dialects.
const (
	// Athena is Trino SQL over the CloudTrail table AWS documents
	// (requestparameters and additionaleventdata as JSON strings,
	// useridentity and resources as structs).
	Athena Dialect = iota
	// Lake is CloudTrail Lake SQL over an event data store
	// (requestparameters and additionaleventdata as map<string,string>,
	// eventtime a timestamp).
	Lake
	// Postgres is PostgreSQL over a table of raw CloudTrail records in a
	// jsonb column named raw: what the equivalence tests run.
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case Athena:
		return "athena"
	case Lake:
		return "lake"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("dialect(%d)", int(d))
}

// kind says how a column's value goes back into the synthetic record.
type kind uint8

const (
	kString    kind = iota // a string at path
	kRaw                   // JSON text at path (Lake: a map value, JSON only when it is an object or array)
	kBool                  // "true" puts true at path
	kResources             // "type<TAB>ARN" lines: resources[]
	kOutcome               // an outcome class: an errorCode of that class
)

// column is one grouping column of the model: its name in the result,
// where its value goes in the synthetic record, and its expression in
// each dialect.
type column struct {
	name string
	path []string
	kind kind
	expr [3]string // by Dialect
}

// Outcome classes of the outcome column, as cloudtrail.Outcome names them.
var outcomeCodes = map[string]string{
	cloudtrail.OutcomeSuccess.String():         "",
	cloudtrail.OutcomeDenied.String():          "AccessDenied",
	cloudtrail.OutcomeUnauthenticated.String(): "AuthFailure",
}

// pgPath is a PostgreSQL path literal for raw #> and #>>.
func pgPath(path ...string) string {
	q := make([]string, len(path))
	for i, p := range path {
		q[i] = `"` + strings.ReplaceAll(p, `"`, `\"`) + `"`
	}
	return "'{" + strings.Join(q, ",") + "}'"
}

// pgStr is the string at path, NULL when it is absent or not a string
// (the Mapper reads only strings there).
func pgStr(path ...string) string {
	p := pgPath(path...)
	return "CASE WHEN jsonb_typeof(raw #> " + p + ") = 'string' THEN raw #>> " + p + " END"
}

// str is a string field: its Athena/Lake column and its JSON path.
func str(name, trino string, path ...string) column {
	return column{name: name, path: path, kind: kString, expr: [3]string{trino, trino, pgStr(path...)}}
}

// Fields the transforms and the query's filters read besides their own
// columns: one spelling of each, per dialect.
var (
	eventSourceCol      = str("event_source", "eventsource", "eventSource")
	awsRegionCol        = str("aws_region", "awsregion", "awsRegion")
	recipientAccountCol = str("recipient_account", "recipientaccountid", "recipientAccountId")
	vpcEndpointCol      = str("vpc_endpoint", "vpcendpointid", "vpcEndpointId")
)

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = sqlString(v)
	}
	return strings.Join(q, ", ")
}

// sessionToRole folds an assumed-role session ARN to its role's ARN, the
// way the Mapper does when sessionIssuer is missing
// (arn:P:sts::A:assumed-role/NAME/SESSION -> arn:P:iam::A:role/NAME).
const sessionRE = `^arn:([^:]+):sts::([^:/]*):assumed-role/([^/]+)/.*$`

// ipv4RE matches the addresses net/netip parses as IPv4 (no leading
// zeros), whose /24 the context rollup keeps.
const ipv4RE = `^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$`

// outcomeExpr classifies errorCode e (a string expression) as
// cloudtrail.ErrorCodeClasses says, in SQL common to Trino and PostgreSQL.
func outcomeExpr(e string) string {
	cl := cloudtrail.ErrorCodeClasses()
	c := "lower(" + e + ")"
	if len(cl.StripPrefixes) > 0 {
		alt := make([]string, len(cl.StripPrefixes))
		for i, p := range cl.StripPrefixes {
			alt[i] = "(" + strings.ReplaceAll(p, ".", `\.`) + ")?"
		}
		c = "regexp_replace(" + c + ", '^" + strings.Join(alt, "") + "', '')"
	}
	like := func(pats []string, pre, post string) string {
		q := make([]string, len(pats))
		for i, p := range pats {
			q[i] = c + " LIKE " + sqlString(pre+p+post)
		}
		return strings.Join(q, " OR ")
	}
	var b strings.Builder
	b.WriteString("CASE WHEN " + e + " IS NULL OR " + e + " = '' THEN 'success'")
	b.WriteString(" WHEN " + c + " IN (" + sqlList(cl.Denied) + ") THEN 'denied'")
	b.WriteString(" WHEN " + c + " IN (" + sqlList(cl.Unauthenticated) + ") THEN 'unauthenticated'")
	b.WriteString(" WHEN " + like(cl.UnauthenticatedSuffixes, "%", "") + " THEN 'unauthenticated'")
	b.WriteString(" WHEN " + like(cl.DeniedPrefixes, "", "%") + " THEN 'denied'")
	b.WriteString(" ELSE 'success' END")
	return b.String()
}

// columns is the model: every field of a CloudTrail record the Mapper
// reads, as grouping columns. depth is the rollup's object prefix depth
// (0: whole keys), which S3 object keys are cut at (generalized).
func columns(depth int) []column {
	uiType := [3]string{"useridentity.type", "useridentity.type", pgStr("userIdentity", "type")}
	uiARN := [3]string{"useridentity.arn", "useridentity.arn", pgStr("userIdentity", "arn")}
	foldARN := func(d Dialect, repl string) string {
		return "CASE WHEN " + uiType[d] + " = 'AssumedRole' THEN regexp_replace(" + uiARN[d] + ", '" + sessionRE + "', '" + repl + "') ELSE " + uiARN[d] + " END"
	}
	ipFold := func(ip, match string) string {
		return "CASE WHEN " + match + " THEN regexp_replace(" + ip + `, '\.[0-9]+$', '.0') ELSE ` + ip + " END"
	}
	trinoIP := "sourceipaddress"
	pgIP := pgStr("sourceIPAddress")
	signin := func(d Dialect, v string) string {
		return "CASE WHEN " + eventSourceCol.expr[d] + " = 'signin.amazonaws.com' THEN " + v + " END"
	}
	mfa := func(v string) string { return "CASE WHEN " + v + " = 'true' THEN 'true' END" }
	pgMFA := "raw #>> " + pgPath("userIdentity", "sessionContext", "attributes", "mfaAuthenticated")

	cols := []column{
		eventSourceCol,
		str("event_name", "eventname", "eventName"),
		awsRegionCol,
		recipientAccountCol,
		str("event_type", "eventtype", "eventType"),
		str("event_category", "eventcategory", "eventCategory"),
		vpcEndpointCol,
		{name: "source_ip", path: []string{"sourceIPAddress"}, kind: kString, expr: [3]string{
			behindEndpoint(Athena, ipFold(trinoIP, "regexp_like("+trinoIP+", '"+ipv4RE+"')")),
			behindEndpoint(Lake, ipFold(trinoIP, "regexp_like("+trinoIP+", '"+ipv4RE+"')")),
			behindEndpoint(Postgres, ipFold(pgIP, pgIP+" ~ '"+ipv4RE+"'")),
		}},
		str("user_agent", "useragent", "userAgent"),
		{name: "outcome", path: []string{"errorCode"}, kind: kOutcome, expr: [3]string{
			outcomeExpr("errorcode"), outcomeExpr("errorcode"), outcomeExpr("(" + pgStr("errorCode") + ")"),
		}},
		{name: "mfa_used", path: []string{"additionalEventData", "MFAUsed"}, kind: kString, expr: [3]string{
			signin(Athena, "json_extract_scalar(additionaleventdata, '$.MFAUsed')"),
			signin(Lake, "element_at(additionaleventdata, 'MFAUsed')"),
			signin(Postgres, pgStr("additionalEventData", "MFAUsed")),
		}},
		{name: "ui_type", path: []string{"userIdentity", "type"}, kind: kString, expr: uiType},
		{name: "ui_arn", path: []string{"userIdentity", "arn"}, kind: kString, expr: [3]string{
			foldARN(Athena, "arn:$1:iam::$2:role/$3"), foldARN(Lake, "arn:$1:iam::$2:role/$3"), foldARN(Postgres, `arn:\1:iam::\2:role/\3`),
		}},
		str("ui_account", "useridentity.accountid", "userIdentity", "accountId"),
		str("ui_user_name", "useridentity.username", "userIdentity", "userName"),
		str("ui_invoked_by", "useridentity.invokedby", "userIdentity", "invokedBy"),
		// The table AWS documents for Athena has no identityprovider.
		{name: "ui_identity_provider", path: []string{"userIdentity", "identityProvider"}, kind: kString, expr: [3]string{
			"CAST(NULL AS varchar)", "useridentity.identityprovider", pgStr("userIdentity", "identityProvider"),
		}},
		// principalId names the session for most types: only Identity
		// Center users are named by it (without onBehalfOf).
		{name: "ui_principal_id", path: []string{"userIdentity", "principalId"}, kind: kString, expr: [3]string{
			"CASE WHEN " + uiType[Athena] + " = 'IdentityCenterUser' THEN useridentity.principalid END",
			"CASE WHEN " + uiType[Lake] + " = 'IdentityCenterUser' THEN useridentity.principalid END",
			"CASE WHEN " + uiType[Postgres] + " = 'IdentityCenterUser' THEN " + pgStr("userIdentity", "principalId") + " END",
		}},
		{name: "ui_mfa", path: []string{"userIdentity", "sessionContext", "attributes", "mfaAuthenticated"}, kind: kBool, expr: [3]string{
			mfa("useridentity.sessioncontext.attributes.mfaauthenticated"),
			mfa("useridentity.sessioncontext.attributes.mfaauthenticated"),
			mfa(pgMFA),
		}},
		str("issuer_arn", "useridentity.sessioncontext.sessionissuer.arn", "userIdentity", "sessionContext", "sessionIssuer", "arn"),
		str("issuer_user_name", "useridentity.sessioncontext.sessionissuer.username", "userIdentity", "sessionContext", "sessionIssuer", "userName"),
		str("web_id_provider", "useridentity.sessioncontext.webidfederationdata.federatedprovider", "userIdentity", "sessionContext", "webIdFederationData", "federatedProvider"),
		str("obo_user", "useridentity.onbehalfof.userid", "userIdentity", "onBehalfOf", "userId"),
		str("obo_store", "useridentity.onbehalfof.identitystorearn", "userIdentity", "onBehalfOf", "identityStoreArn"),
		{name: "resources", path: []string{"resources"}, kind: kResources, expr: [3]string{
			resources(Athena, depth), resources(Lake, depth), resources(Postgres, depth),
		}},
	}
	used := map[string]bool{}
	for _, c := range cols {
		used[c.name] = true
	}
	for _, k := range cloudtrail.RequestFields() {
		name := "rp_" + identifier(k)
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("rp_%s_%d", identifier(k), n)
		}
		used[name] = true
		c := column{name: name, path: []string{"requestParameters", k}, kind: kRaw, expr: [3]string{
			"json_format(json_extract(requestparameters, " + sqlString(`$["`+k+`"]`) + "))",
			"element_at(requestparameters, " + sqlString(k) + ")",
			"raw -> 'requestParameters' -> " + sqlString(k),
		}}
		for d := range c.expr {
			c.expr[d] = generalized(Dialect(d), k, c.expr[d], depth)
		}
		cols = append(cols, c)
	}
	return cols
}

// identifier lower-cases s and keeps letters and digits, for a column name
// Athena keeps as written (it lower-cases names).
func identifier(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
