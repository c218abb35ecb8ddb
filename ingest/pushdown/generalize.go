package pushdown

import (
	"fmt"
	"strings"
)

// The query groups by the request members the Mapper reads, and on
// churning logs those are unique per event (S3 object keys, DynamoDB item
// keys, log stream names, fresh instance ids): grouped raw, the engine
// would return about a row per event. The rollup keeps less of them than
// the Mapper reads (ingest/rollup's Batch.bound: lifecycle.Generalize,
// then lifecycle.ObjectPrefix at the object prefix depth), so the query
// replaces a member by a stand-in wherever the rollup provably keeps the
// same for both; where it cannot tell (a character, length or shape the
// argument below does not cover) it keeps the member as it is.
//
//   - key (S3): from the first segment with a minted token on (one that
//     lifecycle.Minted surely calls minted), the key becomes "*"; then a
//     key of more than depth segments becomes its first depth segments
//     and "*" (what lifecycle.ObjectPrefix leaves). For a key s1/…/sn
//     whose first minted segment is sp (p = n+1 when none is), Generalize
//     gives s1/…/s(p-1)/*. The stand-in s1/…/s(q-1)/*, q >= p the segment
//     the query finds, generalises to the same: an earlier minted segment
//     cuts it alike, and otherwise its "*" reads as already generalised;
//     the depth cut then applies to equal strings, or cuts both to
//     s1/…/s(depth)/* when p and q are past the depth. The argument needs
//     the object rule of the lifecycle table to match (no newline, no
//     wildcard in the key, a bucket without "/" that the table's other S3
//     rules cannot take for "job" or "accesspoint"), and the ARN to be
//     within the length ingest stores with either key. Keys of DynamoDB
//     calls are items' keys, which the Mapper never reads: dropped. An
//     S3 object ARN in resources[] has its key cut alike, when it is the
//     event's only one (resources).
//   - versionId (S3): only whether it is there matters (the Version
//     variants of the actions): a non-empty id becomes "*".
//   - logStreamName (CloudWatch Logs): the lifecycle table cuts a log
//     stream ARN's stream name whole, so any name gives the same pattern
//     when the ARN matches the rule (region and account without ":", a
//     log group name without a newline; a logGroupIdentifier ARN makes the
//     Mapper ignore the stream, a name does not replace logGroupName).
//   - sourceIPAddress: the context rollup keeps the VPC endpoint of a
//     call made through one, and the source address's network only when
//     there is none: an address behind an endpoint is dropped.
//   - instancesSet (EC2): a call on one instance names it by an id the
//     table cuts whole: any valid id stands for it (more than one stay as
//     they are, since the Mapper keeps one access per distinct id).
//
// TestGeneralizedMembers (ingest) checks all of it against file ingest.

// Event sources whose members are generalized. A member is generalized
// only for the source whose IAM prefix the Mapper reads it for (checked
// by TestGeneralizedSources).
const (
	sourceS3       = "s3.amazonaws.com"
	sourceDynamoDB = "dynamodb.amazonaws.com"
	sourceLogs     = "logs.amazonaws.com"
	sourceEC2      = "ec2.amazonaws.com"
)

// The buckets and keys the key transform is proven for, as a bucketName
// and key member (s3BucketRE, s3KeyRE) and in an object ARN in
// resources[] (s3ObjectARNRE) alike.
const (
	s3Bucket = `[A-Za-z0-9._-]{1,255}`
	s3Key    = `[A-Za-z0-9/!_.()&$@=;:+, ~%-]+`
)

// Regular expressions of what a transform applies to, common to Trino
// (Joni) and PostgreSQL (ARE, whose bounds stop at 255): ASCII only, and never "{", "[" or a space
// first, so that a CloudTrail Lake string they admit is never taken for
// JSON (Decode).
const (
	s3BucketRE   = `^` + s3Bucket + `$`
	s3KeyRE      = `^` + s3Key + `$`
	versionRE    = `^[A-Za-z0-9._-]+$`
	awsRegionRE  = `^[a-z0-9-]{1,64}$`
	awsAccountRE = `^[0-9]{12}$`
	logGroupRE   = `^[A-Za-z0-9_./#-]+$`
	logStreamRE  = `^[!-Z^-z|}~][ -~]*$`
	// One instance: {"items":[{"instanceId":"i-…"}]}, as each engine
	// prints it.
	oneInstanceRE = `^\{ ?"items": ?\[\{ ?"instanceId": ?"i-[0-9a-f]{8,17}" ?\}\] ?\}$`
	oneInstance   = `{"items":[{"instanceId":"i-0"}]}`
	// S3 object ARNs in resources[]: any, up to its key (which one must
	// be alone), and those the key transform takes: a partition, a
	// bucket as s3BucketRE and a key as s3KeyRE, not one the lifecycle
	// table's other S3 rules match.
	s3ObjectPrefixRE = `^arn:[^:]*:s3:::[^/]*/`
	s3ObjectARNRE    = `^arn:[a-z0-9-]{1,20}:s3:::` + s3Bucket + `/` + s3Key + `$`
	s3OtherRuleRE    = `^arn:[^:]*:s3:::(job|accesspoint)/`
	// A VPC endpoint id the rollup keeps as it is (non-empty after
	// rollup.Clip).
	endpointRE = `^[A-Za-z0-9-]+$`
)

// mintedSegmentRE matches the first key segment with a token (a run of
// letters and digits) lifecycle.Minted says is minted, and all after it:
// a number, three digits in a row, or eight or more hexadecimal digits
// with a digit (Minted says so of more tokens: a segment it misses is cut
// at a later one, or at the depth, or kept). The last is spelt out by
// where its first digit is, for engines without lookahead (RE2J).
var mintedSegmentRE = func() string {
	var hex []string
	hex = append(hex, "[0-9][A-Fa-f0-9]{7,}")
	for a := 1; a < 7; a++ {
		hex = append(hex, fmt.Sprintf("[A-Fa-f]{%d}[0-9][A-Fa-f0-9]{%d,}", a, 7-a))
	}
	hex = append(hex, "[A-Fa-f]{7,}[0-9][A-Fa-f0-9]*")
	return `(^|/)([^/]*[^A-Za-z0-9/])?([0-9]+|[A-Za-z0-9]*[0-9]{3}[A-Za-z0-9]*|` + strings.Join(hex, "|") + `)([^A-Za-z0-9/][^/]*)?(/.*)?$`
}()

// Ingest refuses a record with an ARN over rollup.MaxARN (1,024) bytes
// (and the Mapper builds none over 2,048): a member is generalized only
// when the ARN built from it, and so from its shorter stand-in, is within
// that, whatever the partition (up to 20 bytes), region (64: awsRegionRE)
// and account.
const (
	maxARNBytes = 1024
	// arn:P:s3:::BUCKET/KEY
	maxObjectChars = maxARNBytes - len("arn:") - 20 - len(":s3:::/")
	// arn:P:logs:R:A:log-group:GROUP:log-stream:STREAM
	maxLogChars = maxARNBytes - len("arn:") - 20 - len(":logs:") - 64 - len(":123456789012:log-group:") - len(":log-stream:")
)

// sql is the dialect's spelling of what the transforms need.
type sql Dialect

// member is requestParameters.k as a string: NULL when it is absent or
// (Athena, PostgreSQL) not a JSON string. CloudTrail Lake's map holds
// objects as JSON text; the regular expressions above exclude it.
func (d sql) member(k string) string {
	switch Dialect(d) {
	case Athena:
		path := sqlString(`$["` + k + `"]`)
		return "CASE WHEN json_format(json_extract(requestparameters, " + path + `)) LIKE '"%' THEN json_extract_scalar(requestparameters, ` + path + ") END"
	case Lake:
		return "element_at(requestparameters, " + sqlString(k) + ")"
	}
	return pgStr("requestParameters", k)
}

func (d sql) like(s, re string) string {
	if Dialect(d) == Postgres {
		return "(" + s + ") ~ " + sqlString(re)
	}
	return "regexp_like(" + s + ", " + sqlString(re) + ")"
}

// replaceFirst replaces the match of re in s, which runs to the end of s,
// by re's first group and "*".
func (d sql) replaceFirst(s, re string) string {
	repl := `'$1*'`
	if Dialect(d) == Postgres {
		repl = `'\1*'`
	}
	return "regexp_replace(" + s + ", " + sqlString(re) + ", " + repl + ")"
}

// replaceFirst0 removes the match of re (anchored at the start) from s.
func (d sql) replaceFirst0(s, re string) string {
	return "regexp_replace(" + s + ", " + sqlString(re) + ", '')"
}

// extract is the text re matches at the start of s (re without capturing
// groups), NULL when it does not match.
func (d sql) extract(s, re string) string {
	if Dialect(d) == Postgres {
		return "substring(" + s + " from " + sqlString(re) + ")"
	}
	return "regexp_extract(" + s + ", " + sqlString(re) + ")"
}

func (d sql) concat(a, b string) string {
	if Dialect(d) == Postgres {
		return "(" + a + " || " + b + ")"
	}
	return "concat(" + a + ", " + b + ")"
}

// rawString is string s as the column's raw value: JSON text (Athena),
// the string (Lake) or jsonb. s must need no JSON escaping.
func (d sql) rawString(s string) string {
	switch Dialect(d) {
	case Athena:
		return `concat('"', ` + s + `, '"')`
	case Lake:
		return s
	}
	return "to_jsonb(CAST(" + s + " AS text))"
}

// rawJSON is JSON text j as the column's raw value.
func (d sql) rawJSON(j string) string {
	if Dialect(d) == Postgres {
		return "CAST(" + sqlString(j) + " AS jsonb)"
	}
	return sqlString(j)
}

// rawText is raw (the column's value) as text.
func (d sql) rawText(raw string) string {
	if Dialect(d) == Postgres {
		return "CAST(" + raw + " AS text)"
	}
	return raw
}

// located says that an ARN built in the event's region and account
// matches the lifecycle rules' ${Region} and ${Account}.
func (d sql) located() string {
	return d.like(awsRegionCol.expr[d], awsRegionRE) + " AND " + d.like(recipientAccountCol.expr[d], awsAccountRE)
}

// keyCut is S3 key key (of the shape s3KeyRE admits) from its first
// segment with a minted token on replaced by "*", then cut to its first
// depth segments and "*".
func (d sql) keyCut(key string, depth int) string {
	cut := d.replaceFirst(key, mintedSegmentRE)
	if depth > 0 {
		prefix := fmt.Sprintf("^(?:[^/]*/){%d}", depth)
		cut = "CASE WHEN " + d.like(cut, prefix) + " THEN " + d.concat(d.extract(cut, prefix), "'*'") + " ELSE " + cut + " END"
	}
	return cut
}

// resources is the resources column: "type<TAB>ARN" lines, in order. The
// key of an S3 object ARN is cut as keyCut cuts the key member, when it is
// the event's only S3 object ARN (the Mapper keeps one access per distinct
// ARN, so two must not become one) and of the shape the key transform is
// proven for.
func resources(dl Dialect, depth int) string {
	d := sql(dl)
	object := func(arn, single string) string {
		return "CASE WHEN " + single + " AND " + d.like(arn, s3ObjectARNRE) + " AND NOT " + d.like(arn, s3OtherRuleRE) +
			fmt.Sprintf(" AND length(%s) <= %d", arn, maxARNBytes) +
			" THEN " + d.concat(d.extract(arn, s3ObjectPrefixRE), d.keyCut(d.replaceFirst0(arn, s3ObjectPrefixRE), depth)) + " ELSE " + arn + " END"
	}
	if dl == Postgres {
		elems := "jsonb_array_elements(CASE WHEN jsonb_typeof(raw -> 'resources') = 'array' THEN raw -> 'resources' END)"
		str := func(e, k string) string {
			return "CASE WHEN jsonb_typeof(" + e + " -> '" + k + "') = 'string' THEN " + e + " ->> '" + k + "' END"
		}
		single := "(SELECT count(*) FROM " + elems + " AS u(x) WHERE " + d.like(str("x", "ARN"), s3ObjectPrefixRE) + ") = 1"
		return "(SELECT string_agg(coalesce(" + str("e", "type") + ", '') || chr(9) || coalesce(" + object(str("e", "ARN"), single) + ", ''), chr(10) ORDER BY i) " +
			"FROM " + elems + " WITH ORDINALITY AS t(e, i))"
	}
	single := "cardinality(filter(resources, x -> " + d.like("x.arn", s3ObjectPrefixRE) + ")) = 1"
	return "array_join(transform(resources, r -> concat(coalesce(r.type, ''), chr(9), coalesce(" + object("r.arn", single) + ", ''))), chr(10))"
}

// generalized is the expression of request member k (raw is its
// ungeneralized expression) in dialect dl, with object keys cut at depth.
func generalized(dl Dialect, k, raw string, depth int) string {
	d := sql(dl)
	src := eventSourceCol.expr[dl]
	switch k {
	case "key":
		key, bucket := d.member("key"), d.member("bucketName")
		return "CASE WHEN " + src + " = " + sqlString(sourceDynamoDB) + " THEN NULL" +
			" WHEN " + src + " = " + sqlString(sourceS3) +
			" AND " + d.like(bucket, s3BucketRE) + " AND " + bucket + " NOT IN ('job', 'accesspoint')" +
			" AND " + d.like(key, s3KeyRE) + fmt.Sprintf(" AND length(%s) + length(%s) <= %d", bucket, key, maxObjectChars) +
			" THEN " + d.rawString(d.keyCut(key, depth)) + " ELSE " + raw + " END"
	case "versionId":
		return "CASE WHEN " + src + " = " + sqlString(sourceS3) + " AND " + d.like(d.member(k), versionRE) +
			" THEN " + d.rawString("'*'") + " ELSE " + raw + " END"
	case "logStreamName":
		group, stream := d.member("logGroupName"), d.member(k)
		return "CASE WHEN " + src + " = " + sqlString(sourceLogs) + " AND " + d.located() +
			" AND " + d.like(group, logGroupRE) + " AND " + d.like(stream, logStreamRE) +
			fmt.Sprintf(" AND length(%s) + length(%s) <= %d", group, stream, maxLogChars) + " THEN " + d.rawString("'*'") + " ELSE " + raw + " END"
	case "instancesSet":
		return "CASE WHEN " + src + " = " + sqlString(sourceEC2) + " AND " + d.located() +
			" AND " + d.like(d.rawText(raw), oneInstanceRE) + " THEN " + d.rawJSON(oneInstance) + " ELSE " + raw + " END"
	}
	return raw
}

// behindEndpoint is ip, the source address expression, NULL for a call
// made through a VPC endpoint.
func behindEndpoint(dl Dialect, ip string) string {
	return "CASE WHEN " + sql(dl).like(vpcEndpointCol.expr[dl], endpointRE) + " THEN NULL ELSE " + ip + " END"
}
