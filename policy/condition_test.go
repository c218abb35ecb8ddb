package policy

import "testing"

func TestEvaluateCondition(t *testing.T) {
	type ctx = map[string][]string
	tests := []struct {
		name   string
		op     string
		key    string
		values []string
		ctx    ctx
		want   bool
	}{
		// String operators.
		{"StringEquals match", "StringEquals", "aws:PrincipalTag/team", []string{"red", "blue"}, ctx{"aws:PrincipalTag/team": {"blue"}}, true},
		{"StringEquals is case-sensitive", "StringEquals", "aws:PrincipalTag/team", []string{"red"}, ctx{"aws:PrincipalTag/team": {"Red"}}, false},
		{"StringEquals key case-insensitive", "StringEquals", "AWS:PRINCIPALTAG/TEAM", []string{"red"}, ctx{"aws:PrincipalTag/team": {"red"}}, true},
		{"StringEquals does not glob", "StringEquals", "s3:prefix", []string{"home/*"}, ctx{"s3:prefix": {"home/x"}}, false},
		{"StringEquals absent key", "StringEquals", "aws:PrincipalTag/team", []string{"red"}, ctx{}, false},
		{"StringNotEquals other value", "StringNotEquals", "aws:RequestedRegion", []string{"us-east-1", "eu-west-1"}, ctx{"aws:RequestedRegion": {"ap-south-1"}}, true},
		{"StringNotEquals listed value", "StringNotEquals", "aws:RequestedRegion", []string{"us-east-1", "eu-west-1"}, ctx{"aws:RequestedRegion": {"eu-west-1"}}, false},
		{"StringNotEquals absent key is true", "StringNotEquals", "aws:RequestedRegion", []string{"us-east-1"}, ctx{}, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "aws:PrincipalTag/team", []string{"RED"}, ctx{"aws:PrincipalTag/team": {"red"}}, true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", []string{"RED"}, ctx{"aws:PrincipalTag/team": {"red"}}, false},
		{"StringLike star", "StringLike", "s3:prefix", []string{"home/*"}, ctx{"s3:prefix": {"home/a/b"}}, true},
		{"StringLike question", "StringLike", "s3:prefix", []string{"v?"}, ctx{"s3:prefix": {"v10"}}, false},
		{"StringLike case-sensitive", "StringLike", "s3:prefix", []string{"Home/*"}, ctx{"s3:prefix": {"home/a"}}, false},
		{"StringNotLike", "StringNotLike", "s3:prefix", []string{"home/*", "tmp/*"}, ctx{"s3:prefix": {"etc/x"}}, true},
		{"StringNotLike matching", "StringNotLike", "s3:prefix", []string{"home/*", "tmp/*"}, ctx{"s3:prefix": {"tmp/x"}}, false},
		{"StringLike with variable", "StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, ctx{"s3:prefix": {"home/alice/x"}, "aws:username": {"alice"}}, true},
		{"StringLike with variable, other user", "StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, ctx{"s3:prefix": {"home/bob/x"}, "aws:username": {"alice"}}, false},
		{"StringLike with unresolved variable", "StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, ctx{"s3:prefix": {"home/${aws:username}/x"}}, false},
		{"StringEquals with variable", "StringEquals", "aws:ResourceTag/owner", []string{"${aws:username}"}, ctx{"aws:ResourceTag/owner": {"alice"}, "aws:username": {"alice"}}, true},
		{"StringEquals with ${*} escape", "StringEquals", "k:k", []string{"a${*}"}, ctx{"k:k": {"a*"}}, true},
		// Numeric.
		{"NumericLessThan", "NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}, ctx{"aws:MultiFactorAuthAge": {"120"}}, true},
		{"NumericLessThan equal", "NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}, ctx{"aws:MultiFactorAuthAge": {"3600"}}, false},
		{"NumericLessThanEquals equal", "NumericLessThanEquals", "aws:MultiFactorAuthAge", []string{"3600"}, ctx{"aws:MultiFactorAuthAge": {"3600"}}, true},
		{"NumericGreaterThan", "NumericGreaterThan", "n:n", []string{"10"}, ctx{"n:n": {"10.5"}}, true},
		{"NumericGreaterThanEquals", "NumericGreaterThanEquals", "n:n", []string{"10"}, ctx{"n:n": {"9"}}, false},
		{"NumericEquals float vs int", "NumericEquals", "n:n", []string{"10"}, ctx{"n:n": {"10.0"}}, true},
		{"NumericNotEquals", "NumericNotEquals", "n:n", []string{"10", "11"}, ctx{"n:n": {"12"}}, true},
		{"NumericEquals request not a number", "NumericEquals", "n:n", []string{"10"}, ctx{"n:n": {"ten"}}, false},
		// Date.
		{"DateLessThan", "DateLessThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}, ctx{"aws:CurrentTime": {"2026-05-01T10:00:00Z"}}, true},
		{"DateGreaterThan", "DateGreaterThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}, ctx{"aws:CurrentTime": {"2026-05-01T10:00:00Z"}}, false},
		{"DateGreaterThanEquals date only", "DateGreaterThanEquals", "aws:CurrentTime", []string{"2026-05-01"}, ctx{"aws:CurrentTime": {"2026-05-01T00:00:00Z"}}, true},
		{"DateEquals across zones", "DateEquals", "aws:CurrentTime", []string{"2026-05-01T12:00:00+02:00"}, ctx{"aws:CurrentTime": {"2026-05-01T10:00:00Z"}}, true},
		{"DateNotEquals", "DateNotEquals", "aws:CurrentTime", []string{"2026-05-01T12:00:00Z"}, ctx{"aws:CurrentTime": {"2026-05-01T10:00:00Z"}}, true},
		{"DateLessThan epoch", "DateLessThan", "aws:EpochTime", []string{"1893456000"}, ctx{"aws:EpochTime": {"1777630000"}}, true},
		{"DateLessThan epoch vs ISO", "DateLessThan", "aws:CurrentTime", []string{"1893456000"}, ctx{"aws:CurrentTime": {"2031-01-01T00:00:00Z"}}, false},
		{"DateLessThanEquals fractional", "DateLessThanEquals", "aws:TokenIssueTime", []string{"2026-05-01T10:00:00.500Z"}, ctx{"aws:TokenIssueTime": {"2026-05-01T10:00:00.250Z"}}, true},
		// Bool and binary.
		{"Bool true", "Bool", "aws:SecureTransport", []string{"true"}, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool case-insensitive", "Bool", "aws:SecureTransport", []string{"true"}, ctx{"aws:SecureTransport": {"TRUE"}}, true},
		{"Bool false vs true", "Bool", "aws:SecureTransport", []string{"false"}, ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool absent", "Bool", "aws:SecureTransport", []string{"false"}, ctx{}, false},
		{"BoolIfExists absent", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"true"}, ctx{}, true},
		{"BoolIfExists present false", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"true"}, ctx{"aws:MultiFactorAuthPresent": {"false"}}, false},
		{"BinaryEquals", "BinaryEquals", "k:bin", []string{"QmluYXJ5VmFsdWU="}, ctx{"k:bin": {"QmluYXJ5VmFsdWU="}}, true},
		{"BinaryEquals differs", "BinaryEquals", "k:bin", []string{"QmluYXJ5VmFsdWU="}, ctx{"k:bin": {"QmluYXJ5VmFsdWF="}}, false},
		// IP.
		{"IpAddress in CIDR", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"203.0.113.77"}}, true},
		{"IpAddress outside", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"203.0.114.1"}}, false},
		{"IpAddress single address", "IpAddress", "aws:SourceIp", []string{"203.0.113.5"}, ctx{"aws:SourceIp": {"203.0.113.5"}}, true},
		{"IpAddress unmasked CIDR", "IpAddress", "aws:SourceIp", []string{"10.1.2.3/8"}, ctx{"aws:SourceIp": {"10.200.0.1"}}, true},
		{"IpAddress IPv6", "IpAddress", "aws:SourceIp", []string{"2001:db8::/32"}, ctx{"aws:SourceIp": {"2001:db8:1::1"}}, true},
		{"IpAddress IPv6 vs IPv4 range", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx{"aws:SourceIp": {"2001:db8:1::1"}}, false},
		{"IpAddress v4-mapped v6 request", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx{"aws:SourceIp": {"::ffff:10.1.1.1"}}, true},
		{"NotIpAddress outside", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8", "192.168.0.0/16"}, ctx{"aws:SourceIp": {"8.8.8.8"}}, true},
		{"NotIpAddress inside", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8", "192.168.0.0/16"}, ctx{"aws:SourceIp": {"192.168.1.1"}}, false},
		{"NotIpAddress absent is true", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx{}, true},
		{"IpAddress request not an IP", "IpAddress", "aws:SourceIp", []string{"0.0.0.0/0"}, ctx{"aws:SourceIp": {"ec2.amazonaws.com"}}, false},
		// ARN.
		{"ArnLike part wildcards", "ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:123456789012:topic-*"}, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:topic-a"}}, true},
		{"ArnLike account differs", "ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:123456789012:*"}, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:999999999999:t"}}, false},
		{"ArnLike * stays in its part", "ArnLike", "aws:SourceArn", []string{"arn:aws:s3:*:1:x"}, ctx{"aws:SourceArn": {"arn:aws:s3:a:b:1:x"}}, false},
		{"ArnLike resource part holds colons", "ArnLike", "aws:SourceArn", []string{"arn:aws:logs:*:1:log-group:*"}, ctx{"aws:SourceArn": {"arn:aws:logs:eu-west-1:1:log-group:g:log-stream:s"}}, true},
		{"ArnEquals", "ArnEquals", "aws:SourceArn", []string{"arn:aws:iam::1:role/r"}, ctx{"aws:SourceArn": {"arn:aws:iam::1:role/r"}}, true},
		{"ArnEquals case-sensitive", "ArnEquals", "aws:SourceArn", []string{"arn:aws:iam::1:role/R"}, ctx{"aws:SourceArn": {"arn:aws:iam::1:role/r"}}, false},
		{"ArnNotLike", "ArnNotLike", "aws:SourceArn", []string{"arn:aws:iam::1:role/admin-*"}, ctx{"aws:SourceArn": {"arn:aws:iam::1:role/dev"}}, true},
		{"ArnNotEquals absent", "ArnNotEquals", "aws:SourceArn", []string{"arn:aws:iam::1:role/r"}, ctx{}, true},
		{"ArnLike non-ARN request", "ArnLike", "aws:SourceArn", []string{"arn:aws:iam::1:role/*"}, ctx{"aws:SourceArn": {"role/x"}}, false},
		// Null.
		{"Null true, absent", "Null", "aws:TokenIssueTime", []string{"true"}, ctx{}, true},
		{"Null true, present", "Null", "aws:TokenIssueTime", []string{"true"}, ctx{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}, false},
		{"Null false, present", "Null", "aws:TokenIssueTime", []string{"false"}, ctx{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}, true},
		{"Null false, absent", "Null", "aws:TokenIssueTime", []string{"false"}, ctx{}, false},
		{"Null false, empty list is absent", "Null", "aws:TagKeys", []string{"false"}, ctx{"aws:TagKeys": {}}, false},
		// IfExists.
		{"StringEqualsIfExists absent", "StringEqualsIfExists", "ec2:InstanceType", []string{"t3.micro"}, ctx{}, true},
		{"StringEqualsIfExists present, other", "StringEqualsIfExists", "ec2:InstanceType", []string{"t3.micro"}, ctx{"ec2:InstanceType": {"m5.large"}}, false},
		{"StringEqualsIfExists present, same", "StringEqualsIfExists", "ec2:InstanceType", []string{"t3.micro"}, ctx{"ec2:InstanceType": {"t3.micro"}}, true},
		{"NumericLessThanIfExists absent", "NumericLessThanIfExists", "aws:MultiFactorAuthAge", []string{"60"}, ctx{}, true},
		// Set operators.
		{"ForAllValues all in list", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team", "env"}, ctx{"aws:TagKeys": {"env", "team"}}, true},
		{"ForAllValues one outside", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team", "env"}, ctx{"aws:TagKeys": {"env", "cost"}}, false},
		{"ForAllValues absent key is true", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team"}, ctx{}, true},
		{"ForAllValues empty set is true", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {}}, true},
		{"ForAllValues StringLike", "ForAllValues:StringLike", "aws:TagKeys", []string{"app-*"}, ctx{"aws:TagKeys": {"app-a", "app-b"}}, true},
		{"ForAllValues StringNotEquals none listed", "ForAllValues:StringNotEquals", "aws:TagKeys", []string{"secret"}, ctx{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAllValues StringNotEquals one listed", "ForAllValues:StringNotEquals", "aws:TagKeys", []string{"secret"}, ctx{"aws:TagKeys": {"a", "secret"}}, false},
		{"ForAnyValue one in list", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {"env", "team"}}, true},
		{"ForAnyValue none in list", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {"env"}}, false},
		{"ForAnyValue absent key is false", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, ctx{}, false},
		{"ForAnyValue empty set is false", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {}}, false},
		{"ForAnyValue StringNotEquals one outside", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAnyValue StringNotEquals all listed", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {"team"}}, false},
		{"ForAnyValue StringLikeIfExists absent", "ForAnyValue:StringLikeIfExists", "aws:TagKeys", []string{"x*"}, ctx{}, true},
		// Multi-valued key without a qualifier.
		{"no qualifier, multi-valued, any matches", "StringEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {"env", "team"}}, true},
		{"no qualifier, negated, one matches", "StringNotEquals", "aws:TagKeys", []string{"team"}, ctx{"aws:TagKeys": {"env", "team"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCondition(tc.op, tc.key, tc.values...)
			if err != nil {
				t.Fatalf("NewCondition(%q): %v", tc.op, err)
			}
			got, err := EvaluateCondition(c, tc.ctx)
			if err != nil {
				t.Fatalf("EvaluateCondition: %v", err)
			}
			if got != tc.want {
				t.Errorf("%s %s %q with %v = %v, want %v", tc.op, tc.key, tc.values, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestEvaluateConditionErrors(t *testing.T) {
	tests := []struct {
		name string
		c    Condition
	}{
		{"unknown operator", Condition{Operator: "StringFoo", Key: "k:k", Values: []string{"x"}}},
		{"numeric value not a number", Condition{Operator: "NumericEquals", Base: "NumericEquals", Key: "k:k", Values: []string{"ten"}}},
		{"date value not a date", Condition{Operator: "DateEquals", Base: "DateEquals", Key: "k:k", Values: []string{"soon"}}},
		{"Null value not a boolean", Condition{Operator: "Null", Base: "Null", Key: "k:k", Values: []string{"maybe"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := EvaluateCondition(tc.c, map[string][]string{"k:k": {"1"}}); err == nil {
				t.Errorf("EvaluateCondition(%+v) err = nil, want an error", tc.c)
			}
		})
	}
}
